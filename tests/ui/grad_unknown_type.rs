#[mlp::grad]
fn f(x: f64, n: i32) -> f64 {
    x
}

fn main() {}

fn foo(x: f64) -> f64 {
    x.sin()
}

#[mlp::grad]
fn f(x: f64, y: f64) -> f64 {
    let q = x * y;
    foo(q) + q
}

fn main() {}

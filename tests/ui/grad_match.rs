// A `match` is refused with the `if` that says the same.
#[mlp::grad]
fn f(x: f64) -> f64 {
    match x > 1.0 {
        true => x.ln(),
        false => x - 1.0,
    }
}

fn main() {}

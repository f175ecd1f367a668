// `floor` is a step function of its own kind: not among the differentiable methods.
#[mlp::grad]
fn f(x: f64, y: f64) -> f64 {
    x.floor() * y.sin()
}

fn main() {}

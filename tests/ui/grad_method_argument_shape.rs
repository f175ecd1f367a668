use mlp::nalgebra::SVector;

// Inside `.map(|t| ...)` every operation is elementwise over the vector: `y`, a number outside
// the closure, is no expression of `t`.
#[mlp::grad]
fn f(v: SVector<f64, 2>, y: f64) -> f64 {
    v.map(|t| t.max(y)).sum()
}

fn main() {}

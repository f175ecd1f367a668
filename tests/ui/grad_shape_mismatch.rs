use mlp::nalgebra::{SMatrix, SVector};

#[mlp::grad]
fn f(w: SMatrix<f64, 3, 2>, x: SVector<f64, 3>) -> f64 {
    (w * x).sum()
}

fn main() {}

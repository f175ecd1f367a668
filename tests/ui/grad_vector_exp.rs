use mlp::nalgebra::SVector;

#[mlp::grad]
fn f(v: SVector<f64, 3>) -> f64 {
    v.exp().sum()
}

fn main() {}

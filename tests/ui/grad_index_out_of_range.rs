use mlp::nalgebra::SVector;

// The loop reads v[i + 1] up to i = 4: v[5] is past the end.
#[mlp::grad]
fn f(v: SVector<f64, 5>) -> f64 {
    let mut total = 0.0;
    for i in 0..v.len() {
        total += v[i + 1] - v[i];
    }
    total
}

fn main() {}

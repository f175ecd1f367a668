//! Lecture section 2, more than two classes: z = W·x + b with W a 3×2 matrix, ŷ = softmax(z),
//! cross-entropy, on three Gaussian blobs. Starts with the lecture's worked softmax example.
//!
//! Run: `cargo run --release --example 03_softmax_regression`

mod common;

use common::{accuracy, epoch, prepare};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;

/// Softmax regression: one Linear layer, softmax, cross-entropy.
#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE)]
pub struct SoftmaxRegression;

fn main() {
    let p = mlp::functions::softmax(&SVector::<f64, 4>::new(-1.0, 0.0, 3.0, 5.0));
    println!(
        "softmax([−1, 0, 3, 5]) = [{:.7}, {:.8}, {:.8}, {:.8}]",
        p[0], p[1], p[2], p[3]
    );
    println!("(the lecture: [0.0021657, 0.00588697, 0.11824302, 0.87370431])\n");
    println!("{}", SoftmaxRegression::<f32>::DERIVATION);

    let data = mlp::datasets::make_blobs::<2>(300, 3, 1.5, 3);
    let (train, test) = prepare(&data, 0.2, 3);

    let mut net = SoftmaxRegression::<f32>::zeros();
    let mut rng = Rng::new(3);
    println!("epoch  mean loss  train acc  test acc");
    for e in 1..=10 {
        let loss = epoch(&mut net, &train, 0.1, &mut rng);
        let (a, b) = (accuracy(&net, &train), accuracy(&net, &test));
        println!("{e:>5}  {loss:>9.4}  {a:>8.1}%  {b:>7.1}%");
    }
    println!("\nW =\n{}b = {}", net.w, net.b.transpose());
}

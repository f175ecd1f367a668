//! Lecture section 1, logistic regression as matrix products: p = σ([w₀ w₁]·[x y]ᵀ + b),
//! J = −(y·log p + (1 − y)·log(1 − p)), trained with W ← W − η·∇W on two Gaussian blobs
//! (sklearn's `make_blobs(n_samples=200, centers=2, cluster_std=0.3)`, with our own seeded
//! generator, so the points differ from sklearn's).
//!
//! Run: `cargo run --release --example 02_logistic_regression`

mod common;

use common::{epoch, prepare, Sample};
use mlp::rng::Rng;
use mlp::Network;

/// The lecture's logistic regression: one output, σ, binary cross-entropy.
#[mlp::network(x -> Linear(2, 1) -> Sigmoid -> BCE)]
pub struct LogisticRegression;

fn main() {
    println!("{}", LogisticRegression::<f32>::DERIVATION);

    let data = mlp::datasets::make_blobs::<2>(200, 2, 0.3, 0);
    let (train, test) = prepare(&data, 0.2, 0);
    // BCE's target is the probability of class 1.
    let as_probability = |set: Vec<Sample<2, usize>>| -> Vec<Sample<2, f32>> {
        set.into_iter().map(|(x, y)| (x, y as f32)).collect()
    };
    let (train, test) = (as_probability(train), as_probability(test));

    let accuracy = |net: &LogisticRegression<f32>, data: &[Sample<2, f32>]| {
        let right = data
            .iter()
            .filter(|(x, y)| (net.forward(x)[0] > 0.5) == (*y > 0.5))
            .count();
        100.0 * right as f32 / data.len() as f32
    };

    let mut net = LogisticRegression::<f32>::zeros();
    let mut rng = Rng::new(1);
    println!("epoch  mean loss  train acc  test acc");
    for e in 1..=10 {
        let loss = epoch(&mut net, &train, 0.1, &mut rng);
        let (a, b) = (accuracy(&net, &train), accuracy(&net, &test));
        println!("{e:>5}  {loss:>9.4}  {a:>8.1}%  {b:>7.1}%");
    }
    println!(
        "\nlearned: p = σ({:.3}·x₀ + {:.3}·x₁ + {:.3}) (standardized inputs)",
        net.w[(0, 0)],
        net.w[(0, 1)],
        net.b[0]
    );
}

//! The design card's network, end to end: print the derivation the macro proved at compile
//! time, then train it with the lecture's SGD (W ← W − η·∇W) on three Gaussian blobs.
//!
//! Run: `cargo run --release --example 01_classifier_blobs`

mod common;

use common::{accuracy, epoch, prepare};
use mlp::rng::Rng;

/// Two-layer classifier for points in the plane.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {
    println!("{}", Classifier::<f32>::DERIVATION);

    // Three blobs like sklearn's make_blobs(n_samples=300, centers=3, cluster_std=2.5), shuffled;
    // the first 240 points train, the last 60 are held out.
    let data = mlp::datasets::make_blobs::<2>(300, 3, 2.5, 42);
    let (train, test) = prepare(&data, 0.2, 42);

    let mut net = Classifier::<f32>::zeros();
    mlp::init::xavier_uniform(&mut net, 7);
    let mut rng = Rng::new(7);

    println!("epoch  mean loss  train acc  test acc");
    for e in 1..=20 {
        let loss = epoch(&mut net, &train, 0.05, &mut rng);
        let (a, b) = (accuracy(&net, &train), accuracy(&net, &test));
        println!("{e:>5}  {loss:>9.4}  {a:>8.1}%  {b:>7.1}%");
    }
}

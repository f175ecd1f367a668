//! The design card's network, end to end: print the derivation the macro proved at compile
//! time, then train it with the lecture's SGD (W ← W − η·∇W) on three Gaussian blobs.
//!
//! Run: `cargo run --release --example 01_classifier_blobs`

use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

/// Two-layer classifier for points in the plane.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {
    println!("{}", Classifier::<f32>::DERIVATION);

    // Three blobs like sklearn's make_blobs(n_samples=300, centers=3, cluster_std=2.5), shuffled;
    // the first 240 points train, the last 60 are held out.
    let (points, labels) = mlp::datasets::make_blobs::<2>(300, 3, 2.5, 42);
    let data: Vec<(SVector<f32, 2>, usize)> = points
        .iter()
        .zip(&labels)
        .map(|(p, &y)| (SVector::from_fn(|i, _| p[i] as f32), y))
        .collect();
    let (train, test) = data.split_at(240);

    // Standardize with the training set's mean and spread.
    let mean = train.iter().fold(SVector::zeros(), |m, (x, _)| m + x) / train.len() as f32;
    let var = train.iter().fold(SVector::<f32, 2>::zeros(), |v, (x, _)| {
        v + (x - mean).component_mul(&(x - mean))
    }) / train.len() as f32;
    let scale = var.map(|v| 1.0 / v.sqrt());
    let standardize = |x: &SVector<f32, 2>| (x - mean).component_mul(&scale);

    // Small random weights (uniform in ±1/√fan_in), zero biases, seeded.
    let mut net = Classifier::<f32>::zeros();
    let mut rng = Rng::new(7);
    net.visit_params_mut(|name, values| {
        if name.ends_with("weight") {
            let fan_in = if name.starts_with('0') { 2.0 } else { 16.0 };
            let bound = 1.0 / f64::sqrt(fan_in);
            values
                .iter_mut()
                .for_each(|v| *v = ((2.0 * rng.uniform() - 1.0) * bound) as f32);
        }
    });

    let accuracy = |net: &Classifier<f32>, set: &[(SVector<f32, 2>, usize)]| {
        let right = set
            .iter()
            .filter(|(x, y)| net.forward(&standardize(x)).imax() == *y)
            .count();
        100.0 * right as f32 / set.len() as f32
    };

    let learning_rate = 0.05;
    println!("epoch  mean loss  train acc  test acc");
    let mut order: Vec<usize> = (0..train.len()).collect();
    for epoch in 1..=20 {
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut total = 0.0;
        for &i in &order {
            let (x, y) = &train[i];
            // Forward, backward and W ← W − η·∇W in one pass; returns J before the step.
            total += net.train_step(&standardize(x), y, learning_rate);
        }
        println!(
            "{epoch:>5}  {:>9.4}  {:>8.1}%  {:>7.1}%",
            total / train.len() as f32,
            accuracy(&net, train),
            accuracy(&net, test)
        );
    }
}

//! What the numbered examples share: turning a generated data set into statically sized
//! vectors, standardizing with the training set's statistics, and the lecture's SGD loop.
#![allow(dead_code)]

use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

/// A sample: input and target.
pub type Sample<const D: usize, Y> = (SVector<f32, D>, Y);

/// Points and labels as f32 samples, the first `train` of them for training, the rest held out.
pub fn split<const D: usize, Y: Copy>(
    points: &[[f64; D]],
    labels: &[Y],
    train: usize,
) -> (Vec<Sample<D, Y>>, Vec<Sample<D, Y>>) {
    let all: Vec<Sample<D, Y>> = points
        .iter()
        .zip(labels)
        .map(|(p, &y)| (SVector::from_fn(|i, _| p[i] as f32), y))
        .collect();
    let (a, b) = all.split_at(train);
    (a.to_vec(), b.to_vec())
}

/// Rescales every feature to mean 0 and variance 1 with the training set's statistics.
pub fn standardize<const D: usize, Y>(train: &mut [Sample<D, Y>], test: &mut [Sample<D, Y>]) {
    let n = train.len() as f32;
    let mean = train
        .iter()
        .fold(SVector::<f32, D>::zeros(), |m, (x, _)| m + x)
        / n;
    let var = train.iter().fold(SVector::<f32, D>::zeros(), |v, (x, _)| {
        v + (x - mean).component_mul(&(x - mean))
    }) / n;
    let scale = var.map(|v| 1.0 / v.sqrt().max(1e-6));
    for (x, _) in train.iter_mut().chain(test.iter_mut()) {
        *x = (*x - mean).component_mul(&scale);
    }
}

/// One epoch of the lecture's SGD over shuffled samples (`train_step`: forward, backward and
/// W ← W − η·∇W in one pass). Returns the mean loss.
pub fn epoch<N, const D: usize>(
    net: &mut N,
    data: &[Sample<D, N::Target>],
    learning_rate: f32,
    rng: &mut Rng,
) -> f32
where
    N: Network<f32, Input = SVector<f32, D>>,
{
    let mut order: Vec<usize> = (0..data.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let total: f32 = order
        .iter()
        .map(|&i| net.train_step(&data[i].0, &data[i].1, learning_rate))
        .sum();
    total / data.len() as f32
}

/// Percentage of samples whose most probable class is the label.
pub fn accuracy<N, const D: usize, const K: usize>(net: &N, data: &[Sample<D, usize>]) -> f32
where
    N: Network<f32, Input = SVector<f32, D>, Output = SVector<f32, K>>,
{
    let right = data
        .iter()
        .filter(|(x, y)| net.forward(x).imax() == *y)
        .count();
    100.0 * right as f32 / data.len() as f32
}

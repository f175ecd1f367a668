//! What the numbered examples share: turning a generated data set into statically sized
//! vectors, standardizing with the training set's statistics, the lecture's SGD loop, and
//! tables whose columns line up.
#![allow(dead_code)]

pub mod table;

use mlp::datasets::{Dataset, Standardizer};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

/// A sample: input and target.
pub type Sample<const D: usize, Y> = (SVector<f32, D>, Y);

/// Splits `data` (seeded), standardizes both parts with the training part's statistics, and
/// returns them as f32 samples: (train, held out).
pub fn prepare<const D: usize>(
    data: &Dataset<D>,
    test_fraction: f64,
    seed: u64,
) -> (Vec<Sample<D, usize>>, Vec<Sample<D, usize>>) {
    let (mut train, mut test) = data.split(test_fraction, seed);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    (train.samples(), test.samples())
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
    rng.shuffle(&mut order);
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

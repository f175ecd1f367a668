//! Seeded generators of the lecture's two-dimensional pictures, like scikit-learn's
//! `make_*`, and Gaussian blobs in any dimension.

use super::dataset::Dataset;
use crate::train::rng::Rng;
use std::string::ToString;
use std::vec::Vec;

/// Shuffles the points and labels together into a data set of `classes` numbered classes.
fn generated<const D: usize>(
    mut points: Vec<[f64; D]>,
    mut labels: Vec<usize>,
    classes: usize,
    rng: &mut Rng,
) -> Dataset<D> {
    // Shuffled together, so that consecutive samples do not share a class.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    rng.shuffle(&mut order);
    points = order.iter().map(|&i| points[i]).collect();
    labels = order.iter().map(|&i| labels[i]).collect();
    Dataset {
        features: points,
        labels,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
    }
}

/// Isotropic Gaussian blobs, like scikit-learn's `make_blobs`: `centers` centres drawn
/// uniformly from `[-10, 10]ᵈ`, samples spread evenly over them with normal noise of standard
/// deviation `cluster_std`; shuffled, seeded.
///
/// # Example
///
/// ```
/// let data = mlp::datasets::make_blobs::<2>(200, 3, 0.5, 0);
/// assert_eq!((data.len(), data.classes()), (200, 3));
/// ```
pub fn make_blobs<const D: usize>(
    n_samples: usize,
    centers: usize,
    cluster_std: f64,
    seed: u64,
) -> Dataset<D> {
    let mut rng = Rng::new(seed);
    let centres: Vec<[f64; D]> = (0..centers)
        .map(|_| core::array::from_fn(|_| -10.0 + 20.0 * rng.uniform()))
        .collect();
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let c = i % centers.max(1);
        points.push(core::array::from_fn(|d| {
            centres[c][d] + cluster_std * rng.normal()
        }));
        labels.push(c);
    }
    generated(points, labels, centers, &mut rng)
}

/// Two interleaving half circles, like scikit-learn's `make_moons`.
pub fn make_moons(n_samples: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    let outer = n_samples / 2;
    for (class, count) in [(0usize, outer), (1, n_samples - outer)] {
        for i in 0..count {
            let t = core::f64::consts::PI * i as f64 / (count.max(2) - 1) as f64;
            let (x, y) = if class == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
            labels.push(class);
        }
    }
    generated(points, labels, 2, &mut rng)
}

/// Two concentric circles, like scikit-learn's `make_circles`: the inner one has radius
/// `factor` (in (0, 1)), the outer one 1.
pub fn make_circles(n_samples: usize, noise: f64, factor: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    let outer = n_samples / 2;
    for (class, count, radius) in [(0usize, outer, 1.0), (1, n_samples - outer, factor)] {
        for i in 0..count {
            let t = 2.0 * core::f64::consts::PI * i as f64 / count.max(1) as f64;
            points.push([
                radius * t.cos() + noise * rng.normal(),
                radius * t.sin() + noise * rng.normal(),
            ]);
            labels.push(class);
        }
    }
    generated(points, labels, 2, &mut rng)
}

/// `arms` interleaved spirals (CS231n's), one class per arm, radius 0 to 1 over 4 radians plus
/// normal angular noise of standard deviation `noise`.
pub fn make_spirals(n_samples: usize, arms: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let arms = arms.max(1);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let arm = i % arms;
        let k = (i / arms) as f64;
        let per_arm = n_samples.div_ceil(arms).max(2) as f64 - 1.0;
        let r = k / per_arm;
        let t =
            arm as f64 * 2.0 * core::f64::consts::PI / arms as f64 + 4.0 * r + noise * rng.normal();
        points.push([r * t.sin(), r * t.cos()]);
        labels.push(arm);
    }
    generated(points, labels, arms, &mut rng)
}

/// XOR: points uniform in `[-1, 1]²` (plus normal noise), class 1 where exactly one
/// coordinate is positive.
pub fn make_xor(n_samples: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        let (x, y) = (2.0 * rng.uniform() - 1.0, 2.0 * rng.uniform() - 1.0);
        labels.push(usize::from((x > 0.0) != (y > 0.0)));
        points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
    }
    generated(points, labels, 2, &mut rng)
}

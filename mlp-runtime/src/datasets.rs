//! Seeded data set generators for the lecture's pictures (needs the `std` feature).

use crate::rng::Rng;
use std::vec::Vec;

/// Isotropic Gaussian blobs, like scikit-learn's `make_blobs`.
///
/// `centers` cluster centres are drawn uniformly from the box `[-10, 10]ᵈ` (as sklearn's
/// default `center_box`), and `n_samples` points are spread over them as evenly as possible,
/// each centre plus normal noise of standard deviation `cluster_std`. Returns the points and
/// their class (the index of their centre), shuffled. The same seed gives the same data.
///
/// # Example
///
/// ```
/// let (x, y) = mlp::datasets::make_blobs::<2>(200, 3, 0.5, 0);
/// assert_eq!((x.len(), y.len()), (200, 200));
/// assert!(y.iter().all(|&c| c < 3));
/// ```
pub fn make_blobs<const D: usize>(
    n_samples: usize,
    centers: usize,
    cluster_std: f64,
    seed: u64,
) -> (Vec<[f64; D]>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut centre = Vec::with_capacity(centers);
    for _ in 0..centers {
        centre.push(core::array::from_fn::<f64, D, _>(|_| {
            -10.0 + 20.0 * rng.uniform()
        }));
    }
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let c = i % centers.max(1);
        points.push(core::array::from_fn(|d| {
            centre[c][d] + cluster_std * rng.normal()
        }));
        labels.push(c);
    }
    // Shuffled, so that consecutive samples do not share a class.
    shuffle(&mut rng, &mut points, &mut labels);
    (points, labels)
}

/// Two interleaving half circles, like scikit-learn's `make_moons`: `n_samples` points, half on
/// each moon, plus normal noise of standard deviation `noise`; shuffled, seeded.
///
/// # Example
///
/// ```
/// let (x, y) = mlp::datasets::make_moons(100, 0.1, 3);
/// assert_eq!(y.iter().filter(|&&c| c == 1).count(), 50);
/// ```
pub fn make_moons(n_samples: usize, noise: f64, seed: u64) -> (Vec<[f64; 2]>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let outer = n_samples / 2;
    let inner = n_samples - outer;
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for (class, count) in [(0usize, outer), (1, inner)] {
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
    shuffle(&mut rng, &mut points, &mut labels);
    (points, labels)
}

/// Fisher–Yates over two parallel vectors.
fn shuffle<A, B>(rng: &mut Rng, a: &mut [A], b: &mut [B]) {
    for i in (1..a.len()).rev() {
        let j = rng.below(i + 1);
        a.swap(i, j);
        b.swap(i, j);
    }
}

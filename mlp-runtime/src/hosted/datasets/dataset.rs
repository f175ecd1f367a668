//! The data set type, its seeded split and the standardization of its features.

use crate::train::rng::Rng;
use nalgebra::{RealField, SVector};
use std::string::String;
use std::vec::Vec;

/// Labeled samples with `D` features each.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const D: usize> {
    /// One row of features per sample.
    pub features: Vec<[f64; D]>,
    /// The class of each sample, `0..classes()`.
    pub labels: Vec<usize>,
    /// The classes' names, when known (else their indices).
    pub class_names: Vec<String>,
}

impl<const D: usize> Dataset<D> {
    /// How many samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// How many classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// Shuffles with `seed` and splits: the first part has `1 − test_fraction` of the samples.
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Dataset<D>, Dataset<D>) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut order);
        let test = ((self.len() as f64) * test_fraction.clamp(0.0, 1.0)).round() as usize;
        let (test_part, train_part) = order.split_at(test);
        (self.subset(train_part), self.subset(test_part))
    }

    fn subset(&self, indices: &[usize]) -> Dataset<D> {
        Dataset {
            features: indices.iter().map(|&i| self.features[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            class_names: self.class_names.clone(),
        }
    }

    /// The samples as `(SVector<T, D>, class)` pairs, ready for a network.
    pub fn samples<T: RealField + Copy>(&self) -> Vec<(SVector<T, D>, usize)> {
        self.features
            .iter()
            .zip(&self.labels)
            .map(|(f, &y)| (SVector::from_fn(|i, _| nalgebra::convert(f[i])), y))
            .collect()
    }
}

/// Per-feature mean and standard deviation, fitted on one set, applied to any.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<const D: usize> {
    /// The fitted means.
    pub mean: [f64; D],
    /// The fitted standard deviations (a constant feature gets 1).
    pub std: [f64; D],
}

impl<const D: usize> Standardizer<D> {
    /// Fits on `data` (typically the training part only).
    pub fn fit(data: &Dataset<D>) -> Self {
        let n = data.len().max(1) as f64;
        let mut mean = [0.0; D];
        let mut std = [0.0; D];
        for row in &data.features {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x / n;
            }
        }
        for row in &data.features {
            for ((s, x), m) in std.iter_mut().zip(row).zip(&mean) {
                *s += (x - m).powi(2) / n;
            }
        }
        for s in &mut std {
            *s = if *s > 0.0 { s.sqrt() } else { 1.0 };
        }
        Standardizer { mean, std }
    }

    /// Rescales every feature of `data` to `(x − mean) / std`.
    pub fn apply(&self, data: &mut Dataset<D>) {
        for row in &mut data.features {
            for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = (*x - m) / s;
            }
        }
    }
}

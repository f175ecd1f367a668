//! Data sets (needs the `std` feature): seeded generators for the lecture's pictures, a CSV
//! loader with errors that name the line and column, the UCI sets bundled with their
//! attribution (`data/README.md`), a seeded split and standardization.

use crate::rng::Rng;
use core::fmt;
use nalgebra::{RealField, SVector};
use std::format;
use std::string::{String, ToString};
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

/// A malformed CSV file: where, and what was expected and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (field) number.
    pub column: usize,
    /// What was expected and found.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for CsvError {}

/// Parses `features…,label` rows of `D` features. With `header`, the first line is
/// `count,features,class names…` and both counts are checked. Blank lines are skipped.
///
/// # Example
///
/// ```
/// let data = mlp::datasets::parse_csv::<2>("2,2,no,yes\n0.5,1,0\n2,-1,1\n", true).unwrap();
/// assert_eq!((data.len(), data.classes()), (2, 2));
/// let error = mlp::datasets::parse_csv::<2>("0.5,x,0\n", false).unwrap_err();
/// assert_eq!(error.to_string(), "line 1, column 2: expected a number, found `x`");
/// ```
pub fn parse_csv<const D: usize>(text: &str, header: bool) -> Result<Dataset<D>, CsvError> {
    let error = |line, column, message: String| CsvError {
        line,
        column,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let mut expected_rows = None;
    let mut class_names: Vec<String> = Vec::new();
    if header {
        let (number, line) = lines
            .next()
            .ok_or_else(|| error(1, 1, "expected a header, found an empty file".into()))?;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let count = |column: usize| -> Result<usize, CsvError> {
            let field = fields.get(column - 1).copied().unwrap_or("");
            field.parse().map_err(|_| {
                error(
                    number,
                    column,
                    format!("expected a count in the header, found `{field}`"),
                )
            })
        };
        expected_rows = Some(count(1)?);
        let features = count(2)?;
        if features != D {
            return Err(error(
                number,
                2,
                format!("expected {D} features, the header says {features}"),
            ));
        }
        class_names = fields[2..].iter().map(|s| s.to_string()).collect();
    }
    let mut data = Dataset {
        features: Vec::new(),
        labels: Vec::new(),
        class_names: Vec::new(),
    };
    for (number, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != D + 1 {
            return Err(error(
                number,
                // Where the first missing value belongs, or the first extra one stands.
                if fields.len() < D + 1 {
                    fields.len() + 1
                } else {
                    D + 2
                },
                format!(
                    "expected {} values ({D} features and a label), found {}",
                    D + 1,
                    fields.len()
                ),
            ));
        }
        let mut row = [0.0; D];
        for (d, field) in fields[..D].iter().enumerate() {
            row[d] = field
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    error(number, d + 1, format!("expected a number, found `{field}`"))
                })?;
        }
        let field = fields[D];
        let label: usize = field.parse().map_err(|_| {
            error(
                number,
                D + 1,
                format!("expected a class index, found `{field}`"),
            )
        })?;
        if !class_names.is_empty() && label >= class_names.len() {
            return Err(error(
                number,
                D + 1,
                format!(
                    "expected a class below {}, found {label}",
                    class_names.len()
                ),
            ));
        }
        data.features.push(row);
        data.labels.push(label);
    }
    if let Some(rows) = expected_rows.filter(|&r| r != data.len()) {
        return Err(error(
            1,
            1,
            format!("the header says {rows} rows, found {}", data.len()),
        ));
    }
    if class_names.is_empty() {
        let classes = data.labels.iter().max().map_or(0, |m| m + 1);
        class_names = (0..classes).map(|c| c.to_string()).collect();
    }
    data.class_names = class_names;
    Ok(data)
}

/// Bundled data, parsed once per call. The files are checked by the test suite, so parsing
/// them cannot fail.
fn bundled<const D: usize>(text: &str, header: bool) -> Dataset<D> {
    parse_csv(text, header).unwrap_or_else(|e| panic!("bundled data set is malformed: {e}"))
}

/// Fisher's iris: 150 samples, 4 features, 3 classes (UCI, CC BY 4.0).
pub fn iris() -> Dataset<4> {
    bundled(include_str!("../data/iris.csv"), true)
}

/// Wine: 178 samples, 13 features, 3 classes (UCI, CC BY 4.0).
pub fn wine() -> Dataset<13> {
    bundled(include_str!("../data/wine_data.csv"), true)
}

/// Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, 2 classes (UCI, CC BY 4.0).
pub fn breast_cancer() -> Dataset<30> {
    bundled(include_str!("../data/breast_cancer.csv"), true)
}

/// Handwritten digits: 1797 8×8 images (pixels 0..16), 10 classes (UCI, CC BY 4.0).
pub fn digits() -> Dataset<64> {
    bundled(include_str!("../data/digits.csv"), false)
}

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

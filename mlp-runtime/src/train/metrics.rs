//! Accuracy and the confusion matrix, allocation-free.

use crate::network::Network;
use core::fmt;
use nalgebra::RealField;

/// Counts of (true class, predicted class) for `K` classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix<const K: usize> {
    /// `counts[truth][prediction]`.
    pub counts: [[usize; K]; K],
}

impl<const K: usize> Default for ConfusionMatrix<K> {
    fn default() -> Self {
        ConfusionMatrix {
            counts: [[0; K]; K],
        }
    }
}

impl<const K: usize> ConfusionMatrix<K> {
    /// Counts one prediction.
    pub fn record(&mut self, truth: usize, prediction: usize) {
        if truth < K && prediction < K {
            self.counts[truth][prediction] += 1;
        }
    }

    /// How many predictions were counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The fraction of predictions on the diagonal, in [0, 1] (0 when empty).
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..K).map(|k| self.counts[k][k]).sum();
        match self.total() {
            0 => 0.0,
            n => right as f64 / n as f64,
        }
    }
}

/// A table: one row per true class, one column per predicted class, then the accuracy.
impl<const K: usize> fmt::Display for ConfusionMatrix<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>10}", "true\\pred")?;
        for k in 0..K {
            write!(f, " {k:>6}")?;
        }
        writeln!(f)?;
        for (truth, row) in self.counts.iter().enumerate() {
            write!(f, "{truth:>10}")?;
            for count in row {
                write!(f, " {count:>6}")?;
            }
            writeln!(f)?;
        }
        writeln!(f, "accuracy {:.2}%", 100.0 * self.accuracy())
    }
}

/// The index of the largest value (the first among ties): the predicted class.
pub fn argmax<T: PartialOrd + Copy>(values: &[T]) -> usize {
    (1..values.len()).fold(0, |best, i| if values[i] > values[best] { i } else { best })
}

/// A scalar as `f64` (NaN if it has no `f64` value), for reports and pictures.
pub fn to_f64<T: RealField + Copy>(value: T) -> f64 {
    value.to_subset().unwrap_or(f64::NAN)
}

/// The mean loss and, for classifiers, the accuracy (in [0, 1]) of `net` over `data`.
/// Allocation-free.
///
/// # Example
///
/// ```
/// #[mlp::network(x -> Linear(2, 3) -> Softmax -> CE)]
/// struct Net;
/// let data = [(mlp::nalgebra::SVector::<f64, 2>::zeros(), 1)];
/// let (loss, accuracy) = mlp::metrics::evaluate(&Net::<f64>::zeros(), &data);
/// assert!((loss - 3f64.ln()).abs() < 1e-12 && accuracy == Some(0.0));
/// ```
pub fn evaluate<T, N>(net: &N, data: &[(N::Input, N::Target)]) -> (f64, Option<f64>)
where
    T: RealField + Copy,
    N: Network<T>,
{
    let mut loss = 0.0;
    let mut right = 0usize;
    let mut judged = 0usize;
    for (x, y) in data {
        loss += to_f64(net.loss(x, y));
        if let Some(correct) = net.prediction_correct(&net.forward(x), y) {
            judged += 1;
            right += usize::from(correct);
        }
    }
    let accuracy = (judged > 0).then(|| right as f64 / judged as f64);
    (loss / data.len().max(1) as f64, accuracy)
}

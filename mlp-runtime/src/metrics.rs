//! Accuracy and the confusion matrix, allocation-free.

use core::fmt;

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

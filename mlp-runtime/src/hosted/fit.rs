//! The training loop (needs the `std` feature): epochs over seeded shuffled mini-batches, any
//! optimizer, a progress bar, optional early stopping, and an error, never silent NaNs, when
//! the loss stops being finite.

use super::progress::Bar;
use crate::network::{Network, Parameters, SampleProblem};
use crate::train::batch::{mean_loss_and_gradients_any, shuffled_batches};
use crate::train::metrics::{evaluate, to_f64};
use crate::train::optim::Optimizer;
use crate::train::rng::Rng;
use core::fmt;
use nalgebra::RealField;
use std::io::IsTerminal;
use std::vec::Vec;

/// How to train.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitConfig {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per mini-batch (the last one of an epoch may be shorter). Batches of 8, 16, 32,
    /// 64, 128 or 256 samples ([`BATCHED_SIZES`](crate::train::batch::BATCHED_SIZES)) run through the network's
    /// batched code (matrix–matrix products); other sizes, and a short last batch, sample by
    /// sample. Both give the same mean gradient.
    pub batch_size: usize,
    /// Seeds the shuffling: the same seed gives the same history, bit for bit.
    pub seed: u64,
    /// With a validation set: stop after this many epochs without a better validation loss,
    /// and restore the best weights.
    pub patience: Option<usize>,
    /// Show a progress bar on standard error (with the `progress` feature; only when standard
    /// output is a terminal, so
    /// that redirected or piped runs stay quiet).
    pub progress: bool,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            epochs: 10,
            batch_size: 32,
            seed: 0,
            patience: None,
            progress: true,
        }
    }
}

/// What one epoch measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRecord {
    /// 1-based.
    pub epoch: usize,
    /// The mean loss over the epoch's batches (each before its own update).
    pub loss: f64,
    /// Training accuracy after the epoch, in [0, 1], for classifiers.
    pub accuracy: Option<f64>,
    /// The validation set's mean loss after the epoch.
    pub validation_loss: Option<f64>,
    /// The validation set's accuracy after the epoch, for classifiers.
    pub validation_accuracy: Option<f64>,
}

/// Loss and accuracy per epoch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// One record per epoch run.
    pub epochs: Vec<EpochRecord>,
    /// Whether early stopping ended training (the best weights were restored).
    pub stopped_early: bool,
    /// The epoch with the best validation loss, when there was a validation set.
    pub best_epoch: Option<usize>,
}

/// Why training stopped with an error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FitError {
    /// The loss of a batch became NaN or infinite.
    NonFinite {
        /// 1-based epoch.
        epoch: usize,
        /// 1-based batch within the epoch.
        batch: usize,
        /// The value.
        loss: f64,
    },
    /// There was nothing to train on.
    EmptyTrainingSet,
    /// A sample the network cannot train on, found before any training.
    InvalidSample {
        /// `"training"` or `"validation"`.
        set: &'static str,
        /// 0-based index of the sample in its set.
        index: usize,
        /// What is wrong with it.
        problem: SampleProblem,
    },
}

impl fmt::Display for FitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitError::NonFinite { epoch, batch, loss } => write!(
                f,
                "the loss became {loss} at epoch {epoch}, batch {batch}: lower the learning rate, or look for NaN or huge values in the data"
            ),
            FitError::EmptyTrainingSet => write!(f, "the training set is empty"),
            FitError::InvalidSample {
                set,
                index,
                problem,
            } => write!(f, "{set} sample {index}: {problem}; nothing was trained"),
        }
    }
}

impl std::error::Error for FitError {}

/// Trains `net` on `train` with `optimizer`; evaluates on `validation` after every epoch.
///
/// # Example
///
/// ```
/// use mlp::fit::{fit, FitConfig};
/// use mlp::optim::{Adam, AdamConfig};
///
/// #[mlp::network(x -> Linear(2, 8) -> ReLU -> Linear(8, 3) -> Softmax -> CE)]
/// struct Net;
///
/// let (train, test) = mlp::datasets::make_blobs::<2>(150, 3, 0.5, 1).split(0.2, 1);
/// let mut net = Net::<f64>::zeros();
/// mlp::init::he_normal(&mut net, 1);
/// let mut adam = Adam::new(AdamConfig { learning_rate: 0.01, ..AdamConfig::default() });
/// let config = FitConfig { epochs: 20, progress: false, ..FitConfig::default() };
/// let history = fit(&mut net, &mut adam, &train.samples(), Some(&test.samples()), &config)?;
/// assert!(history.epochs.last().unwrap().validation_accuracy.unwrap() > 0.9);
/// # Ok::<(), mlp::fit::FitError>(())
/// ```
pub fn fit<T, N, O>(
    net: &mut N,
    optimizer: &mut O,
    train: &[(N::Input, N::Target)],
    validation: Option<&[(N::Input, N::Target)]>,
    config: &FitConfig,
) -> Result<History, FitError>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T> + Clone,
    N::Target: Copy,
    N::Gradients: Default,
    O: Optimizer<T, N>,
{
    if train.is_empty() {
        return Err(FitError::EmptyTrainingSet);
    }
    // Every sample first: a bad one is an error before any weight changes.
    let sets = [
        ("training", train),
        ("validation", validation.unwrap_or(&[])),
    ];
    for (set, samples) in sets {
        for (index, (x, y)) in samples.iter().enumerate() {
            if let Err(problem) = net.check_sample(x, y) {
                return Err(FitError::InvalidSample {
                    set,
                    index,
                    problem,
                });
            }
        }
    }
    let batch_size = config.batch_size.max(1);
    let batches = train.len().div_ceil(batch_size);
    let bar = Bar::new(
        config.progress && std::io::stdout().is_terminal(),
        (config.epochs * batches) as u64,
    );

    let mut rng = Rng::new(config.seed);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut history = History::default();
    let mut best: Option<(f64, N)> = None;
    let mut samples: Vec<(&N::Input, &N::Target)> = Vec::with_capacity(batch_size);
    for epoch in 1..=config.epochs {
        let mut total = 0.0;
        for (b, indices) in shuffled_batches(&mut order, batch_size, &mut rng).enumerate() {
            samples.clear();
            samples.extend(indices.iter().map(|&i| (&train[i].0, &train[i].1)));
            let (loss, grads) = mean_loss_and_gradients_any(&*net, &samples);
            let loss = to_f64(loss);
            if !loss.is_finite() {
                bar.abandon();
                return Err(FitError::NonFinite {
                    epoch,
                    batch: b + 1,
                    loss,
                });
            }
            optimizer.step(net, &grads);
            total += loss * indices.len() as f64;
            bar.inc(1);
        }
        let (_, accuracy) = evaluate(&*net, train);
        let (validation_loss, validation_accuracy) = match validation {
            Some(v) if !v.is_empty() => {
                let (l, a) = evaluate(&*net, v);
                (Some(l), a)
            }
            _ => (None, None),
        };
        let record = EpochRecord {
            epoch,
            loss: total / train.len() as f64,
            accuracy,
            validation_loss,
            validation_accuracy,
        };
        bar.set_message(format_record(&record));
        history.epochs.push(record);

        if let Some(current) = validation_loss {
            if best.as_ref().is_none_or(|(b, _)| current < *b) {
                best = Some((current, net.clone()));
                history.best_epoch = Some(epoch);
            }
            let since_best = epoch - history.best_epoch.unwrap_or(epoch);
            if config.patience.is_some_and(|p| since_best > p) {
                if let Some((_, weights)) = best.take() {
                    *net = weights;
                }
                history.stopped_early = true;
                break;
            }
        }
    }
    bar.finish_and_clear();
    Ok(history)
}

fn format_record(r: &EpochRecord) -> std::string::String {
    let mut s = std::format!("epoch {} loss {:.4}", r.epoch, r.loss);
    if let Some(a) = r.accuracy {
        s.push_str(&std::format!(" acc {:.1}%", 100.0 * a));
    }
    if let Some(a) = r.validation_accuracy {
        s.push_str(&std::format!(" val acc {:.1}%", 100.0 * a));
    }
    s
}

/// The history as a table: epoch, loss, accuracies.
impl fmt::Display for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "epoch       loss  train acc   val loss    val acc")?;
        let percent = |a: Option<f64>| a.map_or("-".into(), |a| std::format!("{:.1}%", 100.0 * a));
        for r in &self.epochs {
            let val = r
                .validation_loss
                .map_or("-".into(), |l| std::format!("{l:.4}"));
            writeln!(
                f,
                "{:>5} {:>10.4} {:>10} {:>10} {:>10}",
                r.epoch,
                r.loss,
                percent(r.accuracy),
                val,
                percent(r.validation_accuracy)
            )?;
        }
        if self.stopped_early {
            writeln!(f, "stopped early; best epoch {:?}", self.best_epoch)?;
        }
        Ok(())
    }
}

//! The training loop: reproducible to the bit, loud about NaNs, early stopping restores the
//! best weights.

use mlp::datasets::{make_blobs, Standardizer};
use mlp::fit::{fit, FitConfig, FitError};
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig, Sgd, SgdConfig};
use mlp::Network;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Classifier;

type Samples = Vec<(SVector<f64, 2>, usize)>;

fn data() -> (Samples, Samples) {
    let (mut train, mut test) = make_blobs::<2>(300, 3, 2.0, 4).split(0.2, 4);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    (train.samples(), test.samples())
}

fn quiet(epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 16,
        seed: 9,
        progress: false,
        ..FitConfig::default()
    }
}

#[test]
fn same_seed_same_history_to_the_bit() {
    let (train, test) = data();
    let run = |seed: u64| {
        let mut net = Classifier::<f64>::zeros();
        mlp::init::xavier_uniform(&mut net, 1);
        let mut adam = Adam::new(AdamConfig {
            learning_rate: 0.01,
            ..AdamConfig::default()
        });
        let config = FitConfig { seed, ..quiet(5) };
        let history = fit(&mut net, &mut adam, &train, Some(&test), &config).unwrap();
        (history, net)
    };
    let (a, net_a) = run(3);
    let (b, net_b) = run(3);
    assert_eq!(a, b);
    assert_eq!(net_a, net_b);
    for (x, y) in a.epochs.iter().zip(&b.epochs) {
        assert_eq!(x.loss.to_bits(), y.loss.to_bits());
    }
    assert_ne!(run(4).0, a, "another seed shuffles differently");
}

#[test]
fn training_learns_and_reports_accuracy() {
    let (train, test) = data();
    let mut net = Classifier::<f64>::zeros();
    mlp::init::he_normal(&mut net, 2);
    let mut sgd = Sgd::new(SgdConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        ..SgdConfig::default()
    });
    let history = fit(&mut net, &mut sgd, &train, Some(&test), &quiet(15)).unwrap();
    let first = history.epochs[0];
    let last = *history.epochs.last().unwrap();
    assert!(last.loss < first.loss, "{history}");
    assert!(last.validation_accuracy.unwrap() > 0.9, "{history}");
    assert!(history.to_string().contains("val acc"));
}

#[test]
fn a_nan_names_its_epoch_and_batch() {
    let (mut train, _) = data();
    for (x, _) in train.iter_mut() {
        x[0] = f64::NAN;
    }
    let mut net = Classifier::<f64>::zeros();
    let mut sgd = Sgd::new(SgdConfig::default());
    // NaN in the data: found before training, naming the sample.
    let error = fit(&mut net, &mut sgd, &train, None, &quiet(3)).unwrap_err();
    assert!(
        matches!(
            error,
            FitError::InvalidSample {
                set: "training",
                index: 0,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .starts_with("training sample 0: feature 0 is not a finite number"));

    // A learning rate that explodes: found on the way, with its place.
    let (train, _) = data();
    let mut net = Classifier::<f64>::zeros();
    mlp::init::he_normal(&mut net, 2);
    let mut sgd = Sgd::new(SgdConfig {
        learning_rate: 1e30,
        ..SgdConfig::default()
    });
    match fit(&mut net, &mut sgd, &train, None, &quiet(50)) {
        Err(FitError::NonFinite { epoch, batch, .. }) => assert!(epoch >= 1 && batch >= 1),
        other => panic!("expected a NonFinite error, got {other:?}"),
    }
    let empty: Samples = Vec::new();
    assert_eq!(
        fit(
            &mut net,
            &mut Sgd::new(SgdConfig::default()),
            &empty,
            None,
            &quiet(1)
        ),
        Err(FitError::EmptyTrainingSet)
    );
}

#[test]
fn early_stopping_restores_the_best_weights() {
    let (train, test) = data();
    // Validation labels that contradict the training labels: the more the net learns, the
    // worse it does there, so the best validation epoch comes early.
    let contradicting: Samples = test.iter().map(|(x, y)| (*x, (y + 1) % 3)).collect();
    let mut net = Classifier::<f64>::zeros();
    mlp::init::he_normal(&mut net, 2);
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.02,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        patience: Some(2),
        ..quiet(30)
    };
    let history = fit(&mut net, &mut adam, &train, Some(&contradicting), &config).unwrap();
    assert!(history.stopped_early, "{history}");
    assert!(history.epochs.len() < 30);
    let best = history.best_epoch.unwrap();
    assert_eq!(
        history.epochs.len(),
        best + 3,
        "stops after `patience` epochs without progress"
    );
    let restored: f64 = contradicting
        .iter()
        .map(|(x, y)| net.loss(x, y))
        .sum::<f64>()
        / contradicting.len() as f64;
    assert!((restored - history.epochs[best - 1].validation_loss.unwrap()).abs() < 1e-12);
}

#[mlp::network(x -> Linear(2, 1) -> Sigmoid -> BCE)]
struct Logistic;

#[mlp::network(x -> Linear(2, 2) -> MSE)]
struct Regression;

#[test]
fn prediction_correct_per_loss() {
    let net = Classifier::<f64>::zeros();
    let p = SVector::<f64, 3>::new(0.2, 0.5, 0.3);
    assert_eq!(net.prediction_correct(&p, &1), Some(true));
    assert_eq!(net.prediction_correct(&p, &0), Some(false));
    let logistic = Logistic::<f64>::zeros();
    let q = SVector::<f64, 1>::new(0.7);
    assert_eq!(logistic.prediction_correct(&q, &1.0), Some(true));
    assert_eq!(logistic.prediction_correct(&q, &0.0), Some(false));
    let regression = Regression::<f64>::zeros();
    assert_eq!(
        regression.prediction_correct(&SVector::zeros(), &SVector::zeros()),
        None
    );
}

/// Every bad sample is an error naming it, before any training (the weights are unchanged).
#[test]
fn fit_checks_the_data_first() {
    use mlp::fit::{fit, FitConfig, FitError};
    use mlp::optim::{Sgd, SgdConfig};
    use mlp::SampleProblem;
    let config = FitConfig {
        epochs: 3,
        progress: false,
        ..FitConfig::default()
    };
    let v = |a: f64, b: f64| SVector::<f64, 2>::new(a, b);

    let mut net = Classifier::<f64>::zeros();
    mlp::init::xavier_uniform(&mut net, 1);
    let before = net;
    let train = vec![(v(0.0, 1.0), 0), (v(1.0, 0.0), 7), (v(1.0, 1.0), 1)];
    let error = fit(
        &mut net,
        &mut Sgd::new(SgdConfig::default()),
        &train,
        None,
        &config,
    )
    .expect_err("class 7 of a 3-class network");
    assert_eq!(
        error,
        FitError::InvalidSample {
            set: "training",
            index: 1,
            problem: SampleProblem::ClassOutOfRange {
                class: 7,
                classes: 3
            },
        }
    );
    assert!(
        error
            .to_string()
            .contains("training sample 1: class index 7"),
        "{error}"
    );
    assert_eq!(net, before, "nothing was trained");

    let good = vec![(v(0.0, 1.0), 0), (v(1.0, 0.0), 1)];
    let bad_validation = vec![(v(f64::NAN, 0.0), 0)];
    let error = fit(
        &mut net,
        &mut Sgd::new(SgdConfig::default()),
        &good,
        Some(&bad_validation),
        &config,
    )
    .expect_err("a NaN feature");
    assert!(matches!(
        error,
        FitError::InvalidSample {
            set: "validation",
            index: 0,
            problem: SampleProblem::NonFiniteFeature { feature: 0 }
        }
    ));

    let mut binary = Logistic::<f64>::zeros();
    let error = fit(
        &mut binary,
        &mut Sgd::new(SgdConfig::default()),
        &[(v(0.0, 0.0), 1.0), (v(1.0, 1.0), 1.5)],
        None,
        &config,
    )
    .expect_err("a BCE target of 1.5");
    assert!(matches!(
        error,
        FitError::InvalidSample {
            index: 1,
            problem: SampleProblem::ProbabilityOutOfRange { .. },
            ..
        }
    ));

    let mut regressor = Regression::<f64>::zeros();
    let target = SVector::<f64, 2>::new(0.0, f64::INFINITY);
    let error = fit(
        &mut regressor,
        &mut Sgd::new(SgdConfig::default()),
        &[(v(0.0, 0.0), target)],
        None,
        &config,
    )
    .expect_err("an infinite MSE target");
    assert!(matches!(
        error,
        FitError::InvalidSample {
            problem: SampleProblem::NonFiniteTarget { element: 1 },
            ..
        }
    ));
}

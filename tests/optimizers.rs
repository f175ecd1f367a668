//! The optimizers against a plain-Python transcription of `torch.optim`'s documented update
//! rules (`tests/reference/optim_reference.py`), three steps on fixed gradients, to 1e-12 in
//! f64; then on a real loss.

use mlp::nalgebra::{SMatrix, SVector};
use mlp::optim::{Adam, AdamConfig, Optimizer, Sgd, SgdConfig};
use mlp::Network;

/// Three parameters: a 1×2 weight and a bias, visited in that order.
#[mlp::network(x -> Linear(2, 1) -> MSE)]
struct Tiny;

// Printed by `python3 tests/reference/optim_reference.py`.
const SGD: [[f64; 3]; 3] = [
    [0.48, -0.26, 0.0],
    [0.47, -0.29000000000000004, 0.05],
    [0.495, -0.29500000000000004, 0.009999999999999995],
];
const MOMENTUM: [[f64; 3]; 3] = [
    [0.48, -0.26, 0.0],
    [0.45199999999999996, -0.254, -0.04000000000000001],
    [0.4518, -0.2536, -0.11600000000000002],
];
const NESTEROV: [[f64; 3]; 3] = [
    [0.46199999999999997, -0.22399999999999998, -0.09],
    [0.42679999999999996, -0.2486, -0.076],
    [0.45161999999999997, -0.25323999999999997, -0.1844],
];
const MOMENTUM_DECAY: [[f64; 3]; 3] = [
    [0.4795, -0.2597, -9.999999999998899e-05],
    [0.4505705, -0.25317029999999996, -0.04018989999999998],
    [0.4490833795, -0.2520403997, -0.11623062009999999],
];
const ADAM: [[f64; 3]; 3] = [
    [
        0.4000000049999997,
        -0.2000000024999999,
        9.999999855958563e-10,
    ],
    [
        0.3067820470153658,
        -0.19106750201213565,
        -0.026633702629096846,
    ],
    [
        0.3064009798099051,
        -0.19055857420305314,
        -0.06755268426443232,
    ],
];
const ADAM_DECAY: [[f64; 3]; 3] = [
    [
        0.40000000487804854,
        -0.2000000024813895,
        9.99000979162723e-10,
    ],
    [
        0.30657011410264473,
        -0.19039104126136006,
        -0.026672292766916027,
    ],
    [
        0.30416136915095765,
        -0.1891042912884963,
        -0.0675946077264588,
    ],
];

const GRADS: [[f64; 3]; 3] = [[0.2, -0.4, 1.0], [0.1, 0.3, -0.5], [-0.25, 0.05, 0.4]];

fn start() -> Tiny<f64> {
    Tiny {
        w: SMatrix::from_row_slice(&[0.5, -0.3]),
        b: SVector::from_column_slice(&[0.1]),
    }
}

/// Applies three steps with the fixed gradients; compares every parameter after every step.
fn replay(mut optimizer: impl Optimizer<f64, Tiny<f64>>, expected: [[f64; 3]; 3]) {
    let mut net = start();
    for (step, (g, want)) in GRADS.iter().zip(expected).enumerate() {
        let grads = TinyGradients {
            w: SMatrix::from_row_slice(&g[..2]),
            b: SVector::from_column_slice(&g[2..]),
        };
        optimizer.step(&mut net, &grads);
        let got = [net.w[0], net.w[1], net.b[0]];
        for (a, e) in got.iter().zip(want) {
            assert!(
                (a - e).abs() < 1e-12,
                "step {}: {got:?} vs {want:?}",
                step + 1
            );
        }
    }
}

#[test]
fn sgd_is_the_lectures_update() {
    replay(
        Sgd::new(SgdConfig {
            learning_rate: 0.1,
            ..SgdConfig::default()
        }),
        SGD,
    );
}

#[test]
fn sgd_with_momentum() {
    let config = SgdConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        ..SgdConfig::default()
    };
    replay(Sgd::new(config), MOMENTUM);
}

#[test]
fn sgd_with_nesterov_momentum() {
    let config = SgdConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        nesterov: true,
        ..SgdConfig::default()
    };
    replay(Sgd::new(config), NESTEROV);
}

#[test]
fn sgd_with_momentum_and_weight_decay() {
    let config = SgdConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        weight_decay: 0.01,
        ..SgdConfig::default()
    };
    replay(Sgd::new(config), MOMENTUM_DECAY);
}

#[test]
fn adam_with_bias_correction() {
    replay(
        Adam::new(AdamConfig {
            learning_rate: 0.1,
            ..AdamConfig::default()
        }),
        ADAM,
    );
}

#[test]
fn adam_with_weight_decay() {
    let config = AdamConfig {
        learning_rate: 0.1,
        weight_decay: 0.01,
        ..AdamConfig::default()
    };
    replay(Adam::new(config), ADAM_DECAY);
}

#[test]
fn defaults_are_pytorchs() {
    let adam = AdamConfig::<f64>::default();
    assert_eq!(
        (adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon),
        (1e-3, 0.9, 0.999, 1e-8)
    );
    let sgd = SgdConfig::<f64>::default();
    assert_eq!(
        (sgd.momentum, sgd.nesterov, sgd.weight_decay),
        (0.0, false, 0.0)
    );
}

#[mlp::network(x -> Linear(2, 8) -> Tanh -> Linear(8, 3) -> Softmax -> CE)]
struct Small;

/// Plain SGD through the optimizer is exactly the generated `sgd_step`.
#[test]
fn plain_sgd_matches_sgd_step() {
    let mut a = Small::<f64>::zeros();
    mlp::init::xavier_uniform(&mut a, 4);
    let mut b = a;
    let mut sgd = Sgd::new(SgdConfig {
        learning_rate: 0.3,
        ..SgdConfig::default()
    });
    let x = SVector::<f64, 2>::new(0.3, -1.1);
    for _ in 0..5 {
        let (_, g) = a.loss_and_gradients(&x, &2);
        sgd.step(&mut a, &g);
        let (_, g) = b.loss_and_gradients(&x, &2);
        b.sgd_step(&g, 0.3);
    }
    assert_eq!(a, b);
}

/// Every optimizer brings a real loss down.
#[test]
fn each_optimizer_learns() {
    let x = SVector::<f64, 2>::new(0.3, -1.1);
    let run = |mut opt: Box<dyn Optimizer<f64, Small<f64>>>| {
        let mut net = Small::<f64>::zeros();
        mlp::init::xavier_uniform(&mut net, 4);
        let start = net.loss(&x, &0);
        for _ in 0..30 {
            let (_, g) = net.loss_and_gradients(&x, &0);
            opt.step(&mut net, &g);
        }
        (start, net.loss(&x, &0))
    };
    let momentum = SgdConfig {
        learning_rate: 0.1,
        momentum: 0.9,
        ..SgdConfig::default()
    };
    let nesterov = SgdConfig {
        nesterov: true,
        ..momentum
    };
    let adam = AdamConfig {
        learning_rate: 0.05,
        ..AdamConfig::default()
    };
    for (name, (start, end)) in [
        ("momentum", run(Box::new(Sgd::new(momentum)))),
        ("nesterov", run(Box::new(Sgd::new(nesterov)))),
        ("adam", run(Box::new(Adam::new(adam)))),
    ] {
        assert!(end < 0.2 * start, "{name}: {start} → {end}");
    }
}

#[mlp::network(x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE)]
struct Wide;

/// He normal: same seed, same weights; N(0, 2 / fan_in) per layer; zero biases.
#[test]
fn he_normal_initialization() {
    let mut a = Wide::<f64>::zeros();
    let mut b = Wide::<f64>::zeros();
    mlp::init::he_normal(&mut a, 8);
    mlp::init::he_normal(&mut b, 8);
    assert_eq!(a, b);
    mlp::init::he_normal(&mut b, 9);
    assert_ne!(a, b);
    let variance = |w: &[f64]| w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
    // 2048 and 320 draws: the sample variance is within 15% of 2/fan_in.
    assert!((variance(a.w.as_slice()) / (2.0 / 64.0) - 1.0).abs() < 0.15);
    assert!((variance(a.u.as_slice()) / (2.0 / 32.0) - 1.0).abs() < 0.15);
    assert!(a.b1.iter().chain(a.b2.iter()).all(|b| *b == 0.0));
    // Xavier uniform stays inside ±√(6 / (fan_in + fan_out)).
    mlp::init::xavier_uniform(&mut a, 8);
    let bound = (6.0f64 / (64.0 + 32.0)).sqrt();
    assert!(a.w.iter().all(|w| w.abs() <= bound));
    assert!(
        a.w.iter().any(|w| w.abs() > 0.9 * bound),
        "the whole range is used"
    );
}

//! The generated code against values computed outside it: the lecture's worked numbers, and a
//! hand-written backward pass in plain Python (`tests/reference/card_reference.py`).

use mlp::nalgebra::{SMatrix, SVector};
use mlp::Network;

#[mlp::network(x -> Linear(2, 4) -> ReLU -> Linear(4, 3) -> Softmax -> CE)]
struct Small;

// Printed by `python3 tests/reference/card_reference.py`.
const Y_HAT: [f64; 3] = [0.47973593922668467, 0.16129513539190243, 0.3589689253814128];
const J: f64 = 1.0245194530664379;
const D_W_ROW_MAJOR: [f64; 8] = [
    -0.12128256156510356,
    0.040427520521701184,
    0.0,
    -0.0,
    0.0,
    -0.0,
    0.4072568649740541,
    -0.1357522883246847,
];
const D_B1: [f64; 4] = [-0.08085504104340237, 0.0, 0.0, 0.2715045766493694];
const D_U_ROW_MAJOR: [f64; 12] = [
    0.47973593922668467,
    0.0,
    0.0,
    0.1918943756906739,
    0.16129513539190243,
    0.0,
    0.0,
    0.06451805415676098,
    -0.6410310746185872,
    -0.0,
    -0.0,
    -0.25641242984743495,
];
const D_B2: [f64; 3] = [
    0.47973593922668467,
    0.16129513539190243,
    -0.6410310746185872,
];
const D_X: [f64; 2] = [0.06817431013804659, 0.13285834297276847];

fn assert_close(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-12, "{actual:?}\n!= {expected:?}");
    }
}

#[test]
fn matches_the_hand_written_reference() {
    let net = Small::<f64> {
        w: SMatrix::from_row_slice(&[0.5, -0.3, 0.1, 0.8, -0.6, 0.2, 0.4, 0.4]),
        b1: SVector::from_column_slice(&[0.1, -0.2, 0.05, 0.0]),
        u: SMatrix::from_row_slice(&[
            0.3, -0.5, 0.2, 0.7, -0.4, 0.6, 0.1, -0.2, 0.25, 0.15, -0.35, 0.05,
        ]),
        b2: SVector::from_column_slice(&[0.01, -0.02, 0.03]),
    };
    let x = SVector::<f64, 2>::new(1.5, -0.5);
    let (y_hat, tape) = net.forward_cached(&x);
    assert_close(y_hat.as_slice(), &Y_HAT);
    assert!((net.loss(&x, &2) - J).abs() < 1e-12);
    let (grads, d_x) = net.backward_with_input(&tape, &2);
    assert_close(grads.w.transpose().as_slice(), &D_W_ROW_MAJOR);
    assert_close(grads.b1.as_slice(), &D_B1);
    assert_close(grads.u.transpose().as_slice(), &D_U_ROW_MAJOR);
    assert_close(grads.b2.as_slice(), &D_B2);
    assert_close(d_x.as_slice(), &D_X);
}

#[mlp::network(x -> Linear(4, 4) -> Softmax -> CE)]
struct Identity4;

/// The lecture: softmax([−1, 0, 3, 5]) = [0.0021657, 0.00588697, 0.11824302, 0.87370431].
#[test]
fn lecture_softmax_numbers() {
    let expected = [0.0021657, 0.00588697, 0.11824302, 0.87370431];
    let theta = SVector::<f64, 4>::new(-1.0, 0.0, 3.0, 5.0);
    let kernel = mlp::functions::softmax(&theta);
    let mut net = Identity4::<f64>::zeros();
    net.w = SMatrix::identity();
    let through_network = net.forward(&theta);
    for p in [kernel, through_network] {
        for (a, e) in p.iter().zip(expected) {
            assert!((a - e).abs() < 5e-8, "{p} vs {expected:?}");
        }
    }
    // f32 too.
    let mut net32 = Identity4::<f32>::zeros();
    net32.w = SMatrix::identity();
    let p32 = net32.forward(&theta.cast::<f32>());
    for (a, e) in p32.iter().zip(expected) {
        assert!((f64::from(*a) - e).abs() < 1e-6);
    }
}

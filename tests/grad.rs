//! `#[mlp::grad]` against numbers from outside the code under test: the lecture's worked values,
//! and fourth-order central finite differences in f64 on random inputs for every expression of
//! `tests/expressions`.

mod common;
mod expressions;

use common::compare::{fourth_order, relative, step};
use expressions::*;
use mlp::nalgebra::{SMatrix, SVector};

/// Deterministic inputs in [−1.5, 1.5], or [0.5, 2] when the expression needs positive ones.
fn inputs(n: usize, positive: bool, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            if positive {
                0.5 + 1.5 * u
            } else {
                3.0 * u - 1.5
            }
        })
        .collect()
}

#[test]
fn every_expression_matches_fourth_order_finite_differences() {
    let cases = cases();
    assert!(cases.len() >= 20, "{} expressions", cases.len());
    let mut worst = (0.0, "");
    for case in &cases {
        for seed in 1..=10 {
            let p = inputs(case.inputs, case.positive, seed);
            let (value, grad) = (case.derived)(&p);
            let written = (case.value)(&p);
            assert_eq!(value.len(), written.len(), "{}", case.name);
            for (a, b) in value.iter().zip(&written) {
                assert!(relative(*a, *b) < 1e-12, "{}: value {a} vs {b}", case.name);
            }
            let outputs = written.len();
            assert_eq!(
                grad.len(),
                outputs * case.inputs,
                "{}: gradient size",
                case.name
            );
            for k in 0..case.inputs {
                let fd = fourth_order(&case.value, step("", p[k]), &p, k);
                for (i, fd) in fd.iter().enumerate() {
                    let derived = grad[i * case.inputs + k];
                    let e = relative(derived, *fd);
                    assert!(
                        e < 1e-8,
                        "{} (seed {seed}): ∂f{i}/∂p{k} = {derived}, finite differences {fd}",
                        case.name
                    );
                    if e > worst.0 {
                        worst = (e, case.name);
                    }
                }
            }
        }
    }
    println!(
        "{} expressions, 10 random points each: worst relative error {:.2e} ({})",
        cases.len(),
        worst.0,
        worst.1
    );
}

#[test]
fn lecture_x_plus_y_times_z() {
    let (value, (dx, dy, dz)) = f_grad(-2.0, 5.0, -4.0);
    assert_eq!(value, -12.0);
    assert_eq!((dx, dy, dz), (-4.0, -4.0, 3.0));
    for line in [
        "q = x + y",
        "∂f/∂q = ∂f/∂f · z = z",
        "∂f/∂x = ∂f/∂q · 1 = z",
        "= (z, z, q)",
    ] {
        assert!(F_DERIVATION.contains(line), "{line}\n{F_DERIVATION}");
    }
}

#[test]
fn lecture_five_minus_six_x_to_the_fifth() {
    for x in [-1.0, 0.0, 0.5, 5.0 / 6.0, 1.0, 2.5] {
        let (value, (dh,)) = h_grad(x);
        let expected = -30.0 * (5.0 - 6.0 * x).powi(4);
        assert_eq!(value, (5.0 - 6.0 * x).powi(5));
        assert!(
            (dh - expected).abs() <= 1e-12 * expected.abs(),
            "{dh} vs {expected}"
        );
    }
    assert!(H_DERIVATION.contains("= −30·(5 − 6·x)⁴"), "{H_DERIVATION}");
}

#[test]
fn lecture_jacobian_of_w_x_is_w() {
    let w = SMatrix::<f64, 3, 2>::new(1.0, -2.0, 0.5, 3.0, -1.5, 4.0);
    let x = SVector::<f64, 2>::new(0.25, -0.75);
    let (z, (_, dz_dx)) = linear_jacobian(w, x);
    assert_eq!(z, w * x);
    assert_eq!(dz_dx, w);
}

#[test]
fn sigmoid_of_a_dot_product() {
    let w = SVector::<f64, 3>::new(0.5, -1.0, 2.0);
    let x = SVector::<f64, 3>::new(1.0, 0.25, -0.5);
    let (p, (dw, dx)) = neuron_grad(w, &x);
    let s = 1.0 / (1.0 + (-w.dot(&x)).exp());
    assert!((p - s).abs() < 1e-15);
    assert!((dw - x * (s * (1.0 - s))).norm() < 1e-15);
    assert!((dx - w * (s * (1.0 - s))).norm() < 1e-15);
}

#[test]
fn f32_matches_f64() {
    let w = SVector::<f32, 2>::new(0.5, -1.0);
    let x = SVector::<f32, 2>::new(1.5, 0.25);
    let (v, (dw, dx, db)) = f32_neuron_grad(w, x, 0.1);
    let (v64, (dw64, _)) = neuron_grad(
        SVector::<f64, 3>::new(0.5, -1.0, 0.1),
        &SVector::<f64, 3>::new(1.5, 0.25, 1.0),
    );
    assert!((f64::from(v) - v64).abs() < 1e-6);
    assert!((f64::from(dw[0]) - dw64[0]).abs() < 1e-6);
    assert!((f64::from(db) - dw64[2]).abs() < 1e-6);
    assert!((f64::from(dx[1]) - f64::from(w[1]) * dw64[2]).abs() < 1e-6);
}

#[test]
fn a_value_used_twice_gets_both_paths() {
    // a = x·y feeds both a·b and b = eᵃ: ∂f/∂a = b + a·b + b.
    let (x, y) = (0.3, -0.7);
    let (_, (dx, _)) = shared_grad(x, y);
    let a: f64 = x * y;
    let b = a.exp();
    assert!((dx - (b + a * b + b) * y).abs() < 1e-14);
    assert!(
        SHARED_DERIVATION.contains("∂shared/∂a"),
        "{SHARED_DERIVATION}"
    );
}

#[test]
fn the_trace_shows_the_lecture_numbers() {
    let mut text = String::new();
    f_trace(-2.0, 5.0, -4.0, &mut text).expect("a String takes any text");
    for line in [
        "  q = x + y = 3\n",
        "  f = q·z = -12\n",
        "  ∂f/∂q = ∂f/∂f · z = z = -4\n",
        "  ∂f/∂x = ∂f/∂q · 1 = z = -4\n",
        "  ∂f/∂z = ∂f/∂f · q = q = 3\n",
    ] {
        assert!(text.contains(line), "{line}{text}");
    }
    let mut text = String::new();
    linear_trace(
        SMatrix::<f64, 3, 2>::identity(),
        SVector::<f64, 2>::new(1.0, 2.0),
        &mut text,
    )
    .expect("a String takes any text");
    assert!(text.contains("∂linear/∂x = [1, 0; 0, 1; 0, 0]"), "{text}");
}

/// Ties of `max`/`min` between two variables: ½ each, as JAX.
#[mlp::grad]
fn tie_max(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[mlp::grad]
fn tie_min(x: f64, y: f64) -> f64 {
    x.min(y)
}

/// Kinks against constants: 0 at the kink, as ReLU at 0.
#[mlp::grad]
fn kinks_at_constants(x: f64) -> f64 {
    x.abs() + x.max(2.0) + x.clamp(-1.0, 1.0) + x.max(0.0) + x.signum()
}

#[test]
fn kinks_and_ties_follow_the_stated_conventions() {
    // The values are the functions' as written.
    assert_eq!(tie_max_grad(1.5, 1.5).0, tie_max(1.5, 1.5));
    assert_eq!(tie_min_grad(-2.0, 3.0).0, tie_min(-2.0, 3.0));
    assert_eq!(kinks_at_constants_grad(1.0).0, kinks_at_constants(1.0));
    assert_eq!(tie_max_grad(1.5, 1.5).1, (0.5, 0.5));
    assert_eq!(tie_min_grad(-2.0, -2.0).1, (0.5, 0.5));
    assert_eq!(tie_max_grad(2.0, 1.0).1, (1.0, 0.0));
    assert_eq!(tie_min_grad(2.0, 1.0).1, (0.0, 1.0));
    // |x|′(0) = 0, max(x, 2)′ = 0 below 2, clamp′ = 1 inside, ReLU′(0) = 0, signum′ = 0.
    assert_eq!(kinks_at_constants_grad(0.0).1 .0, 1.0);
    // At the clamp's bound 1: |x|′ = 1, clamp′ = 0, ReLU′ = 1.
    assert_eq!(kinks_at_constants_grad(1.0).1 .0, 2.0);
    assert_eq!(kinks_at_constants_grad(-1.0).1 .0, -1.0);
    // At x = 2 (max's tie with its constant): |x|′ = 1, max′ = 0, ReLU′ = 1.
    assert_eq!(kinks_at_constants_grad(2.0).1 .0, 2.0);
    assert_eq!(kinks_at_constants_grad(2.5).1 .0, 3.0);
}

//! The public contract other tools are written against: names, shapes, orders, the update.

use mlp::nalgebra::{SMatrix, SVector};
use mlp::{Network, Parameters};

/// Two-layer classifier for points in the plane.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

#[mlp::network(x -> Linear(3, 5) -> Tanh -> Linear(5, 5) -> Sigmoid -> Linear(5, 2) -> MSE)]
struct Regressor;

fn seeded() -> Classifier<f64> {
    let mut net = Classifier::<f64>::zeros();
    let mut rng = mlp::rng::Rng::new(3);
    net.visit_params_mut(|_, v| v.iter_mut().for_each(|e| *e = rng.normal() * 0.5));
    net
}

#[test]
fn parameters_are_named_like_pytorch_state_dict() {
    let net = Classifier::<f32>::zeros();
    let mut seen = Vec::new();
    net.visit_params(|name, values| seen.push((name.to_string(), values.len())));
    assert_eq!(
        seen,
        [
            ("0.weight".into(), 32),
            ("0.bias".into(), 16),
            ("2.weight".into(), 48),
            ("2.bias".into(), 3)
        ]
    );
    assert_eq!(Classifier::<f32>::NUM_PARAMS, 99);
    assert_eq!(
        (Classifier::<f32>::INPUTS, Classifier::<f32>::OUTPUTS),
        (2, 3)
    );

    let mut names = Vec::new();
    Regressor::<f64>::zeros().visit_params(|name, _| names.push(name.to_string()));
    assert_eq!(
        names,
        ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    );
}

#[test]
fn parameters_are_statically_sized_and_column_major() {
    let mut net = Classifier::<f64>::zeros();
    let w: &SMatrix<f64, 16, 2> = &net.w;
    let u: &SMatrix<f64, 3, 16> = &net.u;
    let (_, _) = (w, u);
    net.w[(1, 0)] = 7.0; // row 1, column 0: the second value in column-major order
    net.visit_params(|name, values| {
        if name == "0.weight" {
            assert_eq!(values[1], 7.0);
        }
    });
}

#[test]
fn gradients_visit_in_the_same_order_and_shapes() {
    let net = seeded();
    let (_, grads) = net.loss_and_gradients(&SVector::<f64, 2>::new(0.2, -0.7), &1);
    let mut from_net = Vec::new();
    net.visit_params(|n, v| from_net.push((n.to_string(), v.len())));
    let mut from_grads = Vec::new();
    grads.visit_params(|n, v| from_grads.push((n.to_string(), v.len())));
    assert_eq!(from_net, from_grads);
    let mut through_trait = Vec::new();
    Parameters::visit_params(&grads, |n, v| through_trait.push((n.to_string(), v.len())));
    assert_eq!(from_grads, through_trait);
}

#[test]
fn the_methods_agree_with_each_other() {
    let net = seeded();
    let x = SVector::<f64, 2>::new(0.4, 1.1);
    let (y_hat, tape) = net.forward_cached(&x);
    assert_eq!(y_hat, net.forward(&x));
    assert!((y_hat.sum() - 1.0).abs() < 1e-12);
    let grads = net.backward(&tape, &2);
    let (with_input, _) = net.backward_with_input(&tape, &2);
    let (loss, fused) = net.loss_and_gradients(&x, &2);
    assert_eq!(grads, with_input);
    assert_eq!(grads, fused);
    assert!((loss - (-y_hat[2].ln())).abs() < 1e-12, "J = −log ŷ_y");
    assert_eq!(loss, net.loss(&x, &2));
}

#[test]
fn input_gradient_is_w_transposed_times_dz() {
    let net = seeded();
    let x = SVector::<f64, 2>::new(0.4, 1.1);
    let (_, tape) = net.forward_cached(&x);
    let (grads, d_x) = net.backward_with_input(&tape, &0);
    // ∂J/∂b₁ = ∂J/∂z, and ∂z/∂x = W, so ∂J/∂x = Wᵀ·∂J/∂b₁.
    let expected = net.w.transpose() * grads.b1;
    assert!((d_x - expected).norm() < 1e-14);
}

#[test]
fn sgd_step_is_the_lectures_update() {
    let mut net = seeded();
    let before = net;
    let (_, grads) = net.loss_and_gradients(&SVector::<f64, 2>::new(-0.3, 0.9), &0);
    net.sgd_step(&grads, 0.25);
    assert_eq!(net.w, before.w - grads.w * 0.25);
    assert_eq!(net.b1, before.b1 - grads.b1 * 0.25);
    assert_eq!(net.u, before.u - grads.u * 0.25);
    assert_eq!(net.b2, before.b2 - grads.b2 * 0.25);
}

#[test]
fn train_step_is_loss_and_gradients_then_sgd_step() {
    let mut fused = seeded();
    let mut separate = fused;
    let x = SVector::<f64, 2>::new(0.7, -0.2);
    let loss = fused.train_step(&x, &2, 0.3);
    let (expected_loss, grads) = separate.loss_and_gradients(&x, &2);
    separate.sgd_step(&grads, 0.3);
    assert_eq!(loss, expected_loss, "the loss before the step");
    // The fused step updates each weight in place as a rank-1 update, `W[i, j] −= (η·xⱼ)·gᵢ`,
    // where `sgd_step` computes `η·(gᵢ·xⱼ)`: the same update, rounded in another order.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    fused.visit_params(|_, v| a.extend_from_slice(v));
    separate.visit_params(|_, v| b.extend_from_slice(v));
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() <= 1e-15 * b.abs().max(1.0), "{a} vs {b}");
    }
    assert_ne!(fused, seeded(), "the step changed the weights");
}

#[test]
fn sgd_lowers_the_loss() {
    let mut net = seeded();
    let x = SVector::<f64, 2>::new(0.5, -0.5);
    let start = net.loss(&x, &1);
    for _ in 0..50 {
        let (_, g) = net.loss_and_gradients(&x, &1);
        net.sgd_step(&g, 0.1);
    }
    let end = net.loss(&x, &1);
    assert!(end < start * 0.1, "{start} → {end}");
}

#[test]
fn default_scalar_is_f32() {
    let net: Classifier = Classifier::zeros();
    let y: SVector<f32, 3> = net.forward(&SVector::<f32, 2>::new(1.0, 2.0));
    assert!((y[0] - 1.0 / 3.0).abs() < 1e-6);
    assert_eq!(Classifier::<f32>::default(), net);
}

#[test]
#[should_panic(expected = "class index out of range")]
fn class_index_out_of_range_panics_with_a_message() {
    let net = seeded();
    let _ = net.loss(&SVector::<f64, 2>::new(0.0, 0.0), &3);
}

#[test]
fn derivation_is_in_the_type() {
    let d = Classifier::<f32>::DERIVATION;
    let line = d
        .lines()
        .find(|l| l.trim_start().starts_with("∂J/∂U "))
        .expect("a line for ∂J/∂U");
    assert!(line.contains("= ∂J/∂ŷ · ∂ŷ/∂θ · ∂θ/∂U "), "{line}");
    assert!(line.contains("= (ŷ − y)·hᵀ "), "{line}");
    assert!(line.trim_end().ends_with("[3×16]"), "{line}");
}

#[mlp::network(x -> Linear(3, 4) -> Softmax -> CE)]
struct Logits;

/// Logits of ±1e4 overflow a naive exp; loss and gradients stay finite and right.
#[test]
fn extreme_logits_stay_finite() {
    for scale in [1e4f64, -1e4] {
        let mut net = Logits::<f64>::zeros();
        net.w = SMatrix::from_row_slice(&[1., 0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0.]);
        let x = SVector::<f64, 3>::new(scale, 0.0, -scale);
        let (loss, grads) = net.loss_and_gradients(&x, &1);
        let (expected_loss, winner) = if scale > 0.0 { (scale, 0) } else { (-scale, 2) };
        assert!(
            (loss - expected_loss).abs() < 1e-9 * expected_loss,
            "{loss}"
        );
        assert!(grads.b.iter().all(|g| g.is_finite()));
        assert!((grads.b[winner] - 1.0).abs() < 1e-12 && (grads.b[1] + 1.0).abs() < 1e-12);

        let mut net32 = Logits::<f32>::zeros();
        net32.w = net.w.cast();
        let (loss32, grads32) = net32.loss_and_gradients(&x.cast(), &1);
        assert!(loss32.is_finite() && (f64::from(loss32) - expected_loss).abs() < 1.0);
        assert!(grads32.w.iter().all(|g| g.is_finite()));
    }
}

/// A NaN in the input reaches the loss: no layer silently turns it into a number.
#[test]
fn nan_propagates_to_the_loss() {
    let net = seeded();
    let x = SVector::<f64, 2>::new(f64::NAN, 0.0);
    assert!(net.loss(&x, &0).is_nan());
    let zero = Classifier::<f64>::zeros();
    assert!(
        zero.loss(&x, &0).is_nan(),
        "even through zero weights and ReLU"
    );
}

/// The user's doc comment, visibility and other attributes stay; derives of traits the
/// macro already provides (Clone, Copy, Debug, PartialEq, Default) are not doubled.
#[mlp::network(x -> Linear(2, 2) -> Softmax -> CE)]
#[derive(Clone, Debug, Default, Eq, PartialOrd)]
#[allow(dead_code)]
pub(crate) struct WithAttributes;

#[test]
fn user_attributes_are_kept() {
    let a = WithAttributes::<f64>::zeros();
    let b = a;
    assert_eq!(a, b);
    assert!(a <= b, "the user's PartialOrd derive is kept");
    assert!(format!("{a:?}").starts_with("WithAttributes"));
}

//! `jacobians = full` emits the chain rule exactly as composed: explicit Jacobian matrices for
//! every layer, multiplied from the loss back, no rewrite rule applied to the gradients. For
//! every layer and loss, it must give the simplified mode's gradients to 1e-12 relative in f64:
//! the rewrites change how the backward pass is computed, never what it computes.
//!
//! "Relative" is relative to the gradient's size, max|a − b| / ‖∇J‖∞ over all parameters and
//! the input. Per element or per tensor it cannot be: behind a saturated Softmax mid-chain
//! (ŷ ≈ one-hot), ŷᵢ·(gᵢ − ⟨ŷ, g⟩) is a cancellation, so the earlier layers' gradients are
//! ~1e-5 of the upstream 0.7 (seed 5 below), and the two association orders differ there by
//! ~1e-16 absolute: machine precision of the upstream gradient, 4e-11 of those tiny tensors.

mod common;

use common::{copy_params, randomize};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::{Network, Parameters};

/// The same chain twice: simplified (the default) and `jacobians = full`.
macro_rules! both_modes {
    ($simplified:ident, $full:ident: $($chain:tt)*) => {
        #[mlp::network($($chain)*)]
        struct $simplified;
        #[mlp::network($($chain)*, jacobians = full)]
        struct $full;
    };
}

both_modes!(Card, CardFull: x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE);
both_modes!(Smooth, SmoothFull: x -> Linear(3, 5) -> Sigmoid -> Linear(5, 4) -> Tanh -> Linear(4, 2) -> MSE);
both_modes!(Lecture, LectureFull: x -> Linear(3, 6) -> LeakyReLU(0.2) -> Linear(6, 5) -> ELU(0.7) -> Linear(5, 4) -> Softmax -> Linear(4, 3) -> Softmax -> CE);
both_modes!(Pieces, PiecesFull: x -> Maxout(3, 4, 2) -> Maxout(4, 3, 3) -> Identity -> Linear(3, 2) -> MSE);
both_modes!(Logistic, LogisticFull: x -> Linear(2, 4) -> Tanh -> Linear(4, 1) -> Sigmoid -> BCE);
both_modes!(SoftmaxMse, SoftmaxMseFull: x -> Linear(3, 4) -> Softmax -> MSE);

/// All gradient values, parameters in order, then the input gradient.
fn values<G: Parameters<f64>>(grads: &G, d_x: &[f64]) -> Vec<f64> {
    let mut all = Vec::new();
    grads.visit_params(|_, v| all.extend_from_slice(v));
    all.extend_from_slice(d_x);
    all
}

/// max|a − b| / ‖a‖∞: the difference relative to the gradient's size.
fn difference(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
    if scale == 0.0 {
        0.0
    } else {
        diff / scale
    }
}

fn compare<S, F, const I: usize>(
    mut simplified: S,
    mut full: F,
    mut target: impl FnMut(&mut Rng) -> S::Target,
) -> f64
where
    S: Network<f64, Input = SVector<f64, I>>,
    F: Network<f64, Input = SVector<f64, I>, Target = S::Target>,
{
    let mut worst: f64 = 0.0;
    for seed in 0..10 {
        randomize(&mut simplified, seed, 0.9);
        copy_params(&simplified, &mut full);
        let mut rng = Rng::new(77 + seed);
        let x = common::random_vector::<I>(&mut rng, 1.5);
        let y = target(&mut rng);
        let (ls, gs) = simplified.loss_and_gradients(&x, &y);
        let (lf, gf) = full.loss_and_gradients(&x, &y);
        assert!(
            (ls - lf).abs() <= 1e-12 * ls.abs().max(1.0),
            "loss {ls} vs {lf}"
        );
        let (_, ts) = simplified.forward_cached(&x);
        let (_, tf) = full.forward_cached(&x);
        let (bs, dxs) = simplified.backward_with_input(&ts, &y);
        let (bf, dxf) = full.backward_with_input(&tf, &y);
        assert_eq!(
            values(&gs, &[]),
            values(&bs, &[]),
            "one pass or two, the same gradients"
        );
        assert_eq!(values(&gf, &[]), values(&bf, &[]), "in full mode too");
        let d = difference(&values(&bs, dxs.as_slice()), &values(&bf, dxf.as_slice()));
        assert!(
            d < 1e-12,
            "seed {seed}: full and simplified differ by {d:e}"
        );
        worst = worst.max(d);
    }
    worst
}

#[test]
fn relu_softmax_ce() {
    let w = compare::<_, _, 2>(Card::zeros(), CardFull::zeros(), |r| r.below(3));
    println!("ReLU, Softmax∘CE                {w:.1e}");
}

#[test]
fn sigmoid_tanh_mse() {
    let w = compare::<_, _, 3>(Smooth::zeros(), SmoothFull::zeros(), |r| {
        common::random_vector::<2>(r, 1.0)
    });
    println!("Sigmoid, Tanh, MSE              {w:.1e}");
}

#[test]
fn leaky_elu_softmax_mid_chain() {
    let w = compare::<_, _, 3>(Lecture::zeros(), LectureFull::zeros(), |r| r.below(3));
    println!("LeakyReLU, ELU, Softmax (mid)   {w:.1e}");
}

#[test]
fn maxout_identity() {
    let w = compare::<_, _, 3>(Pieces::zeros(), PiecesFull::zeros(), |r| {
        common::random_vector::<2>(r, 1.0)
    });
    println!("Maxout k=2 and 3, Identity      {w:.1e}");
}

#[test]
fn sigmoid_bce() {
    let w = compare::<_, _, 2>(Logistic::zeros(), LogisticFull::zeros(), |r| r.uniform());
    println!("Sigmoid∘BCE                     {w:.1e}");
}

#[test]
fn softmax_mse() {
    let w = compare::<_, _, 3>(SoftmaxMse::zeros(), SoftmaxMseFull::zeros(), |r| {
        common::random_vector::<4>(r, 1.0)
    });
    println!("Softmax, MSE                    {w:.1e}");
}

#[test]
fn full_mode_derivation_keeps_the_jacobians() {
    let full = CardFull::<f64>::DERIVATION;
    assert!(full.contains("unsimplified: jacobians = full"), "{full}");
    assert!(
        !full.contains("fuse_softmax_ce"),
        "no gradient rewrite in full mode"
    );
    assert!(full.contains("diag(ŷ) − ŷ·ŷᵀ"), "{full}");
}

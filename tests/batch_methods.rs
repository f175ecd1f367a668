//! The batched methods equal the mean of the per-sample ones (to 1e-12 in f64) for every layer,
//! every loss and both `jacobians` modes; a batch step is one SGD step on the mean gradient.

mod common;

use common::randomize;
use mlp::nalgebra::{SMatrix, SVector};
use mlp::rng::Rng;
use mlp::Network;

const B: usize = 5;

/// Relative difference with magnitudes below 1 floored at 1.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| close(*a, *b))
}

/// Checks every batched method of `net` against its per-sample methods on `B` columns.
macro_rules! check {
    ($net:ty, $inputs:literal, $targets:expr) => {{
        let mut net = <$net>::zeros();
        randomize(&mut net, 11, 0.7);
        let mut rng = Rng::new(3);
        let x = SMatrix::<f64, $inputs, B>::from_fn(|_, _| rng.normal());
        let targets = $targets;
        let columns: Vec<SVector<f64, $inputs>> =
            (0..B).map(|j| x.column(j).into_owned()).collect();

        // forward_batch: column j is forward of sample j.
        let out = net.forward_batch(&x);
        for (j, c) in columns.iter().enumerate() {
            let single = net.forward(c);
            assert!(
                all_close(out.column(j).as_slice(), single.as_slice()),
                "{}: forward column {j}",
                stringify!($net)
            );
        }

        // loss_and_gradients_batch: the means.
        let (loss, grads) = net.loss_and_gradients_batch(&x, &targets);
        let mut expected_loss = 0.0;
        let mut expected: Vec<f64> = Vec::new();
        for (c, t) in columns.iter().zip(&targets) {
            let (l, g) = net.loss_and_gradients(c, t);
            expected_loss += l / B as f64;
            let mut flat = Vec::new();
            g.visit_params(|_, v| flat.extend_from_slice(v));
            if expected.is_empty() {
                expected = vec![0.0; flat.len()];
            }
            for (e, v) in expected.iter_mut().zip(flat) {
                *e += v / B as f64;
            }
        }
        assert!(
            close(loss, expected_loss),
            "{}: loss {loss} vs {expected_loss}",
            stringify!($net)
        );
        let mut got = Vec::new();
        grads.visit_params(|_, v| got.extend_from_slice(v));
        assert!(
            all_close(&got, &expected),
            "{}: gradients differ",
            stringify!($net)
        );

        // The same into storage the caller owns.
        let mut into = <$net as Network<f64>>::Gradients::default();
        let into_loss = net.loss_and_gradients_batch_into(&x, &targets, &mut into);
        assert_eq!(into_loss, loss);
        assert_eq!(into, grads, "{}: _into", stringify!($net));

        // input_batch puts the columns back together.
        let refs: [&SVector<f64, $inputs>; B] = std::array::from_fn(|j| &columns[j]);
        assert_eq!(<$net as Network<f64>>::input_batch(&refs), x);

        // train_step_batch: the mean loss before the step, then one SGD step on the mean.
        let mut stepped = net;
        let before = stepped.train_step_batch(&x, &targets, 0.3);
        assert!(close(before, loss));
        let mut reference = net;
        reference.sgd_step(&grads, 0.3);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        stepped.visit_params(|_, v| a.extend_from_slice(v));
        reference.visit_params(|_, v| b.extend_from_slice(v));
        assert!(all_close(&a, &b), "{}: step differs", stringify!($net));
        assert_ne!(a, {
            let mut p = Vec::new();
            net.visit_params(|_, v| p.extend_from_slice(v));
            p
        });
    }};
}

fn classes<const K: usize>() -> [usize; B] {
    std::array::from_fn(|j| (j * 2 + 1) % K)
}

fn vectors<const K: usize>() -> [SVector<f64, K>; B] {
    let mut rng = Rng::new(9);
    std::array::from_fn(|_| SVector::from_fn(|_, _| rng.normal()))
}

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

#[mlp::network(x -> Linear(3, 5) -> Tanh -> Linear(5, 4) -> Sigmoid -> Linear(4, 2) -> MSE)]
struct TanhSigmoidMse;

#[mlp::network(x -> Linear(3, 6) -> LeakyReLU(0.2) -> Linear(6, 4) -> ELU(0.5) -> Linear(4, 3) -> Identity -> MSE)]
struct LeakyEluIdentity;

#[mlp::network(x -> Linear(4, 6) -> Maxout(6, 3, 2) -> Linear(3, 3) -> Softmax -> CE)]
struct MaxoutCe;

#[mlp::network(x -> Linear(2, 1) -> Sigmoid -> BCE)]
struct Logistic;

#[mlp::network(x -> Linear(3, 4) -> ReLU -> Linear(4, 1) -> Sigmoid -> BCE)]
struct TwoLayerBce;

#[mlp::network(x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE)]
struct Sine;

#[mlp::network(x -> Linear(3, 4) -> Softmax -> CE)]
struct SoftmaxRegression;

#[mlp::network(x -> Linear(3, 5) -> Tanh -> Linear(5, 3) -> Softmax -> CE, jacobians = full)]
struct FullCe;

#[mlp::network(x -> Linear(4, 6) -> Maxout(6, 3, 2) -> LeakyReLU -> Linear(3, 2) -> Sigmoid -> MSE, jacobians = full)]
struct FullMaxoutMse;

/// Custom activations: SiLU, and a tanh-GELU in full-Jacobian mode (which loops over samples).
#[mlp::network(x -> Linear(3, 5) -> Elementwise(z * sigmoid(z)) -> Linear(5, 3) -> Softmax -> CE)]
struct SiluCe;

#[mlp::network(x -> Linear(3, 4) -> Elementwise(0.5 * z * (1.0 + (0.7978845608 * (z + 0.044715 * z.powi(3))).tanh())) -> Linear(4, 2) -> MSE, jacobians = full)]
struct GeluFull;

/// The float methods, lifted over a batch: `abs`, `atan`, `clamp` (a `max` and a `min` against
/// constants), `sinh`, `hypot` against a constant.
#[mlp::network(x -> Linear(3, 5) -> Elementwise(z / (1.0 + z.abs()) + z.atan().clamp(-1.0, 1.0)) -> Linear(5, 2) -> Elementwise(z.sinh().hypot(1.0)) -> MSE)]
struct MethodsMse;

#[test]
fn elementwise_activations() {
    check!(SiluCe<f64>, 3, classes::<3>());
    check!(GeluFull<f64>, 3, vectors::<2>());
    check!(MethodsMse<f64>, 3, vectors::<2>());
}

#[test]
fn relu_softmax_ce() {
    check!(Card<f64>, 2, classes::<3>());
}

#[test]
fn tanh_sigmoid_mse() {
    check!(TanhSigmoidMse<f64>, 3, vectors::<2>());
}

#[test]
fn leaky_relu_elu_identity_mse() {
    check!(LeakyEluIdentity<f64>, 3, vectors::<3>());
}

#[test]
fn maxout_ce() {
    check!(MaxoutCe<f64>, 4, classes::<3>());
}

#[test]
fn sigmoid_bce() {
    check!(Logistic<f64>, 2, [0.0, 1.0, 1.0, 0.25, 0.0]);
    check!(TwoLayerBce<f64>, 3, [1.0, 0.0, 0.5, 1.0, 0.0]);
}

#[test]
fn one_input_one_output() {
    check!(Sine<f64>, 1, vectors::<1>());
}

#[test]
fn one_layer_softmax() {
    check!(SoftmaxRegression<f64>, 3, classes::<4>());
}

#[test]
fn full_jacobians() {
    check!(FullCe<f64>, 3, classes::<3>());
    check!(FullMaxoutMse<f64>, 4, vectors::<2>());
}

#[test]
fn the_derivation_shows_the_batch() {
    let text = Card::<f64>::DERIVATION;
    assert!(text.contains("∂J/∂W  = 1/B·∂J/∂Z·Xᵀ"), "{text}");
    assert!(text.contains("outer_update"), "{text}");
}

#[test]
fn an_empty_batch_is_zero() {
    let net = Card::<f64>::zeros();
    let (loss, grads) = net.loss_and_gradients_batch(&SMatrix::<f64, 2, 0>::zeros(), &[]);
    assert_eq!(loss, 0.0);
    assert_eq!(grads, CardGradients::zeros());
}

#[test]
#[should_panic(expected = "class index out of range: the network has 3 classes")]
fn class_out_of_range() {
    let mut net = Card::<f64>::zeros();
    net.train_step_batch(&SMatrix::<f64, 2, 2>::zeros(), &[0, 3], 0.1);
}

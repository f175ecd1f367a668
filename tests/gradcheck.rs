//! Every generated backward pass against central finite differences of the generated loss, in
//! f64, on ten architectures that together use every layer and loss: each parameter tensor
//! and the input gradient, over several random weights, inputs and targets.

mod common;

use common::{copy_params, gradcheck_random, random_vector, randomize, relative_error};
use mlp::nalgebra::SVector;
use mlp::Network;

/// The design card's network.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

/// Softmax regression, the lecture's section 2.
#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE)]
struct SoftmaxRegression;

/// Regression with a sigmoid hidden layer.
#[mlp::network(x -> Linear(3, 5) -> Sigmoid -> Linear(5, 2) -> MSE)]
struct SigmoidRegression;

/// Softmax not followed by CE (the `softmax_vjp` rewrite), tanh hidden layer.
#[mlp::network(x -> Linear(4, 6) -> Tanh -> Linear(6, 3) -> Softmax -> MSE)]
struct SoftmaxMse;

/// Four hidden layers, every activation.
#[mlp::network(x -> Linear(3, 8) -> ReLU -> Linear(8, 7) -> Tanh -> Linear(7, 6) -> Sigmoid -> Linear(6, 5) -> ReLU -> Linear(5, 4) -> Softmax -> CE)]
struct Deep;

/// Two activations in a row.
#[mlp::network(x -> Linear(3, 4) -> Tanh -> Sigmoid -> Linear(4, 2) -> MSE)]
struct Stacked;

/// A softmax in the middle of the chain.
#[mlp::network(x -> Linear(3, 4) -> Softmax -> Linear(4, 3) -> Softmax -> CE)]
struct MidSoftmax;

/// Linear regression.
#[mlp::network(x -> Linear(3, 2) -> MSE)]
struct LinearRegression;

/// An activation on the output before MSE.
#[mlp::network(x -> Linear(2, 3) -> ReLU -> Linear(3, 2) -> Tanh -> MSE)]
struct BoundedOutput;

/// One output (1×1 vectors, the `scalar_product` rewrite).
#[mlp::network(x -> Linear(3, 8) -> Tanh -> Linear(8, 1) -> Sigmoid -> MSE)]
struct OneOutput;

const TOLERANCE: f64 = 1e-6;

/// Runs the check on `trials` random draws; returns the worst error seen.
fn check_classifier<N, const I: usize, const K: usize>(net: N, trials: u64) -> f64
where
    N: Network<f64, Input = SVector<f64, I>, Target = usize>,
{
    gradcheck_random(net, trials, 1000, TOLERANCE, |rng| rng.below(K))
}

fn check_regressor<N, const I: usize, const K: usize>(net: N, trials: u64) -> f64
where
    N: Network<f64, Input = SVector<f64, I>, Target = SVector<f64, K>>,
{
    gradcheck_random(net, trials, 2000, TOLERANCE, |rng| {
        random_vector::<K>(rng, 1.0)
    })
}

#[test]
fn card_relu_softmax_ce() {
    let worst = check_classifier::<_, 2, 3>(Card::<f64>::zeros(), 20);
    println!("Card: worst relative error {worst:e}");
}

#[test]
fn softmax_regression() {
    let worst = check_classifier::<_, 2, 3>(SoftmaxRegression::<f64>::zeros(), 20);
    println!("SoftmaxRegression: worst relative error {worst:e}");
}

#[test]
fn sigmoid_mse() {
    let worst = check_regressor::<_, 3, 2>(SigmoidRegression::<f64>::zeros(), 20);
    println!("SigmoidRegression: worst relative error {worst:e}");
}

#[test]
fn tanh_softmax_mse() {
    let worst = check_regressor::<_, 4, 3>(SoftmaxMse::<f64>::zeros(), 20);
    println!("SoftmaxMse: worst relative error {worst:e}");
}

#[test]
fn four_hidden_layers() {
    let worst = check_classifier::<_, 3, 4>(Deep::<f64>::zeros(), 20);
    println!("Deep: worst relative error {worst:e}");
}

#[test]
fn stacked_activations() {
    let worst = check_regressor::<_, 3, 2>(Stacked::<f64>::zeros(), 20);
    println!("Stacked: worst relative error {worst:e}");
}

#[test]
fn softmax_mid_chain() {
    let worst = check_classifier::<_, 3, 3>(MidSoftmax::<f64>::zeros(), 20);
    println!("MidSoftmax: worst relative error {worst:e}");
}

#[test]
fn linear_regression() {
    let worst = check_regressor::<_, 3, 2>(LinearRegression::<f64>::zeros(), 20);
    println!("LinearRegression: worst relative error {worst:e}");
}

#[test]
fn activation_on_the_output() {
    let worst = check_regressor::<_, 2, 2>(BoundedOutput::<f64>::zeros(), 20);
    println!("BoundedOutput: worst relative error {worst:e}");
}

#[test]
fn one_output() {
    let worst = check_regressor::<_, 3, 1>(OneOutput::<f64>::zeros(), 20);
    println!("OneOutput: worst relative error {worst:e}");
}

/// The same network in f32 gives the f64 gradients to f32 precision.
#[test]
fn f32_matches_f64() {
    let mut net64 = Deep::<f64>::zeros();
    randomize(&mut net64, 7, 0.8);
    let mut net32 = Deep::<f32>::zeros();
    copy_params(&net64, &mut net32);
    let x64 = SVector::<f64, 3>::new(0.3, -1.2, 0.8);
    let x32 = x64.cast::<f32>();
    let (l64, g64) = net64.loss_and_gradients(&x64, &2);
    let (l32, g32) = net32.loss_and_gradients(&x32, &2);
    assert!(relative_error(l64, f64::from(l32)) < 1e-5, "{l64} vs {l32}");
    let mut a = Vec::new();
    let mut b = Vec::new();
    mlp::Parameters::visit_params(&g64, |_, v| a.extend_from_slice(v));
    mlp::Parameters::visit_params(&g32, |_, v| b.extend(v.iter().map(|&e| f64::from(e))));
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (p, q) in a.iter().zip(&b) {
        assert!((p - q).abs() <= 1e-5 * scale.max(1.0), "{p} vs {q}");
    }
}

/// The report keeps every parameter's own relative error, in the gradients' shapes; per tensor
/// its worst is what `gradcheck_each` reports, under the same names, and none of it needs a
/// heap (the report is the network's gradients type and an input vector).
#[test]
fn report_per_parameter_and_per_tensor() {
    let mut net = Card::<f64>::zeros();
    randomize(&mut net, 3, 0.8);
    let x = SVector::<f64, 2>::new(0.4, -0.9);
    let report = mlp::gradcheck(&mut net, &x, &1);
    let mut each = Vec::new();
    mlp::gradcheck_each(&mut net, &x, &1, |name, worst| {
        each.push((name.to_string(), worst))
    });
    let tensors: Vec<(String, f64)> = report
        .tensors()
        .map(|(name, error)| (name.to_string(), error))
        .collect();
    assert_eq!(tensors, each);
    let names: Vec<&str> = each.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias", "x"]);
    assert_eq!(report.parameters.w.max(), each[0].1);
    assert_eq!(report.parameters.b2.max(), each[3].1);
    assert_eq!(report.input.max(), each[4].1);
    assert!(report.worst() < TOLERANCE, "{report}");
    assert!(report.to_string().contains("2.weight"));
}

//! Activations written as expressions of `z` (`Elementwise(...)`): differentiated by the same
//! chain rule as `#[mlp::grad]`, checked against central finite differences in f64, against the
//! built-in activations they reproduce, and in PyTorch's parameter names.

mod common;

use common::{copy_params, gradcheck_random, random_vector, randomize};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

/// SiLU (swish), z·σ(z).
#[mlp::network(x -> Linear(3, 6) -> Elementwise(z * sigmoid(z)) -> Linear(6, 3) -> Softmax -> CE)]
struct Silu;

/// Softplus, ln(1 + eᶻ), in a regressor.
#[mlp::network(x -> Linear(3, 5) -> Elementwise((1.0 + z.exp()).ln()) -> Linear(5, 2) -> MSE)]
struct Softplus;

/// GELU's tanh form, twice, the second on the output.
#[mlp::network(x -> Linear(2, 6) -> Elementwise(0.5 * z * (1.0 + (0.7978845608028654 * (z + 0.044715 * z.powi(3))).tanh())) -> Linear(6, 2) -> Elementwise(0.5 * z * (1.0 + (0.7978845608028654 * (z + 0.044715 * z.powi(3))).tanh())) -> MSE)]
struct Gelu;

/// The same three in `jacobians = full` mode: explicit diag(f′(z)) matrices.
#[mlp::network(x -> Linear(3, 6) -> Elementwise(z * sigmoid(z)) -> Linear(6, 3) -> Softmax -> CE, jacobians = full)]
struct SiluFull;

/// tanh and σ written as expressions, beside the built-ins.
#[mlp::network(x -> Linear(3, 4) -> Elementwise(z.tanh()) -> Linear(4, 3) -> Elementwise(1.0 / (1.0 + (-z).exp())) -> MSE)]
struct TanhSigmoidWritten;

#[mlp::network(x -> Linear(3, 4) -> Tanh -> Linear(4, 3) -> Sigmoid -> MSE)]
struct TanhSigmoidBuiltIn;

/// ReLU written as `z.max(0.0)`, beside the built-in.
#[mlp::network(x -> Linear(3, 5) -> Elementwise(z.max(0.0)) -> Linear(5, 3) -> Softmax -> CE)]
struct ReluWritten;

#[mlp::network(x -> Linear(3, 5) -> ReLU -> Linear(5, 3) -> Softmax -> CE)]
struct ReluBuiltIn;

/// The float methods in activations: a soft sign with a clamp, an arctangent, in both modes
/// (the batch methods lift `max`/`min`/`atan` over columns).
#[mlp::network(x -> Linear(3, 5) -> Elementwise(z / (1.0 + z.abs()) + z.atan().clamp(-1.0, 1.0)) -> Linear(5, 3) -> Elementwise(z.sinh().hypot(1.0).ln()) -> MSE)]
struct Methods;

#[mlp::network(x -> Linear(3, 5) -> Elementwise(z / (1.0 + z.abs()) + z.atan().clamp(-1.0, 1.0)) -> Linear(5, 3) -> Elementwise(z.sinh().hypot(1.0).ln()) -> MSE, jacobians = full)]
struct MethodsFull;

const TOLERANCE: f64 = 1e-6;

fn check<N, const I: usize>(net: N, target: impl Fn(&mut Rng) -> N::Target) -> f64
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    gradcheck_random(net, 20, 500, TOLERANCE, target)
}

#[test]
fn silu_softplus_gelu_match_finite_differences() {
    let silu = check::<_, 3>(Silu::<f64>::zeros(), |r| r.below(3));
    let softplus = check::<_, 3>(Softplus::<f64>::zeros(), |r| random_vector::<2>(r, 1.0));
    let gelu = check::<_, 2>(Gelu::<f64>::zeros(), |r| random_vector::<2>(r, 1.0));
    let full = check::<_, 3>(SiluFull::<f64>::zeros(), |r| r.below(3));
    println!("worst relative errors: SiLU {silu:.1e}, softplus {softplus:.1e}, GELU {gelu:.1e}, SiLU full {full:.1e}");
}

#[test]
fn float_methods_in_activations_match_finite_differences() {
    let methods = check::<_, 3>(Methods::<f64>::zeros(), |r| random_vector::<3>(r, 1.0));
    let full = check::<_, 3>(MethodsFull::<f64>::zeros(), |r| random_vector::<3>(r, 1.0));
    println!("worst relative errors: methods {methods:.1e}, full {full:.1e}");
}

#[test]
fn full_and_simplified_agree() {
    let mut a = Silu::<f64>::zeros();
    randomize(&mut a, 4, 0.8);
    let mut b = SiluFull::<f64>::zeros();
    copy_params(&a, &mut b);
    let x = SVector::<f64, 3>::new(0.4, -1.1, 0.7);
    let (la, ga) = a.loss_and_gradients(&x, &1);
    let (lb, gb) = b.loss_and_gradients(&x, &1);
    assert!((la - lb).abs() < 1e-12);
    let (mut p, mut q) = (Vec::new(), Vec::new());
    ga.visit_params(|_, v| p.extend_from_slice(v));
    gb.visit_params(|_, v| q.extend_from_slice(v));
    for (p, q) in p.iter().zip(&q) {
        assert!((p - q).abs() < 1e-12, "{p} vs {q}");
    }
}

#[test]
fn written_tanh_and_sigmoid_equal_the_built_ins() {
    let mut written = TanhSigmoidWritten::<f64>::zeros();
    randomize(&mut written, 9, 0.8);
    let mut built_in = TanhSigmoidBuiltIn::<f64>::zeros();
    copy_params(&written, &mut built_in);
    let x = SVector::<f64, 3>::new(0.3, 0.9, -0.6);
    let y = SVector::<f64, 3>::new(0.2, 0.5, 0.9);
    let (la, ga) = written.loss_and_gradients(&x, &y);
    let (lb, gb) = built_in.loss_and_gradients(&x, &y);
    assert!((la - lb).abs() < 1e-15);
    assert!((ga.w - gb.w).norm() < 1e-14);
    assert!((ga.u - gb.u).norm() < 1e-14);
    assert!((ga.b1 - gb.b1).norm() < 1e-14);
    // tanh′ = 1 − tanh², from the value h the forward pass computed, as the built-in's.
    let text = TanhSigmoidWritten::<f64>::DERIVATION;
    assert!(text.contains("∂h/∂z  = diag(1 − h²)"), "{text}");
}

#[test]
fn written_relu_equals_the_built_in() {
    let mut written = ReluWritten::<f64>::zeros();
    randomize(&mut written, 5, 0.8);
    let mut built_in = ReluBuiltIn::<f64>::zeros();
    copy_params(&written, &mut built_in);
    for k in 0..10_u32 {
        let x = SVector::<f64, 3>::new(0.3 * f64::from(k) - 1.0, 0.9, -0.6);
        let class = (k % 3) as usize;
        let (la, ga) = written.loss_and_gradients(&x, &class);
        let (lb, gb) = built_in.loss_and_gradients(&x, &class);
        assert_eq!(la, lb);
        assert_eq!(ga.w, gb.w);
        assert_eq!(ga.u, gb.u);
    }
    let text = ReluWritten::<f64>::DERIVATION;
    assert!(text.contains("∂h/∂z  = diag(1[z > 0])"), "{text}");
}

#[test]
fn pytorch_names_count_the_activation_as_a_layer() {
    let mut names = Vec::new();
    Silu::<f32>::zeros().visit_params(|name, _| names.push(name.to_string()));
    assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
}

#[test]
fn the_derivation_states_f_prime() {
    let text = Silu::<f64>::DERIVATION;
    assert!(text.contains("h = z ⊙ σ(z)"), "{text}");
    assert!(
        text.contains("∂h/∂z  = diag(σ(z) + z ⊙ σ(z) ⊙ (1 − σ(z)))"),
        "{text}"
    );
    assert!(
        text.contains("∂J/∂z  = ∂J/∂ŷ · ∂ŷ/∂θ · ∂θ/∂h · ∂h/∂z          = ∂J/∂h ⊙ (σ(z) + z ⊙ σ(z) ⊙ (1 − σ(z)))"),
        "{text}"
    );
    let graph = Silu::<f64>::GRAPH_DOT;
    assert!(
        graph.contains("∂h/∂z = diag(σ(z) + z ⊙ σ(z) ⊙ (1 − σ(z)))"),
        "{graph}"
    );
}

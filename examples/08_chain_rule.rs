//! Lecture section 5 to 7, the chain rule on expressions before networks, each derived at
//! compile time by `#[mlp::grad]` and printed with its numbers:
//! - f(x, y, z) = (x + y)·z at (−2, 5, −4), with q = x + y: f = −12, ∂f/∂q = −4, and
//!   (∂f/∂x, ∂f/∂y, ∂f/∂z) = (−4, −4, 3), "upstream gradient × local gradient";
//! - h(x) = (5 − 6x)⁵ with g = 5 − 6x: h′(x) = 5g⁴·(−6) = −30(5 − 6x)⁴;
//! - z = W·x, whose Jacobian ∂z/∂x is W;
//! - one neuron, σ(⟨w, x⟩);
//! - a branch, Huber's loss, whose derivative is the branch taken's (printed piecewise);
//! - a Hessian, Rosenbrock's function's, derived by the same chain rule run forward over the
//!   gradient, and one Newton step with it;
//! - and an activation the layer set does not have, SiLU z·σ(z), written as an expression
//!   in a network: `Elementwise(z * sigmoid(z))`.
//!
//! Run: `cargo run --release --example 08_chain_rule`

use mlp::nalgebra::{SMatrix, SVector};

/// (x + y)·z, (5 − 6x)⁵ and one neuron, shared with the chain-rule firmware
/// (`firmware/src/bin/chain_rule.rs`), which runs them in f32 on a Cortex-M4F.
#[path = "../firmware/src/lecture.rs"]
mod lecture;

use lecture::{f, f_grad, f_trace, h, h_grad, huber, huber_grad, neuron, neuron_trace};
use lecture::{rosenbrock, rosenbrock_hessian};
use lecture::{
    F_DERIVATION, HUBER_DERIVATION, H_DERIVATION, NEURON_DERIVATION, ROSENBROCK_DERIVATION,
};

/// A linear map: its Jacobian by x is W.
#[mlp::grad]
fn z(w: SMatrix<f64, 2, 3>, x: SVector<f64, 3>) -> SVector<f64, 2> {
    w * x
}

/// The card's classifier with SiLU instead of ReLU.
#[mlp::network(x -> Linear(2, 16) -> Elementwise(z * sigmoid(z)) -> Linear(16, 3) -> Softmax -> CE)]
pub struct SiluClassifier;

fn traced(name: &str, write: impl FnOnce(&mut String) -> std::fmt::Result) {
    let mut out = String::new();
    write(&mut out).expect("a String takes any text");
    println!("{name}\n{out}");
}

fn main() {
    println!("{F_DERIVATION}");
    traced("At (x, y, z) = (−2, 5, −4):", |out| {
        f_trace(-2.0, 5.0, -4.0, out)
    });
    let (value, (dx, dy, dz)) = f_grad(-2.0, 5.0, -4.0);
    assert_eq!(
        (value, dx, dy, dz),
        (-12.0, -4.0, -4.0, 3.0),
        "the lecture's numbers"
    );
    assert_eq!(value, f(-2.0, 5.0, -4.0), "the function as written");

    println!("{H_DERIVATION}");
    println!("h′(x) against the lecture's −30(5 − 6x)⁴:");
    for x in [-0.5f64, 0.0, 0.5, 1.0] {
        let (value, (derivative,)) = h_grad(x);
        assert_eq!(value, h(x));
        let lecture = -30.0 * (5.0 - 6.0 * x).powi(4);
        println!("  x = {x:>4}: h′ = {derivative:>12}, −30(5 − 6x)⁴ = {lecture:>12}");
        assert_eq!(derivative, lecture);
    }
    println!();

    println!("{Z_DERIVATION}");
    let w = SMatrix::<f64, 2, 3>::new(1.0, -2.0, 0.5, 3.0, 0.25, -1.0);
    let x = SVector::<f64, 3>::new(0.5, -1.0, 2.0);
    let (value, (_, dz_dx)) = z_jacobian(w, x);
    assert_eq!(value, z(w, x));
    println!("W = {w}∂z/∂x = {dz_dx}");
    assert_eq!(dz_dx, w, "the Jacobian of W·x is W");

    println!("{NEURON_DERIVATION}");
    let weights = SVector::<f64, 3>::new(0.5, -0.25, 1.0);
    traced("At w = (0.5, −0.25, 1), x = (0.5, −1, 2):", |out| {
        neuron_trace(weights, x, out)
    });
    println!("σ(⟨w, x⟩) as written: {}\n", neuron(weights, x));

    println!("{HUBER_DERIVATION}");
    for r in [0.5f64, -3.0] {
        let (value, (slope,)) = huber_grad(r);
        assert_eq!(value, huber(r));
        println!("  r = {r:>4}: huber = {value}, huber′ = {slope}");
    }
    println!();

    println!("{ROSENBROCK_DERIVATION}");
    let (value, _, hessian) = rosenbrock_hessian(1.0, 1.0);
    println!("At its minimum (1, 1): value {value}, Hessian {hessian:?}");
    assert_eq!(hessian, ((802.0, -400.0), (-400.0, 200.0)));
    let (a, b) = (0.5, 0.5);
    let (before, (ga, gb), ((haa, hab), (_, hbb))) = rosenbrock_hessian(a, b);
    let det = haa * hbb - hab * hab;
    let (a1, b1) = (
        a - (hbb * ga - hab * gb) / det,
        b - (haa * gb - hab * ga) / det,
    );
    println!(
        "One Newton step from (0.5, 0.5): ({a1:.4}, {b1:.4}), value {before:.4} -> {:.4}\n",
        rosenbrock(a1, b1)
    );

    println!("{}", SiluClassifier::<f64>::DERIVATION);
    let mut net = SiluClassifier::<f64>::zeros();
    mlp::init::he_normal(&mut net, 8);
    let check = mlp::gradcheck(&mut net, &SVector::<f64, 2>::new(0.3, -0.7), &1);
    println!(
        "SiLU network against finite differences: worst relative error {:.1e}",
        check.worst()
    );
}

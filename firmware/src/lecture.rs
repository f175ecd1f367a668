//! The lecture's expressions, each differentiated at compile time by `#[mlp::grad]`, generic
//! over the scalar: the chain-rule firmware runs them in f32 on the device and
//! `examples/08_chain_rule.rs` (which includes this file) in f64 on the host.

use mlp::nalgebra::{RealField, SVector};

/// The lecture's backpropagation example: f(x, y, z) = (x + y)·z with q = x + y, where at
/// (−2, 5, −4) f = −12 and the gradient is (−4, −4, 3).
#[mlp::grad]
pub fn f<T: RealField + Copy>(x: T, y: T, z: T) -> T {
    let q = x + y;
    q * z
}

/// The lecture's one-dimensional chain rule: h = g⁵ with g = 5 − 6x, so h′(x) = 5g⁴·(−6) =
/// −30(5 − 6x)⁴.
#[mlp::grad]
pub fn h<T: RealField + Copy>(x: T) -> T {
    let g = mlp::nalgebra::convert::<f64, T>(5.0) - mlp::nalgebra::convert::<f64, T>(6.0) * x;
    g.powi(5)
}

/// One neuron: the sigmoid of a dot product, σ(⟨w, x⟩).
#[mlp::grad]
pub fn neuron<T: RealField + Copy>(w: SVector<T, 3>, x: SVector<T, 3>) -> T {
    mlp::sigmoid(w.dot(&x))
}

/// Huber's loss with δ = 1: quadratic near 0, linear beyond; a branch, whose derivative is the
/// branch taken's (r inside, sign(r) outside).
#[mlp::grad]
pub fn huber<T: RealField + Copy>(r: T) -> T {
    let half = mlp::nalgebra::convert::<f64, T>(0.5);
    if r.abs() <= T::one() {
        half * r * r
    } else {
        r.abs() - half
    }
}

/// Rosenbrock's function of two variables, (1 − a)² + 100·(b − a²)², whose Hessian at its
/// minimum (1, 1) is [[802, −400], [−400, 200]].
#[mlp::grad]
pub fn rosenbrock<T: RealField + Copy>(a: T, b: T) -> T {
    let hundred = mlp::nalgebra::convert::<f64, T>(100.0);
    (T::one() - a).powi(2) + hundred * (b - a * a).powi(2)
}

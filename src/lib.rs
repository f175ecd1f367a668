//! # mlp
//!
//! Fully connected networks written the way the backpropagation lecture draws them:
//!
//! ```
//! use mlp::Network;
//!
//! /// Two-layer classifier for points in the plane.
//! #[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
//! pub struct Classifier;
//!
//! let mut net = Classifier::<f64>::zeros();
//! net.w[(0, 0)] = 1.0;
//! let x = mlp::nalgebra::SVector::<f64, 2>::new(0.5, -0.25);
//! let y_hat: mlp::nalgebra::SVector<f64, 3> = net.forward(&x);
//! let (loss, grads) = net.loss_and_gradients(&x, &2);
//! net.sgd_step(&grads, 0.1);
//! assert!((y_hat.sum() - 1.0).abs() < 1e-12);
//! assert!(loss > 0.0);
//! assert!(Classifier::<f64>::DERIVATION.contains("∂J/∂U"));
//! ```
//!
//! At compile time the attribute parses the chain, checks every shape (errors point at the wrong
//! token), builds the forward pass as matrix-calculus expressions, composes the backward pass
//! with the chain rule from the loss back (∂J/∂U = ∂J/∂ŷ · ∂ŷ/∂θ · ∂θ/∂U), simplifies it with
//! named rewrite rules (a diagonal Jacobian becomes an elementwise product, Softmax∘CE becomes
//! ŷ − y) and emits statically sized [`nalgebra`] code from that same symbolic form. The
//! derivation is the generated type's `DERIVATION` constant and part of its rustdoc.
//!
//! ## What the attribute generates
//!
//! For `pub struct Classifier;`:
//! - `Classifier<T = f32>` (any `T: RealField + Copy`) with one public field per parameter,
//!   named after the lecture (`w`, `b1`, `u`, `b2` for two layers; `w1`, `b1`, `w2`, ... for
//!   more), statically sized (`SMatrix<T, 16, 2>`);
//! - `ClassifierTape<T>`, what the forward pass keeps for the backward pass;
//! - `ClassifierGradients<T>`, ∂J/∂θ for every parameter, same field names;
//! - `Classifier::zeros()`, `DERIVATION`, `INPUTS`, `OUTPUTS`, `NUM_PARAMS`;
//! - an implementation of [`Network`]: `forward`, `forward_cached`, `backward`,
//!   `backward_with_input` (∂J/∂x too), `loss`, `loss_and_gradients`, `train_step` (forward,
//!   backward and update fused), `visit_params` (PyTorch state-dict names: `0.weight`,
//!   `0.bias`, `2.weight`, ...), `sgd_step`.
//!
//! None of `forward`, `backward` or `sgd_step` touches the heap.
//!
//! ## The chain
//!
//! `x -> Layer -> ... -> Loss`. Layers: `Linear(inputs, outputs)`, `Maxout(inputs, outputs, k)`
//! (each unit the maximum of `k` affine pieces; piece `j` of unit `i` is row `j·outputs + i` of
//! the weight; the gradient goes to the winning piece, ties to the lowest `j`), `ReLU`,
//! `LeakyReLU` / `LeakyReLU(a)` (`max(a·z, z)`, `a = 0.1`), `ELU` / `ELU(α)` (`α = 1`),
//! `Sigmoid`, `Tanh`, `Softmax`, `Identity`, and `Elementwise(expr)`: your own activation, an
//! expression of `z` applied to every element (`Elementwise(z * sigmoid(z))` is SiLU), whose
//! derivative f′(z) the macro derives with the chain rule of [`grad`] and uses as a built-in
//! activation's `diag(f′(z))`; it counts as a layer in PyTorch's names. Losses, always last: `CE` (after `Softmax`; the
//! target is a class index, as `torch.nn.CrossEntropyLoss`; `soft_loss`,
//! `soft_loss_and_gradients` and `soft_backward` take a probability vector), `BCE` (after a
//! one-output `Sigmoid`; the target is a number in [0, 1]) and `MSE` (the mean over outputs of
//! the squared error, as `torch.nn.MSELoss`; the target is a vector). Every loss is computed
//! stably (log-sum-exp, softplus).
//!
//! ## The chain rule for any expression: `#[mlp::grad]`
//!
//! The same chain rule, on a function's expression, at compile time:
//!
//! ```
//! use mlp::nalgebra::SVector;
//!
//! /// The lecture's backpropagation example, with q = x + y its named intermediate.
//! #[mlp::grad]
//! fn f(x: f64, y: f64, z: f64) -> f64 {
//!     let q = x + y;
//!     q * z
//! }
//!
//! /// One neuron: its gradient by the weights and by the input.
//! #[mlp::grad]
//! fn neuron(w: SVector<f64, 3>, x: &SVector<f64, 3>) -> f64 {
//!     mlp::sigmoid(w.dot(x))
//! }
//!
//! /// A linear map: its Jacobian by `x` is `W`.
//! #[mlp::grad]
//! fn z(w: mlp::nalgebra::SMatrix<f64, 2, 3>, x: SVector<f64, 3>) -> SVector<f64, 2> {
//!     w * x
//! }
//!
//! assert_eq!(f_grad(-2.0, 5.0, -4.0), (-12.0, (-4.0, -4.0, 3.0)));
//! // Forward mode along (1, 0, 0): ∂f/∂x; the Hessian, block by block.
//! assert_eq!(f_jvp(-2.0, 5.0, -4.0, 1.0, 0.0, 0.0), (-12.0, -4.0));
//! let (_, _, h) = f_hessian(-2.0, 5.0, -4.0);
//! assert_eq!(h, ((0.0, 0.0, 1.0), (0.0, 0.0, 1.0), (1.0, 1.0, 0.0)));
//! let (_, _, ((h_ww, _), _)) = neuron_hessian(SVector::repeat(0.5), &SVector::repeat(1.0));
//! assert_eq!(h_ww, h_ww.transpose());
//! assert!(F_DERIVATION.contains("∂f/∂q = ∂f/∂f · z = z"));
//! let mut text = String::new();
//! f_trace(-2.0, 5.0, -4.0, &mut text).unwrap();
//! assert!(text.contains("∂f/∂q = ∂f/∂f · z = z = -4"));
//!
//! let (p, (dw, _)) = neuron_grad(SVector::repeat(0.5), &SVector::<f64, 3>::new(1.0, -1.0, 2.0));
//! assert!((dw[2] - 2.0 * p * (1.0 - p)).abs() < 1e-15);
//!
//! let w = mlp::nalgebra::SMatrix::<f64, 2, 3>::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
//! let (_, (_, dz_dx)) = z_jacobian(w, SVector::<f64, 3>::new(1.0, 0.0, -1.0));
//! assert_eq!(dz_dx, w);
//! ```
//!
//! Beside the function, which stays as written, the attribute generates:
//! - `NAME_grad(args) -> (value, (∂f/∂arg₁, ...))` for a scalar result: the gradients in
//!   argument order (a one-element tuple for one argument), each of its argument's type;
//! - `NAME_jacobian(args) -> (value, (∂f/∂arg₁, ...))` for a column-vector result: each an
//!   `SMatrix` of `outputs × argument size` (a matrix argument's elements in column-major
//!   order), row `i` the gradient of `fᵢ`, computed by one backward pass per output seeded
//!   with `eᵢ`;
//! - `NAME_jvp(args, d_args) -> (value, tangent)`: forward mode, the arguments then one tangent
//!   per argument (`d_x` for `x`, of `x`'s type, in argument order); `tangent`, of the result's
//!   type, is the directional derivative `Σₖ ∂f/∂xₖ·d_xₖ`, derived symbolically from the same
//!   local Jacobians and rewrite rules (no dual numbers at run time);
//! - `NAME_hessian(args) -> (value, (∂f/∂arg₁, ...), ((H₁₁, H₁₂, ...), (H₂₁, ...), ...))` for
//!   a scalar result whose arguments are scalars and column vectors (not generated when an
//!   argument is a matrix or a row vector): `value` and the gradients as `NAME_grad`, block
//!   `.i.j` the second derivatives `∂²f/∂argᵢ∂argⱼ` as JAX's `hessian(f, argnums=(0, 1, ...))`
//!   lays them out: a number between two scalars, an `SVector` between a scalar and a vector
//!   (either order), an `SMatrix<T, n, m>` between an `n`- and an `m`-vector (row `r`, column
//!   `c`: `∂²f/∂argᵢ[r]∂argⱼ[c]`); forward over reverse, the simplified gradients
//!   differentiated again along each argument (a loop over the unit vectors for a vector);
//! - `NAME_trace(args, out)`: every line of the derivation followed by its number, written to
//!   any `core::fmt::Write` (no heap);
//! - `NAME_DERIVATION`: the forward pass, the local gradients (`∂q/∂x = 1`, `∂f/∂q = z`), each
//!   gradient as upstream × local summed over the values that use it, the gradient, and the
//!   rewrite rules applied; then forward mode, each named value's tangent from those of the
//!   values it reads (`q̇ = ẋ + ẏ`, `ḟ = q̇·z + ż·q`: the dot over a one-letter name, `(name)˙`
//!   otherwise; `ẋ` is `d_x`), and the second derivatives, each block simplified (`∂²f/∂x∂z =
//!   1`; `∂²f/∂x∂w · eᵢ` is column `i` of a block by a vector `w`); also in the rustdoc.
//!
//! Arguments: `f32`, `f64` or a generic `T: RealField + Copy`; `SVector<T, N>`,
//! `SMatrix<T, R, C>` and nalgebra's fixed aliases (`Vector3<T>`, `Matrix2x3<T>`), by value or
//! by reference. The body: `let` bindings (the derivation's named intermediates) and one
//! expression of numbers, arguments, `+ - * /` (a matrix divided by a scalar), unary `-`,
//! matrix products, `.transpose()`, `.dot(&v)`, `.sum()`, `.norm_squared()`,
//! `.component_mul(&v)`, `.component_div(&v)`, [`sigmoid`] and [`relu`], and every
//! differentiable method of `f32`/`f64` on scalars: `sin cos tan asin acos atan atan2 sinh cosh
//! tanh asinh acosh atanh exp exp2 exp_m1 ln ln_1p log(base) log2 log10 sqrt cbrt powi powf
//! recip abs signum copysign hypot mul_add min max clamp to_degrees to_radians` (also called as
//! functions of their type: `f64::sin(x)`, `T::atan2(y, x)`, `RealField::max(a, b)`); on matrices, `.map(|t| ...)` of those (or
//! `.map(sigmoid)`), where the other arguments are number literals or expressions of `t`. A 1×1
//! product is a scalar. Branches: `if`/`else if`/`else` as expressions (and `let v = if ...`),
//! conditions comparing values (`<`, `<=`, `>`, `>=`, `==`, `!=`) joined with `&&`, `||` and
//! `!`, elementwise inside `.map`; both branches are computed, the value and the derivative are
//! those of the branch taken, and the derivation shows the piecewise form (`∂f/∂x = 2·(y·x) if
//! x > y, cos(x − y) otherwise`). Loops: `for i in a..b` (and `..=`, or over an array of
//! numbers `for c in [3.0, 2.0, 1.0]`) whose bounds are integer literals, `const`s declared in
//! the body, `x.len()` of a statically sized value and `+ - *` of those, over `let mut`
//! accumulators changed with `=`, `+=`, `-=`, `*=`, `/=`; the loops are unrolled, at most
//! 4,096 iterations per function. Indexing by such integers, `x[i]`, `x[i + 1]`,
//! `m[(i, j)]`, and vectors built from numbers, `SVector::<T, 3>::new(a, b, c)` or
//! `Vector3::new(..)`. Calls of other `#[mlp::grad]` functions of numbers (`g(x * y, y)`, in
//! scope): the call is an operation of the derivation like any other (`g(x·y, y)`, its local
//! derivatives `∂₁g(x·y, y)`, ...), computed by the `g_grad` generated beside `g` (and
//! `g_hessian` for second derivatives); a function without the attribute has no `g_grad`, which
//! rustc reports on the call. Anything else (`match`, `while`, `loop`, `break`, run-time bounds, an
//! `if` without `else`) is a compile error spanned on the expression that cannot be
//! differentiated.
//!
//! At kinks and ties the derivative follows PyTorch and JAX where they agree: |x|′(0) = 0,
//! ReLU′(0) = `x.max(0.0)`′ at 0 = 0, `signum`′ = 0, and `x.clamp(lo, hi)` has derivative 0 at
//! a bound (1 strictly inside). Where they differ the choice is JAX's: `x.max(y)` and
//! `x.min(y)` of two variables give each ½ at a tie (`H(x − y)` in the derivation, the
//! Heaviside step with H(0) = ½); against a constant, `x.max(c)` gives the variable 0 at the
//! tie, like ReLU. The generated code calls the functions through nalgebra's `ComplexField`
//! and `RealField` traits, so it builds without `std`.
//!
//! ## Options
//!
//! `#[mlp::network(x -> ..., jacobians = full)]` emits the chain rule unsimplified: explicit
//! Jacobian matrices multiplied from the loss back, no rewrite rule applied to the gradients
//! (only the loss-value rules, so the loss stays stable). It computes the same gradients as the
//! default `jacobians = simplified`, more slowly; it exists to show, and test, that the
//! simplifications are right. Being unsimplified, it divides by ŷ: at saturated outputs its
//! gradients are not finite, which is what the default mode's fused rules fix.
//!
//! ## Checking gradients
//!
//! [`gradcheck()`] compares any network's generated gradients with finite differences: the
//! relative error of every parameter, and the worst per parameter tensor. It needs no `std`
//! and no allocator.
//!
//! ## Stable functions and the SIMD switch
//!
//! [`functions`] holds what the generated code computes with that is useful on its own,
//! computed stably: [`sigmoid`], [`relu`], [`functions::softmax`], [`functions::log_sum_exp`]
//! and the binary cross-entropy. The f32 matrix products use AVX2 and FMA on x86-64
//! processors that have them; [`simd::set_enabled`]`(false)` computes exactly what a
//! microcontroller computes.
//!
//! ## Features
//!
//! `std` (default) adds [`datasets`], [`fit`] (the training loop) and [`export`] (weights as
//! Rust source). Off by default, so that a crate using `mlp` builds quickly (the examples turn
//! them on), each with `std`: `progress` adds `fit`'s progress bar (indicatif), `plot` the PNG
//! pictures (`mlp::plot`, with plotters), and `safetensors` reads and writes weights and
//! gradients in PyTorch's `state_dict()` layout (`mlp::safetensors`). Without `std` the crate
//! is `no_std` and needs no allocator: the networks, [`functions`], [`init`], [`optim`],
//! [`batch`], [`metrics`], [`rng`], [`simd`] and [`gradcheck()`] stay.
//!
//! `tflite` (default; needs neither `std` nor an allocator) reads fully integer TensorFlow Lite
//! files: `mlp::tflite::Model` checks a `.tflite` model against a chain and gives its layers
//! as [`quant`] kernels (`NameInt8::from_tflite` is built on it).
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

// Lets the generated `::mlp::...` paths resolve inside this crate's own tests.
extern crate self as mlp;

/// Turns a unit struct into a fully connected network: see the [crate documentation](crate).
pub use mlp_macros::network;

/// Differentiates a function symbolically at compile time: see [the chain rule for any
/// expression](crate#the-chain-rule-for-any-expression-mlpgrad).
pub use mlp_macros::grad;

pub use mlp_runtime::functions::{relu, sigmoid};

pub use mlp_runtime::{
    batch, functions, gradcheck, gradcheck::gradcheck_each, init, metrics, optim, rng, simd,
    GradCheck, Layout, Network, ParamLayout, Parameters, SampleProblem,
};

pub use mlp_runtime::{export, int8, quant};

#[cfg(feature = "std")]
pub use mlp_runtime::{datasets, fit};

#[cfg(feature = "plot")]
pub use mlp_runtime::{graph, plot};

#[cfg(feature = "safetensors")]
pub use mlp_runtime::safetensors;

#[cfg(feature = "tflite")]
pub use mlp_runtime::tflite;

/// The linear algebra crate the generated code uses, re-exported so that users need no direct
/// dependency on it.
pub use nalgebra;

/// The old home of the kernels: the ones meant for users moved to [`functions`] and [`simd`],
/// the others are for generated code only.
#[doc(hidden)]
pub mod kernels {
    use nalgebra::{RealField, SVector};

    /// See [`functions::softmax`](crate::functions::softmax).
    #[deprecated(note = "moved to `mlp::functions::softmax`")]
    pub fn softmax<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> SVector<T, N> {
        crate::functions::softmax(theta)
    }

    /// See [`functions::log_sum_exp`](crate::functions::log_sum_exp).
    #[deprecated(note = "moved to `mlp::functions::log_sum_exp`")]
    pub fn log_sum_exp<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> T {
        crate::functions::log_sum_exp(theta)
    }

    /// See [`simd::set_enabled`](crate::simd::set_enabled).
    #[deprecated(note = "moved to `mlp::simd::set_enabled`")]
    pub fn set_simd(enabled: bool) {
        crate::simd::set_enabled(enabled);
    }
}

/// Paths the generated code uses: the runtime's list (`mlp_runtime::__private`), nalgebra and
/// its `RealField`. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use mlp_runtime::__private::*;
    pub use nalgebra;
    pub use nalgebra::RealField;
}

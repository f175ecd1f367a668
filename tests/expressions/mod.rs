//! Expressions differentiated by `#[mlp::grad]`, each with a flat view for the checks: its
//! arguments packed into one `&[f64]` (matrices column by column, as nalgebra stores them), its
//! value(s) from the function as written, and its derived value and gradient (or Jacobian,
//! row by row) flattened the same way.

#![allow(dead_code)]

use mlp::nalgebra::{Matrix2, RealField, SMatrix, SVector, Vector3};
use mlp::{relu, sigmoid};

// Each test crate that includes this file gets its own copy of the helpers; a crate that
// includes both this file and its sibling (tests/second_order.rs) gets two.
#[path = "../common/flat.rs"]
#[allow(clippy::duplicate_mod)]
mod flat;
use flat::{Blocks, Tuple};

// ---- the lecture --------------------------------------------------------------------------

/// The lecture's backpropagation example, q = x + y the named intermediate.
#[mlp::grad]
pub fn f(x: f64, y: f64, z: f64) -> f64 {
    let q = x + y;
    q * z
}

/// h(x) = (5 − 6x)⁵, whose derivative is −30(5 − 6x)⁴.
#[mlp::grad]
pub fn h(x: f64) -> f64 {
    (5.0 - 6.0 * x).powi(5)
}

/// z = W·x, whose Jacobian by x is W.
#[mlp::grad]
pub fn linear(w: SMatrix<f64, 3, 2>, x: SVector<f64, 2>) -> SVector<f64, 3> {
    w * x
}

/// The sigmoid of a dot product: one neuron, generic over the scalar, the input by reference.
#[mlp::grad]
pub fn neuron<T: RealField + Copy>(w: SVector<T, 3>, x: &SVector<T, 3>) -> T {
    sigmoid(w.dot(x))
}

/// Generic code writes its constants as `T` values.
#[mlp::grad]
pub fn generic_constants<T: RealField + Copy>(x: T, y: T) -> T {
    let half = T::from_f64(0.5).unwrap();
    (x * half).max(T::zero()) + y * mlp::nalgebra::convert(2.0) - T::one() / (y * y + T::one())
}

// ---- scalars ------------------------------------------------------------------------------

/// A value used twice gets both paths: ∂/∂a of a + a·b and of b = eᵃ.
#[mlp::grad]
pub fn shared(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = a.exp();
    a * b + b
}

/// `let`s inside a block inside a `let`.
#[mlp::grad]
pub fn nested(x: f64, y: f64) -> f64 {
    let q = {
        let t = x * 2.0;
        t + y
    };
    let r = q * q;
    r / (1.0 + q.powi(2))
}

/// A `let` with the function's own name, and a result that is not it.
#[mlp::grad]
pub fn same_name(x: f64) -> f64 {
    let same_name = x * x;
    same_name.exp() + same_name
}

/// The result is an argument itself: ∂x/∂x = 1, ∂x/∂y = 0.
#[mlp::grad]
pub fn first(x: f64, _y: f64) -> f64 {
    x
}

/// A vector argument returned as it is: its Jacobian is the identity.
#[mlp::grad]
pub fn same_vector(v: SVector<f64, 3>, _s: f64) -> SVector<f64, 3> {
    v
}

/// `let`s that shadow the argument and each other.
#[mlp::grad]
pub fn shadowed(x: f64) -> f64 {
    let x = x * 2.0;
    let x = x.exp() + x;
    x * x
}

#[mlp::grad]
pub fn softplus(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

#[mlp::grad]
pub fn silu(x: f64) -> f64 {
    x * sigmoid(x)
}

/// GELU's tanh form.
#[mlp::grad]
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + (0.7978845608028654 * (x + 0.044715 * x.powi(3))).tanh())
}

#[mlp::grad]
pub fn quotient(x: f64, y: f64) -> f64 {
    x / (1.0 + y * y) - -x
}

/// √ and ln need positive arguments (the checks pick them).
#[mlp::grad]
pub fn radius_log(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    r * x.ln() + y.ln() / r
}

#[mlp::grad]
pub fn powers(x: f64, y: f64) -> f64 {
    x.powi(-2) + 1.0 / y + x.powi(0) * y.powi(1) + (x * y).powi(4)
}

#[mlp::grad]
pub fn ramp(x: f64, y: f64) -> f64 {
    relu(x - y) * (x + y).max(0.0) + (x * y).tanh()
}

// ---- float methods ------------------------------------------------------------------------

/// The trigonometric functions and their inverses, inputs in [0.5, 2] (so `acos`/`asin` of
/// `x/3` stay inside (−1, 1)).
#[mlp::grad]
pub fn trigonometry(x: f64, y: f64) -> f64 {
    let a = x.sin() * y.cos() + (x * 0.5).tan();
    let b = (x / 3.0).asin() - (y / 3.0).acos() + x.atan() * y;
    a + b + y.atan2(x)
}

/// Hyperbolic functions and their inverses.
#[mlp::grad]
pub fn hyperbolic(x: f64, y: f64) -> f64 {
    x.sinh() - y.cosh() + (x * y).tanh() + x.asinh() + (y + 1.0).acosh() + (x / 3.0).atanh()
}

/// Exponentials and logarithms of every base.
#[mlp::grad]
pub fn exponentials(x: f64, y: f64) -> f64 {
    x.exp2() + y.exp_m1() + x.ln_1p() + y.log2() - x.log10() + x.log(y + 1.0) + y.cbrt()
}

/// Powers, reciprocals, `hypot`, `mul_add`.
#[mlp::grad]
pub fn powers_and_more(x: f64, y: f64, z: f64) -> f64 {
    x.powf(y) + z.recip() + x.hypot(z) + x.mul_add(y, z)
}

/// Kinks: `abs`, `signum`, `min`, `max`, `clamp` (inputs away from the kinks with
/// probability one).
#[mlp::grad]
pub fn kinks(x: f64, y: f64) -> f64 {
    x.abs() * y + x.signum() * y + x.max(y) - x.min(y * 2.0)
        + (x * 3.0).clamp(-1.0, 1.0)
        + y.max(0.5)
}

/// The methods elementwise, inside `.map(|t| ...)`, and on two vectors.
#[mlp::grad]
pub fn mapped_methods(v: SVector<f64, 3>, w: SVector<f64, 3>) -> f64 {
    let s = v.map(|t| t.sin() + t.abs() + t.atan()).sum();
    let m = v.map(|t| t.hypot(2.0) * t.clamp(-0.5, 0.5)).dot(&w);
    s + m
}

// ---- branches -----------------------------------------------------------------------------

/// The Huber loss with δ = 1: quadratic near 0, linear beyond.
#[mlp::grad]
pub fn huber(r: f64) -> f64 {
    if r.abs() <= 1.0 {
        0.5 * r * r
    } else {
        r.abs() - 0.5
    }
}

/// The example: ∂f/∂x = 2·x·y if x > y, cos(x − y) otherwise.
#[mlp::grad]
pub fn piecewise(x: f64, y: f64) -> f64 {
    let f = if x > y { x * x * y } else { (x - y).sin() };
    f + y
}

/// `else if`, `&&`, `||`, `!`, a `let` of a condition, and `let`s inside a branch.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[mlp::grad]
pub fn conditions(x: f64, y: f64, z: f64) -> f64 {
    let both = x > 0.0 && y > 0.0;
    if both || z > 1.0 {
        let q = x * y;
        q * z
    } else if !(x < y) {
        x.exp() - z
    } else {
        y * y + x
    }
}

/// Elementwise branches inside `.map`, and a condition on numbers choosing between vectors.
#[mlp::grad]
pub fn vector_branches(v: SVector<f64, 3>, w: SVector<f64, 3>, s: f64) -> f64 {
    let leaky = v.map(|t| if t > 0.0 { t } else { 0.1 * t });
    let chosen = if s > 0.0 { leaky } else { w * 2.0 };
    chosen.dot(&w)
}

// ---- loops and indexing -------------------------------------------------------------------

/// Rosenbrock's function in 5 dimensions, a loop over its terms.
#[mlp::grad]
pub fn rosenbrock_loop(v: SVector<f64, 5>) -> f64 {
    let mut total = 0.0;
    for i in 0..v.len() - 1 {
        total += 100.0 * (v[i + 1] - v[i] * v[i]).powi(2) + (1.0 - v[i]).powi(2);
    }
    total
}

/// Horner's rule for 1 + 2x + 3x² + 4x³, over an array of coefficients, and a polynomial
/// whose coefficients are an argument (`..=`, `i as f64`, a `const`).
#[mlp::grad]
pub fn horner(x: f64, c: SVector<f64, 4>) -> f64 {
    let mut acc = 4.0;
    for k in [3.0, 2.0, 1.0] {
        acc = acc * x + k;
    }
    const N: usize = 3;
    let mut p = c[N];
    for i in 1..=N {
        p = p * x + c[N - i] * (i as f64);
    }
    acc + p
}

/// A matrix read by element, `*=` and `-=`, and a vector built from numbers.
#[mlp::grad]
pub fn elements(m: SMatrix<f64, 2, 3>, s: f64) -> f64 {
    let mut q = 1.0;
    for j in 0..3 {
        q *= m[(0, j)] + 2.0;
        q -= m[(1, j)] * s;
    }
    let v = SVector::<f64, 3>::new(q, m[(1, 2)], s * s);
    v.norm_squared()
}

/// The methods called as functions of their type: `f64::sin(x)`, `f64::atan2(y, x)`, and
/// `T::cos(x)` in generic code.
#[mlp::grad]
pub fn method_paths(x: f64, y: f64) -> f64 {
    f64::sin(x) * f64::atan2(y, x) + f64::max(x, y) + generic_cos(x * y)
}

#[mlp::grad]
pub fn generic_cos<T: RealField + Copy>(x: T) -> T {
    T::cos(x) + RealField::max(x, T::zero())
}

/// A loop in a loop: m·w element by element, then a sum of squares.
#[mlp::grad]
pub fn nested_loops(m: SMatrix<f64, 2, 3>, w: SVector<f64, 3>) -> f64 {
    let mut total = 0.0;
    for i in 0..2 {
        let mut row = 0.0;
        for j in 0..3 {
            row += m[(i, j)] * w[j];
        }
        total += row * row;
    }
    total
}

/// Polar to Cartesian coordinates: a vector of methods, its Jacobian.
#[mlp::grad]
pub fn polar(r: f64, theta: f64) -> SVector<f64, 2> {
    SVector::<f64, 2>::new(r * theta.cos(), r * theta.sin())
}

// ---- calls of other #[mlp::grad] functions -------------------------------------------------

/// A function the next one calls: its `_grad` gives the caller's local derivatives.
#[mlp::grad]
pub fn inner(x: f64, y: f64) -> f64 {
    x.sin() * y + x * x
}

/// Calls `inner` twice and `huber` once, like any other operation.
#[mlp::grad]
pub fn calls(a: f64, b: f64) -> f64 {
    let u = inner(a * b, b);
    u * u + inner(b, 1.0) - huber(a)
}

// ---- vectors and matrices -----------------------------------------------------------------

/// A quadratic form xᵀ·A·x, the product written twice ways.
#[mlp::grad]
pub fn quadratic(a: SMatrix<f64, 3, 3>, x: SVector<f64, 3>) -> f64 {
    x.dot(&(a * x)) + (a.transpose() * x).dot(&x)
}

/// log Σ exp(v), through an elementwise map.
#[mlp::grad]
pub fn logsumexp(v: SVector<f64, 4>) -> f64 {
    v.map(|t| t.exp()).sum().ln()
}

/// Mean squared error of an affine map.
#[mlp::grad]
pub fn mse(
    w: SMatrix<f64, 3, 2>,
    b: SVector<f64, 3>,
    x: SVector<f64, 2>,
    y: SVector<f64, 3>,
) -> f64 {
    let e = w * x + b - y;
    e.norm_squared() / 3.0
}

/// A two-layer network's output summed: z = W·x, h = tanh(z), θ = U·h.
#[mlp::grad]
pub fn two_layers(w: SMatrix<f64, 4, 3>, u: SMatrix<f64, 2, 4>, x: SVector<f64, 3>) -> f64 {
    let z = w * x;
    let h = z.map(|t| t.tanh());
    let theta = u * h;
    theta.map(|t| t * t).sum()
}

#[mlp::grad]
pub fn elementwise(u: Vector3<f64>, v: Vector3<f64>, w: Vector3<f64>) -> f64 {
    u.component_mul(&v).component_div(&w).sum() + u.map(sigmoid).dot(&w)
}

/// A product of matrices, and their Frobenius inner product.
#[mlp::grad]
pub fn matrices(a: SMatrix<f64, 2, 3>, b: SMatrix<f64, 3, 2>, c: Matrix2<f64>) -> f64 {
    let p = a * b;
    (p.component_mul(&c)).sum() + p.dot(&c) + (a.transpose() * c).sum()
}

/// A scalar times a vector, where the scalar is itself computed from the vector.
#[mlp::grad]
pub fn scaled(v: SVector<f64, 3>, w: SVector<f64, 3>) -> f64 {
    let s = v.dot(&w);
    (v * s).dot(&w) + (w / s).sum() + s
}

#[mlp::grad]
pub fn map_closure(v: SVector<f64, 3>, x: f64) -> f64 {
    v.map(|t| (t * 0.5).exp() + t * t - 1.0 / (1.0 + t * t))
        .sum()
        * x
}

// ---- Jacobians ----------------------------------------------------------------------------

/// tanh elementwise: a diagonal Jacobian.
#[mlp::grad]
pub fn tanh_vector(v: SVector<f64, 3>) -> SVector<f64, 3> {
    v.map(|t| t.tanh())
}

/// The softmax, written out.
#[mlp::grad]
pub fn softmax(v: SVector<f64, 3>) -> SVector<f64, 3> {
    let e = v.map(|t| t.exp());
    e / e.sum()
}

/// A layer by its weights, bias and input at once (a Jacobian by a matrix argument: one
/// column per weight, column-major).
#[mlp::grad]
pub fn layer(
    w: SMatrix<f64, 2, 3>,
    b: SVector<f64, 2>,
    x: SVector<f64, 3>,
    s: f64,
) -> SVector<f64, 2> {
    let z = w * x + b;
    z.map(|t| t.tanh()) * s
}

// ---- f32 ----------------------------------------------------------------------------------

#[mlp::grad]
pub fn f32_neuron(w: SVector<f32, 2>, x: SVector<f32, 2>, b: f32) -> f32 {
    sigmoid(w.dot(&x) + b)
}

// ---- flat views ---------------------------------------------------------------------------

/// A generated function's value(s) and gradient, flattened.
pub type Derived = (Vec<f64>, Vec<f64>);

/// One expression, flattened.
pub struct Case {
    pub name: &'static str,
    pub inputs: usize,
    /// The checks draw positive inputs (for `ln` and `√`).
    pub positive: bool,
    /// The function as written.
    pub value: fn(&[f64]) -> Vec<f64>,
    /// The generated function: its value(s), and the gradient (one row per output).
    pub derived: fn(&[f64]) -> Derived,
}

fn m<const R: usize, const C: usize>(p: &[f64], at: &mut usize) -> SMatrix<f64, R, C> {
    let v = SMatrix::<f64, R, C>::from_column_slice(&p[*at..*at + R * C]);
    *at += R * C;
    v
}

fn s(p: &[f64], at: &mut usize) -> f64 {
    *at += 1;
    p[*at - 1]
}

macro_rules! scalar_case {
    ($name:ident, $grad:ident, $inputs:expr, $positive:expr, |$p:ident, $at:ident| ($($arg:expr),*)) => {
        Case {
            name: stringify!($name),
            inputs: $inputs,
            positive: $positive,
            value: |$p| {
                let $at = &mut 0;
                vec![$name($($arg),*)]
            },
            derived: |$p| {
                let $at = &mut 0;
                let (v, g) = $grad($($arg),*);
                let mut out = Vec::new();
                Tuple::flat_all(&g, &mut out);
                (vec![v], out)
            },
        }
    };
}

macro_rules! jacobian_case {
    ($name:ident, $jac:ident, $inputs:expr, |$p:ident, $at:ident| ($($arg:expr),*), $($k:tt),*) => {
        Case {
            name: stringify!($name),
            inputs: $inputs,
            positive: false,
            value: |$p| {
                let $at = &mut 0;
                $name($($arg),*).as_slice().to_vec()
            },
            derived: |$p| {
                let $at = &mut 0;
                let (v, j) = $jac($($arg),*);
                let mut rows = Vec::new();
                Blocks(&[$(&j.$k),*]).rows_all(&mut rows);
                (v.as_slice().to_vec(), rows)
            },
        }
    };
}

/// Every expression above (but the f32 one).
pub fn cases() -> Vec<Case> {
    vec![
        scalar_case!(f, f_grad, 3, false, |p, at| (s(p, at), s(p, at), s(p, at))),
        scalar_case!(h, h_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(neuron, neuron_grad, 6, false, |p, at| (
            m::<3, 1>(p, at),
            &m::<3, 1>(p, at)
        )),
        scalar_case!(shared, shared_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(nested, nested_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(softplus, softplus_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(same_name, same_name_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(shadowed, shadowed_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(first, first_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(
            generic_constants,
            generic_constants_grad,
            2,
            false,
            |p, at| (s(p, at), s(p, at))
        ),
        scalar_case!(silu, silu_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(gelu, gelu_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(quotient, quotient_grad, 2, false, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(radius_log, radius_log_grad, 2, true, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(powers, powers_grad, 2, true, |p, at| (s(p, at), s(p, at))),
        scalar_case!(trigonometry, trigonometry_grad, 2, true, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(hyperbolic, hyperbolic_grad, 2, true, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(exponentials, exponentials_grad, 2, true, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(powers_and_more, powers_and_more_grad, 3, true, |p, at| (
            s(p, at),
            s(p, at),
            s(p, at)
        )),
        scalar_case!(kinks, kinks_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(huber, huber_grad, 1, false, |p, at| (s(p, at))),
        scalar_case!(calls, calls_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(method_paths, method_paths_grad, 2, false, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(nested_loops, nested_loops_grad, 9, false, |p, at| (
            m::<2, 3>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(
            rosenbrock_loop,
            rosenbrock_loop_grad,
            5,
            false,
            |p, at| (m::<5, 1>(p, at))
        ),
        scalar_case!(horner, horner_grad, 5, false, |p, at| (
            s(p, at),
            m::<4, 1>(p, at)
        )),
        scalar_case!(elements, elements_grad, 7, false, |p, at| (
            m::<2, 3>(p, at),
            s(p, at)
        )),
        scalar_case!(piecewise, piecewise_grad, 2, false, |p, at| (
            s(p, at),
            s(p, at)
        )),
        scalar_case!(conditions, conditions_grad, 3, false, |p, at| (
            s(p, at),
            s(p, at),
            s(p, at)
        )),
        scalar_case!(vector_branches, vector_branches_grad, 7, false, |p, at| (
            m::<3, 1>(p, at),
            m::<3, 1>(p, at),
            s(p, at)
        )),
        scalar_case!(mapped_methods, mapped_methods_grad, 6, false, |p, at| (
            m::<3, 1>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(ramp, ramp_grad, 2, false, |p, at| (s(p, at), s(p, at))),
        scalar_case!(quadratic, quadratic_grad, 12, false, |p, at| (
            m::<3, 3>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(logsumexp, logsumexp_grad, 4, false, |p, at| (m::<4, 1>(
            p, at
        ))),
        scalar_case!(mse, mse_grad, 14, false, |p, at| (
            m::<3, 2>(p, at),
            m::<3, 1>(p, at),
            m::<2, 1>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(two_layers, two_layers_grad, 23, false, |p, at| (
            m::<4, 3>(p, at),
            m::<2, 4>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(elementwise, elementwise_grad, 9, true, |p, at| (
            m::<3, 1>(p, at),
            m::<3, 1>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(matrices, matrices_grad, 16, false, |p, at| (
            m::<2, 3>(p, at),
            m::<3, 2>(p, at),
            m::<2, 2>(p, at)
        )),
        scalar_case!(scaled, scaled_grad, 6, true, |p, at| (
            m::<3, 1>(p, at),
            m::<3, 1>(p, at)
        )),
        scalar_case!(map_closure, map_closure_grad, 4, false, |p, at| (
            m::<3, 1>(p, at),
            s(p, at)
        )),
        jacobian_case!(
            linear,
            linear_jacobian,
            8,
            |p, at| (m::<3, 2>(p, at), m::<2, 1>(p, at)),
            0,
            1
        ),
        jacobian_case!(
            tanh_vector,
            tanh_vector_jacobian,
            3,
            |p, at| (m::<3, 1>(p, at)),
            0
        ),
        jacobian_case!(softmax, softmax_jacobian, 3, |p, at| (m::<3, 1>(p, at)), 0),
        jacobian_case!(polar, polar_jacobian, 2, |p, at| (s(p, at), s(p, at)), 0, 1),
        jacobian_case!(
            same_vector,
            same_vector_jacobian,
            4,
            |p, at| (m::<3, 1>(p, at), s(p, at)),
            0,
            1
        ),
        jacobian_case!(
            layer,
            layer_jacobian,
            12,
            |p, at| (
                m::<2, 3>(p, at),
                m::<2, 1>(p, at),
                m::<3, 1>(p, at),
                s(p, at)
            ),
            0,
            1,
            2,
            3
        ),
    ]
}

/// Calls every generated function once on fixed stack values and folds the results into one
/// number (so that nothing is optimized away). Touches no heap itself: the no-heap test counts
/// what the generated code does.
pub fn call_every_generated_function(t: f64) -> f64 {
    let v3 = Vector3::new(0.5 + t, -0.25, 1.0);
    let w3 = Vector3::new(0.75, 1.5 - t, 0.5);
    let m32 = SMatrix::<f64, 3, 2>::from_fn(|i, j| (i as f64) - 0.5 * (j as f64) + t);
    let m23 = SMatrix::<f64, 2, 3>::from_fn(|i, j| (j as f64) * 0.3 - (i as f64) + t);
    let v2 = SVector::<f64, 2>::new(0.2, -0.4 + t);
    let mut total = 0.0;
    total += f_grad(-2.0, 5.0, t).0 + h_grad(t).1 .0;
    total += neuron_grad(v3, &w3).1 .0[0];
    total += shared_grad(t, 0.5).1 .0 + nested_grad(t, 0.25).1 .1;
    total += softplus_grad(t).1 .0 + silu_grad(t).1 .0 + gelu_grad(t).1 .0;
    total += same_name_grad(t).1 .0 + generic_constants_grad(t, 0.5).1 .1;
    total += shadowed_grad(t).1 .0 + first_grad(t, 1.0).1 .0;
    total += same_vector_jacobian(v3, t).1 .0[(1, 1)];
    total += quotient_grad(t, 2.0).1 .1 + radius_log_grad(1.0 + t, 2.0).1 .0;
    total += trigonometry_grad(1.0 + t, 1.5).1 .0 + hyperbolic_grad(0.5 + t, 1.5).1 .1;
    total += exponentials_grad(1.0 + t, 1.5).1 .0 + powers_and_more_grad(1.5, t, 2.0).1 .2;
    total += kinks_grad(t, -0.3).1 .0 + mapped_methods_grad(v3, w3).1 .1[2];
    total += huber_grad(t).1 .0 + piecewise_grad(t, 0.5).1 .1 + conditions_grad(t, 1.0, 2.0).1 .2;
    total += vector_branches_grad(v3, w3, t - 0.5).1 .0[1];
    total += method_paths_grad(t, 0.5).1 .0
        + calls_grad(t, 0.5).1 .1
        + nested_loops_grad(m23, v3).1 .1[0];
    total += rosenbrock_loop_grad(SVector::<f64, 5>::repeat(t)).1 .0[2];
    total += horner_grad(t, SVector::<f64, 4>::new(1.0, 2.0, 3.0, 4.0))
        .1
         .0;
    total += elements_grad(m23, t).1 .1 + polar_jacobian(1.0, t).1 .1[(1, 0)];
    total += powers_grad(1.0 + t, 1.5).1 .0 + ramp_grad(t, -0.5).1 .1;
    total += quadratic_grad(SMatrix::<f64, 3, 3>::identity(), v3).1 .0[(0, 0)];
    total += logsumexp_grad(SVector::<f64, 4>::new(t, 1.0, 2.0, 3.0))
        .1
         .0[0];
    total += mse_grad(m32, w3, v2, v3).1 .0[(1, 1)];
    total += two_layers_grad(
        SMatrix::<f64, 4, 3>::repeat(t),
        SMatrix::<f64, 2, 4>::repeat(0.5),
        v3,
    )
    .1
     .0[(0, 0)];
    total += elementwise_grad(v3, w3, w3).1 .2[1];
    total += matrices_grad(m23, m32, Matrix2::new(1.0, t, 0.5, 2.0)).1 .1[(2, 1)];
    total += scaled_grad(v3, w3).1 .0[0] + map_closure_grad(v3, t).1 .1;
    total += linear_jacobian(m32, v2).1 .0[(2, 5)] + tanh_vector_jacobian(v3).1 .0[(1, 1)];
    total += softmax_jacobian(v3).1 .0[(0, 2)];
    total += layer_jacobian(m23, v2, v3, t).1 .0[(1, 3)];
    total += f64::from(
        f32_neuron_grad(
            SVector::<f32, 2>::new(0.5, 1.0),
            SVector::<f32, 2>::new(1.0, 2.0),
            0.1,
        )
        .1
         .2,
    );
    total
}

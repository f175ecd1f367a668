//! The functions of `scripts/jax_fixtures.py`, differentiated by `#[mlp::grad]`: one float method
//! each, then composites. Each has the name of its fixture lines, and a flat view in [`all`]:
//! its arguments packed into one `&[f64]` (a vector as its entries), its value(s) as written,
//! and its derived value and gradient (or Jacobian, row by row) flattened the same way, as the
//! fixture file writes them.

use mlp::nalgebra::SVector;

// ---- one method each ----------------------------------------------------------------------

#[mlp::grad]
pub fn sin_cos(x: f64, y: f64) -> f64 {
    x.sin() * y.cos()
}

#[mlp::grad]
pub fn tan_x(x: f64) -> f64 {
    x.tan()
}

/// |x|, |y| < 1.
#[mlp::grad]
pub fn asin_acos(x: f64, y: f64) -> f64 {
    x.asin() + y.acos()
}

#[mlp::grad]
pub fn atan_times(x: f64, y: f64) -> f64 {
    x.atan() * y
}

/// The angle of the point (x, y): y is the receiver.
#[mlp::grad]
pub fn atan2_yx(x: f64, y: f64) -> f64 {
    y.atan2(x)
}

#[mlp::grad]
pub fn sinh_cosh(x: f64, y: f64) -> f64 {
    x.sinh() - y.cosh()
}

#[mlp::grad]
pub fn tanh_x(x: f64) -> f64 {
    x.tanh()
}

#[mlp::grad]
pub fn asinh_x(x: f64) -> f64 {
    x.asinh()
}

/// x > 1.
#[mlp::grad]
pub fn acosh_x(x: f64) -> f64 {
    x.acosh()
}

/// |x| < 1.
#[mlp::grad]
pub fn atanh_x(x: f64) -> f64 {
    x.atanh()
}

#[mlp::grad]
pub fn exp2_x(x: f64) -> f64 {
    x.exp2()
}

#[mlp::grad]
pub fn exp_m1_x(x: f64) -> f64 {
    x.exp_m1()
}

/// x > −1.
#[mlp::grad]
pub fn ln_1p_x(x: f64) -> f64 {
    x.ln_1p()
}

/// The logarithm of x to the base y, ln x / ln y (x, y > 0, y ≠ 1).
#[mlp::grad]
pub fn log_base(x: f64, y: f64) -> f64 {
    x.log(y)
}

#[mlp::grad]
pub fn log2_x(x: f64) -> f64 {
    x.log2()
}

#[mlp::grad]
pub fn log10_x(x: f64) -> f64 {
    x.log10()
}

/// Both signs (x ≠ 0).
#[mlp::grad]
pub fn cbrt_x(x: f64) -> f64 {
    x.cbrt()
}

/// x > 0.
#[mlp::grad]
pub fn powf_xy(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// A constant exponent (x > 0).
#[mlp::grad]
pub fn powf_const(x: f64) -> f64 {
    x.powf(1.5)
}

#[mlp::grad]
pub fn recip_x(x: f64) -> f64 {
    x.recip()
}

#[mlp::grad]
pub fn abs_x(x: f64) -> f64 {
    x.abs()
}

/// signum′ = 0.
#[mlp::grad]
pub fn signum_times(x: f64, y: f64) -> f64 {
    x.signum() * y
}

#[mlp::grad]
pub fn hypot_xy(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[mlp::grad]
pub fn mul_add_xyz(x: f64, y: f64, z: f64) -> f64 {
    x.mul_add(y, z)
}

/// Two variables: at a tie ½ each (as JAX).
#[mlp::grad]
pub fn min_xy(x: f64, y: f64) -> f64 {
    x.min(y)
}

/// Two variables: at a tie ½ each (as JAX).
#[mlp::grad]
pub fn max_xy(x: f64, y: f64) -> f64 {
    x.max(y)
}

/// A constant bound: 1 strictly below it, 0 at the tie.
#[mlp::grad]
pub fn min_const(x: f64) -> f64 {
    x.min(0.5)
}

/// A constant bound: 1 strictly above it, 0 at the tie.
#[mlp::grad]
pub fn max_const(x: f64) -> f64 {
    x.max(0.5)
}

/// 1 strictly inside, 0 outside and at a bound.
#[mlp::grad]
pub fn clamp_x(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

#[mlp::grad]
pub fn sqrt_x(x: f64) -> f64 {
    x.sqrt()
}

#[mlp::grad]
pub fn exp_x(x: f64) -> f64 {
    x.exp()
}

#[mlp::grad]
pub fn ln_x(x: f64) -> f64 {
    x.ln()
}

#[mlp::grad]
pub fn powi3_x(x: f64) -> f64 {
    x.powi(3)
}

#[mlp::grad]
pub fn powi_neg(x: f64) -> f64 {
    x.powi(-2)
}

// ---- composites ---------------------------------------------------------------------------

#[mlp::grad]
pub fn softplus_ln_1p(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// A pendulum's energy per unit mass and length²: ½ω² − g(1 − cos θ).
#[mlp::grad]
pub fn pendulum_energy(th: f64, w: f64) -> f64 {
    0.5 * w * w - 9.81 * (1.0 - th.cos())
}

/// The negative log-likelihood of one sample under logistic regression.
#[mlp::grad]
pub fn logistic_nll(w: SVector<f64, 3>, x: SVector<f64, 3>, y: f64) -> f64 {
    let p = w.dot(&x);
    (1.0 + p.exp()).ln() - y * p
}

/// Rosenbrock's function in five dimensions, written out.
#[mlp::grad]
pub fn rosenbrock(a: f64, b: f64, c: f64, d: f64, e: f64) -> f64 {
    100.0 * (b - a * a).powi(2)
        + (1.0 - a).powi(2)
        + 100.0 * (c - b * b).powi(2)
        + (1.0 - b).powi(2)
        + 100.0 * (d - c * c).powi(2)
        + (1.0 - c).powi(2)
        + 100.0 * (e - d * d).powi(2)
        + (1.0 - d).powi(2)
}

/// 1 + 2x + 3x² + 4x³ by Horner's rule, nested by hand (`horner_loop` is the loop).
#[mlp::grad]
pub fn horner(x: f64) -> f64 {
    1.0 + x * (2.0 + x * (3.0 + x * 4.0))
}

#[mlp::grad]
pub fn map_sin_sum(v: SVector<f64, 3>) -> f64 {
    v.map(|t| t.sin()).sum()
}

#[mlp::grad]
pub fn map_abs_dot(v: SVector<f64, 3>, w: SVector<f64, 3>) -> f64 {
    v.map(|t| t.abs()).dot(&w)
}

#[mlp::grad]
pub fn map_atan_norm_squared(v: SVector<f64, 3>) -> f64 {
    v.map(|t| t.atan()).norm_squared()
}

/// sin(t)·eᵗ elementwise: a diagonal Jacobian.
#[mlp::grad]
pub fn map_sin_exp(v: SVector<f64, 3>) -> SVector<f64, 3> {
    v.map(|t| t.sin() * t.exp())
}

/// A vector times a scalar: a Jacobian of two blocks.
#[mlp::grad]
pub fn map_atan_scaled(v: SVector<f64, 3>, s: f64) -> SVector<f64, 3> {
    v.map(|t| t.atan()) * s.cosh()
}

#[mlp::grad]
pub fn mixed_sin_exp(x: f64, y: f64, z: f64) -> f64 {
    (x * y).sin().exp() / (1.0 + z * z).sqrt()
}

#[mlp::grad]
pub fn mixed_cosh_tanh(x: f64, y: f64, z: f64) -> f64 {
    x.cosh().ln() - y.tanh() * z
}

/// x > 0, y ≠ 0.
#[mlp::grad]
pub fn mixed_powf_hypot(x: f64, y: f64, z: f64) -> f64 {
    (x.powf(2.5) + y.cbrt()).hypot(z)
}

#[mlp::grad]
pub fn mixed_atan2_exp2(x: f64, y: f64, z: f64) -> f64 {
    (x.sin() + y.exp2()).atan2(z.cosh())
}

/// (x, y) ≠ 0.
#[mlp::grad]
pub fn mixed_log_chain(x: f64, y: f64) -> f64 {
    x.hypot(y).log2() * (x * y).asinh() + (1.0 + x * x).log10()
}

// ---- branches and the last methods ---------------------------------------------------------

/// Huber's loss with δ = 1.
#[mlp::grad]
pub fn huber(r: f64) -> f64 {
    if r.abs() <= 1.0 {
        0.5 * r * r
    } else {
        r.abs() - 0.5
    }
}

/// ∂/∂x = ±1 (the sign of x times the sign of y), ∂/∂y = 0.
#[mlp::grad]
pub fn copysign_xy(x: f64, y: f64) -> f64 {
    x.copysign(y)
}

#[mlp::grad]
pub fn degrees_radians(x: f64, y: f64) -> f64 {
    x.to_degrees() + y.to_radians()
}

// ---- loops, indexing, vectors of numbers --------------------------------------------------

#[mlp::grad]
pub fn rosenbrock_indexed(v: SVector<f64, 5>) -> f64 {
    100.0 * (v[1] - v[0] * v[0]).powi(2)
        + (1.0 - v[0]).powi(2)
        + 100.0 * (v[2] - v[1] * v[1]).powi(2)
        + (1.0 - v[1]).powi(2)
        + 100.0 * (v[3] - v[2] * v[2]).powi(2)
        + (1.0 - v[2]).powi(2)
        + 100.0 * (v[4] - v[3] * v[3]).powi(2)
        + (1.0 - v[3]).powi(2)
}

#[mlp::grad]
pub fn horner_loop(x: f64) -> f64 {
    let mut acc = 4.0;
    for c in [3.0, 2.0, 1.0] {
        acc = acc * x + c;
    }
    acc
}

/// Polar to Cartesian coordinates.
#[mlp::grad]
pub fn polar(r: f64, th: f64) -> SVector<f64, 2> {
    SVector::<f64, 2>::new(r * th.cos(), r * th.sin())
}

/// Spherical to Cartesian coordinates: θ from the z axis, φ around it.
#[mlp::grad]
pub fn spherical(r: f64, th: f64, ph: f64) -> SVector<f64, 3> {
    SVector::<f64, 3>::new(
        r * th.sin() * ph.cos(),
        r * th.sin() * ph.sin(),
        r * th.cos(),
    )
}

// ---- not yet ------------------------------------------------------------------------------

/// Fixture functions `#[mlp::grad]` does not take yet, which the coverage test accepts absent:
/// none today.
pub const NOT_YET: &[&str] = &[];

// ---- flat views ---------------------------------------------------------------------------

/// A generated function's value(s) and gradient, flattened.
pub type Derived = (Vec<f64>, Vec<f64>);

/// One function, flattened.
pub struct Function {
    pub name: &'static str,
    /// The number of flattened arguments.
    pub inputs: usize,
    /// The function as written: its value(s).
    pub value: fn(&[f64]) -> Vec<f64>,
    /// The generated function: its value(s), and the gradient (for a vector result the
    /// Jacobian, row by row).
    pub derived: fn(&[f64]) -> Derived,
}

/// Takes the next argument out of the flattened ones.
pub trait Take: Sized {
    const LEN: usize;
    fn take(p: &[f64], at: &mut usize) -> Self;
}
impl Take for f64 {
    const LEN: usize = 1;
    fn take(p: &[f64], at: &mut usize) -> Self {
        *at += 1;
        p[*at - 1]
    }
}
impl<const N: usize> Take for SVector<f64, N> {
    const LEN: usize = N;
    fn take(p: &[f64], at: &mut usize) -> Self {
        *at += N;
        SVector::from_column_slice(&p[*at - N..*at])
    }
}

// Each test crate that includes this file gets its own copy of the helpers; a crate that
// includes both this file and its sibling (tests/second_order.rs) gets two.
#[path = "../common/flat.rs"]
#[allow(clippy::duplicate_mod)]
mod flat;
pub use flat::{Blocks, Tuple};

/// `scalar!(name, name_grad, (f64, SVector<f64, 3>, ...))`: a scalar result.
macro_rules! scalar {
    ($name:ident, $grad:ident, ($($arg:ty),*)) => {
        Function {
            name: stringify!($name),
            inputs: 0 $(+ <$arg as Take>::LEN)*,
            value: |p| {
                let at = &mut 0;
                vec![$name($(<$arg as Take>::take(p, at)),*)]
            },
            derived: |p| {
                let at = &mut 0;
                let (value, gradient) = $grad($(<$arg as Take>::take(p, at)),*);
                let mut out = Vec::new();
                gradient.flat_all(&mut out);
                (vec![value], out)
            },
        }
    };
}

/// `vector!(name, name_jacobian, (f64, ...), 0, 1, ...)`: a vector result, its Jacobian blocks
/// by the tuple indices.
macro_rules! vector {
    ($name:ident, $jacobian:ident, ($($arg:ty),*), $($k:tt),*) => {
        Function {
            name: stringify!($name),
            inputs: 0 $(+ <$arg as Take>::LEN)*,
            value: |p| {
                let at = &mut 0;
                $name($(<$arg as Take>::take(p, at)),*).as_slice().to_vec()
            },
            derived: |p| {
                let at = &mut 0;
                let (value, j) = $jacobian($(<$arg as Take>::take(p, at)),*);
                let mut out = Vec::new();
                Blocks(&[$(&j.$k),*]).rows_all(&mut out);
                (value.as_slice().to_vec(), out)
            },
        }
    };
}

type V3 = SVector<f64, 3>;

/// Every function above, in the order of the fixture file.
pub fn all() -> Vec<Function> {
    vec![
        scalar!(sin_cos, sin_cos_grad, (f64, f64)),
        scalar!(tan_x, tan_x_grad, (f64)),
        scalar!(asin_acos, asin_acos_grad, (f64, f64)),
        scalar!(atan_times, atan_times_grad, (f64, f64)),
        scalar!(atan2_yx, atan2_yx_grad, (f64, f64)),
        scalar!(sinh_cosh, sinh_cosh_grad, (f64, f64)),
        scalar!(tanh_x, tanh_x_grad, (f64)),
        scalar!(asinh_x, asinh_x_grad, (f64)),
        scalar!(acosh_x, acosh_x_grad, (f64)),
        scalar!(atanh_x, atanh_x_grad, (f64)),
        scalar!(exp2_x, exp2_x_grad, (f64)),
        scalar!(exp_m1_x, exp_m1_x_grad, (f64)),
        scalar!(ln_1p_x, ln_1p_x_grad, (f64)),
        scalar!(log_base, log_base_grad, (f64, f64)),
        scalar!(log2_x, log2_x_grad, (f64)),
        scalar!(log10_x, log10_x_grad, (f64)),
        scalar!(cbrt_x, cbrt_x_grad, (f64)),
        scalar!(powf_xy, powf_xy_grad, (f64, f64)),
        scalar!(powf_const, powf_const_grad, (f64)),
        scalar!(recip_x, recip_x_grad, (f64)),
        scalar!(abs_x, abs_x_grad, (f64)),
        scalar!(signum_times, signum_times_grad, (f64, f64)),
        scalar!(hypot_xy, hypot_xy_grad, (f64, f64)),
        scalar!(huber, huber_grad, (f64)),
        scalar!(copysign_xy, copysign_xy_grad, (f64, f64)),
        scalar!(degrees_radians, degrees_radians_grad, (f64, f64)),
        scalar!(mul_add_xyz, mul_add_xyz_grad, (f64, f64, f64)),
        scalar!(min_xy, min_xy_grad, (f64, f64)),
        scalar!(max_xy, max_xy_grad, (f64, f64)),
        scalar!(min_const, min_const_grad, (f64)),
        scalar!(max_const, max_const_grad, (f64)),
        scalar!(clamp_x, clamp_x_grad, (f64)),
        scalar!(sqrt_x, sqrt_x_grad, (f64)),
        scalar!(exp_x, exp_x_grad, (f64)),
        scalar!(ln_x, ln_x_grad, (f64)),
        scalar!(powi3_x, powi3_x_grad, (f64)),
        scalar!(powi_neg, powi_neg_grad, (f64)),
        scalar!(softplus_ln_1p, softplus_ln_1p_grad, (f64)),
        scalar!(pendulum_energy, pendulum_energy_grad, (f64, f64)),
        scalar!(logistic_nll, logistic_nll_grad, (V3, V3, f64)),
        scalar!(rosenbrock, rosenbrock_grad, (f64, f64, f64, f64, f64)),
        scalar!(horner, horner_grad, (f64)),
        scalar!(map_sin_sum, map_sin_sum_grad, (V3)),
        scalar!(map_abs_dot, map_abs_dot_grad, (V3, V3)),
        scalar!(map_atan_norm_squared, map_atan_norm_squared_grad, (V3)),
        vector!(map_sin_exp, map_sin_exp_jacobian, (V3), 0),
        vector!(map_atan_scaled, map_atan_scaled_jacobian, (V3, f64), 0, 1),
        vector!(polar, polar_jacobian, (f64, f64), 0, 1),
        vector!(spherical, spherical_jacobian, (f64, f64, f64), 0, 1, 2),
        scalar!(
            rosenbrock_indexed,
            rosenbrock_indexed_grad,
            (SVector<f64, 5>)
        ),
        scalar!(horner_loop, horner_loop_grad, (f64)),
        scalar!(mixed_sin_exp, mixed_sin_exp_grad, (f64, f64, f64)),
        scalar!(mixed_cosh_tanh, mixed_cosh_tanh_grad, (f64, f64, f64)),
        scalar!(mixed_powf_hypot, mixed_powf_hypot_grad, (f64, f64, f64)),
        scalar!(mixed_atan2_exp2, mixed_atan2_exp2_grad, (f64, f64, f64)),
        scalar!(mixed_log_chain, mixed_log_chain_grad, (f64, f64)),
    ]
}

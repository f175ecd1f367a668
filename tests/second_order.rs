//! `#[mlp::grad]`'s forward mode (`NAME_jvp`) and second derivatives (`NAME_hessian`) against
//! numbers from outside the derivation: the Hessians against fourth-order central differences of
//! the generated gradient and against JAX's `hessian` in float64 (`tests/fixtures/jax/grad.txt`),
//! their symmetry, and the directional derivatives against the gradient or the Jacobian times
//! the tangent. Run with `-- --nocapture` to see the worst differences.

#[path = "methods/functions.rs"]
#[allow(dead_code)]
mod functions;

mod common;
mod expressions;

use common::compare::{fourth_order, step, Tally};
// Rosenbrock's function of five scalars and the logistic regression's negative
// log-likelihood are the ones tests/methods.rs checks against JAX.
use functions::{
    logistic_nll_grad, logistic_nll_hessian, logistic_nll_jvp, rosenbrock_grad, rosenbrock_hessian,
    rosenbrock_jvp, Take, Tuple, ROSENBROCK_DERIVATION,
};
use mlp::nalgebra::{RealField, SMatrix, SVector};

// ---- the functions ------------------------------------------------------------------------

/// A quadratic form xᵀ·A·x with A = u·vᵀ + 2·I: ∂²/∂x² = u·vᵀ + v·uᵀ + 4·I.
#[mlp::grad]
pub fn quadratic_form(x: SVector<f64, 3>, u: SVector<f64, 3>, v: SVector<f64, 3>) -> f64 {
    x.dot(&u) * x.dot(&v) + 2.0 * x.norm_squared()
}

/// Rosenbrock's function of one `SVector<f64, 5>`, its entries read as dot products with the
/// unit vectors (arguments too: the Hessian has their blocks as well).
#[mlp::grad]
pub fn rosenbrock_vector(
    v: SVector<f64, 5>,
    e0: SVector<f64, 5>,
    e1: SVector<f64, 5>,
    e2: SVector<f64, 5>,
    e3: SVector<f64, 5>,
    e4: SVector<f64, 5>,
) -> f64 {
    let a = v.dot(&e0);
    let b = v.dot(&e1);
    let c = v.dot(&e2);
    let d = v.dot(&e3);
    let e = v.dot(&e4);
    100.0 * (b - a * a).powi(2)
        + (1.0 - a).powi(2)
        + 100.0 * (c - b * b).powi(2)
        + (1.0 - b).powi(2)
        + 100.0 * (d - c * c).powi(2)
        + (1.0 - c).powi(2)
        + 100.0 * (e - d * d).powi(2)
        + (1.0 - d).powi(2)
}

/// sin, exp, powi and atan2 together, scalars and a vector.
#[mlp::grad]
pub fn mixed(x: f64, y: f64, v: SVector<f64, 2>) -> f64 {
    let a = (x * y).sin() * v.sum().exp();
    let b = y.atan2(x + 2.0);
    a + b.powi(3) + v.map(|t| t.sin()).dot(&v) * x
}

/// A vector result, for the directional derivative against the Jacobian.
#[mlp::grad]
pub fn field(r: f64, v: SVector<f64, 3>, w: SVector<f64, 3>) -> SVector<f64, 3> {
    (v * r.sin()).component_mul(&w) + w.map(|t| t.tanh()) * r.powi(2)
}

/// Generic over the scalar.
#[mlp::grad]
pub fn generic_neuron<T: RealField + Copy>(w: SVector<T, 3>, x: SVector<T, 3>, b: T) -> T {
    let z = w.dot(&x) + b;
    (T::one() + z.exp()).ln() * z.tanh()
}

// ---- flat views ---------------------------------------------------------------------------

/// A Hessian block `∂²f/∂xᵢ∂xⱼ`: row r of xᵢ, column c of xⱼ.
trait Block {
    fn at(&self, r: usize, c: usize) -> f64;
}
impl Block for f64 {
    fn at(&self, _: usize, _: usize) -> f64 {
        *self
    }
}
impl<const R: usize, const C: usize> Block for SMatrix<f64, R, C> {
    fn at(&self, r: usize, c: usize) -> f64 {
        // A vector block lies between a scalar and a vector: one of r, c is 0.
        if C == 1 {
            self[r + c]
        } else {
            self[(r, c)]
        }
    }
}

/// A tuple of blocks (one row of blocks), or a tuple of rows.
trait Blocks {
    fn blocks(&self) -> Vec<&dyn Block>;
}
trait Rows {
    fn rows(&self) -> Vec<Vec<&dyn Block>>;
}
macro_rules! tuples {
    ($($t:ident $i:tt),*) => {
        impl<$($t: Block),*> Blocks for ($($t,)*) {
            fn blocks(&self) -> Vec<&dyn Block> {
                vec![$(&self.$i),*]
            }
        }
        impl<$($t: Blocks),*> Rows for ($($t,)*) {
            fn rows(&self) -> Vec<Vec<&dyn Block>> {
                vec![$(self.$i.blocks()),*]
            }
        }
    };
}
tuples!(A 0);
tuples!(A 0, B 1);
tuples!(A 0, B 1, C 2);
tuples!(A 0, B 1, C 2, D 3);
tuples!(A 0, B 1, C 2, D 3, E 4);
tuples!(A 0, B 1, C 2, D 3, E 4, F 5);

/// The Hessian of the flattened arguments, row-major, from its blocks.
fn flat_hessian(rows: &dyn Rows, sizes: &[usize]) -> Vec<f64> {
    let n: usize = sizes.iter().sum();
    let offsets: Vec<usize> = sizes
        .iter()
        .scan(0, |o, s| {
            *o += s;
            Some(*o - s)
        })
        .collect();
    let mut h = vec![f64::NAN; n * n];
    for (i, row) in rows.rows().into_iter().enumerate() {
        for (j, block) in row.into_iter().enumerate() {
            for r in 0..sizes[i] {
                for c in 0..sizes[j] {
                    h[(offsets[i] + r) * n + offsets[j] + c] = block.at(r, c);
                }
            }
        }
    }
    h
}

/// The value, the gradient and the Hessian (row-major), flattened.
type Second = (f64, Vec<f64>, Vec<f64>);

/// One scalar function, flattened: its gradient, its Hessian (value, gradient, Hessian), and
/// its directional derivative along a tangent.
struct Case {
    name: &'static str,
    sizes: Vec<usize>,
    grad: fn(&[f64]) -> (f64, Vec<f64>),
    hessian: fn(&[f64]) -> Second,
    jvp: fn(&[f64], &[f64]) -> (f64, f64),
}

macro_rules! case {
    ($name:path, $grad:path, $hessian:path, $jvp:path, ($($arg:ty),*)) => {
        Case {
            name: stringify!($name),
            sizes: vec![$(<$arg as Take>::LEN),*],
            grad: |p| {
                let at = &mut 0;
                let (value, gradient) = $grad($(<$arg as Take>::take(p, at)),*);
                let mut out = Vec::new();
                Tuple::flat_all(&gradient, &mut out);
                (value, out)
            },
            hessian: |p| {
                let at = &mut 0;
                let (value, gradient, h) = $hessian($(<$arg as Take>::take(p, at)),*);
                let mut out = Vec::new();
                Tuple::flat_all(&gradient, &mut out);
                (value, out, flat_hessian(&h, &[$(<$arg as Take>::LEN),*]))
            },
            jvp: |p, t| {
                let (at, bt) = (&mut 0, &mut 0);
                $jvp($(<$arg as Take>::take(p, at)),*, $(<$arg as Take>::take(t, bt)),*)
            },
        }
    };
}

/// The functions of this file.
fn ours() -> Vec<Case> {
    vec![
        case!(
            quadratic_form,
            quadratic_form_grad,
            quadratic_form_hessian,
            quadratic_form_jvp,
            (SVector<f64, 3>, SVector<f64, 3>, SVector<f64, 3>)
        ),
        case!(
            rosenbrock,
            rosenbrock_grad,
            rosenbrock_hessian,
            rosenbrock_jvp,
            (f64, f64, f64, f64, f64)
        ),
        case!(
            rosenbrock_vector,
            rosenbrock_vector_grad,
            rosenbrock_vector_hessian,
            rosenbrock_vector_jvp,
            (
                SVector<f64, 5>,
                SVector<f64, 5>,
                SVector<f64, 5>,
                SVector<f64, 5>,
                SVector<f64, 5>,
                SVector<f64, 5>
            )
        ),
        case!(
            logistic_nll,
            logistic_nll_grad,
            logistic_nll_hessian,
            logistic_nll_jvp,
            (SVector<f64, 3>, SVector<f64, 3>, f64)
        ),
        case!(
            mixed,
            mixed_grad,
            mixed_hessian,
            mixed_jvp,
            (f64, f64, SVector<f64, 2>)
        ),
        case!(
            generic_neuron,
            generic_neuron_grad,
            generic_neuron_hessian,
            generic_neuron_jvp,
            (SVector<f64, 3>, SVector<f64, 3>, f64)
        ),
        // Branches, loops, indexing and calls of other functions (`tests/expressions`).
        case!(
            expressions::piecewise,
            expressions::piecewise_grad,
            expressions::piecewise_hessian,
            expressions::piecewise_jvp,
            (f64, f64)
        ),
        case!(
            expressions::conditions,
            expressions::conditions_grad,
            expressions::conditions_hessian,
            expressions::conditions_jvp,
            (f64, f64, f64)
        ),
        case!(
            expressions::rosenbrock_loop,
            expressions::rosenbrock_loop_grad,
            expressions::rosenbrock_loop_hessian,
            expressions::rosenbrock_loop_jvp,
            (SVector<f64, 5>)
        ),
        case!(
            expressions::calls,
            expressions::calls_grad,
            expressions::calls_hessian,
            expressions::calls_jvp,
            (f64, f64)
        ),
    ]
}

/// The scalar functions of `tests/methods/functions.rs`, whose Hessians JAX computed.
#[rustfmt::skip]
fn jax() -> Vec<Case> {
    use functions::*;
    vec![
        case!(sin_cos, sin_cos_grad, sin_cos_hessian, sin_cos_jvp, (f64, f64)),
        case!(tan_x, tan_x_grad, tan_x_hessian, tan_x_jvp, (f64)),
        case!(asin_acos, asin_acos_grad, asin_acos_hessian, asin_acos_jvp, (f64, f64)),
        case!(atan_times, atan_times_grad, atan_times_hessian, atan_times_jvp, (f64, f64)),
        case!(atan2_yx, atan2_yx_grad, atan2_yx_hessian, atan2_yx_jvp, (f64, f64)),
        case!(sinh_cosh, sinh_cosh_grad, sinh_cosh_hessian, sinh_cosh_jvp, (f64, f64)),
        case!(tanh_x, tanh_x_grad, tanh_x_hessian, tanh_x_jvp, (f64)),
        case!(asinh_x, asinh_x_grad, asinh_x_hessian, asinh_x_jvp, (f64)),
        case!(acosh_x, acosh_x_grad, acosh_x_hessian, acosh_x_jvp, (f64)),
        case!(atanh_x, atanh_x_grad, atanh_x_hessian, atanh_x_jvp, (f64)),
        case!(exp2_x, exp2_x_grad, exp2_x_hessian, exp2_x_jvp, (f64)),
        case!(exp_m1_x, exp_m1_x_grad, exp_m1_x_hessian, exp_m1_x_jvp, (f64)),
        case!(ln_1p_x, ln_1p_x_grad, ln_1p_x_hessian, ln_1p_x_jvp, (f64)),
        case!(log_base, log_base_grad, log_base_hessian, log_base_jvp, (f64, f64)),
        case!(log2_x, log2_x_grad, log2_x_hessian, log2_x_jvp, (f64)),
        case!(log10_x, log10_x_grad, log10_x_hessian, log10_x_jvp, (f64)),
        case!(cbrt_x, cbrt_x_grad, cbrt_x_hessian, cbrt_x_jvp, (f64)),
        case!(powf_xy, powf_xy_grad, powf_xy_hessian, powf_xy_jvp, (f64, f64)),
        case!(powf_const, powf_const_grad, powf_const_hessian, powf_const_jvp, (f64)),
        case!(recip_x, recip_x_grad, recip_x_hessian, recip_x_jvp, (f64)),
        case!(abs_x, abs_x_grad, abs_x_hessian, abs_x_jvp, (f64)),
        case!(signum_times, signum_times_grad, signum_times_hessian, signum_times_jvp, (f64, f64)),
        case!(hypot_xy, hypot_xy_grad, hypot_xy_hessian, hypot_xy_jvp, (f64, f64)),
        case!(mul_add_xyz, mul_add_xyz_grad, mul_add_xyz_hessian, mul_add_xyz_jvp, (f64, f64, f64)),
        case!(min_xy, min_xy_grad, min_xy_hessian, min_xy_jvp, (f64, f64)),
        case!(max_xy, max_xy_grad, max_xy_hessian, max_xy_jvp, (f64, f64)),
        case!(min_const, min_const_grad, min_const_hessian, min_const_jvp, (f64)),
        case!(max_const, max_const_grad, max_const_hessian, max_const_jvp, (f64)),
        case!(clamp_x, clamp_x_grad, clamp_x_hessian, clamp_x_jvp, (f64)),
        case!(sqrt_x, sqrt_x_grad, sqrt_x_hessian, sqrt_x_jvp, (f64)),
        case!(exp_x, exp_x_grad, exp_x_hessian, exp_x_jvp, (f64)),
        case!(ln_x, ln_x_grad, ln_x_hessian, ln_x_jvp, (f64)),
        case!(powi3_x, powi3_x_grad, powi3_x_hessian, powi3_x_jvp, (f64)),
        case!(powi_neg, powi_neg_grad, powi_neg_hessian, powi_neg_jvp, (f64)),
        case!(softplus_ln_1p, softplus_ln_1p_grad, softplus_ln_1p_hessian, softplus_ln_1p_jvp, (f64)),
        case!(pendulum_energy, pendulum_energy_grad, pendulum_energy_hessian, pendulum_energy_jvp, (f64, f64)),
        case!(logistic_nll, logistic_nll_grad, logistic_nll_hessian, logistic_nll_jvp, (SVector<f64, 3>, SVector<f64, 3>, f64)),
        case!(rosenbrock, rosenbrock_grad, rosenbrock_hessian, rosenbrock_jvp, (f64, f64, f64, f64, f64)),
        case!(horner, horner_grad, horner_hessian, horner_jvp, (f64)),
        case!(map_sin_sum, map_sin_sum_grad, map_sin_sum_hessian, map_sin_sum_jvp, (SVector<f64, 3>)),
        case!(map_abs_dot, map_abs_dot_grad, map_abs_dot_hessian, map_abs_dot_jvp, (SVector<f64, 3>, SVector<f64, 3>)),
        case!(map_atan_norm_squared, map_atan_norm_squared_grad, map_atan_norm_squared_hessian, map_atan_norm_squared_jvp, (SVector<f64, 3>)),
        case!(mixed_sin_exp, mixed_sin_exp_grad, mixed_sin_exp_hessian, mixed_sin_exp_jvp, (f64, f64, f64)),
        case!(mixed_cosh_tanh, mixed_cosh_tanh_grad, mixed_cosh_tanh_hessian, mixed_cosh_tanh_jvp, (f64, f64, f64)),
        case!(mixed_powf_hypot, mixed_powf_hypot_grad, mixed_powf_hypot_hessian, mixed_powf_hypot_jvp, (f64, f64, f64)),
        case!(mixed_atan2_exp2, mixed_atan2_exp2_grad, mixed_atan2_exp2_hessian, mixed_atan2_exp2_jvp, (f64, f64, f64)),
        case!(mixed_log_chain, mixed_log_chain_grad, mixed_log_chain_hessian, mixed_log_chain_jvp, (f64, f64)),
        case!(huber, huber_grad, huber_hessian, huber_jvp, (f64)),
        case!(copysign_xy, copysign_xy_grad, copysign_xy_hessian, copysign_xy_jvp, (f64, f64)),
        case!(degrees_radians, degrees_radians_grad, degrees_radians_hessian, degrees_radians_jvp, (f64, f64)),
        case!(rosenbrock_indexed, rosenbrock_indexed_grad, rosenbrock_indexed_hessian, rosenbrock_indexed_jvp, (SVector<f64, 5>)),
        case!(horner_loop, horner_loop_grad, horner_loop_hessian, horner_loop_jvp, (f64)),
    ]
}

// ---- the checks ---------------------------------------------------------------------------

/// Deterministic points in [−1.5, 1.5].
fn point(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            3.0 * ((state >> 11) as f64 / (1u64 << 53) as f64) - 1.5
        })
        .collect()
}

/// The points of this file's functions: random ones, the unit vectors of `rosenbrock_vector`
/// kept as unit vectors.
fn points(case: &Case) -> Vec<Vec<f64>> {
    (0..6)
        .map(|seed| {
            let n: usize = case.sizes.iter().sum();
            let mut p = point(n, seed + 1);
            if case.name == "rosenbrock_vector" {
                for k in 0..25 {
                    p[5 + k] = if k % 6 == 0 { 1.0 } else { 0.0 };
                }
            }
            p
        })
        .collect()
}

fn text(name: &str, p: &[f64]) -> String {
    let args: Vec<String> = p.iter().map(|a| format!("{a:.3}")).collect();
    format!("{name}({})", args.join(", "))
}

/// The value and gradient of `NAME_hessian` are `NAME_grad`'s; its Hessian agrees with
/// fourth-order central differences of `NAME_grad` and is symmetric.
fn check_hessian(case: &Case, p: &[f64], same: &mut Tally, fd: &mut Tally, sym: &mut Tally) {
    let n = p.len();
    let (value, gradient) = (case.grad)(p);
    let (v, g, h) = (case.hessian)(p);
    same.compare(|| format!("{} value", text(case.name, p)), v, value);
    for (i, (a, b)) in g.iter().zip(&gradient).enumerate() {
        same.compare(|| format!("{} ∂f/∂p{i}", text(case.name, p)), *a, *b);
    }
    for k in 0..n {
        let column = fourth_order(&|q| (case.grad)(q).1, step(case.name, p[k]), p, k);
        for (i, d) in column.iter().enumerate() {
            fd.compare(
                || format!("{} ∂²f/∂p{i}∂p{k}", text(case.name, p)),
                h[i * n + k],
                *d,
            );
        }
        for i in 0..n {
            sym.compare(
                || format!("{} H[{i}][{k}] vs H[{k}][{i}]", text(case.name, p)),
                h[i * n + k],
                h[k * n + i],
            );
        }
    }
}

#[test]
fn hessians_match_differences_of_the_gradient_and_are_symmetric() {
    let (mut same, mut fd, mut sym) = (Tally::new(0.0), Tally::new(1e-7), Tally::new(1e-12));
    for case in ours() {
        for p in points(&case) {
            check_hessian(&case, &p, &mut same, &mut fd, &mut sym);
        }
    }
    // The fixtures' points come close to singularities (acos at 0.95, ln at 10⁻³), where the
    // differences themselves lose digits: 10⁻⁶ there, as tests/methods.rs; JAX's own Hessians
    // check these points to 10⁻¹² (`hessians_match_jax`).
    let mut near = Tally::new(1e-6);
    let fixtures = fixtures();
    for case in jax() {
        for (_, p, _) in fixtures.iter().filter(|(name, ..)| name == case.name) {
            check_hessian(&case, p, &mut same, &mut near, &mut sym);
        }
    }
    same.finish("NAME_hessian's value and gradient vs NAME_grad");
    fd.finish("Hessians of this file vs fourth-order central differences of the gradient");
    near.finish("Hessians at the JAX points vs fourth-order central differences of the gradient");
    sym.finish("Hessians' symmetry");
}

/// `tests/fixtures/jax/grad.txt`: (name, arguments, Hessian) of every scalar function's point.
fn fixtures() -> Vec<(String, Vec<f64>, Vec<f64>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jax/grad.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let numbers = |f: &str| -> Vec<f64> {
        f.split_whitespace()
            .map(|t| t.parse().expect("a number"))
            .collect()
    };
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect::<Vec<&str>>())
        .filter(|f| f.len() == 5 && f[4] != "-")
        .map(|f| (f[0].to_string(), numbers(f[1]), numbers(f[4])))
        .collect()
}

#[test]
fn hessians_match_jax() {
    let mut tally = Tally::new(1e-12);
    let cases: Vec<Case> = jax().into_iter().chain(ours()).collect();
    let mut functions = std::collections::BTreeSet::new();
    for (name, p, jax) in fixtures() {
        let Some(case) = cases.iter().find(|c| c.name == name) else {
            continue;
        };
        let n = p.len();
        let (_, _, h) = (case.hessian)(&p);
        for (k, (ours, theirs)) in h.iter().zip(&jax).enumerate() {
            tally.compare(
                || format!("{} ∂²f/∂p{}∂p{}", text(&name, &p), k / n, k % n),
                *ours,
                *theirs,
            );
        }
        functions.insert(name);
    }
    eprintln!("vs JAX: {} functions: {functions:?}", functions.len());
    assert!(functions.contains("logistic_nll") && functions.contains("rosenbrock"));
    tally.finish("Hessians vs JAX (float64), relative to max(|a|, |b|, 1)");
}

/// `Σₖ ∂f/∂xₖ·tₖ` from the gradient, for a tangent `t` at `p`.
fn gradient_times(case: &Case, p: &[f64], t: &[f64]) -> f64 {
    let (_, g) = (case.grad)(p);
    g.iter().zip(t).map(|(a, b)| a * b).sum()
}

#[test]
fn jvp_is_the_gradient_times_the_tangent() {
    let mut tally = Tally::new(1e-12);
    let fixtures = fixtures();
    let jax = jax();
    let mut at: Vec<(&Case, Vec<f64>)> = Vec::new();
    let ours = ours();
    for case in &ours {
        at.extend(points(case).into_iter().map(|p| (case, p)));
    }
    for case in &jax {
        at.extend(
            fixtures
                .iter()
                .filter(|(name, ..)| name == case.name)
                .map(|(_, p, _)| (case, p.clone())),
        );
    }
    for (seed, (case, p)) in at.iter().enumerate() {
        let t = point(p.len(), 1000 + seed as u64);
        let (value, tangent) = (case.jvp)(p, &t);
        tally.compare(
            || format!("{} value", text(case.name, p)),
            value,
            (case.grad)(p).0,
        );
        tally.compare(
            || format!("{} along {t:?}", text(case.name, p)),
            tangent,
            gradient_times(case, p, &t),
        );
    }
    tally.finish("NAME_jvp vs NAME_grad · tangent");
}

/// Vector results and matrix arguments: the tangent is the Jacobian times the tangent, or the
/// gradient's inner product with a matrix tangent.
#[test]
fn jvp_of_vector_results_and_matrix_arguments() {
    let mut tally = Tally::new(1e-12);
    for seed in 0..10 {
        let p = point(7, seed);
        let t = point(7, seed + 100);
        let v = |q: &[f64], k: usize| SVector::<f64, 3>::from_column_slice(&q[k..k + 3]);
        let (value, tangent) = field_jvp(p[0], v(&p, 1), v(&p, 4), t[0], v(&t, 1), v(&t, 4));
        let (value2, (jr, jv, jw)) = field_jacobian(p[0], v(&p, 1), v(&p, 4));
        let expected = jr * t[0] + jv * v(&t, 1) + jw * v(&t, 4);
        for i in 0..3 {
            tally.compare(|| format!("field value {i}"), value[i], value2[i]);
            tally.compare(|| format!("field tangent {i}"), tangent[i], expected[i]);
        }

        let q = point(9 + 6, seed + 200);
        let a = SMatrix::<f64, 3, 3>::from_column_slice(&q[..9]);
        let da = SMatrix::<f64, 3, 3>::from_column_slice(&t[..7].repeat(2)[..9]);
        let (x, dx) = (v(&q, 9), v(&q, 12));
        let (f, tangent) = expressions::quadratic_jvp(a, x, da, dx);
        let (f2, (ga, gx)) = expressions::quadratic_grad(a, x);
        tally.compare(|| "quadratic value".into(), f, f2);
        tally.compare(
            || "quadratic tangent".into(),
            tangent,
            ga.dot(&da) + gx.dot(&dx),
        );

        let w = SMatrix::<f64, 3, 2>::from_column_slice(&q[..6]);
        let dw = SMatrix::<f64, 3, 2>::from_column_slice(&t[..6]);
        let (x2, dx2) = (
            SVector::<f64, 2>::new(q[6], q[7]),
            SVector::<f64, 2>::new(t[6], q[8]),
        );
        let (z, dz) = expressions::linear_jvp(w, x2, dw, dx2);
        let (z2, (jw2, jx2)) = expressions::linear_jacobian(w, x2);
        let expected = jw2 * SVector::<f64, 6>::from_column_slice(dw.as_slice()) + jx2 * dx2;
        for i in 0..3 {
            tally.compare(|| format!("linear value {i}"), z[i], z2[i]);
            tally.compare(|| format!("linear tangent {i}"), dz[i], expected[i]);
        }
    }
    tally.finish("NAME_jvp vs NAME_jacobian · tangent");
}

/// Generic functions in f32 agree with f64; an argument by reference.
#[test]
fn generic_scalar_f32() {
    let (w, x, b) = (
        SVector::<f32, 3>::new(0.3, -0.2, 0.5),
        SVector::<f32, 3>::new(1.0, 0.4, -0.7),
        0.1f32,
    );
    let (w64, x64) = (w.cast::<f64>(), x.cast::<f64>());
    let (v32, g32, h32) = generic_neuron_hessian(w, x, b);
    let (v64, g64, h64) = generic_neuron_hessian(w64, x64, f64::from(b));
    assert!((f64::from(v32) - v64).abs() < 1e-5);
    assert!((g32.0.cast::<f64>() - g64.0).abs().max() < 1e-5);
    assert!((h32.0 .0.cast::<f64>() - h64.0 .0).abs().max() < 1e-4);
    assert!((h32.1 .2.cast::<f64>() - h64.1 .2).abs().max() < 1e-4);
    assert!((f64::from(h32.2 .2) - h64.2 .2).abs() < 1e-4);
    let (_, t32) = generic_neuron_jvp(w, x, b, w, x, 1.0);
    let (_, t64) = generic_neuron_jvp(w64, x64, f64::from(b), w64, x64, 1.0);
    assert!((f64::from(t32) - t64).abs() < 1e-4);

    // tests/expressions' neuron: σ(w·x), x by reference; ∂²/∂w² = σ′′ x·xᵀ... = σ(1 − σ)(1 − 2σ)·x·xᵀ.
    let (s, _, h) = expressions::neuron_hessian(w64, &x64);
    let expected = x64 * x64.transpose() * (s * (1.0 - s) * (1.0 - 2.0 * s));
    assert!((h.0 .0 - expected).abs().max() < 1e-15, "{}", h.0 .0);
    let (_, _, h32) = expressions::neuron_hessian(w, &x);
    assert!((h32.0 .0.cast::<f64>() - expected).abs().max() < 1e-5);
    let (_, t) = expressions::neuron_jvp(w64, &x64, x64, &w64);
    let (_, (gw, gx)) = expressions::neuron_grad(w64, &x64);
    assert!((t - gw.dot(&x64) - gx.dot(&w64)).abs() < 1e-15);
}

/// The lecture's f = (x + y)·z: its Hessian is the constant [[0, 0, 1], [0, 0, 1], [1, 1, 0]],
/// its derivative along (1, 0, 0) is ∂f/∂x = z.
#[test]
fn lecture_example() {
    let (f, (gx, gy, gz), h) = expressions::f_hessian(-2.0, 5.0, -4.0);
    assert_eq!((f, gx, gy, gz), (-12.0, -4.0, -4.0, 3.0));
    assert_eq!(h, ((0.0, 0.0, 1.0), (0.0, 0.0, 1.0), (1.0, 1.0, 0.0)));
    assert_eq!(
        expressions::f_jvp(-2.0, 5.0, -4.0, 1.0, 0.0, 0.0),
        (-12.0, -4.0)
    );
    let text = expressions::F_DERIVATION;
    assert!(
        text.contains("  f\u{307} = q\u{307}·z + z\u{307}·q\n"),
        "{text}"
    );
    assert!(text.contains("  ∂²f/∂x∂z = 1\n"), "{text}");
}

/// The quadratic form's Hessian by x is u·vᵀ + v·uᵀ + 4·I, exactly.
#[test]
fn quadratic_form_hessian_is_exact() {
    let (x, u, v) = (
        SVector::<f64, 3>::new(0.5, -1.0, 2.0),
        SVector::<f64, 3>::new(1.0, 2.0, 3.0),
        SVector::<f64, 3>::new(-1.0, 0.5, 0.25),
    );
    let (_, _, h) = quadratic_form_hessian(x, u, v);
    let expected = u * v.transpose() + v * u.transpose() + SMatrix::<f64, 3, 3>::identity() * 4.0;
    assert!((h.0 .0 - expected).abs().max() < 1e-14, "{}", h.0 .0);
}

/// Rosenbrock of one vector (through unit vectors) has the Hessian of Rosenbrock of five
/// numbers.
#[test]
fn rosenbrock_vector_and_scalars_agree() {
    let p = [0.3, -1.2, 0.8, 1.1, -0.4];
    let unit = |k: usize| SVector::<f64, 5>::ith(k, 1.0);
    let (_, _, h) = rosenbrock_vector_hessian(
        SVector::<f64, 5>::from_column_slice(&p),
        unit(0),
        unit(1),
        unit(2),
        unit(3),
        unit(4),
    );
    let (_, _, s) = rosenbrock_hessian(p[0], p[1], p[2], p[3], p[4]);
    let s = [
        [s.0 .0, s.0 .1, s.0 .2, s.0 .3, s.0 .4],
        [s.1 .0, s.1 .1, s.1 .2, s.1 .3, s.1 .4],
        [s.2 .0, s.2 .1, s.2 .2, s.2 .3, s.2 .4],
        [s.3 .0, s.3 .1, s.3 .2, s.3 .3, s.3 .4],
        [s.4 .0, s.4 .1, s.4 .2, s.4 .3, s.4 .4],
    ];
    for (r, row) in s.iter().enumerate() {
        for (c, x) in row.iter().enumerate() {
            assert!(
                (h.0 .0[(r, c)] - x).abs() <= 1e-12 * x.abs().max(1.0),
                "{r} {c}"
            );
        }
    }
}

/// Rosenbrock's derivation as `NAME_DERIVATION` prints it (for the report).
#[test]
fn rosenbrock_derivation_has_every_block() {
    eprintln!("{ROSENBROCK_DERIVATION}");
    for a in ["a", "b", "c", "d", "e"] {
        assert!(ROSENBROCK_DERIVATION.contains(&format!("∂²rosenbrock/∂{a}²")));
    }
}

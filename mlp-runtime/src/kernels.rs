//! Numerically stable kernels called by generated code.
//!
//! Each is statically sized and allocation-free. They exist so that generated code reads like
//! the derivation (`ŷ = softmax(θ)`) while computing in the stable way (subtracting max θ first).

pub use crate::columns::{
    bce_with_logits_columns, dot_columns, exp_sum_columns, log_sum_exp_columns, max_columns,
    maxout_columns, maxout_route_columns, mse_columns, softmax_columns, softmax_parts_columns,
};
pub use crate::gemm::{affine, affine_columns, mul, mul_tr, tr_mul};
pub use crate::simd::set_enabled as set_simd;
use nalgebra::{RealField, SMatrix, SVector};

/// `softmax(θ)ᵢ = e^{θᵢ} / Σⱼ e^{θⱼ}`, computed as `e^{θᵢ − m} / Σⱼ e^{θⱼ − m}` with
/// `m = maxⱼ θⱼ`, so no exponential overflows.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let p = mlp::kernels::softmax(&SVector::<f64, 4>::new(-1.0, 0.0, 3.0, 5.0));
/// assert!((p[3] - 0.87370431).abs() < 1e-8);
/// ```
#[inline(always)]
pub fn softmax<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> SVector<T, N> {
    let m = theta.max();
    let e = theta.map(|t| (t - m).exp());
    let s = e.sum();
    e / s
}

/// [`softmax`] with its parts: `(ŷ, m, s)` with `m = maxⱼ θⱼ` and `s = Σⱼ e^{θⱼ − m}`, so that
/// the loss `log Σⱼ e^{θⱼ} = m + log s` needs no second pass of exponentials.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let theta = SVector::<f64, 3>::new(1.0, 2.0, 0.5);
/// let (p, m, s) = mlp::kernels::softmax_parts(&theta);
/// assert_eq!(p, mlp::kernels::softmax(&theta));
/// assert!((m + s.ln() - mlp::kernels::log_sum_exp(&theta)).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn softmax_parts<T: RealField + Copy, const N: usize>(
    theta: &SVector<T, N>,
) -> (SVector<T, N>, T, T) {
    let m = theta.max();
    let e = theta.map(|t| (t - m).exp());
    let s = e.sum();
    (e / s, m, s)
}

/// `Σⱼ e^{θⱼ − m}` with `m = maxⱼ θⱼ`: the softmax's denominator.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let s = mlp::kernels::exp_sum(&SVector::<f64, 2>::new(0.0, 0.0));
/// assert_eq!(s, 2.0);
/// ```
#[inline(always)]
pub fn exp_sum<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> T {
    let m = theta.max();
    theta.map(|t| (t - m).exp()).sum()
}

/// `log Σⱼ e^{θⱼ}`, computed as `m + log Σⱼ e^{θⱼ − m}` with `m = maxⱼ θⱼ`.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let lse = mlp::kernels::log_sum_exp(&SVector::<f32, 2>::new(1e4, 1e4));
/// assert!((lse - (1e4 + 2f32.ln())).abs() < 1e-2);
/// ```
#[inline(always)]
pub fn log_sum_exp<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> T {
    let m = theta.max();
    m + theta.map(|t| (t - m).exp()).sum().ln()
}

/// The lecture's update `θ ← θ − η·∇θ` for one parameter, in place.
///
/// Statically sized, so the compiler sees the whole loop and vectorizes it.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let mut w = SVector::<f64, 2>::new(1.0, 2.0);
/// mlp::kernels::sgd_update(&mut w, &SVector::<f64, 2>::new(10.0, -10.0), 0.1);
/// assert_eq!(w, SVector::<f64, 2>::new(0.0, 3.0));
/// ```
#[inline(always)]
pub fn sgd_update<T: RealField + Copy, const R: usize, const C: usize>(
    param: &mut SMatrix<T, R, C>,
    grad: &SMatrix<T, R, C>,
    learning_rate: T,
) {
    param.zip_apply(grad, |p, g| *p -= learning_rate * g);
}

/// `C ← C − α·A·Bᵀ` in place, with no `A·Bᵀ` value: the update of a weight whose gradient is
/// the outer product `A·Bᵀ` (a rank-1 update, BLAS's `ger`, when `K = 1`; over a batch, a
/// matrix product accumulated into `C`).
///
/// # Example
///
/// ```
/// use mlp::nalgebra::{SMatrix, SVector};
/// let mut w = SMatrix::<f64, 2, 3>::zeros();
/// let (g, x) = (SVector::<f64, 2>::new(1.0, 2.0), SVector::<f64, 3>::new(1.0, 0.0, -1.0));
/// mlp::kernels::sub_outer(&mut w, 0.5, &g, &x);
/// assert_eq!(w, -(g * x.transpose()) * 0.5);
/// ```
#[inline]
pub fn sub_outer<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    c: &mut SMatrix<T, M, N>,
    alpha: T,
    a: &SMatrix<T, M, K>,
    b: &SMatrix<T, N, K>,
) {
    if K == 1 {
        // One pass over C: column j moves by (α·bⱼ)·a (BLAS's rank-1 `ger`).
        if !crate::simd::rank1_sub::<T, M, N>(c.as_mut_slice(), alpha, a.as_slice(), b.as_slice()) {
            c.ger(-alpha, &a.column(0), &b.column(0), T::one());
        }
        return;
    }
    crate::gemm::add_product::<T, M, N, K, true>(
        c.as_mut_slice(),
        -alpha,
        a.as_slice(),
        b.as_slice(),
    );
}

/// `C ← a·bᵀ` for vectors `a` and `b`, every element written once, nothing on the stack: a
/// weight's gradient `∂J/∂z·xᵀ` computed straight into storage the caller owns.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::{SMatrix, SVector};
/// let mut g = SMatrix::<f64, 2, 3>::repeat(9.0);
/// let (a, b) = (SVector::<f64, 2>::new(1.0, 2.0), SVector::<f64, 3>::new(1.0, 0.0, -1.0));
/// mlp::kernels::set_outer(&mut g, &a, &b);
/// assert_eq!(g, a * b.transpose());
/// ```
#[inline]
pub fn set_outer<T: RealField + Copy, const M: usize, const N: usize>(
    c: &mut SMatrix<T, M, N>,
    a: &SVector<T, M>,
    b: &SVector<T, N>,
) {
    let a = a.as_slice();
    for (column, &bj) in c.as_mut_slice().chunks_exact_mut(M).zip(b.as_slice()) {
        for (c, &a) in column.iter_mut().zip(a) {
            *c = a * bj;
        }
    }
}

/// Binary cross-entropy from logits, `Σᵢ max(θᵢ, 0) − yᵢ·θᵢ + log(1 + e^{−|θᵢ|})`: the same
/// value as `BCE(y, σ(θ))` without `log(0)` or overflow, for any θ.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let j = mlp::kernels::bce_with_logits(&SVector::<f32, 1>::new(-1e4), &SVector::<f32, 1>::new(1.0));
/// assert_eq!(j, 1e4);
/// ```
pub fn bce_with_logits<T: RealField + Copy, const N: usize>(
    theta: &SVector<T, N>,
    y: &SVector<T, N>,
) -> T {
    let zero = T::zero();
    theta.zip_fold(y, zero, |acc, t, y| {
        acc + t.max(zero) - y * t + (-t.abs()).exp().ln_1p()
    })
}

/// Binary cross-entropy of probabilities, `−Σᵢ yᵢ·log pᵢ + (1 − yᵢ)·log(1 − pᵢ)`. Generated code
/// uses [`bce_with_logits`] after a `Sigmoid`; this is the plain definition.
pub fn binary_cross_entropy<T: RealField + Copy, const N: usize>(
    p: &SVector<T, N>,
    y: &SVector<T, N>,
) -> T {
    let one = T::one();
    -p.zip_fold(y, T::zero(), |acc, p, y| {
        acc + y * p.ln() + (one - y) * (one - p).ln()
    })
}

/// The winning piece of unit `i` among `P / N` pieces `t[j·N + i]`; ties go to the lowest `j`.
fn maxout_winner<T: RealField + Copy, const N: usize, const P: usize>(
    t: &SVector<T, P>,
    i: usize,
) -> usize {
    (1..P / N).fold(0, |best, j| {
        if t[j * N + i] > t[best * N + i] {
            j
        } else {
            best
        }
    })
}

/// Maxout: `N` units, each the largest of its `P / N` pieces; piece `j` of unit `i` is
/// `t[j·N + i]`.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// // 2 units, 2 pieces: unit 0 sees (1, 5), unit 1 sees (4, -2).
/// let h = mlp::kernels::maxout::<f64, 2, 4>(&SVector::from([1.0, 4.0, 5.0, -2.0]));
/// assert_eq!(h, SVector::<f64, 2>::new(5.0, 4.0));
/// ```
pub fn maxout<T: RealField + Copy, const N: usize, const P: usize>(
    t: &SVector<T, P>,
) -> SVector<T, N> {
    SVector::from_fn(|i, _| t[maxout_winner::<T, N, P>(t, i) * N + i])
}

/// Maxout's vector–Jacobian product: `g[i]` goes to unit `i`'s winning piece, every other
/// piece gets 0 (the gradient flows only to the winner).
pub fn maxout_route<T: RealField + Copy, const N: usize, const P: usize>(
    t: &SVector<T, P>,
    g: &SVector<T, N>,
) -> SVector<T, P> {
    let mut routed = SVector::zeros();
    for i in 0..N {
        routed[maxout_winner::<T, N, P>(t, i) * N + i] = g[i];
    }
    routed
}

/// Maxout's Jacobian as an explicit `N × P` matrix (for `jacobians = full`): row `i` has a 1 at
/// unit `i`'s winning piece.
pub fn maxout_selection<T: RealField + Copy, const N: usize, const P: usize>(
    t: &SVector<T, P>,
) -> SMatrix<T, N, P> {
    let mut s = SMatrix::zeros();
    for i in 0..N {
        s[(i, maxout_winner::<T, N, P>(t, i) * N + i)] = T::one();
    }
    s
}

//! The lecture's functions, computed the numerically stable way: the scalar [`sigmoid`] and
//! [`relu`] (which `#[mlp::grad]` bodies may call by name, so that the function as written
//! compiles and runs too; on a vector, map them: `v.map(sigmoid)`), and on vectors
//! [`softmax`], [`log_sum_exp`] and the binary cross-entropy ([`bce_with_logits`],
//! [`binary_cross_entropy`]). Statically sized, allocation-free, no `std`; the generated
//! networks call the same functions.

use nalgebra::{RealField, SVector};

/// The logistic function σ(s) = 1/(1 + e⁻ˢ); its derivative is σ(s)·(1 − σ(s)).
///
/// ```
/// assert_eq!(mlp::sigmoid(0.0_f64), 0.5);
/// ```
pub fn sigmoid<T: RealField + Copy>(s: T) -> T {
    T::one() / (T::one() + (-s).exp())
}

/// `max(s, 0)`; its derivative is `1[s > 0]` (0 at s = 0, as PyTorch).
///
/// ```
/// assert_eq!(mlp::relu(-2.0_f64), 0.0);
/// assert_eq!(mlp::relu(3.0_f32), 3.0);
/// ```
pub fn relu<T: RealField + Copy>(s: T) -> T {
    s.max(T::zero())
}

/// `softmax(θ)ᵢ = e^{θᵢ} / Σⱼ e^{θⱼ}`, computed as `e^{θᵢ − m} / Σⱼ e^{θⱼ − m}` with
/// `m = maxⱼ θⱼ`, so no exponential overflows.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let p = mlp::functions::softmax(&SVector::<f64, 4>::new(-1.0, 0.0, 3.0, 5.0));
/// assert!((p[3] - 0.87370431).abs() < 1e-8);
/// ```
#[inline(always)]
pub fn softmax<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> SVector<T, N> {
    let m = theta.max();
    let e = theta.map(|t| (t - m).exp());
    let s = e.sum();
    e / s
}

/// `log Σⱼ e^{θⱼ}`, computed as `m + log Σⱼ e^{θⱼ − m}` with `m = maxⱼ θⱼ`.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let lse = mlp::functions::log_sum_exp(&SVector::<f32, 2>::new(1e4, 1e4));
/// assert!((lse - (1e4 + 2f32.ln())).abs() < 1e-2);
/// ```
#[inline(always)]
pub fn log_sum_exp<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> T {
    let m = theta.max();
    m + theta.map(|t| (t - m).exp()).sum().ln()
}

/// Binary cross-entropy from logits, `Σᵢ max(θᵢ, 0) − yᵢ·θᵢ + log(1 + e^{−|θᵢ|})`: the same
/// value as `BCE(y, σ(θ))` without `log(0)` or overflow, for any θ.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let j = mlp::functions::bce_with_logits(&SVector::<f32, 1>::new(-1e4), &SVector::<f32, 1>::new(1.0));
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
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// let j = mlp::functions::binary_cross_entropy(&SVector::<f64, 1>::new(0.5), &SVector::<f64, 1>::new(1.0));
/// assert!((j - 2f64.ln()).abs() < 1e-15);
/// ```
pub fn binary_cross_entropy<T: RealField + Copy, const N: usize>(
    p: &SVector<T, N>,
    y: &SVector<T, N>,
) -> T {
    let one = T::one();
    -p.zip_fold(y, T::zero(), |acc, p, y| {
        acc + y * p.ln() + (one - y) * (one - p).ln()
    })
}

//! Numerically stable kernels called by generated code.
//!
//! Each is statically sized and allocation-free. They exist so that generated code reads like
//! the derivation (`ŷ = softmax(θ)`) while computing in the stable way (subtracting max θ first).

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
/// let lse = mlp::kernels::log_sum_exp(&SVector::<f32, 2>::new(1e4, 1e4));
/// assert!((lse - (1e4 + 2f32.ln())).abs() < 1e-2);
/// ```
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
pub fn sgd_update<T: RealField + Copy, const R: usize, const C: usize>(
    param: &mut SMatrix<T, R, C>,
    grad: &SMatrix<T, R, C>,
    learning_rate: T,
) {
    param.zip_apply(grad, |p, g| *p -= learning_rate * g);
}

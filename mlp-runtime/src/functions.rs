//! Scalar functions that `#[mlp::grad]` bodies may call by name, so that the function as written
//! compiles and runs too. On a vector, map them: `v.map(sigmoid)`.

use nalgebra::RealField;

/// The logistic function σ(s) = 1/(1 + e⁻ˢ); its derivative is σ(s)·(1 − σ(s)).
///
/// ```
/// assert_eq!(mlp::sigmoid(0.0_f64), 0.5);
/// ```
pub fn sigmoid<T: RealField + Copy>(s: T) -> T {
    T::one() / (T::one() + (-s).exp())
}

/// max(s, 0); its derivative is 1[s > 0] (0 at s = 0, as PyTorch).
///
/// ```
/// assert_eq!(mlp::relu(-2.0_f64), 0.0);
/// assert_eq!(mlp::relu(3.0_f32), 3.0);
/// ```
pub fn relu<T: RealField + Copy>(s: T) -> T {
    s.max(T::zero())
}

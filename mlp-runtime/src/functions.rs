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

/// `max(s, 0)`; its derivative is `1[s > 0]` (0 at s = 0, as PyTorch).
///
/// ```
/// assert_eq!(mlp::relu(-2.0_f64), 0.0);
/// assert_eq!(mlp::relu(3.0_f32), 3.0);
/// ```
pub fn relu<T: RealField + Copy>(s: T) -> T {
    s.max(T::zero())
}

/// A matrix written on one line, `[1, 2; 3, 4]` (rows separated by `;`), a column vector as
/// `[1, 2, 3]`: how `NAME_trace` of `#[mlp::grad]` shows values.
#[doc(hidden)]
pub struct Compact<'a, T, const R: usize, const C: usize>(pub &'a nalgebra::SMatrix<T, R, C>);

impl<T: core::fmt::Display + nalgebra::Scalar, const R: usize, const C: usize> core::fmt::Display
    for Compact<'_, T, R, C>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[")?;
        if C == 1 {
            for i in 0..R {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{}", self.0[(i, 0)])?;
            }
        } else {
            for i in 0..R {
                if i > 0 {
                    f.write_str("; ")?;
                }
                for j in 0..C {
                    if j > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", self.0[(i, j)])?;
                }
            }
        }
        f.write_str("]")
    }
}

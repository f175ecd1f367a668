//! How the `NAME_trace` functions of `#[mlp::grad]` show values.

/// A matrix written on one line, `[1, 2; 3, 4]` (rows separated by `;`), a column vector as
/// `[1, 2, 3]`.
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

#[cfg(test)]
mod tests {
    use super::Compact;
    use nalgebra::{SMatrix, SVector};

    #[test]
    fn one_line() {
        let mut text = std::string::String::new();
        let m = SMatrix::<i32, 2, 2>::new(1, 2, 3, 4);
        core::fmt::write(
            &mut text,
            format_args!(
                "{} {}",
                Compact(&m),
                Compact(&SVector::<i32, 3>::new(1, 2, 3))
            ),
        )
        .unwrap();
        assert_eq!(text, "[1, 2; 3, 4] [1, 2, 3]");
    }
}

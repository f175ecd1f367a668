//! Kernels that write into storage the generated code owns: the SGD update of a parameter, the
//! update by an outer product without forming it, and a gradient's outer product written in
//! place.

use nalgebra::{RealField, SMatrix, SVector};

/// The lecture's update `θ ← θ − η·∇θ` for one parameter, in place.
///
/// Statically sized, so the compiler sees the whole loop and vectorizes it.
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
#[inline]
pub fn sub_outer<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    c: &mut SMatrix<T, M, N>,
    alpha: T,
    a: &SMatrix<T, M, K>,
    b: &SMatrix<T, N, K>,
) {
    if K == 1 {
        // One pass over C: column j moves by (α·bⱼ)·a (BLAS's rank-1 `ger`).
        if !super::simd::rank1_sub::<T, M, N>(c.as_mut_slice(), alpha, a.as_slice(), b.as_slice()) {
            c.ger(-alpha, &a.column(0), &b.column(0), T::one());
        }
        return;
    }
    super::gemm::add_product::<T, M, N, K, true>(
        c.as_mut_slice(),
        -alpha,
        a.as_slice(),
        b.as_slice(),
    );
}

/// `C ← a·bᵀ` for vectors `a` and `b`, every element written once, nothing on the stack: a
/// weight's gradient `∂J/∂z·xᵀ` computed straight into storage the caller owns.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgd_update_steps_against_the_gradient() {
        let mut w = SVector::<f64, 2>::new(1.0, 2.0);
        sgd_update(&mut w, &SVector::<f64, 2>::new(10.0, -10.0), 0.1);
        assert_eq!(w, SVector::<f64, 2>::new(0.0, 3.0));
    }

    #[test]
    fn outer_products_in_place() {
        let (g, x) = (
            SVector::<f64, 2>::new(1.0, 2.0),
            SVector::<f64, 3>::new(1.0, 0.0, -1.0),
        );
        let mut w = SMatrix::<f64, 2, 3>::zeros();
        sub_outer(&mut w, 0.5, &g, &x);
        assert_eq!(w, -(g * x.transpose()) * 0.5);
        let mut c = SMatrix::<f64, 2, 3>::repeat(9.0);
        set_outer(&mut c, &g, &x);
        assert_eq!(c, g * x.transpose());
    }
}

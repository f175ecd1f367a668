//! Statically sized matrix products for batches, register-blocked so the compiler keeps a tile
//! of the result in registers and vectorizes it: the weights are read once per tile of
//! samples rather than once per sample. No heap, no `std`.
//!
//! Storage is nalgebra's: column-major slices.

use nalgebra::{RealField, SMatrix};

/// Rows and columns of the result that one tile keeps in registers.
const MR: usize = 8;
const NR: usize = 4;

/// `C += α·A·B` (`TB = false`, `B` is `K×N`) or `C += α·A·Bᵀ` (`TB = true`, `B` is `N×K`), all
/// column-major: `C` is `M×N`, `A` is `M×K`.
pub(crate) fn add_product<
    T: RealField + Copy,
    const M: usize,
    const N: usize,
    const K: usize,
    const TB: bool,
>(
    c: &mut [T],
    alpha: T,
    a: &[T],
    b: &[T],
) {
    if super::simd::add_product::<T, M, N, K, TB>(c, alpha, a, b) {
        return;
    }
    let (c, a, b) = (&mut c[..M * N], &a[..M * K], &b[..N * K]);
    let mut j = 0;
    while j + NR <= N {
        rows::<T, M, N, K, TB, NR>(c, alpha, a, b, j);
        j += NR;
    }
    while j < N {
        rows::<T, M, N, K, TB, 1>(c, alpha, a, b, j);
        j += 1;
    }
}

/// Columns `j..j + W` of the result, every row.
#[inline(always)]
fn rows<
    T: RealField + Copy,
    const M: usize,
    const N: usize,
    const K: usize,
    const TB: bool,
    const W: usize,
>(
    c: &mut [T],
    alpha: T,
    a: &[T],
    b: &[T],
    j: usize,
) {
    let mut i = 0;
    while i + MR <= M {
        tile::<T, M, N, K, TB, MR, W>(c, alpha, a, b, i, j);
        i += MR;
    }
    while i + 4 <= M {
        tile::<T, M, N, K, TB, 4, W>(c, alpha, a, b, i, j);
        i += 4;
    }
    while i < M {
        tile::<T, M, N, K, TB, 1, W>(c, alpha, a, b, i, j);
        i += 1;
    }
}

/// The `H×W` tile at row `i`, column `j`: accumulated over `k` in registers, then added to `C`.
#[inline(always)]
fn tile<
    T: RealField + Copy,
    const M: usize,
    const N: usize,
    const K: usize,
    const TB: bool,
    const H: usize,
    const W: usize,
>(
    c: &mut [T],
    alpha: T,
    a: &[T],
    b: &[T],
    i: usize,
    j: usize,
) {
    let mut acc = [[T::zero(); H]; W];
    for k in 0..K {
        let column = &a[k * M + i..][..H];
        for (w, acc) in acc.iter_mut().enumerate() {
            let bk = if TB {
                b[k * N + j + w]
            } else {
                b[(j + w) * K + k]
            };
            for r in 0..H {
                acc[r] += column[r] * bk;
            }
        }
    }
    for (w, acc) in acc.iter().enumerate() {
        let out = &mut c[(j + w) * M + i..(j + w) * M + i + H];
        for (c, &acc) in out.iter_mut().zip(acc) {
            *c += alpha * acc;
        }
    }
}

/// `A·B` for a batch: `A` is `M×K`, `B` is `K×N`.
#[inline(always)]
pub fn mul<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    a: &SMatrix<T, M, K>,
    b: &SMatrix<T, K, N>,
) -> SMatrix<T, M, N> {
    let mut c = SMatrix::<T, M, N>::zeros();
    add_product::<T, M, N, K, false>(c.as_mut_slice(), T::one(), a.as_slice(), b.as_slice());
    c
}

/// `A·Bᵀ` for a batch: `A` is `M×K`, `B` is `N×K` (a sum of `K` outer products).
#[inline(always)]
pub fn mul_tr<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    a: &SMatrix<T, M, K>,
    b: &SMatrix<T, N, K>,
) -> SMatrix<T, M, N> {
    let mut c = SMatrix::<T, M, N>::zeros();
    add_product::<T, M, N, K, true>(c.as_mut_slice(), T::one(), a.as_slice(), b.as_slice());
    c
}

/// `Aᵀ·B` for a batch: `A` is `K×M`, `B` is `K×N`. `A` is transposed once (it is a weight,
/// small next to the batch) so that the product runs over contiguous columns.
#[inline(always)]
pub fn tr_mul<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    a: &SMatrix<T, K, M>,
    b: &SMatrix<T, K, N>,
) -> SMatrix<T, M, N> {
    mul(&a.transpose(), b)
}

/// `W·x + b` for one sample, accumulated onto a copy of the bias in one pass.
#[inline(always)]
pub fn affine<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    w: &SMatrix<T, M, K>,
    x: &SMatrix<T, K, N>,
    b: &SMatrix<T, M, N>,
) -> SMatrix<T, M, N> {
    let mut z = *b;
    let one = T::one();
    if !super::simd::add_product::<T, M, N, K, false>(
        z.as_mut_slice(),
        one,
        w.as_slice(),
        x.as_slice(),
    ) {
        z.gemm(one, w, x, one);
    }
    z
}

/// `W·X + b·1ᵀ` for a batch (one sample per column of `X`): each column starts as the bias and
/// the product is accumulated onto it.
#[inline(always)]
pub fn affine_columns<T: RealField + Copy, const M: usize, const N: usize, const K: usize>(
    w: &SMatrix<T, M, K>,
    x: &SMatrix<T, K, N>,
    b: &SMatrix<T, M, 1>,
) -> SMatrix<T, M, N> {
    let mut z = SMatrix::<T, M, N>::from_fn(|i, _| b[i]);
    add_product::<T, M, N, K, false>(z.as_mut_slice(), T::one(), w.as_slice(), x.as_slice());
    z
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::SVector;

    #[test]
    fn products_as_defined() {
        let a = SMatrix::<f64, 3, 2>::from_fn(|i, j| (i + 2 * j) as f64);
        let b = SMatrix::<f64, 2, 5>::from_fn(|i, j| (i * j) as f64 - 1.0);
        assert_eq!(mul(&a, &b), a * b);
        let a = SMatrix::<f64, 3, 4>::from_fn(|i, j| (i + 2 * j) as f64);
        let b = SMatrix::<f64, 5, 4>::from_fn(|i, j| (i * j) as f64 - 1.0);
        assert_eq!(mul_tr(&a, &b), a * b.transpose());
        let a = SMatrix::<f64, 4, 3>::from_fn(|i, j| (i + 2 * j) as f64);
        let b = SMatrix::<f64, 4, 5>::from_fn(|i, j| (i * j) as f64 - 1.0);
        assert_eq!(tr_mul(&a, &b), a.transpose() * b);
    }

    #[test]
    fn affine_maps() {
        let w = SMatrix::<f64, 2, 3>::from_fn(|i, j| (i + j) as f64);
        let (x, b) = (
            SVector::<f64, 3>::new(1.0, 2.0, 3.0),
            SVector::<f64, 2>::new(0.5, -0.5),
        );
        assert_eq!(affine(&w, &x, &b), w * x + b);
        let x = SMatrix::<f64, 3, 4>::from_fn(|i, j| (i * j) as f64);
        let z = affine_columns(&w, &x, &b);
        assert_eq!(z.column(3), w * x.column(3) + b);
    }
}

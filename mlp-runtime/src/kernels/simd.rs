//! The f32 matrix products of the generated networks use AVX2 and FMA on x86-64 processors
//! that have them (chosen at run time with the `std` feature; without `std`, when the build
//! targets them, `-C target-feature=+avx2,+fma`). Everywhere else, and for other scalars, they
//! run portable code. [`set_enabled`]`(false)` makes an x86-64 desktop compute what a
//! microcontroller computes, bit for bit:
//!
//! ```
//! mlp::simd::set_enabled(false); // f32 results now match the firmware's exactly
//! mlp::simd::set_enabled(true);
//! ```
//!
//! (Inside the crate: each kernel here returns `false`, doing nothing, when it cannot run; it
//! never allocates.)

use crate::float::is_f32;

/// Off after [`set_enabled`]`(false)`.
static ENABLED: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(true);

/// Turns the AVX2 + FMA kernels on or off for the whole program (on by default where the
/// processor has them). Off, every product is computed as on a processor without them, in the
/// same order of operations: what a microcontroller computes, bit for bit.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, core::sync::atomic::Ordering::Relaxed);
}

/// Whether this processor runs the AVX2 + FMA kernels (on other architectures, known `false`
/// at compile time: no check is left in the code).
#[inline]
fn available() -> bool {
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    {
        ENABLED.load(core::sync::atomic::Ordering::Relaxed)
            && std::is_x86_feature_detected!("avx2")
            && std::is_x86_feature_detected!("fma")
    }
    #[cfg(all(
        target_arch = "x86_64",
        not(feature = "std"),
        target_feature = "avx2",
        target_feature = "fma"
    ))]
    {
        ENABLED.load(core::sync::atomic::Ordering::Relaxed)
    }
    #[cfg(not(any(
        all(target_arch = "x86_64", feature = "std"),
        all(
            target_arch = "x86_64",
            target_feature = "avx2",
            target_feature = "fma"
        )
    )))]
    {
        false
    }
}

/// The fewest multiply–adds worth a call to a kernel here.
const MIN_WORK: usize = 64;

/// `C += α·A·B` (`tb = false`, `B` is `k×n`) or `C += α·A·Bᵀ` (`tb = true`, `B` is `n×k`),
/// column-major, `C` `m×n`, `A` `m×k`. `false` when the kernel cannot run.
#[inline]
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_product<
    T: 'static + Copy,
    const M: usize,
    const N: usize,
    const K: usize,
    const TB: bool,
>(
    c: &mut [T],
    alpha: T,
    a: &[T],
    b: &[T],
) -> bool {
    // Fewer than 8 rows fill no vector, and a small product does not pay for the call: the
    // portable code does better.
    if M < 8
        || M * N * K < MIN_WORK
        || !is_f32::<T>()
        || !available()
        || c.len() < M * N
        || a.len() < M * K
        || b.len() < N * K
    {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `T` is `f32` (checked above), so the slices hold `f32`s and `alpha` is one; the
    // lengths cover every index the kernel reads or writes (checked above); the processor has
    // AVX2 and FMA (checked above).
    unsafe {
        let alpha = *(&alpha as *const T as *const f32);
        x86::add_product::<M, N, K, TB>(
            c.as_mut_ptr() as *mut f32,
            alpha,
            a.as_ptr() as *const f32,
            b.as_ptr() as *const f32,
        );
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (c, alpha, a, b);
        false
    }
}

/// `C −= α·a·bᵀ` for vectors `a` (`m`) and `b` (`n`), `C` `m×n` column-major: the rank-1
/// update. `false` when the kernel cannot run.
#[inline]
pub(crate) fn rank1_sub<T: 'static + Copy, const M: usize, const N: usize>(
    c: &mut [T],
    alpha: T,
    a: &[T],
    b: &[T],
) -> bool {
    if M < 8
        || M * N < MIN_WORK
        || !is_f32::<T>()
        || !available()
        || c.len() < M * N
        || a.len() < M
        || b.len() < N
    {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as in `add_product`.
    unsafe {
        let alpha = *(&alpha as *const T as *const f32);
        x86::rank1_sub::<M, N>(
            c.as_mut_ptr() as *mut f32,
            alpha,
            a.as_ptr() as *const f32,
            b.as_ptr() as *const f32,
        );
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (c, alpha, a, b);
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    /// See [`super::add_product`].
    ///
    /// # Safety
    ///
    /// AVX2 and FMA available; `c`, `a`, `b` valid for `M·N`, `M·K`, `N·K` `f32`s.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn add_product<const M: usize, const N: usize, const K: usize, const TB: bool>(
        c: *mut f32,
        alpha: f32,
        a: *const f32,
        b: *const f32,
    ) {
        unsafe {
            let mut j = 0;
            while j + 4 <= N {
                rows::<M, N, K, TB, 4>(c, alpha, a, b, j);
                j += 4;
            }
            while j < N {
                rows::<M, N, K, TB, 1>(c, alpha, a, b, j);
                j += 1;
            }
        }
    }

    /// Columns `j..j + W` of the result.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn rows<
        const M: usize,
        const N: usize,
        const K: usize,
        const TB: bool,
        const W: usize,
    >(
        c: *mut f32,
        alpha: f32,
        a: *const f32,
        b: *const f32,
        j: usize,
    ) {
        unsafe {
            let mut i = 0;
            if W == 1 {
                // One column (a matrix–vector product): four vectors of rows at a time, and two
                // sets of sums over alternate k, so that the adds do not wait on each other.
                while i + 32 <= M {
                    column_tile::<M, N, K, TB, 4>(c, alpha, a, b, i, j);
                    i += 32;
                }
            }
            while i + 16 <= M {
                tile::<M, N, K, TB, 2, W>(c, alpha, a, b, i, j, 8);
                i += 16;
            }
            // The last rows: one vector, the part past the matrix masked off.
            while i < M {
                tile::<M, N, K, TB, 1, W>(c, alpha, a, b, i, j, (M - i).min(8));
                i += 8;
            }
        }
    }

    /// Where `B[k, j]` (or `Bᵀ[k, j]`) is.
    #[inline(always)]
    unsafe fn b_at<const N: usize, const K: usize, const TB: bool>(
        b: *const f32,
        kk: usize,
        j: usize,
    ) -> *const f32 {
        unsafe {
            if TB {
                b.add(kk * N + j)
            } else {
                b.add(j * K + kk)
            }
        }
    }

    /// A mask of the first `valid` of 8 lanes.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn lanes(valid: usize) -> __m256i {
        let v = valid as i32;
        _mm256_setr_epi32(
            -i32::from(v > 0),
            -i32::from(v > 1),
            -i32::from(v > 2),
            -i32::from(v > 3),
            -i32::from(v > 4),
            -i32::from(v > 5),
            -i32::from(v > 6),
            -i32::from(v > 7),
        )
    }

    /// The `8·R × W` tile at row `i`, column `j`, accumulated in registers over `K`; with
    /// `R = 1`, only the first `valid` rows are read and written.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<
        const M: usize,
        const N: usize,
        const K: usize,
        const TB: bool,
        const R: usize,
        const W: usize,
    >(
        c: *mut f32,
        alpha: f32,
        a: *const f32,
        b: *const f32,
        i: usize,
        j: usize,
        valid: usize,
    ) {
        unsafe {
            let full = R > 1 || valid == 8;
            let mask = lanes(valid);
            let load = |p: *const f32| {
                if full {
                    _mm256_loadu_ps(p)
                } else {
                    _mm256_maskload_ps(p, mask)
                }
            };
            let mut acc = [[_mm256_setzero_ps(); R]; W];
            for kk in 0..K {
                let column = a.add(kk * M + i);
                let mut av = [_mm256_setzero_ps(); R];
                for (r, v) in av.iter_mut().enumerate() {
                    *v = load(column.add(8 * r));
                }
                for (w, acc) in acc.iter_mut().enumerate() {
                    let bv = _mm256_broadcast_ss(&*b_at::<N, K, TB>(b, kk, j + w));
                    for (acc, &av) in acc.iter_mut().zip(&av) {
                        *acc = _mm256_fmadd_ps(av, bv, *acc);
                    }
                }
            }
            let alpha = _mm256_set1_ps(alpha);
            for (w, acc) in acc.iter().enumerate() {
                for (r, &acc) in acc.iter().enumerate() {
                    let out = c.add((j + w) * M + i + 8 * r);
                    let v = _mm256_fmadd_ps(alpha, acc, load(out));
                    if full {
                        _mm256_storeu_ps(out, v);
                    } else {
                        _mm256_maskstore_ps(out, mask, v);
                    }
                }
            }
        }
    }

    /// Rows `i..i + 8·R` of column `j`, with independent sums for even and odd `k`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn column_tile<
        const M: usize,
        const N: usize,
        const K: usize,
        const TB: bool,
        const R: usize,
    >(
        c: *mut f32,
        alpha: f32,
        a: *const f32,
        b: *const f32,
        i: usize,
        j: usize,
    ) {
        unsafe {
            let mut even = [_mm256_setzero_ps(); R];
            let mut odd = [_mm256_setzero_ps(); R];
            let mut kk = 0;
            while kk + 2 <= K {
                let b0 = _mm256_broadcast_ss(&*b_at::<N, K, TB>(b, kk, j));
                let b1 = _mm256_broadcast_ss(&*b_at::<N, K, TB>(b, kk + 1, j));
                let (c0, c1) = (a.add(kk * M + i), a.add((kk + 1) * M + i));
                for r in 0..R {
                    even[r] = _mm256_fmadd_ps(_mm256_loadu_ps(c0.add(8 * r)), b0, even[r]);
                    odd[r] = _mm256_fmadd_ps(_mm256_loadu_ps(c1.add(8 * r)), b1, odd[r]);
                }
                kk += 2;
            }
            if kk < K {
                let b0 = _mm256_broadcast_ss(&*b_at::<N, K, TB>(b, kk, j));
                let c0 = a.add(kk * M + i);
                for (r, even) in even.iter_mut().enumerate() {
                    *even = _mm256_fmadd_ps(_mm256_loadu_ps(c0.add(8 * r)), b0, *even);
                }
            }
            let alpha = _mm256_set1_ps(alpha);
            for r in 0..R {
                let out = c.add(j * M + i + 8 * r);
                let sum = _mm256_add_ps(even[r], odd[r]);
                _mm256_storeu_ps(out, _mm256_fmadd_ps(alpha, sum, _mm256_loadu_ps(out)));
            }
        }
    }

    /// See [`super::rank1_sub`].
    ///
    /// # Safety
    ///
    /// AVX2 and FMA available; `c`, `a`, `b` valid for `m·n`, `m`, `n` `f32`s.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn rank1_sub<const M: usize, const N: usize>(
        c: *mut f32,
        alpha: f32,
        a: *const f32,
        b: *const f32,
    ) {
        let (m, n) = (M, N);
        unsafe {
            for j in 0..n {
                let s = alpha * *b.add(j);
                let sv = _mm256_set1_ps(s);
                let column = c.add(j * m);
                let mut i = 0;
                while i + 8 <= m {
                    let out = column.add(i);
                    let v = _mm256_fnmadd_ps(_mm256_loadu_ps(a.add(i)), sv, _mm256_loadu_ps(out));
                    _mm256_storeu_ps(out, v);
                    i += 8;
                }
                while i < m {
                    *column.add(i) -= s * *a.add(i);
                    i += 1;
                }
            }
        }
    }
}

//! Per-sample kernels of the generated code: the parts of a softmax that the fused loss reuses,
//! and maxout's forward pass, its routing of the gradient and its Jacobian.

use nalgebra::{RealField, SMatrix, SVector};

/// [`softmax`](crate::functions::softmax) with its parts: `(ŷ, m, s)` with `m = maxⱼ θⱼ` and
/// `s = Σⱼ e^{θⱼ − m}`, so that the loss `log Σⱼ e^{θⱼ} = m + log s` needs no second pass of
/// exponentials.
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
#[inline(always)]
pub fn exp_sum<T: RealField + Copy, const N: usize>(theta: &SVector<T, N>) -> T {
    let m = theta.max();
    theta.map(|t| (t - m).exp()).sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{log_sum_exp, softmax};

    #[test]
    fn softmax_with_its_parts() {
        let theta = SVector::<f64, 3>::new(1.0, 2.0, 0.5);
        let (p, m, s) = softmax_parts(&theta);
        assert_eq!(p, softmax(&theta));
        assert!((m + s.ln() - log_sum_exp(&theta)).abs() < 1e-15);
        assert_eq!(exp_sum(&SVector::<f64, 2>::new(0.0, 0.0)), 2.0);
    }

    #[test]
    fn maxout_takes_and_routes_to_the_winner() {
        // 2 units, 2 pieces: unit 0 sees (1, 5), unit 1 sees (4, -2).
        let t = SVector::<f64, 4>::from([1.0, 4.0, 5.0, -2.0]);
        assert_eq!(maxout::<f64, 2, 4>(&t), SVector::<f64, 2>::new(5.0, 4.0));
        let routed = maxout_route::<f64, 2, 4>(&t, &SVector::<f64, 2>::new(10.0, 20.0));
        assert_eq!(routed.as_slice(), &[0.0, 20.0, 10.0, 0.0]);
        let s = maxout_selection::<f64, 2, 4>(&t);
        assert_eq!(s * t, maxout::<f64, 2, 4>(&t));
    }
}

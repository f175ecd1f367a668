//! The per-sample kernels applied to every column of a batch (one sample per column), for the
//! batched code the macro generates. Statically sized, allocation-free.

use super::sample::{maxout, maxout_route};
use crate::functions::log_sum_exp;
use nalgebra::{RealField, SMatrix};

/// [`softmax`](crate::functions::softmax) of every column.
pub fn softmax_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
) -> SMatrix<T, N, B> {
    softmax_parts_columns(theta).0
}

/// [`softmax_parts`](super::sample::softmax_parts) of every column: the probabilities, and
/// each column's max and sum of exponentials as rows.
pub fn softmax_parts_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
) -> (SMatrix<T, N, B>, SMatrix<T, 1, B>, SMatrix<T, 1, B>) {
    let mut p = *theta;
    let mut m = SMatrix::<T, 1, B>::zeros();
    let mut s = SMatrix::<T, 1, B>::zeros();
    for (j, mut column) in p.column_iter_mut().enumerate() {
        let max = column.max();
        column.apply(|t| *t = (*t - max).exp());
        let sum = column.sum();
        column /= sum;
        m[j] = max;
        s[j] = sum;
    }
    (p, m, s)
}

/// The max of every column, as a row.
pub fn max_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    SMatrix::from_fn(|_, j| theta.column(j).max())
}

/// [`exp_sum`](super::sample::exp_sum) of every column, as a row.
pub fn exp_sum_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    softmax_parts_columns(theta).2
}

/// [`log_sum_exp`](crate::functions::log_sum_exp) of every column, as a row.
pub fn log_sum_exp_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    SMatrix::from_fn(|_, j| log_sum_exp(&theta.column(j).into_owned()))
}

/// The inner product of every pair of columns, as a row.
pub fn dot_columns<T: RealField + Copy, const N: usize, const B: usize>(
    a: &SMatrix<T, N, B>,
    b: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    SMatrix::from_fn(|_, j| a.column(j).dot(&b.column(j)))
}

/// The mean squared error of every column against the target's, as a row.
pub fn mse_columns<T: RealField + Copy, const N: usize, const B: usize>(
    a: &SMatrix<T, N, B>,
    y: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    let mean = T::one() / nalgebra::convert::<f64, T>(N as f64);
    SMatrix::from_fn(|_, j| (a.column(j) - y.column(j)).norm_squared() * mean)
}

/// [`bce_with_logits`](crate::functions::bce_with_logits) of every column, as a row.
pub fn bce_with_logits_columns<T: RealField + Copy, const N: usize, const B: usize>(
    theta: &SMatrix<T, N, B>,
    y: &SMatrix<T, N, B>,
) -> SMatrix<T, 1, B> {
    let zero = T::zero();
    SMatrix::from_fn(|_, j| {
        theta.column(j).zip_fold(&y.column(j), zero, |acc, t, y| {
            acc + t.max(zero) - y * t + (-t.abs()).exp().ln_1p()
        })
    })
}

/// [`maxout`](super::sample::maxout) of every column.
pub fn maxout_columns<T: RealField + Copy, const N: usize, const P: usize, const B: usize>(
    t: &SMatrix<T, P, B>,
) -> SMatrix<T, N, B> {
    let mut h = SMatrix::<T, N, B>::zeros();
    for j in 0..B {
        let column = maxout::<T, N, P>(&t.column(j).into_owned());
        h.set_column(j, &column);
    }
    h
}

/// [`maxout_route`](super::sample::maxout_route) of every column.
pub fn maxout_route_columns<T: RealField + Copy, const N: usize, const P: usize, const B: usize>(
    t: &SMatrix<T, P, B>,
    g: &SMatrix<T, N, B>,
) -> SMatrix<T, P, B> {
    let mut routed = SMatrix::<T, P, B>::zeros();
    for j in 0..B {
        let column = maxout_route::<T, N, P>(&t.column(j).into_owned(), &g.column(j).into_owned());
        routed.set_column(j, &column);
    }
    routed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{bce_with_logits, softmax};
    use nalgebra::SVector;

    #[test]
    fn softmax_of_every_column() {
        let t = SMatrix::<f64, 3, 2>::new(1.0, 0.0, 2.0, 3.0, -1.0, 0.5);
        let p = softmax_columns(&t);
        assert_eq!(p.column(1), softmax(&t.column(1).into_owned()));
        let t = SMatrix::<f64, 2, 2>::new(0.0, 1.0, 0.0, 1.0);
        let (p, m, s) = softmax_parts_columns(&t);
        assert_eq!((p[(0, 0)], m[1], s[0]), (0.5, 1.0, 2.0));
        let t = SMatrix::<f64, 2, 2>::new(0.0, 5.0, 3.0, 1.0);
        assert_eq!(max_columns(&t), SMatrix::<f64, 1, 2>::new(3.0, 5.0));
        assert_eq!(exp_sum_columns(&SMatrix::<f64, 2, 1>::zeros())[0], 2.0);
        let t = SMatrix::<f32, 2, 1>::new(1e4, 1e4);
        assert!((log_sum_exp_columns(&t)[0] - (1e4 + 2f32.ln())).abs() < 1e-2);
    }

    #[test]
    fn losses_of_every_column() {
        let a = SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0);
        assert_eq!(dot_columns(&a, &a), SMatrix::<f64, 1, 2>::new(10.0, 20.0));
        let a = SMatrix::<f64, 2, 1>::new(1.0, 3.0);
        assert_eq!(mse_columns(&a, &SMatrix::zeros())[0], 5.0);
        let t = SMatrix::<f32, 1, 2>::new(-1e4, 0.0);
        let y = SMatrix::<f32, 1, 2>::new(1.0, 1.0);
        let j = bce_with_logits_columns(&t, &y);
        assert_eq!(j[0], 1e4);
        assert_eq!(
            j[1],
            bce_with_logits(&SVector::<f32, 1>::new(0.0), &SVector::<f32, 1>::new(1.0))
        );
    }

    #[test]
    fn maxout_of_every_column() {
        let t = SMatrix::<f64, 4, 1>::new(1.0, 4.0, 5.0, -2.0);
        assert_eq!(maxout_columns::<f64, 2, 4, 1>(&t)[0], 5.0);
        let g = SMatrix::<f64, 2, 1>::new(10.0, 20.0);
        let r = maxout_route_columns::<f64, 2, 4, 1>(&t, &g);
        assert_eq!(r.as_slice(), &[0.0, 20.0, 10.0, 0.0]);
    }
}

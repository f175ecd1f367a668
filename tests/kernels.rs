//! The matrix kernels behind the generated code (register-blocked, and AVX2/FMA on x86-64
//! processors that have it, for f32) and the portable code (f64) against a plain triple loop in f64, on shapes that exercise every
//! tile and every ragged edge (rows not a multiple of 8, columns not a multiple of 4).

use mlp::__private::{affine, affine_columns, mul, mul_tr, sub_outer, tr_mul};
use mlp::nalgebra::SMatrix;
use mlp::rng::Rng;

fn random<const R: usize, const C: usize>(rng: &mut Rng) -> SMatrix<f32, R, C> {
    SMatrix::from_fn(|_, _| rng.normal() as f32)
}

/// `A·B` in f64, by the definition.
fn reference<const M: usize, const N: usize, const K: usize>(
    a: &SMatrix<f32, M, K>,
    b: &SMatrix<f32, K, N>,
) -> SMatrix<f64, M, N> {
    SMatrix::from_fn(|i, j| (0..K).map(|k| a[(i, k)] as f64 * b[(k, j)] as f64).sum())
}

fn assert_close<const M: usize, const N: usize>(
    got: &SMatrix<f32, M, N>,
    want: &SMatrix<f64, M, N>,
    k: usize,
    what: &str,
) {
    for (g, w) in got.iter().zip(want.iter()) {
        let tolerance = 1e-5 * (k as f64).sqrt() * w.abs().max(1.0);
        assert!(
            (*g as f64 - w).abs() <= tolerance,
            "{what} {M}×{N} (k = {k}): {g} vs {w}"
        );
    }
}

macro_rules! shapes {
    ($($name:ident: $m:literal, $n:literal, $k:literal;)*) => {$(
        #[test]
        fn $name() {
            let mut rng = Rng::new(($m * 10_000 + $n * 100 + $k) as u64);
            let a = random::<$m, $k>(&mut rng);
            let b = random::<$k, $n>(&mut rng);
            let want = reference(&a, &b);
            assert_close(&mul(&a, &b), &want, $k, "mul");
            assert_close(&mul_tr(&a, &b.transpose()), &want, $k, "mul_tr");
            assert_close(&tr_mul(&a.transpose(), &b), &want, $k, "tr_mul");
            let bias = random::<$m, 1>(&mut rng);
            let shifted = want + SMatrix::<f64, $m, $n>::from_fn(|i, _| bias[i] as f64);
            assert_close(&affine_columns(&a, &b, &bias), &shifted, $k, "affine_columns");
            let full_bias = SMatrix::<f32, $m, $n>::from_fn(|i, _| bias[i]);
            assert_close(&affine(&a, &b, &full_bias), &shifted, $k, "affine");
            // C − α·A·Bᵀ, in place.
            let mut c = random::<$m, $n>(&mut rng);
            let expected = c.map(|v| v as f64) - want * 0.5;
            sub_outer(&mut c, 0.5, &a, &b.transpose());
            assert_close(&c, &expected, $k, "sub_outer");

            // f64 takes the portable register-blocked code everywhere: the same shapes.
            let (a, b) = (a.map(f64::from), b.map(f64::from));
            for (got, what) in [
                (mul(&a, &b), "mul f64"),
                (mul_tr(&a, &b.transpose()), "mul_tr f64"),
                (tr_mul(&a.transpose(), &b), "tr_mul f64"),
            ] {
                assert!((got - want).amax() <= 1e-12 * want.amax().max(1.0), "{what}");
            }
            let mut c = SMatrix::<f64, $m, $n>::zeros();
            sub_outer(&mut c, 2.0, &a, &b.transpose());
            assert!((c + want * 2.0).amax() <= 1e-12 * want.amax().max(1.0), "sub_outer f64");
        }
    )*};
}

shapes! {
    tiny: 3, 2, 1;
    rank_one_rows_8: 8, 5, 1;
    rank_one_wide: 32, 64, 1;
    ragged_rows: 10, 32, 32;
    ragged_everything: 19, 7, 5;
    one_column: 32, 1, 64;
    one_column_odd_k: 40, 1, 7;
    seventeen_rows: 17, 4, 3;
    digits_forward: 32, 32, 64;
    digits_weight_gradient: 32, 64, 32;
    digits_output: 10, 32, 32;
    card_forward: 16, 32, 2;
}

/// Every name the generated code calls through `::mlp::__private`, with its signature: changing
/// one breaks this test before it breaks the expansion of every user's network.
#[test]
fn the_private_paths_of_generated_code_keep_their_signatures() {
    use mlp::__private as p;
    use mlp::nalgebra::{SMatrix, SVector};
    type V<const N: usize> = SVector<f64, N>;
    type M<const R: usize, const C: usize> = SMatrix<f64, R, C>;

    // One sample.
    let _: fn(&V<3>) -> V<3> = p::softmax::<f64, 3>;
    let _: fn(&V<3>) -> (V<3>, f64, f64) = p::softmax_parts::<f64, 3>;
    let _: fn(&V<3>) -> f64 = p::exp_sum::<f64, 3>;
    let _: fn(&V<3>) -> f64 = p::log_sum_exp::<f64, 3>;
    let _: fn(&V<3>, &V<3>) -> f64 = p::bce_with_logits::<f64, 3>;
    let _: fn(&V<3>, &V<3>) -> f64 = p::binary_cross_entropy::<f64, 3>;
    let _: fn(&V<4>) -> V<2> = p::maxout::<f64, 2, 4>;
    let _: fn(&V<4>, &V<2>) -> V<4> = p::maxout_route::<f64, 2, 4>;
    let _: fn(&V<4>) -> M<2, 4> = p::maxout_selection::<f64, 2, 4>;
    // Updates in place.
    let _: fn(&mut M<2, 3>, &M<2, 3>, f64) = p::sgd_update::<f64, 2, 3>;
    let _: fn(&mut M<2, 3>, f64, &M<2, 4>, &M<3, 4>) = p::sub_outer::<f64, 2, 3, 4>;
    let _: fn(&mut M<2, 3>, &V<2>, &V<3>) = p::set_outer::<f64, 2, 3>;
    // Products.
    let _: fn(&M<2, 4>, &M<4, 3>) -> M<2, 3> = p::mul::<f64, 2, 3, 4>;
    let _: fn(&M<2, 4>, &M<3, 4>) -> M<2, 3> = p::mul_tr::<f64, 2, 3, 4>;
    let _: fn(&M<4, 2>, &M<4, 3>) -> M<2, 3> = p::tr_mul::<f64, 2, 3, 4>;
    let _: fn(&M<2, 4>, &M<4, 3>, &M<2, 3>) -> M<2, 3> = p::affine::<f64, 2, 3, 4>;
    let _: fn(&M<2, 4>, &M<4, 3>, &M<2, 1>) -> M<2, 3> = p::affine_columns::<f64, 2, 3, 4>;
    // A batch, one sample per column.
    let _: fn(&M<3, 5>) -> M<3, 5> = p::softmax_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>) -> (M<3, 5>, M<1, 5>, M<1, 5>) = p::softmax_parts_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>) -> M<1, 5> = p::max_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>) -> M<1, 5> = p::exp_sum_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>) -> M<1, 5> = p::log_sum_exp_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>, &M<3, 5>) -> M<1, 5> = p::dot_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>, &M<3, 5>) -> M<1, 5> = p::mse_columns::<f64, 3, 5>;
    let _: fn(&M<3, 5>, &M<3, 5>) -> M<1, 5> = p::bce_with_logits_columns::<f64, 3, 5>;
    let _: fn(&M<4, 5>) -> M<2, 5> = p::maxout_columns::<f64, 2, 4, 5>;
    let _: fn(&M<4, 5>, &M<2, 5>) -> M<4, 5> = p::maxout_route_columns::<f64, 2, 4, 5>;
    // What the traces print, and nalgebra.
    let m = M::<2, 2>::new(1.0, 2.0, 3.0, 4.0);
    assert_eq!(p::Compact(&m).to_string(), "[1, 2; 3, 4]");
    fn real<T: p::RealField>() {}
    real::<f32>();
    let _: p::nalgebra::SVector<f64, 1> = V::<1>::zeros();
}

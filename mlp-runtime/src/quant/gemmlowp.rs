//! gemmlowp's fixed-point functions (`fixedpoint/fixedpoint.h`), on raw `i32` values: a
//! `FixedPoint<int32_t, I>` is its raw integer, the real number `raw / 2^(31 − I)`. TFLite's int8
//! [`Softmax`](super::Softmax) is made of them; [`logistic`] and [`tanh`] are those of the
//! fixed-point int8 LOGISTIC and TANH kernels (`reference_integer_ops::Logistic` / `Tanh` for
//! int8, which TensorFlow Lite Micro runs, and LiteRT's `kFixedPointOptimized`), which LiteRT's
//! reference kernels do *not* use for int8 (they use the tables of
//! [`Logistic`](super::Logistic) and [`Tanh`](super::Tanh)).
//!
//! Followed from `google/gemmlowp`, `fixedpoint/fixedpoint.h` (`exp_on_negative_values`,
//! `exp_on_interval_between_negative_one_quarter_and_0_excl`,
//! `one_over_one_plus_x_for_x_in_0_1`, `one_minus_x_over_one_plus_x_for_x_in_0_1`,
//! `logistic`, `tanh`, `RoundingHalfSum`, `SaturatingRoundingMultiplyByPOT`, `Rescale`), and
//! LiteRT's `tflite/kernels/internal/common.h` (`GetReciprocal`). A fixed-point product is
//! [`saturating_rounding_doubling_high_mul`]; a sum or difference is the raw `int32_t` one
//! (wrapping here, undefined in C++; it does not overflow on these paths). All `const fn`, no
//! float.

use super::fixed_point::{rounding_divide_by_pot, saturating_rounding_doubling_high_mul};

/// The raw value of ½ in Q0.31.
const ONE_HALF: i32 = 1 << 30;

/// A fixed-point product: `SaturatingRoundingDoublingHighMul` of the raw values.
#[inline]
const fn mul(a: i32, b: i32) -> i32 {
    saturating_rounding_doubling_high_mul(a, b)
}

/// `SaturatingRoundingMultiplyByPOT<exponent>` for `exponent > 0`: `x · 2^exponent`, saturated
/// to the `i32` range (gemmlowp compares with `±(2^(31 − exponent) − 1)`).
#[inline]
pub const fn saturating_shift_left(x: i32, exponent: u32) -> i32 {
    let threshold = (1i32 << (31 - exponent)) - 1;
    if x > threshold {
        i32::MAX
    } else if x < -threshold {
        i32::MIN
    } else {
        x << exponent
    }
}

/// `RoundingHalfSum(a, b)`: `(a + b) / 2` rounded to the nearest, halves away from zero.
#[inline]
pub const fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = a as i64 + b as i64;
    let sign = if sum >= 0 { 1 } else { -1 };
    ((sum + sign) / 2) as i32
}

/// `exp_on_interval_between_negative_one_quarter_and_0_excl`: `exp(a)` for `a` in `[−¼, 0)`,
/// both in Q0.31, by a Taylor expansion around `−⅛`.
pub const fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    // exp(−1/8) and 1/3 in Q0.31.
    const CONSTANT_TERM: i32 = 1_895_147_668;
    const CONSTANT_1_OVER_3: i32 = 715_827_883;
    // x = a + 1/8.
    let x = a.wrapping_add(1 << 28);
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = rounding_divide_by_pot(x4, 2);
    let x4_over_24_plus_x3_over_6_plus_x2_over_2 = rounding_divide_by_pot(
        mul(x4_over_4.wrapping_add(x3), CONSTANT_1_OVER_3).wrapping_add(x2),
        1,
    );
    CONSTANT_TERM.wrapping_add(mul(
        CONSTANT_TERM,
        x.wrapping_add(x4_over_24_plus_x3_over_6_plus_x2_over_2),
    ))
}

/// `exp_on_negative_values` of a `FixedPoint<int32_t, integer_bits>` (`a ≤ 0`), in Q0.31:
/// `exp` of `a mod ¼ − ¼` by [`exp_on_interval_between_negative_one_quarter_and_0_excl`], times
/// `exp(−2^k)` for every bit `k` of the rest (the "barrel shifter"), `a = 0` giving
/// `i32::MAX` (one), and below `−32` zero when there are more than 5 integer bits.
///
/// `integer_bits` in `0..=30` (a compile-time parameter in gemmlowp).
pub const fn exp_on_negative_values(a: i32, integer_bits: i32) -> i32 {
    let fractional_bits = 31 - integer_bits;
    let one_quarter: i32 = 1 << (fractional_bits - 2);
    let mask = one_quarter - 1;
    let a_mod_quarter_minus_one_quarter = (a & mask).wrapping_sub(one_quarter);
    // Rescale<0>: from integer_bits integer bits to none, a saturating shift left.
    let rescaled = if integer_bits > 0 {
        saturating_shift_left(a_mod_quarter_minus_one_quarter, integer_bits as u32)
    } else {
        a_mod_quarter_minus_one_quarter
    };
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(rescaled);
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    // exp(−2^exponent) in Q0.31, for exponent −2..=4.
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    let mut i = 0;
    while i < BARREL.len() {
        let (exponent, multiplier) = BARREL[i];
        if integer_bits > exponent {
            let shift = fractional_bits + exponent;
            if remainder & (1 << shift) != 0 {
                result = mul(result, multiplier);
            }
        }
        i += 1;
    }
    if integer_bits > 5 {
        let clamp = -(1i32 << (36 - integer_bits));
        if a < clamp {
            result = 0;
        }
    }
    if a == 0 {
        result = i32::MAX;
    }
    result
}

/// `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a` in `[0, 1)`, both Q0.31, by three
/// Newton–Raphson steps in Q2.29 from `48/17 − 32/17 · d` (`d = (1 + a)/2`).
pub const fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    // 48/17 and −32/17 in Q2.29; one in Q2.29.
    const CONSTANT_48_OVER_17: i32 = 1_515_870_810;
    const CONSTANT_NEG_32_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    // F0::One() is the largest raw value, 1 − 2⁻³¹.
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = CONSTANT_48_OVER_17.wrapping_add(mul(half_denominator, CONSTANT_NEG_32_OVER_17));
    let mut i = 0;
    while i < 3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus_half_denominator_times_x = ONE_Q2.wrapping_sub(half_denominator_times_x);
        // Q2 · Q2 = Q4, Rescale<2>: a saturating shift left by 2.
        x = x.wrapping_add(saturating_shift_left(
            mul(x, one_minus_half_denominator_times_x),
            2,
        ));
        i += 1;
    }
    // ExactMulByPot<−1> (Q2 → Q1, the same raw value), then Rescale<0> (shift left by 1).
    saturating_shift_left(x, 1)
}

/// `one_minus_x_over_one_plus_x_for_x_in_0_1`: `(1 − a)/(1 + a)` for `a` in `[0, 1)`, Q0.31,
/// by the same Newton–Raphson steps as [`one_over_one_plus_x_for_x_in_0_1`].
pub const fn one_minus_x_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const CONSTANT_48_OVER_17: i32 = 1_515_870_810;
    const CONSTANT_NEG_32_OVER_17: i32 = -1_010_580_540;
    const ONE_Q2: i32 = 1 << 29;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = CONSTANT_48_OVER_17.wrapping_add(mul(half_denominator, CONSTANT_NEG_32_OVER_17));
    let mut i = 0;
    while i < 3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus_half_denominator_times_x = ONE_Q2.wrapping_sub(half_denominator_times_x);
        x = x.wrapping_add(saturating_shift_left(
            mul(x, one_minus_half_denominator_times_x),
            2,
        ));
        i += 1;
    }
    // Rescale<0>(x − 1): Q2 → Q0, a saturating shift left by 2.
    saturating_shift_left(x.wrapping_sub(ONE_Q2), 2)
}

/// gemmlowp's `logistic` of a `FixedPoint<int32_t, integer_bits>`: `1/(1 + e^−a)` in Q0.31,
/// as `one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(−|a|))` for `a > 0`, one minus
/// that for `a < 0`, and exactly ½ at 0.
pub const fn logistic(a: i32, integer_bits: i32) -> i32 {
    if a == 0 {
        return ONE_HALF;
    }
    let abs = if a > 0 { a } else { a.wrapping_neg() };
    let positive =
        one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(abs.wrapping_neg(), integer_bits));
    if a > 0 {
        positive
    } else {
        i32::MAX.wrapping_sub(positive)
    }
}

/// gemmlowp's `tanh` of a `FixedPoint<int32_t, integer_bits>` (`integer_bits` ≤ 29), in Q0.31:
/// `(1 − e^{2a})/(1 + e^{2a})` of `−|a|` (`exp_on_negative_values` of the same raw value read
/// with one more integer bit, i.e. of `2·(−|a|)`), negated back for `a < 0`, 0 at 0.
pub const fn tanh(a: i32, integer_bits: i32) -> i32 {
    if a == 0 {
        return 0;
    }
    let n = if a < 0 { a } else { a.wrapping_neg() };
    let t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1));
    if a < 0 {
        t.wrapping_neg()
    } else {
        t
    }
}

/// TFLite's `GetReciprocal(x, x_integer_digits, &num_bits_over_unit)`: for `x > 0` in
/// `FixedPoint<int32_t, x_integer_digits>`, `(scale, num_bits_over_unit)` with `scale` in Q0.31
/// such that `1/x = scale / 2^num_bits_over_unit`.
pub const fn get_reciprocal(x: i32, x_integer_digits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros();
    let num_bits_over_unit = x_integer_digits - headroom_plus_one as i32;
    let shifted = if headroom_plus_one >= 32 {
        0
    } else {
        (x as u32) << headroom_plus_one
    };
    let shifted_sum_minus_one = shifted.wrapping_sub(1u32 << 31) as i32;
    (
        one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one),
        num_bits_over_unit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(raw: i32, integer_bits: i32) -> f64 {
        raw as f64 / (1u64 << (31 - integer_bits)) as f64
    }

    #[test]
    fn exp_matches_the_real_exponential() {
        // Q5.26 inputs from 0 down to −31.9: exp within a few units of 2⁻³¹ (relative 1e-6).
        for k in 0..2000 {
            let a = -(k as i64 * 1_000_003) as i32;
            let got = real(exp_on_negative_values(a, 5), 0);
            let want = real(a, 5).exp();
            assert!((got - want).abs() < 2e-7 + 1e-6 * want, "{a}: {got} {want}");
        }
        assert_eq!(exp_on_negative_values(0, 5), i32::MAX);
    }

    #[test]
    fn reciprocal_matches_the_real_one() {
        for k in 1..3000 {
            let a = (k as i64 * 715_827) as i32; // [0, 1) in Q0.31
            let got = real(one_over_one_plus_x_for_x_in_0_1(a), 0);
            let want = 1.0 / (1.0 + real(a, 0));
            assert!((got - want).abs() < 1e-8, "{a}: {got} {want}");
        }
        // 1/x for x = 3 in Q12.19: scale·2^−bits.
        let (scale, bits) = get_reciprocal(3 << 19, 12);
        let got = real(scale, 0) / (1u64 << bits) as f64;
        assert!((got - 1.0 / 3.0).abs() < 1e-8);
    }

    #[test]
    fn logistic_and_tanh_match_the_real_functions() {
        // Q4.27 inputs over [−16, 16).
        for k in -1000..1000 {
            let a = k * 2_147_483; // ≈ k/62.5 in Q4.27
            let x = real(a, 4);
            let s = real(logistic(a, 4), 0);
            assert!((s - 1.0 / (1.0 + (-x).exp())).abs() < 1e-6, "{x}: {s}");
            let t = real(tanh(a, 4), 0);
            assert!((t - x.tanh()).abs() < 1e-6, "{x}: {t}");
        }
        assert_eq!(logistic(0, 4), 1 << 30);
        assert_eq!(tanh(0, 4), 0);
    }

    #[test]
    fn small_helpers() {
        assert_eq!(rounding_half_sum(1, 2), 2);
        assert_eq!(rounding_half_sum(-1, -2), -2);
        assert_eq!(rounding_half_sum(i32::MAX, i32::MAX), i32::MAX);
        // Saturates beyond ±(2^(31 − e) − 1), as gemmlowp compares.
        assert_eq!(saturating_shift_left(1 << 29, 2), i32::MAX);
        assert_eq!(saturating_shift_left(-(1 << 29), 2), i32::MIN);
        assert_eq!(
            saturating_shift_left((1 << 29) - 1, 2),
            ((1 << 29) - 1) << 2
        );
        assert_eq!(
            saturating_shift_left(1 - (1 << 29), 2),
            (1 - (1 << 29)) << 2
        );
        assert_eq!(saturating_shift_left(-5, 1), -10);
    }
}

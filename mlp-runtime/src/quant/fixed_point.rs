//! TensorFlow Lite's fixed-point arithmetic: the requantization primitives of its int8 kernels.
//!
//! Followed from `tensorflow/tflite-micro`, file `tensorflow/lite/kernels/internal/common.cc`,
//! both branches of `#if TFLITE_SINGLE_ROUNDING`:
//! - [`multiply_by_quantized_multiplier_single_rounding`]: the `TFLITE_SINGLE_ROUNDING` branch,
//!   one 64-bit product, one rounding shift. This is the one LiteRT's reference kernels use:
//!   established on the fixture `tests/fixtures/tflite/sine.txt` (LiteRT's `BUILTIN_REF`
//!   interpreter, `scripts/tflite_fixtures.py`), whose 200 int8 outputs it reproduces exactly
//!   (`tests/tflite_sine.rs`), where the double-rounding form gets 8 of them wrong by one;
//! - [`multiply_by_quantized_multiplier`]: the `#else` branch, gemmlowp's two steps
//!   (`SaturatingRoundingDoublingHighMul`, then `RoundingDivideByPOT`), each rounding once, as
//!   TFLite builds without `TFLITE_SINGLE_ROUNDING` compute it;
//!
//! and `quantization_util.cc` (`QuantizeMultiplier`), and gemmlowp's `fixedpoint/fixedpoint.h`
//! (the scalar `SaturatingRoundingDoublingHighMul` and `RoundingDivideByPOT` that `common.cc`
//! calls).
//!
//! The integer functions are `const fn`, use no float and never panic: where the C++ has
//! undefined behaviour (an `int32_t` product that overflows) they wrap, as two's-complement
//! hardware does.

/// `gemmlowp::SaturatingRoundingDoublingHighMul`: the high 32 bits of `2·a·b`, i.e. `a·b / 2³¹`
/// rounded to the nearest; the one product that does not fit, `i32::MIN · i32::MIN`, saturates
/// to `i32::MAX`.
///
/// Exactly as gemmlowp: the 64-bit product plus a nudge of `2³⁰` (or `1 − 2³⁰` when negative),
/// divided by `2³¹` truncating toward zero. So ties round up, toward +∞ (`0.5 → 1`,
/// `−0.5 → 0`, `−1.5 → −1`), unlike [`rounding_divide_by_pot`], whose ties go away from zero.
///
/// ```
/// use mlp::quant::saturating_rounding_doubling_high_mul as srdhm;
/// assert_eq!(srdhm(i32::MIN, i32::MIN), i32::MAX);
/// assert_eq!(srdhm(1 << 30, 1 << 30), 1 << 29); // ½ · ½ = ¼ in Q0.31
/// assert_eq!(srdhm(3, 1 << 30), 2); // 1.5 → 2
/// assert_eq!(srdhm(-3, 1 << 30), -1); // −1.5 → −1
/// ```
#[inline]
pub const fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == b && a == i32::MIN {
        return i32::MAX;
    }
    let ab = a as i64 * b as i64;
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // `/` on integers truncates toward zero, as C++'s does.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// `gemmlowp::RoundingDivideByPOT`: `x / 2^exponent` rounded to the nearest, ties away from
/// zero (`-5 / 2 = -3`, `5 / 2 = 3`), for `exponent` in `0..=31` (gemmlowp asserts that range;
/// here an exponent outside it is clamped into it).
///
/// ```
/// use mlp::quant::rounding_divide_by_pot;
/// assert_eq!(rounding_divide_by_pot(5, 1), 3);
/// assert_eq!(rounding_divide_by_pot(-5, 1), -3);
/// assert_eq!(rounding_divide_by_pot(-6, 2), -2); // −1.5 → −2
/// assert_eq!(rounding_divide_by_pot(7, 0), 7);
/// ```
#[inline]
pub const fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let exponent = if exponent < 0 {
        0
    } else if exponent > 31 {
        31
    } else {
        exponent
    };
    // gemmlowp computes the mask in 64 bits, so exponent 31 gives 0x7FFF_FFFF.
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + if x < 0 { 1 } else { 0 };
    (x >> exponent) + if remainder > threshold { 1 } else { 0 }
}

/// TFLite's `MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift)`,
/// the double-rounding version (`TFLITE_SINGLE_ROUNDING` off; LiteRT's reference kernels use
/// [`multiply_by_quantized_multiplier_single_rounding`] instead): `x` times the
/// real number `multiplier / 2³¹ · 2^shift`, as
/// `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^max(shift, 0), multiplier),
/// max(−shift, 0))`.
///
/// `multiplier` and `shift` come from [`quantize_multiplier`]; `shift` is in `-31..=30`. As in
/// TFLite, `x · 2^shift` for a positive shift is an `int32_t` product: it wraps if it overflows
/// (undefined in C++; TFLite's converter never makes such a case).
///
/// ```
/// use mlp::quant::{multiply_by_quantized_multiplier, quantize_multiplier};
/// let (m, s) = quantize_multiplier(0.25);
/// assert_eq!(multiply_by_quantized_multiplier(100, m, s), 25);
/// assert_eq!(multiply_by_quantized_multiplier(-6, m, s), -2); // −1.5 → −2
/// ```
#[inline]
pub const fn multiply_by_quantized_multiplier(x: i32, multiplier: i32, shift: i32) -> i32 {
    let left_shift = if shift > 0 { shift } else { 0 };
    let right_shift = if shift > 0 { 0 } else { -shift };
    let scaled = x.wrapping_mul(1i32.wrapping_shl(left_shift as u32));
    rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(scaled, multiplier),
        right_shift,
    )
}

/// TFLite's `MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift)`,
/// the single-rounding version (`TFLITE_SINGLE_ROUNDING`), the one LiteRT's reference kernels
/// use: `x` times the real number `multiplier / 2³¹ · 2^shift`, as
/// `(x · multiplier + 2^(30 − shift)) >> (31 − shift)` in 64 bits.
///
/// One product and one arithmetic shift right by `31 − shift` after adding half of its unit:
/// round to the nearest, ties toward +∞ (`−1.5 → −1`, `1.5 → 2`), whatever the sign of `shift`
/// (a positive shift only shortens the right shift; nothing is shifted left). Where the
/// double-rounding [`multiply_by_quantized_multiplier`] rounds twice, for a negative shift, the
/// two can differ by one.
///
/// `multiplier` and `shift` come from [`quantize_multiplier`]. TFLite asserts
/// `multiplier ≥ 0` and `shift` in `-31..=30`; here a shift outside that range is clamped into
/// it, a negative multiplier computes the same formula, and a result outside `i32` wraps
/// (TFLite asserts it fits).
///
/// ```
/// use mlp::quant::{multiply_by_quantized_multiplier_single_rounding as mbqm1, quantize_multiplier};
/// let (m, s) = quantize_multiplier(0.25);
/// assert_eq!(mbqm1(100, m, s), 25);
/// assert_eq!(mbqm1(-6, m, s), -1); // −1.5 → −1 (the double-rounding form gives −2)
/// assert_eq!(mbqm1(6, m, s), 2); // 1.5 → 2
/// ```
#[inline]
pub const fn multiply_by_quantized_multiplier_single_rounding(
    x: i32,
    multiplier: i32,
    shift: i32,
) -> i32 {
    let shift = if shift < -31 {
        -31
    } else if shift > 30 {
        30
    } else {
        shift
    };
    // 1..=62: the C++'s `total_shift`.
    let total_shift = (31 - shift) as u32;
    // (p + 2^(k−1)) >> k computed as ((p >> (k−1)) + 1) >> 1: the same number (floor division
    // twice), without a 64-bit shift to the left; a Cortex-M0 has no 64-bit shifts.
    let product = x as i64 * multiplier as i64;
    (((product >> (total_shift - 1)) + 1) >> 1) as i32
}

/// TFLite's `QuantizeMultiplier(double, int32_t*, int*)`: a real multiplier as
/// `(multiplier, shift)` with `real ≈ multiplier / 2³¹ · 2^shift` and `multiplier` in
/// `[2³⁰, 2³¹)` (negative for a negative `real`), for [`multiply_by_quantized_multiplier`].
///
/// As TFLite: `q, shift = frexp(real)`, `multiplier = round(q · 2³¹)` (ties away from zero),
/// `2³¹` becomes `2³⁰` with `shift + 1`, and a shift below −31 (|real| below about 2⁻³¹) flushes
/// to `(0, 0)`; `0.0` gives `(0, 0)`. Used at quantization time, on the host: it reads the bits
/// of the `f64` and computes the rest in integers, so it gives the same answer everywhere.
///
/// # Panics
///
/// If `real` is not finite (TFLite's `TFLITE_CHECK` fails there too).
///
/// ```
/// use mlp::quant::quantize_multiplier;
/// assert_eq!(quantize_multiplier(0.5), (1 << 30, 0));
/// assert_eq!(quantize_multiplier(1.0), (1 << 30, 1));
/// assert_eq!(quantize_multiplier(0.0), (0, 0));
/// ```
pub const fn quantize_multiplier(real: f64) -> (i32, i32) {
    let bits = real.to_bits();
    let negative = bits >> 63 == 1;
    let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    assert!(
        biased_exponent != 0x7ff,
        "quantize_multiplier: the multiplier is not finite"
    );
    if biased_exponent == 0 && fraction == 0 {
        return (0, 0);
    }
    // |real| = mantissa · 2^(exponent − 52) with the mantissa normalized to 53 bits,
    // so frexp gives q = mantissa / 2⁵³ in [½, 1) and shift = exponent + 1.
    let (mut mantissa, mut exponent) = if biased_exponent == 0 {
        (fraction, -1022)
    } else {
        (fraction | (1u64 << 52), biased_exponent - 1023)
    };
    while mantissa & (1u64 << 52) == 0 {
        mantissa <<= 1;
        exponent -= 1;
    }
    let mut shift = exponent + 1;
    // round(q · 2³¹) = round(mantissa / 2²²), ties away from zero on the magnitude.
    let mut q_fixed = ((mantissa + (1u64 << 21)) >> 22) as i64;
    if q_fixed == 1i64 << 31 {
        q_fixed /= 2;
        shift += 1;
    }
    if shift < -31 {
        return (0, 0);
    }
    let q_fixed = if negative { -q_fixed } else { q_fixed };
    (q_fixed as i32, shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srdhm_saturates_only_at_min_min() {
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MAX),
            -i32::MAX
        );
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MAX, i32::MAX),
            i32::MAX - 1
        );
        assert_eq!(saturating_rounding_doubling_high_mul(i32::MIN, 1), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(i32::MIN, -1), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(0, i32::MIN), 0);
    }

    #[test]
    fn srdhm_rounds_ties_up() {
        // a·b = ±2³⁰ is exactly ½ in units of 2³¹: gemmlowp's nudge sends ties toward +∞.
        assert_eq!(saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(1, (1 << 30) - 1), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, (1 << 30) - 1), 0);
        assert_eq!(saturating_rounding_doubling_high_mul(-1, (1 << 30) + 1), -1);
        // 3·2³⁰ = 1.5 · 2³¹.
        assert_eq!(saturating_rounding_doubling_high_mul(3, 1 << 30), 2);
        assert_eq!(saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
        assert_eq!(saturating_rounding_doubling_high_mul(-5, 1 << 30), -2);
    }

    #[test]
    fn rdbp_every_exponent() {
        for e in 0..=31 {
            assert_eq!(rounding_divide_by_pot(0, e), 0);
            if e >= 1 {
                let half = 1i64 << (e - 1);
                // ±½ rounds away from zero, just under ½ rounds to zero.
                assert_eq!(rounding_divide_by_pot(half as i32, e), 1, "e = {e}");
                assert_eq!(rounding_divide_by_pot(-half as i32, e), -1, "e = {e}");
                assert_eq!(rounding_divide_by_pot((half - 1) as i32, e), 0, "e = {e}");
                assert_eq!(rounding_divide_by_pot((1 - half) as i32, e), 0, "e = {e}");
            }
            if e <= 30 {
                assert_eq!(rounding_divide_by_pot(1 << e, e), 1);
                assert_eq!(rounding_divide_by_pot(-(1 << e), e), -1);
            }
        }
        assert_eq!(rounding_divide_by_pot(i32::MAX, 31), 1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 31), -1);
        assert_eq!(rounding_divide_by_pot(i32::MIN, 0), i32::MIN);
        assert_eq!(rounding_divide_by_pot(i32::MAX, 0), i32::MAX);
        assert_eq!(rounding_divide_by_pot(-5, 1), -3);
        assert_eq!(rounding_divide_by_pot(-7, 2), -2);
        assert_eq!(rounding_divide_by_pot(-6, 2), -2);
        assert_eq!(rounding_divide_by_pot(-5, 2), -1);
    }

    #[test]
    fn quantize_multiplier_known_values() {
        assert_eq!(quantize_multiplier(0.0), (0, 0));
        assert_eq!(quantize_multiplier(-0.0), (0, 0));
        assert_eq!(quantize_multiplier(0.5), (1 << 30, 0));
        assert_eq!(quantize_multiplier(0.75), (3 << 29, 0));
        assert_eq!(quantize_multiplier(2.0), (1 << 30, 2));
        assert_eq!(quantize_multiplier(-0.5), (-(1 << 30), 0));
        // q = 1 − 2⁻⁵³ rounds up to 2³¹, which becomes 2³⁰ with one more shift.
        assert_eq!(quantize_multiplier(1.0 - f64::EPSILON / 2.0), (1 << 30, 1));
        // 2⁻³² = ½ · 2⁻³¹ is the smallest power of two kept; 2⁻³³ flushes to zero.
        assert_eq!(quantize_multiplier(2f64.powi(-31)), (1 << 30, -30));
        assert_eq!(quantize_multiplier(2f64.powi(-32)), (1 << 30, -31));
        assert_eq!(quantize_multiplier(2f64.powi(-33)), (0, 0));
        assert_eq!(quantize_multiplier(f64::MIN_POSITIVE / 4.0), (0, 0));
    }

    #[test]
    fn mbqm_known_values() {
        let (m, s) = quantize_multiplier(0.25);
        assert_eq!(multiply_by_quantized_multiplier(100, m, s), 25);
        // With a right shift the tie is RoundingDivideByPOT's: away from zero.
        assert_eq!(multiply_by_quantized_multiplier(2, m, s), 1); // ½ → 1
        assert_eq!(multiply_by_quantized_multiplier(-2, m, s), -1); // −½ → −1
                                                                    // With shift 0 it is SaturatingRoundingDoublingHighMul's: toward +∞.
        let (m, s) = quantize_multiplier(0.5);
        assert_eq!(s, 0);
        assert_eq!(multiply_by_quantized_multiplier(-1, m, s), 0); // −½ → 0
        assert_eq!(multiply_by_quantized_multiplier(-3, m, s), -1); // −1.5 → −1
        let (m, s) = quantize_multiplier(3.0);
        assert_eq!(multiply_by_quantized_multiplier(7, m, s), 21);
        assert_eq!(multiply_by_quantized_multiplier(-7, m, s), -21);
        assert_eq!(multiply_by_quantized_multiplier(12345, 0, 0), 0);
    }

    #[test]
    fn single_rounding_known_values() {
        let single = multiply_by_quantized_multiplier_single_rounding;
        // ¼ = (2³⁰, −1): one rounding, ties toward +∞ (the double-rounding form: away from 0).
        let (m, s) = quantize_multiplier(0.25);
        assert_eq!(single(100, m, s), 25);
        assert_eq!(single(2, m, s), 1); // ½ → 1
        assert_eq!(single(-2, m, s), 0); // −½ → 0
        assert_eq!(single(-6, m, s), -1); // −1.5 → −1
        assert_eq!(multiply_by_quantized_multiplier(-6, m, s), -2);
        // ½ = (2³⁰, 0): the same as SaturatingRoundingDoublingHighMul.
        let (m, s) = quantize_multiplier(0.5);
        assert_eq!(single(-1, m, s), 0);
        assert_eq!(single(-3, m, s), -1);
        assert_eq!(single(3, m, s), 2);
        // A positive shift: 3 = (3·2²⁹, 2).
        let (m, s) = quantize_multiplier(3.0);
        assert_eq!(single(7, m, s), 21);
        assert_eq!(single(-7, m, s), -21);
        assert_eq!(single(12345, 0, 0), 0);
        // The ends of TFLite's shift range, and the extreme inputs.
        assert_eq!(single(i32::MAX, 1 << 30, -31), 0); // (2³¹ − 1) · 2⁻³³ < ½
        assert_eq!(single(i32::MIN, 1 << 30, -31), 0); // −¼ → 0
        assert_eq!(single(1, 1 << 30, 30), 1 << 29);
        assert_eq!(single(i32::MIN, i32::MAX, 0), i32::MIN + 1);
        // Single and double rounding agree wherever the double form's first step is exact.
        for x in -1000..=1000 {
            for &real in &[0.5, 1.0, 3.0, 0.75] {
                let (m, s) = quantize_multiplier(real);
                assert_eq!(single(x, m, s), multiply_by_quantized_multiplier(x, m, s));
            }
        }
    }
}

//! The int8 softmax of LiteRT's reference kernels.
//!
//! Followed from `google-ai-edge/LiteRT`: `tflite/kernels/activations.cc` (`SoftmaxPrepare`
//! for `kReference`, the kernel the `BUILTIN_REF` resolver registers), `quantization_util.cc`
//! (`PreprocessSoftmaxScaling`, `CalculateInputRadius`), `reference/softmax.h`
//! (`reference_ops::Softmax`, the quantized overload) and gemmlowp's `fixedpoint.h`. The
//! optimized kernels (`kGenericOptimized`) compute another thing, a float lookup table
//! (`PopulateSoftmaxLookupTable`), and can differ from this by one.

use super::fixed_point::{
    multiply_by_quantized_multiplier_single_rounding, quantize_multiplier, rounding_divide_by_pot,
};
use super::fully_connected::Rounding;
use super::gemmlowp::{exp_on_negative_values, get_reciprocal};
use super::quantization::Quantization;

/// `kScaledDiffIntegerBits`: the differences `x − max` are Q5.26 inside the kernel.
const SCALED_DIFF_INTEGER_BITS: i32 = 5;
/// `kAccumulationIntegerBits`: the sum of the exponentials is Q12.19.
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// TFLite's int8 SOFTMAX (`reference_ops::Softmax`): integer only, no float, no heap.
///
/// For one row `x` (int8, any input scale `s`) and `β`, the output is the probability in
/// Q0.8 shifted by −128, i.e. quantized with [`Softmax::OUTPUT`] (scale 1/256, zero point
/// −128):
///
/// ```text
/// d[c]   = x[c] − max(x)                                         (≤ 0, int32)
/// if d[c] < diff_min: y[c] = −128                                 (exp rounds to 0)
/// r[c]   = MultiplyByQuantizedMultiplierGreaterThanOne(d[c], input_multiplier,
///                                                      input_left_shift)    (Q5.26 of β·s·d)
/// e[c]   = exp_on_negative_values(r[c])                            (Q0.31, gemmlowp)
/// sum    = Σ_{d[c] ≥ diff_min} Rescale<12>(e[c])                   (Q12.19)
/// (scale, bits) = GetReciprocal(sum, 12)                           (1/sum = scale·2^−bits)
/// y[c]   = clamp(RoundingDivideByPOT(SRDHM(scale, e[c]), bits + 31 − 8) − 128, −128, 127)
/// ```
///
/// Rounding: LiteRT is built without `TFLITE_SINGLE_ROUNDING` (its LEAKY_RELU fixtures show
/// `common.cc`'s double rounding, see [`LeakyRelu`](super::LeakyRelu)), so
/// `MultiplyByQuantizedMultiplierGreaterThanOne` is `SRDHM(d · 2^shift, multiplier)` and
/// `PreprocessSoftmaxScaling` caps the real multiplier at `2³¹ − 1`: [`Rounding::Double`], the
/// default. Here the choice cannot change an output: with a shift ≥ 0 both forms are the same
/// round-half-up of `d · multiplier · 2^(shift − 31)`, and the caps (`2³⁰ − 1` single, for
/// input scales above 16) only move `diff_min` by one where `exp` is below the last step of
/// the sum (`Rounding::Single` also reproduces every fixture). Checked on
/// `tests/fixtures/tflite/activations/softmax.txt` and on the three classifier models
/// (`tests/tflite_models.rs`).
///
/// ```
/// use mlp::quant::Softmax;
///
/// let softmax = Softmax::new(0.1, 1.0);
/// // Equal logits: ⅓ each, 85/256 − 128.
/// assert_eq!(softmax.forward(&[7, 7, 7]), [-43, -43, -43]);
/// // One logit far above the others takes everything.
/// assert_eq!(softmax.forward(&[127, -128, -128]), [127, -128, -128]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Softmax {
    /// `input_multiplier`: `β · s · 2²⁶` (capped at `2³⁰ − 1`) as TFLite's Q0.31 multiplier.
    pub input_multiplier: i32,
    /// `input_left_shift`: the multiplier's exponent (≥ 0).
    pub input_left_shift: i32,
    /// `diff_min`: differences below it give an output of −128 without computing `exp`
    /// (`−CalculateInputRadius(5, input_left_shift)`).
    pub diff_min: i32,
    /// How `MultiplyByQuantizedMultiplierGreaterThanOne` rounds ([`Rounding::Double`]:
    /// LiteRT's build; see the type's documentation).
    pub rounding: Rounding,
}

impl Softmax {
    /// The output quantization TFLite requires of an int8 softmax: scale 1/256, zero point
    /// −128.
    pub const OUTPUT: Quantization = Quantization {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// The kernel for an int8 input of scale `input_scale` and the operator's `beta`, as
    /// LiteRT's `SoftmaxPrepare` computes it for `kReference` (double rounding, LiteRT's
    /// build): see [`Softmax::with_rounding`].
    pub fn new(input_scale: f32, beta: f32) -> Self {
        Self::with_rounding(input_scale, beta, Rounding::Double)
    }

    /// The kernel with `rounding`: `PreprocessSoftmaxScaling(β, s, 5)` computes, in `f64`,
    /// `min(β · s · 2²⁶, max)` with `max = 2³⁰ − 1` under single rounding (`2³¹ − 1` under
    /// double rounding), then `QuantizeMultiplierGreaterThanOne` of it; and
    /// `diff_min = −floor(31 · 2²⁶ / 2^input_left_shift)` (`CalculateInputRadius(5, shift)`).
    ///
    /// For the host, at quantization time. Never panics: where `β · s · 2²⁶ ≤ 1` or is not a
    /// number (TFLite's `QuantizeMultiplierGreaterThanOne` checks `> 1`, so its `Prepare` stops:
    /// an input scale below about 1.5·10⁻⁸ for β = 1, which calibration gives a tensor that is
    /// always 0), the multiplier of the smallest product it takes, just above 1: at so fine a
    /// scale every logit is the same, and so is every output.
    pub fn with_rounding(input_scale: f32, beta: f32, rounding: Rounding) -> Self {
        let max_real_multiplier = match rounding {
            Rounding::Single => ((1i64 << 30) - 1) as f64,
            Rounding::Double => ((1i64 << 31) - 1) as f64,
        };
        let product =
            beta as f64 * input_scale as f64 * (1i64 << (31 - SCALED_DIFF_INTEGER_BITS)) as f64;
        let real = if product < max_real_multiplier {
            product
        } else {
            max_real_multiplier
        };
        // The smallest f64 above 1 where TFLite would refuse (NaN included).
        let real = if real > 1.0 { real } else { 1.0 + f64::EPSILON };
        let (input_multiplier, input_left_shift) = quantize_multiplier(real);
        Self {
            input_multiplier,
            input_left_shift,
            diff_min: -calculate_input_radius(SCALED_DIFF_INTEGER_BITS, input_left_shift, 31),
            rounding,
        }
    }

    /// The same kernel, rounding with `rounding` (the multiplier and `diff_min` unchanged).
    pub fn rounded(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    /// The softmax of one int8 row.
    #[inline]
    pub fn forward<const N: usize>(&self, input: &[i8; N]) -> [i8; N] {
        let mut output = [0i8; N];
        self.forward_slice(input, &mut output);
        output
    }

    /// The softmax of `input` into `output` (the same length; extra elements of the longer
    /// are left alone).
    pub fn forward_slice(&self, input: &[i8], output: &mut [i8]) {
        let max_in_row = input.iter().copied().fold(i8::MIN, i8::max) as i32;
        let mut sum_of_exps: i32 = 0;
        for &x in input {
            let diff = x as i32 - max_in_row;
            if diff >= self.diff_min {
                let exp = exp_on_negative_values(self.rescale(diff), SCALED_DIFF_INTEGER_BITS);
                // Rescale<12> of a Q0.31: a rounding shift right by 12.
                sum_of_exps = sum_of_exps
                    .wrapping_add(rounding_divide_by_pot(exp, ACCUMULATION_INTEGER_BITS));
            }
        }
        let (shifted_scale, num_bits_over_unit) =
            get_reciprocal(sum_of_exps, ACCUMULATION_INTEGER_BITS);
        // TFLite checks 0 ≤ exponent ≤ 31; the largest element alone makes the sum ≥ 2¹⁹.
        let exponent = num_bits_over_unit + 31 - 8;
        for (y, &x) in output.iter_mut().zip(input) {
            let diff = x as i32 - max_in_row;
            *y = if diff >= self.diff_min {
                let exp = exp_on_negative_values(self.rescale(diff), SCALED_DIFF_INTEGER_BITS);
                let unsat = rounding_divide_by_pot(
                    super::fixed_point::saturating_rounding_doubling_high_mul(shifted_scale, exp),
                    exponent,
                );
                (unsat - 128).clamp(-128, 127) as i8
            } else {
                -128
            };
        }
    }

    /// `MultiplyByQuantizedMultiplierGreaterThanOne(diff, input_multiplier,
    /// input_left_shift)`.
    #[inline]
    fn rescale(&self, diff: i32) -> i32 {
        match self.rounding {
            Rounding::Single => multiply_by_quantized_multiplier_single_rounding(
                diff,
                self.input_multiplier,
                self.input_left_shift,
            ),
            // The double-rounding GreaterThanOne: SRDHM(x · 2^shift, multiplier), no right
            // shift.
            Rounding::Double => super::fixed_point::saturating_rounding_doubling_high_mul(
                diff.wrapping_mul(1i32.wrapping_shl(self.input_left_shift as u32)),
                self.input_multiplier,
            ),
        }
    }
}

/// TFLite's `CalculateInputRadius(input_integer_bits, input_left_shift, total_signed_bits)`:
/// `floor((2^input_integer_bits − 1) · 2^(total_signed_bits − input_integer_bits) /
/// 2^input_left_shift)`, in `f64` as TFLite (exact here: powers of two).
pub(crate) fn calculate_input_radius(
    input_integer_bits: i32,
    input_left_shift: i32,
    total_signed_bits: i32,
) -> i32 {
    let max_input_rescaled = ((1i64 << input_integer_bits) - 1) as f64
        * (1i64 << (total_signed_bits - input_integer_bits)) as f64
        / (1i64 << input_left_shift) as f64;
    // floor of a non-negative number.
    max_input_rescaled as i64 as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_parameters() {
        // s = 1/16: β·s·2²⁶ = 2²² = ½ · 2²³: multiplier 2³⁰, shift 23.
        let s = Softmax::new(1.0 / 16.0, 1.0);
        assert_eq!((s.input_multiplier, s.input_left_shift), (1 << 30, 23));
        // 31 · 2²⁶ / 2²³ = 248.
        assert_eq!(s.diff_min, -248);
        // A huge scale is capped at 2³¹ − 1 (double rounding): shift 31, diff_min 0.
        let s = Softmax::new(1000.0, 1.0);
        assert_eq!((s.input_multiplier, s.input_left_shift), (i32::MAX, 31));
        assert_eq!(s.diff_min, 0);
        assert_eq!(s.forward(&[5, 4, 5]), [0, -128, 0]); // ½, 0, ½
                                                         // ... and at 2³⁰ − 1 with single rounding: shift 30.
        let s = Softmax::with_rounding(1000.0, 1.0, Rounding::Single);
        assert_eq!(s.input_left_shift, 30);
        assert_eq!(s.input_multiplier, i32::MAX - 1); // (2³⁰ − 1)/2³⁰ · 2³¹ = 2³¹ − 2
        assert_eq!(s.diff_min, -1); // floor(31 · 2²⁶ / 2³⁰)
    }

    #[test]
    fn outputs_are_probabilities() {
        let s = Softmax::new(0.05, 1.0);
        for row in [[0i8, 10, 20, 30], [-128, 127, 0, 5], [3, 3, 3, 3]] {
            let y = s.forward(&row);
            // The dequantized outputs sum to about one and follow the float softmax.
            let x: [f64; 4] = core::array::from_fn(|i| 0.05 * row[i] as f64);
            let m = x.iter().cloned().fold(f64::MIN, f64::max);
            let z: f64 = x.iter().map(|v| (v - m).exp()).sum();
            for i in 0..4 {
                let p = ((y[i] as f64) + 128.0) / 256.0;
                let want = (x[i] - m).exp() / z;
                assert!((p - want).abs() <= 1.0 / 256.0 + 1e-9, "{row:?} {y:?}");
            }
        }
    }

    #[test]
    fn below_diff_min_is_minus_128() {
        let s = Softmax::new(1.0, 1.0);
        // diff_min = −31·2²⁶/2^shift; with s = 1 the multiplier is 2²⁶ = ½·2²⁷: shift 27, so
        // diff_min = −floor(31/2) = −15.
        assert_eq!(s.input_left_shift, 27);
        assert_eq!(s.diff_min, -15);
        assert_eq!(s.forward(&[20, 4, 5]), [127, -128, -128]);
    }

    #[test]
    fn input_radius() {
        assert_eq!(calculate_input_radius(5, 0, 31), 31 << 26);
        assert_eq!(calculate_input_radius(5, 26, 31), 31);
        assert_eq!(calculate_input_radius(5, 30, 31), 1);
        assert_eq!(calculate_input_radius(4, 3, 15), 15 << 8);
    }
}

//! The quantization of one int8 tensor, `real = scale · (q − zero_point)`, and the calibrated
//! range it is made from.
//!
//! [`Quantization::from_min_max`] is what TensorFlow's converter does with a calibrated range
//! (its MLIR quantizer, the default since TF 2.x): `ConvertStatsToQDQs`
//! (`tensorflow/compiler/mlir/lite/quantization/quantization_utils.h`) widens the range to
//! contain 0, then `DownCastScale` (`legacy_float_scale`, which the converter sets) computes
//! the scale and the zero point in `f32`, replacing what `fakeQuantAttrsToType` /
//! `getNudgedScaleAndZeroPoint` (`FakeQuantSupport.cc`) computed in `f64`.
//! [`Quantization::quantize`] is LiteRT's QUANTIZE operator (`reference_ops::AffineQuantize`,
//! `tflite/kernels/internal/reference/quantize.h`) and [`Quantization::dequantize`] its
//! DEQUANTIZE.
//!
//! These run on the host, at quantization time: they are the only floating-point code of
//! [`quant`](super) besides the activation constructors.

/// How an int8 tensor encodes real numbers: `real = scale · (q − zero_point)`.
///
/// ```
/// use mlp::quant::Quantization;
///
/// // A range of [−1, 3]: scale 4/255, and 0.0 is the integer −64.
/// let q = Quantization::from_min_max(-1.0, 3.0);
/// assert_eq!(q.zero_point, -64);
/// assert_eq!(q.quantize(0.0), -64);
/// assert_eq!(q.quantize(3.0), 127);
/// assert_eq!(q.quantize(100.0), 127); // clamped
/// assert_eq!(q.dequantize(-64), 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantization {
    /// The real value of one step of the integer.
    pub scale: f32,
    /// The integer that stands for the real 0 (in `-128..=127` for int8).
    pub zero_point: i32,
}

impl Quantization {
    /// The parameters TensorFlow's converter gives an int8 tensor whose calibrated range is
    /// `[min, max]` (asymmetric, `qmin = −128`, `qmax = 127`, not narrow range).
    ///
    /// `min` and `max` are first rounded to `f32`, as TensorFlow's calibrator (which runs the
    /// `f32` model and records each tensor's range in the `.tflite` file) holds them. Then,
    /// followed from the MLIR quantizer TensorFlow's `TFLiteConverter` uses for post-training
    /// calibration (`tensorflow/compiler/mlir/lite/quantization/quantization_utils.{h,cc}`):
    /// `ConvertStatsToQDQs` widens the range to contain 0 (`min = min(min, 0)`,
    /// `max = max(max, 0)`), `fakeQuantAttrsToType` computes a first type in `f64`
    /// (`getNudgedScaleAndZeroPoint`), and then, because the converter asks for
    /// `legacy_float_scale`, `DownCastScale` recomputes both parameters in `f32`, which is
    /// what the `.tflite` file gets:
    ///
    /// - `scale = (f32(max) − f32(min)) / 255`, the subtraction and the division in `f32`;
    /// - `zero_point = round(f32(−128 − min / scale))` (the quotient in `f64`, then rounded to
    ///   `f32`; `round` half away from zero), clamped to `−128..=127`: always from `min`.
    ///
    /// The `f64` formula alone differs from the converter by one unit in the last place of the
    /// scale for some ranges: the calibration range `[−3, 3.6484129…]` gives
    /// `0.026072206` here and in the converter, `0.026072208` in `f64`
    /// (`tests/fixtures/tflite/activations/`, case `*_ulp`).
    ///
    /// `min == max` (after widening, both 0: a tensor that was 0 on every sample): TF 2.21's
    /// converter then gives scale `2·10⁻⁶/255` (bits `0x3206be7b`) and zero point 0, the range
    /// `[−10⁻⁶, 10⁻⁶]` through the formula above, and so does this (observed on the
    /// converter; without it `DownCastScale` would divide 0 by 0).
    ///
    /// Checked against the converter in `tests/tflite_activations.rs`: every activation
    /// fixture's input range is a known `[min, max]` (`scripts/tflite_activations.py`), and the
    /// scale bits and zero point of each converted input tensor must equal these.
    pub fn from_min_max(min: f64, max: f64) -> Self {
        // The calibrator observes float32 activations and records its range as float32.
        let (min, max) = (min as f32 as f64, max as f32 as f64);
        let mut rmin = if min < 0.0 { min } else { 0.0 };
        let mut rmax = if max > 0.0 { max } else { 0.0 };
        if rmin == rmax {
            rmin = -1e-6;
            rmax = 1e-6;
        }
        let scale = (rmax as f32 - rmin as f32) / 255.0f32;
        let zero_point = (-128.0 - rmin / scale as f64) as f32;
        let nudged = if zero_point < -128.0 {
            -128
        } else if zero_point > 127.0 {
            127
        } else {
            round_half_away_f32(zero_point) as i32
        };
        Self {
            scale,
            zero_point: nudged,
        }
    }

    /// The quantization of a calibrated [`Range`]: [`Quantization::from_min_max`] of its ends
    /// (an empty range, nothing observed, is treated as `[0, 0]`).
    pub fn from_range(range: Range) -> Self {
        if range.is_empty() {
            Self::from_min_max(0.0, 0.0)
        } else {
            Self::from_min_max(range.min, range.max)
        }
    }

    /// `x` as int8, as LiteRT's QUANTIZE operator computes it (`reference_ops::AffineQuantize`):
    /// `clamp(round(x / scale) + zero_point, −128, 127)`, the division in `f32`, `round` half
    /// away from zero (`TfLiteRound`, C's `round`). NaN gives the zero point (C++ would be
    /// undefined there).
    pub fn quantize(self, x: f32) -> i8 {
        let v = x / self.scale;
        let r = round_half_away_f32(v);
        // Saturating float-to-int conversion; NaN → 0.
        let q = (r as i64).saturating_add(self.zero_point as i64);
        q.clamp(-128, 127) as i8
    }

    /// The real value of `q`: `scale · (q − zero_point)`, in `f32` as LiteRT's DEQUANTIZE
    /// (`static_cast<float>(scale * (q − zero_point))` with the difference converted exactly).
    pub fn dequantize(self, q: i8) -> f32 {
        self.scale * (q as i32 - self.zero_point) as f32
    }
}

/// `round` of C on an `f32`: to the nearest integer, halves away from zero; exact.
pub(crate) fn round_half_away_f32(v: f32) -> f32 {
    // From 2²³ on every f32 is an integer (and ±∞, NaN stay); below, |v| + ½ is exact in f64.
    if v.is_nan() || v.abs() >= 8_388_608.0 {
        return v;
    }
    let magnitude = ((v.abs() as f64) + 0.5) as i64 as f32;
    if v < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

/// `round` of C on an `f64`, for the magnitudes of zero points (|v| < 2⁵²).
#[cfg(test)]
fn round_half_away_f64(v: f64) -> f64 {
    let a = if v < 0.0 { -v } else { v };
    if v.is_nan() || a >= 4_503_599_627_370_496.0 {
        return v;
    }
    // a + ½ can round up only when a is just below a half-integer with its last bit set:
    // a = k + ½ − 2⁻⁵³·…; computing floor(a) + (a − floor(a) ≥ ½) is exact instead.
    let floor = a as i64 as f64;
    let magnitude = if a - floor >= 0.5 { floor + 1.0 } else { floor };
    if v < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

/// A calibrated range: the smallest and the largest value a tensor took.
///
/// TensorFlow's post-training calibration runs the float model on every representative sample
/// and keeps, per tensor, the minimum and the maximum over all of them (the `MinMax`
/// calibrator, the converter's default); [`Quantization::from_min_max`] then turns that
/// range into int8 parameters. `observe` every value of a tensor on every sample, starting
/// from [`Range::EMPTY`]:
///
/// ```
/// use mlp::quant::{Quantization, Range};
///
/// let mut r = Range::EMPTY;
/// r.observe_all(&[0.5, 2.0, -1.0]);
/// r.observe(1.5);
/// assert_eq!(r, Range { min: -1.0, max: 2.0 });
/// assert_eq!(Quantization::from_range(r), Quantization::from_min_max(-1.0, 2.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// The smallest value seen (`+∞` when nothing was).
    pub min: f64,
    /// The largest value seen (`−∞` when nothing was).
    pub max: f64,
}

impl Range {
    /// Nothing observed yet: `min = +∞`, `max = −∞`.
    pub const EMPTY: Range = Range {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    /// Whether nothing was observed.
    pub fn is_empty(&self) -> bool {
        self.min > self.max
    }

    /// Widens the range to contain `v` (NaN is ignored).
    pub fn observe(&mut self, v: f64) {
        if v < self.min {
            self.min = v;
        }
        if v > self.max {
            self.max = v;
        }
    }

    /// [`Range::observe`] of every value.
    pub fn observe_all(&mut self, values: &[f64]) {
        for &v in values {
            self.observe(v);
        }
    }

    /// [`Range::observe`] of every `f32` value (converted exactly).
    pub fn observe_all_f32(&mut self, values: &[f32]) {
        for &v in values {
            self.observe(v as f64);
        }
    }

    /// The smallest range containing both.
    pub fn union(self, other: Range) -> Range {
        Range {
            min: if other.min < self.min {
                other.min
            } else {
                self.min
            },
            max: if other.max > self.max {
                other.max
            } else {
                self.max
            },
        }
    }
}

impl Default for Range {
    fn default() -> Self {
        Range::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_min_max_known_values() {
        // [−1, 3]: scale 4/255 in f32; −128 + 1/scale = −64.25 → −64.
        let q = Quantization::from_min_max(-1.0, 3.0);
        assert_eq!(q.scale, 4.0f32 / 255.0);
        assert_eq!(q.zero_point, -64);
        // A range not containing 0 is widened: [2, 5] → [0, 5], [−5, −2] → [−5, 0].
        let q = Quantization::from_min_max(2.0, 5.0);
        assert_eq!(q.scale, 5.0f32 / 255.0);
        assert_eq!(q.zero_point, -128);
        let q = Quantization::from_min_max(-5.0, -2.0);
        assert_eq!(q.scale, 5.0f32 / 255.0);
        assert_eq!(q.zero_point, 127);
        // The converter's scale is the f32 one, not the f64 one rounded to f32 (TF 2.21).
        let hi = f32::from_bits(0x4069_7f99) as f64; // 3.6484129…
        let q = Quantization::from_min_max(-3.0, hi);
        assert_eq!(q.scale, (hi as f32 + 3.0) / 255.0);
        assert_ne!(q.scale, ((hi + 3.0) / 255.0) as f32);
        // An always-zero tensor: what TF 2.21's converter gives (scale bits 0x3206be7b, zp 0).
        let zero = Quantization::from_min_max(0.0, 0.0);
        assert_eq!((zero.scale.to_bits(), zero.zero_point), (0x3206_be7b, 0));
        assert_eq!(Quantization::from_range(Range::EMPTY), zero);
    }

    #[test]
    fn quantize_rounds_half_away_and_clamps() {
        let q = Quantization {
            scale: 0.5,
            zero_point: 3,
        };
        assert_eq!(q.quantize(0.25), 4); // 0.5 → 1
        assert_eq!(q.quantize(-0.25), 2); // −0.5 → −1
        assert_eq!(q.quantize(-0.75), 1); // −1.5 → −2
        assert_eq!(q.quantize(1e9), 127);
        assert_eq!(q.quantize(-1e9), -128);
        assert_eq!(q.quantize(f32::INFINITY), 127);
        assert_eq!(q.quantize(f32::NAN), 3);
        assert_eq!(q.dequantize(5), 1.0);
        for v in -128..=127i8 {
            assert_eq!(q.quantize(q.dequantize(v)), v);
        }
    }

    #[test]
    fn rounding_helpers_are_exact() {
        assert_eq!(round_half_away_f32(0.5), 1.0);
        assert_eq!(round_half_away_f32(-0.5), -1.0);
        assert_eq!(round_half_away_f32(0.49999997), 0.0);
        assert_eq!(round_half_away_f32(-2.5), -3.0);
        assert_eq!(round_half_away_f32(1e20), 1e20);
        assert_eq!(round_half_away_f64(0.49999999999999994), 0.0);
        assert_eq!(round_half_away_f64(-64.5), -65.0);
        assert_eq!(round_half_away_f64(2.5), 3.0);
    }

    #[test]
    fn range_collects_min_and_max() {
        let mut r = Range::EMPTY;
        assert!(r.is_empty());
        r.observe(f64::NAN);
        assert!(r.is_empty());
        r.observe_all(&[3.0, -2.0]);
        r.observe_all_f32(&[0.5]);
        assert_eq!(
            r,
            Range {
                min: -2.0,
                max: 3.0
            }
        );
        let u = r.union(Range {
            min: -1.0,
            max: 7.0,
        });
        assert_eq!(
            u,
            Range {
                min: -2.0,
                max: 7.0
            }
        );
    }
}

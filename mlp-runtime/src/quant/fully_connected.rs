//! The int8 fully-connected layer as TFLite's reference kernels compute it.
//!
//! Followed from `tensorflow/tflite-micro`,
//! `tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h`:
//! `FullyConnectedPerChannel` (int8 input, output and weights, int32 bias) and `FullyConnected`
//! (per tensor), with the int8 weights' zero point 0 as TFLite's quantization specification has
//! it (weights symmetric). Per output channel `c`:
//!
//! ```text
//! acc   = Σ_d w[c][d] · (x[d] + input_offset) + bias[c]      (int32)
//! out   = MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + output_offset
//!         (single rounding by default, as LiteRT's reference kernels: see [`Rounding`])
//! y[c]  = clamp(out, activation_min, activation_max) as int8
//! ```
//!
//! TFLite's `input_offset` is the negated input zero point and its `output_offset` the output
//! zero point. A per-tensor layer is the per-channel one with every channel's [`Requantize`]
//! equal, which is exactly TFLite's per-tensor kernel.

use super::fixed_point::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_single_rounding,
    quantize_multiplier,
};

/// Which of TFLite's two `MultiplyByQuantizedMultiplier` a [`Requantize`] rounds with.
///
/// The default is [`Rounding::Single`], the one LiteRT's reference kernels (its `BUILTIN_REF`
/// resolver) use: established on the fixture `tests/fixtures/tflite/sine.txt`, whose 200 int8
/// outputs it reproduces exactly while [`Rounding::Double`] misses 8 by one
/// (`tests/tflite_sine.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// `TFLITE_SINGLE_ROUNDING`: `(x · multiplier + 2^(30 − shift)) >> (31 − shift)` in 64
    /// bits, [`multiply_by_quantized_multiplier_single_rounding`](super::multiply_by_quantized_multiplier_single_rounding).
    /// LiteRT's reference kernels.
    #[default]
    Single,
    /// gemmlowp's two steps, `SaturatingRoundingDoublingHighMul` then `RoundingDivideByPOT`,
    /// [`multiply_by_quantized_multiplier`](super::multiply_by_quantized_multiplier): TFLite
    /// built without `TFLITE_SINGLE_ROUNDING`.
    Double,
}

/// The requantization of one output channel: the real multiplier `s_in · s_w / s_out` as
/// TFLite stores it, `multiplier / 2³¹ · 2^shift` (see
/// [`quantize_multiplier`](super::quantize_multiplier)). Eight bytes: a per-channel layer of
/// `OUT` outputs keeps `8·OUT` bytes of them in flash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Requantize {
    /// The Q0.31 multiplier, in `[2³⁰, 2³¹)` (or 0).
    pub multiplier: i32,
    /// The power-of-two exponent: positive shifts left, negative right.
    pub shift: i32,
}

impl Requantize {
    /// From the real multiplier (`s_in · s_w / s_out`), with TFLite's `QuantizeMultiplier`; for
    /// the host, at quantization time.
    ///
    /// TFLite computes `real` in `f64` from the `f32` scales, `f64(s_in) · f64(s_w[c]) /
    /// f64(s_out)`, per channel (`PopulateConvolutionQuantizationParams`, the per-channel path of
    /// `fully_connected.cc`) and per tensor (`GetQuantizedConvolutionMultipler`) alike.
    ///
    /// # Panics
    ///
    /// If `real` is not finite.
    pub const fn from_scale(real: f64) -> Self {
        let (multiplier, shift) = quantize_multiplier(real);
        Self { multiplier, shift }
    }

    /// `x` times the multiplier, rounded as TFLite's `MultiplyByQuantizedMultiplier` with
    /// `rounding`.
    #[inline]
    pub const fn apply(self, x: i32, rounding: Rounding) -> i32 {
        match rounding {
            Rounding::Single => {
                multiply_by_quantized_multiplier_single_rounding(x, self.multiplier, self.shift)
            }
            Rounding::Double => multiply_by_quantized_multiplier(x, self.multiplier, self.shift),
        }
    }
}

/// The clamp of a ReLU fused into an int8 output with zero point `output_zero_point`, as
/// TFLite's `CalculateActivationRangeQuantized` makes it for `kTfLiteActRelu`:
/// `(max(−128, zero point), 127)`. No activation is `(-128, 127)`.
pub const fn relu_range(output_zero_point: i32) -> (i8, i8) {
    let low = if output_zero_point < -128 {
        -128
    } else if output_zero_point > 127 {
        127
    } else {
        output_zero_point
    };
    (low as i8, 127)
}

/// An int8 fully-connected layer, `IN` inputs and `OUT` outputs, as TFLite's reference int8
/// `FullyConnected` computes it: integer only, on the stack.
///
/// Per-tensor quantization is every entry of `requantize` equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FullyConnected<const IN: usize, const OUT: usize> {
    /// The int8 weights, one row per output (TFLite's filter layout `[OUT, IN]`), zero point 0.
    pub weights: [[i8; IN]; OUT],
    /// The int32 biases, at scale `s_in · s_w[c]` and zero point 0.
    pub bias: [i32; OUT],
    /// Each output channel's requantization, `s_in · s_w[c] / s_out`.
    pub requantize: [Requantize; OUT],
    /// The zero point of the int8 input.
    pub input_zero_point: i32,
    /// The zero point of the int8 output.
    pub output_zero_point: i32,
    /// The lower bound of the output (a fused ReLU: the output zero point; else −128).
    pub activation_min: i8,
    /// The upper bound of the output (127 unless a ReLU6 or the like is fused).
    pub activation_max: i8,
    /// How the requantization rounds: [`Rounding::Single`], LiteRT's reference kernels.
    pub rounding: Rounding,
}

impl<const IN: usize, const OUT: usize> FullyConnected<IN, OUT> {
    /// The same layer, its requantization rounded with `rounding`.
    pub fn with_rounding(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    /// The layer applied to one int8 input.
    #[inline]
    pub fn forward(&self, input: &[i8; IN]) -> [i8; OUT] {
        let mut output = [0i8; OUT];
        kernel(
            input,
            self.weights.as_flattened(),
            &self.bias,
            &self.requantize,
            Outputs {
                input_zero_point: self.input_zero_point,
                output_zero_point: self.output_zero_point,
                activation: (self.activation_min, self.activation_max),
                rounding: self.rounding,
            },
            &mut output,
        );
        output
    }
}

/// The int8 fully-connected kernel, TFLite's `FullyConnectedPerChannel` (per tensor: every
/// entry of `requantize` equal): `clamp(requantize[c](Σ_d weights[c][d]·(input[d] −
/// input_zero_point) + bias[c]) + output_zero_point, activation.0, activation.1)`, single
/// rounding (LiteRT's reference kernels).
///
/// The int32 accumulator wraps on overflow (undefined in TFLite's C++; it cannot happen below
/// about 2¹⁷ inputs with in-range zero points).
pub fn fully_connected_int8<const IN: usize, const OUT: usize>(
    input: &[i8; IN],
    input_zero_point: i32,
    weights: &[[i8; IN]; OUT],
    bias: &[i32; OUT],
    requantize: &[Requantize; OUT],
    output_zero_point: i32,
    activation: (i8, i8),
) -> [i8; OUT] {
    FullyConnected {
        weights: *weights,
        bias: *bias,
        requantize: *requantize,
        input_zero_point,
        output_zero_point,
        activation_min: activation.0,
        activation_max: activation.1,
        rounding: Rounding::Single,
    }
    .forward(input)
}

/// What a layer does after its sums.
#[derive(Clone, Copy)]
struct Outputs {
    input_zero_point: i32,
    output_zero_point: i32,
    activation: (i8, i8),
    rounding: Rounding,
}

/// The loop, once for every size: a firmware with three layers carries one copy of it
/// (`weights` is `OUT` rows of `input.len()`).
#[inline(never)]
fn kernel(
    input: &[i8],
    weights: &[i8],
    bias: &[i32],
    requantize: &[Requantize],
    o: Outputs,
    output: &mut [i8],
) {
    let (low, high) = (o.activation.0 as i32, o.activation.1 as i32);
    let rows = weights.chunks_exact(input.len().max(1));
    for (((out, row), &b), r) in output.iter_mut().zip(rows).zip(bias).zip(requantize) {
        let mut acc: i32 = 0;
        for (&w, &x) in row.iter().zip(input) {
            acc = acc
                .wrapping_add((w as i32).wrapping_mul((x as i32).wrapping_sub(o.input_zero_point)));
        }
        acc = acc.wrapping_add(b);
        let scaled = r.apply(acc, o.rounding).wrapping_add(o.output_zero_point);
        *out = scaled.max(low).min(high) as i8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relu_is_the_clamp_at_the_zero_point() {
        let layer = FullyConnected::<2, 2> {
            weights: [[1, 0], [-1, 0]],
            bias: [0, 0],
            requantize: [Requantize::from_scale(0.5); 2],
            input_zero_point: -10,
            output_zero_point: -20,
            activation_min: relu_range(-20).0,
            activation_max: relu_range(-20).1,
            rounding: Rounding::Single,
        };
        // x₀ − zp = 30 → 15 → −5; the other channel −15 → −35 → clamped to −20.
        assert_eq!(layer.forward(&[20, 0]), [-5, -20]);
        assert_eq!(relu_range(-200), (-128, 127));
    }

    #[test]
    fn output_saturates_to_int8() {
        let layer = FullyConnected::<1, 2> {
            weights: [[127], [-128]],
            bias: [0, 0],
            requantize: [Requantize::from_scale(1.0); 2],
            input_zero_point: 0,
            output_zero_point: 0,
            activation_min: -128,
            activation_max: 127,
            rounding: Rounding::Single,
        };
        assert_eq!(layer.forward(&[127]), [127, -128]);
        assert_eq!(layer.forward(&[-128]), [-128, 127]);
    }

    #[test]
    fn rounding_of_the_requantization_is_tflites() {
        let layer = FullyConnected::<1, 1> {
            weights: [[1]],
            bias: [0],
            requantize: [Requantize::from_scale(0.5)],
            input_zero_point: 0,
            output_zero_point: 0,
            activation_min: -128,
            activation_max: 127,
            rounding: Rounding::Single,
        };
        assert_eq!(layer.rounding, Rounding::Single);
        for rounding in [Rounding::Single, Rounding::Double] {
            let layer = layer.clone().with_rounding(rounding);
            // A multiplier of ½ is (2³⁰, shift 0): both roundings send the tie toward +∞, so
            // −1.5 → −1 and −0.5 → 0, not away from zero.
            assert_eq!(layer.forward(&[3]), [2]);
            assert_eq!(layer.forward(&[-3]), [-1]);
            assert_eq!(layer.forward(&[1]), [1]);
            assert_eq!(layer.forward(&[-1]), [0]);
        }
        // A multiplier of ¼ is (2³⁰, shift −1): single rounding still sends ties toward +∞;
        // double rounding's second step, RoundingDivideByPOT, sends them away from zero.
        let single = FullyConnected {
            requantize: [Requantize::from_scale(0.25)],
            ..layer
        };
        assert_eq!(single.forward(&[6]), [2]);
        assert_eq!(single.forward(&[-6]), [-1]);
        let double = single.with_rounding(Rounding::Double);
        assert_eq!(double.forward(&[6]), [2]);
        assert_eq!(double.forward(&[-6]), [-2]);
    }
}

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
/// The default is [`Rounding::Single`], what LiteRT's reference FULLY_CONNECTED (its
/// `BUILTIN_REF` resolver) matches: it requantizes in double precision, which single rounding
/// tracks; on the fixture `tests/fixtures/tflite/sine.txt` single rounding reproduces all 200
/// int8 outputs while [`Rounding::Double`] misses 8 by one (`tests/tflite_sine.rs`). LiteRT's
/// LEAKY_RELU, RELU and SOFTMAX round twice ([`Rounding::Double`]: `tests/tflite_activations.rs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
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
/// [`quantize_multiplier`](super::quantize_multiplier)). Five bytes, packed: a per-channel
/// layer of `OUT` outputs keeps `5·OUT` bytes of them in flash (the sine model's 33 channels:
/// 165 B, where two `i32` took 264 B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C, packed)]
pub struct Requantize {
    /// The Q0.31 multiplier, in `[2³⁰, 2³¹)` (or 0).
    pub multiplier: i32,
    /// The power-of-two exponent, in TFLite's range −31..=30: positive shifts left, negative
    /// right.
    pub shift: i8,
}

impl Requantize {
    /// From the real multiplier (`s_in · s_w / s_out`), with TFLite's `QuantizeMultiplier`; for
    /// the host, at quantization time.
    ///
    /// TFLite computes `real` in `f64` from the `f32` scales, `f64(s_in) · f64(s_w[c]) /
    /// f64(s_out)`, per channel (`PopulateConvolutionQuantizationParams`, the per-channel path of
    /// `fully_connected.cc`) and per tensor (`GetQuantizedConvolutionMultipler`) alike.
    ///
    /// Never panics: a `real` that is not finite (where TFLite's `Prepare` would stop) gives
    /// the largest multiplier of its sign, `(±(2³¹ − 1), 30)`, or 0 for NaN; a file or a
    /// calibration that leads here is refused or flagged before (`mlp::tflite` checks every
    /// multiplier it reads).
    pub const fn from_scale(real: f64) -> Self {
        let (multiplier, shift) = if real.is_nan() {
            (0, 0)
        } else if real == f64::INFINITY {
            (i32::MAX, 30)
        } else if real == f64::NEG_INFINITY {
            (-i32::MAX, 30)
        } else {
            quantize_multiplier(real)
        };
        // Saturated to `i8` (TFLite's kernels need −31..=30; larger means |real| ≥ 2³¹).
        let shift = if shift > 127 {
            127
        } else if shift < -128 {
            -128
        } else {
            shift
        };
        Self {
            multiplier,
            shift: shift as i8,
        }
    }

    /// `x` times the multiplier, rounded as TFLite's `MultiplyByQuantizedMultiplier` with
    /// `rounding`.
    #[inline]
    pub const fn apply(self, x: i32, rounding: Rounding) -> i32 {
        let (multiplier, shift) = (self.multiplier, self.shift as i32);
        match rounding {
            Rounding::Single => {
                multiply_by_quantized_multiplier_single_rounding(x, multiplier, shift)
            }
            Rounding::Double => multiply_by_quantized_multiplier(x, multiplier, shift),
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
///
/// The fields are laid out in a fixed order (`repr(C)`): first what every size shares, then the
/// arrays, so that one loop serves every size through one pointer (a firmware's `forward_int8`
/// passes three words per layer).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct FullyConnected<const IN: usize, const OUT: usize> {
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
    /// The int32 biases, at scale `s_in · s_w[c]` and zero point 0.
    pub bias: [i32; OUT],
    /// Each output channel's requantization, `s_in · s_w[c] / s_out`.
    pub requantize: [Requantize; OUT],
    /// The int8 weights, one row per output (TFLite's filter layout `[OUT, IN]`), zero point 0.
    pub weights: [[i8; IN]; OUT],
}

/// The fields of a [`FullyConnected`] before its arrays, the same for every size (the same
/// types in the same order under `repr(C)`).
#[repr(C)]
struct Head {
    input_zero_point: i32,
    output_zero_point: i32,
    activation_min: i8,
    activation_max: i8,
    rounding: Rounding,
}

/// Where the biases start: after the head, at `i32` alignment.
const BIAS: usize = core::mem::size_of::<Head>();

impl<const IN: usize, const OUT: usize> FullyConnected<IN, OUT> {
    /// The same layer, its requantization rounded with `rounding`.
    pub fn with_rounding(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    /// The layer applied to one int8 input.
    #[inline]
    pub fn forward(&self, input: &[i8; IN]) -> [i8; OUT] {
        // The layout `kernel` reads, checked for every size at compile time.
        const {
            assert!(core::mem::offset_of!(Self, rounding) == core::mem::offset_of!(Head, rounding));
            assert!(core::mem::offset_of!(Self, bias) == BIAS);
            assert!(core::mem::offset_of!(Self, requantize) == BIAS + 4 * OUT);
            assert!(core::mem::offset_of!(Self, weights) == BIAS + 9 * OUT);
        }
        let mut output = [0i8; OUT];
        let layer = (self as *const Self).cast::<u8>();
        let (input, out) = (input.as_ptr(), output.as_mut_ptr());
        // SAFETY: `layer` is a `FullyConnected<IN, OUT>` (the layout asserted above), `input`
        // holds IN int8 and `out` OUT.
        unsafe {
            match self.rounding {
                Rounding::Single => kernel::<true>(layer, IN, OUT, input, out),
                Rounding::Double => kernel::<false>(layer, IN, OUT, input, out),
            }
        }
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

/// The loop, once for every size: a firmware with three layers carries one copy of it.
///
/// # Safety
///
/// `layer` points to a `FullyConnected<inputs, outputs>`, `input` to `inputs` int8 values and
/// `output` to `outputs`, not overlapping the layer or the input.
#[inline(never)]
unsafe fn kernel<const SINGLE: bool>(
    layer: *const u8,
    inputs: usize,
    outputs: usize,
    input: *const i8,
    output: *mut i8,
) {
    // SAFETY: the caller's layout: the head, then `outputs` biases, requantizations, and rows
    // of `inputs` weights (`FullyConnected::forward` asserts the offsets); `Head` is `repr(C)`
    // with the same leading fields.
    let (head, bias, requantize, weights, input, output) = unsafe {
        (
            &*layer.cast::<Head>(),
            core::slice::from_raw_parts(layer.add(BIAS).cast::<i32>(), outputs),
            core::slice::from_raw_parts(
                layer.add(BIAS + 4 * outputs).cast::<Requantize>(),
                outputs,
            ),
            core::slice::from_raw_parts(
                layer.add(BIAS + 9 * outputs).cast::<i8>(),
                inputs * outputs,
            ),
            core::slice::from_raw_parts(input, inputs),
            core::slice::from_raw_parts_mut(output, outputs),
        )
    };
    let (low, high) = (head.activation_min as i32, head.activation_max as i32);
    // Row by row with `split_at`: `chunks_exact` would divide, and a Cortex-M0 divides in a
    // library routine of 400 bytes.
    let mut rest = weights;
    for ((out, &b), r) in output.iter_mut().zip(bias).zip(requantize) {
        let (row, tail) = rest.split_at(inputs.min(rest.len()));
        rest = tail;
        let mut acc: i32 = 0;
        for (&w, &x) in row.iter().zip(input) {
            acc = acc.wrapping_add(
                (w as i32).wrapping_mul((x as i32).wrapping_sub(head.input_zero_point)),
            );
        }
        acc = acc.wrapping_add(b);
        let scaled = if SINGLE {
            single_rounding(acc, *r)
        } else {
            r.apply(acc, Rounding::Double)
        };
        *out = scaled
            .wrapping_add(head.output_zero_point)
            .max(low)
            .min(high) as i8;
    }
}

/// [`multiply_by_quantized_multiplier_single_rounding`] for a shift already in −31..=30 (no
/// clamp: out of range, the shift wraps and the result is meaningless, but nothing panics).
/// `(x·m + 2^(n−1)) >> n` with `n = 31 − shift`, as `((x·m >> (n−1)) + 1) >> 1`: the same
/// number without a 64-bit shift to the left.
#[inline(always)]
fn single_rounding(x: i32, r: Requantize) -> i32 {
    let total_shift = (31 - r.shift as i32) as u32;
    let product = x as i64 * r.multiplier as i64;
    ((product.wrapping_shr(total_shift.wrapping_sub(1)) + 1) >> 1) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loops_single_rounding_is_tflites() {
        // Every shift TFLite allows, multipliers and inputs over their ranges and edges.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let edges = [
            0,
            1,
            -1,
            i32::MAX,
            i32::MIN,
            1 << 30,
            -(1 << 30),
            12345,
            -12345,
        ];
        for shift in -31i8..=30 {
            for k in 0..2000 {
                let x = if k < edges.len() {
                    edges[k]
                } else {
                    next() as i32 >> (next() % 32)
                };
                let multiplier = match k % 3 {
                    0 => (1 << 30) + (next() % (1 << 30)) as i32,
                    1 => i32::MAX,
                    _ => (next() % (1u64 << 31)) as i32,
                };
                let r = Requantize { multiplier, shift };
                assert_eq!(
                    single_rounding(x, r),
                    multiply_by_quantized_multiplier_single_rounding(x, multiplier, shift.into()),
                    "x {x}, multiplier {multiplier}, shift {shift}"
                );
            }
        }
    }

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

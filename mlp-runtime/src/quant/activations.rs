//! The int8 elementwise activations of LiteRT's reference kernels: LOGISTIC, TANH and ELU
//! (a 256-entry lookup table built at `Prepare`), LEAKY_RELU and RELU (a requantization).
//!
//! Followed from `google-ai-edge/LiteRT`, `tflite/kernels/activations.cc`:
//!
//! - LOGISTIC and TANH: for int8, the `kReference` kernel (what the `BUILTIN_REF` resolver
//!   registers) and `kGenericOptimized` build a lookup table in `SigmoidPrepare` /
//!   `TanhPrepare` with `LUTPopulate<int8_t>` (`tflite/kernels/internal/common.h`) and look
//!   every element up (`LookupTable`); only `kFixedPointOptimized` runs gemmlowp's 16-bit
//!   fixed-point `Logistic16bitPrecision` / `Tanh16bitPrecision`, and LiteRT calls
//!   `reference_integer_ops::Logistic` / `Tanh` for int16 only (their int8 overloads, gemmlowp
//!   fixed point on Q4.27, are what TensorFlow Lite Micro runs). The fixtures decide: the
//!   tables reproduce all 2304 outputs of the 9 LOGISTIC cases and of the 9 TANH cases, while
//!   the int8 `reference_integer_ops` kernel gives 2300 and 2298 and the exact function
//!   rounded once 2302 and 2298 (the `tie` cases put an output within 2·10⁻⁶ of a rounding
//!   boundary; `tests/tflite_activations.rs`). The fixed-point functions are in
//!   [`gemmlowp`](super::gemmlowp) for whoever needs TFLite Micro's.
//! - ELU: `EluPrepare` builds the table with `expm1` (one kernel, no variants).
//! - LEAKY_RELU: `LeakyReluPrepare` and `reference_ops::QuantizeLeakyRelu`
//!   (`reference/leaky_relu.h`).
//! - RELU: `ReluPrepare` and `QuantizedReluX` → `reference_ops::ReluX`
//!   (`reference/reference_ops.h`).
//!
//! Which `MultiplyByQuantizedMultiplier`: LEAKY_RELU and RELU call the out-of-line one of
//! `common.cc`, and LiteRT's fixtures decide that it is gemmlowp's **double rounding**
//! (`TFLITE_SINGLE_ROUNDING` off, the default of LiteRT's build): on every int8 input of the
//! 18 LEAKY_RELU cases, [`Rounding::Double`] gives 4608/4608 of LiteRT's outputs and
//! [`Rounding::Single`] 4469/4608 (`tests/tflite_activations.rs`). So both kernels round
//! twice by default. (RELU cannot tell the two apart: a converted RELU has `s_in ≥ s_out`, a
//! shift ≥ 0, where both forms are the same function.)
//!
//! The tables are computed on the host with `f32` arithmetic and the platform's `expf`,
//! `tanhf` and `expm1f` (through `nalgebra::ComplexField`: the C library's with `std`, the
//! `libm` crate's without), as TFLite computes them with `std::exp` / `std::tanh` /
//! `std::expm1` on `float`. An entry can depend on the last bit of those functions only near a
//! tie of the rounding to the output step; the `tie` fixture cases, built to come within
//! 2·10⁻⁶ of one, agree with LiteRT's tables too.

use nalgebra::ComplexField;

use super::fully_connected::{Requantize, Rounding};
use super::quantization::{round_half_away_f32, Quantization};

/// TFLite's `LUTPopulate<int8_t>` (`detail::LUTPopulateInt8`): for every int8 `q`,
/// `clamp((int)(round(f(s_in · (q − z_in)) · (1/s_out)) + z_out), −128, 127)`, all in `f32`
/// (`1/s_out` computed once, `round` half away from zero), stored at index `q as u8`.
pub fn lookup_table(
    input: Quantization,
    output: Quantization,
    f: impl Fn(f32) -> f32,
) -> [i8; 256] {
    let inverse_scale = 1.0f32 / output.scale;
    let mut table = [0i8; 256];
    for q in -128i32..=127 {
        let dequantized = input.scale * (q - input.zero_point) as f32;
        let transformed = f(dequantized);
        let rescaled = round_half_away_f32(transformed * inverse_scale);
        // `static_cast<int32_t>(rescaled + output_zero_point)`: a float sum, then truncation
        // (exact: `rescaled` is an integer). Rust's cast saturates where C++ is undefined.
        let quantized = (rescaled + output.zero_point as f32) as i32;
        table[q as i8 as u8 as usize] = quantized.clamp(-128, 127) as i8;
    }
    table
}

/// `LUTLookup` of every element: `table[x as u8]`.
#[inline]
fn look_up<const N: usize>(table: &[i8; 256], input: &[i8; N]) -> [i8; N] {
    let mut output = [0i8; N];
    look_up_slice(table, input, &mut output);
    output
}

#[inline]
fn look_up_slice(table: &[i8; 256], input: &[i8], output: &mut [i8]) {
    for (y, &x) in output.iter_mut().zip(input) {
        *y = table[x as u8 as usize];
    }
}

macro_rules! table_kernel {
    ($name:ident) => {
        impl $name {
            /// The activation of every element of `input`.
            #[inline]
            pub fn forward<const N: usize>(&self, input: &[i8; N]) -> [i8; N] {
                look_up(&self.table, input)
            }

            /// The activation of every element of `input` into `output` (the same length;
            /// extra elements of the longer are left alone).
            #[inline]
            pub fn forward_slice(&self, input: &[i8], output: &mut [i8]) {
                look_up_slice(&self.table, input, output)
            }

            /// The output for one int8 input.
            #[inline]
            pub fn apply(&self, x: i8) -> i8 {
                self.table[x as u8 as usize]
            }
        }
    };
}

/// TFLite's int8 LOGISTIC (sigmoid), `σ(x) = 1/(1 + e^−x)`, as LiteRT's reference kernel
/// computes it: a table built at `Prepare` (`SigmoidPrepare`, `kReference`: `LUTPopulate` with
/// `1.0f / (1.0f + std::exp(-value))` in `f32`), looked up per element. The output is
/// quantized with [`Logistic::OUTPUT`], which TFLite requires (scale 1/256, zero point −128).
///
/// ```
/// use mlp::quant::{Logistic, Quantization};
///
/// let input = Quantization { scale: 0.05, zero_point: 0 };
/// let sigmoid = Logistic::new(input);
/// assert_eq!(sigmoid.forward(&[0, 127, -128]), [0, 127, -128]); // ½, ≈0.998, ≈0.0017
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Logistic {
    /// The output for each int8 input `x`, at index `x as u8`.
    pub table: [i8; 256],
}

impl Logistic {
    /// The output quantization of an int8 LOGISTIC: scale 1/256, zero point −128.
    pub const OUTPUT: Quantization = Quantization {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// The kernel for an int8 input quantized with `input` (host side, at quantization time).
    pub fn new(input: Quantization) -> Self {
        Self {
            table: lookup_table(input, Self::OUTPUT, |v| {
                1.0f32 / (1.0f32 + ComplexField::exp(-v))
            }),
        }
    }
}

table_kernel!(Logistic);

/// TFLite's int8 TANH as LiteRT's reference kernel computes it: a table built at `Prepare`
/// (`TanhPrepare`, `kReference`: `LUTPopulate` with `std::tanh` on `f32`), looked up per
/// element. The output is quantized with [`Tanh::OUTPUT`] (scale 1/128, zero point 0: what
/// TensorFlow's converter gives an int8 tanh).
///
/// ```
/// use mlp::quant::{Quantization, Tanh};
///
/// let tanh = Tanh::new(Quantization { scale: 0.05, zero_point: 0 });
/// assert_eq!(tanh.forward(&[0, 127, -128]), [0, 127, -128]); // 0, ≈0.99999, ≈−0.99999
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tanh {
    /// The output for each int8 input `x`, at index `x as u8`.
    pub table: [i8; 256],
}

impl Tanh {
    /// The output quantization of an int8 TANH: scale 1/128, zero point 0.
    pub const OUTPUT: Quantization = Quantization {
        scale: 1.0 / 128.0,
        zero_point: 0,
    };

    /// The kernel for an int8 input quantized with `input` (host side).
    pub fn new(input: Quantization) -> Self {
        Self {
            table: lookup_table(input, Self::OUTPUT, ComplexField::tanh),
        }
    }
}

table_kernel!(Tanh);

/// TFLite's int8 ELU, `x` for `x ≥ 0` and `e^x − 1` below: a table built at `Prepare`
/// (`EluPrepare`: `LUTPopulate` with `value < 0.0f ? std::expm1(value) : value` on `f32`),
/// looked up per element. The output quantization is the model's (calibrated).
///
/// ```
/// use mlp::quant::{Elu, Quantization};
///
/// let q = Quantization { scale: 0.05, zero_point: 0 };
/// let elu = Elu::new(q, q);
/// assert_eq!(elu.forward(&[20, 0, -20]), [20, 0, -13]); // 1 → 1, −1 → e⁻¹ − 1 ≈ −0.632
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Elu {
    /// The output for each int8 input `x`, at index `x as u8`.
    pub table: [i8; 256],
}

impl Elu {
    /// The kernel for an int8 input quantized with `input` and an output with `output` (host
    /// side).
    pub fn new(input: Quantization, output: Quantization) -> Self {
        Self {
            table: lookup_table(input, output, |v| {
                if v < 0.0 {
                    ComplexField::exp_m1(v)
                } else {
                    v
                }
            }),
        }
    }
}

table_kernel!(Elu);

/// TFLite's int8 LEAKY_RELU (`reference_ops::QuantizeLeakyRelu`): with `d = x − z_in`,
///
/// ```text
/// y = clamp(z_out + MultiplyByQuantizedMultiplier(d, identity), −128, 127)   if d ≥ 0
/// y = clamp(z_out + MultiplyByQuantizedMultiplier(d, alpha), −128, 127)      if d < 0
/// ```
///
/// where `identity` is `s_in / s_out` and `alpha` is `s_in · α / s_out`, both computed in
/// `f32` as `LeakyReluPrepare` does (its operands are `float`) and then made multipliers by
/// `QuantizeMultiplier`. A negative `α` gives a negative multiplier, used as the newest
/// LiteRT does: the product with `−multiplier`, negated.
///
/// `MultiplyByQuantizedMultiplier` is the double-rounding one ([`Rounding::Double`], the
/// default here): LiteRT's fixtures decide it (see the [`quant`](super) module documentation).
///
/// ```
/// use mlp::quant::{LeakyRelu, Quantization};
///
/// let q = Quantization { scale: 0.1, zero_point: 0 };
/// let leaky = LeakyRelu::new(q, q, 0.25);
/// assert_eq!(leaky.forward(&[40, -40, 0]), [40, -10, 0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LeakyRelu {
    /// The input's zero point (`input_offset`).
    pub input_zero_point: i32,
    /// The output's zero point (`output_offset`).
    pub output_zero_point: i32,
    /// `s_in / s_out` (`output_multiplier_identity`, `output_shift_identity`).
    pub identity: Requantize,
    /// `s_in · α / s_out` (`output_multiplier_alpha`, `output_shift_alpha`).
    pub alpha: Requantize,
    /// How the requantization rounds ([`Rounding::Double`]: LiteRT's).
    pub rounding: Rounding,
}

impl LeakyRelu {
    /// The kernel for `input` and `output` quantizations and the slope `alpha` (host side).
    pub fn new(input: Quantization, output: Quantization, alpha: f32) -> Self {
        // `double alpha_multiplier = input->params.scale * params->alpha /
        // output->params.scale;`: float operands, so float arithmetic, then widened.
        let alpha_multiplier = (input.scale * alpha / output.scale) as f64;
        let identity_multiplier = (input.scale / output.scale) as f64;
        Self {
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
            identity: Requantize::from_scale(identity_multiplier),
            alpha: Requantize::from_scale(alpha_multiplier),
            rounding: Rounding::Double,
        }
    }

    /// The same kernel, rounding with `rounding`.
    pub fn rounded(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    /// The output for one int8 input.
    #[inline]
    pub fn apply(&self, x: i8) -> i8 {
        let d = (x as i32).wrapping_sub(self.input_zero_point);
        let scaled = if d >= 0 {
            self.identity.apply(d, self.rounding)
        } else if self.alpha.multiplier < 0 {
            let positive = Requantize {
                multiplier: self.alpha.multiplier.wrapping_neg(),
                shift: self.alpha.shift,
            };
            positive.apply(d, self.rounding).wrapping_neg()
        } else {
            self.alpha.apply(d, self.rounding)
        };
        self.output_zero_point.wrapping_add(scaled).clamp(-128, 127) as i8
    }

    /// The activation of every element of `input`.
    #[inline]
    pub fn forward<const N: usize>(&self, input: &[i8; N]) -> [i8; N] {
        input.map(|x| self.apply(x))
    }

    /// The activation of every element of `input` into `output` (the same length).
    #[inline]
    pub fn forward_slice(&self, input: &[i8], output: &mut [i8]) {
        for (y, &x) in output.iter_mut().zip(input) {
            *y = self.apply(x);
        }
    }
}

/// TFLite's standalone int8 RELU operator (`ReluPrepare`, `QuantizedReluX` →
/// `reference_ops::ReluX`): the input requantized to the output's scale, then clamped below
/// at the output's zero (a ReLU fused into another operator is that operator's output clamp
/// instead, [`relu_range`](super::relu_range)):
///
/// ```text
/// y = clamp(z_out + MultiplyByQuantizedMultiplier(x − z_in, s_in / s_out),
///           max(−128, z_out + round(0 / s_out)), 127)
/// ```
///
/// with `s_in / s_out` divided in `f32` (`ReluPrepare`'s operands are `float`), and
/// `MultiplyByQuantizedMultiplier` the double-rounding one as for [`LeakyRelu`] (the same
/// `common.cc` function; the fixtures cannot discriminate here, see the [`quant`](super)
/// documentation).
///
/// ```
/// use mlp::quant::{Quantization, Relu};
///
/// let input = Quantization { scale: 0.1, zero_point: 10 };
/// let output = Quantization { scale: 0.05, zero_point: -128 };
/// let relu = Relu::new(input, output);
/// assert_eq!(relu.forward(&[10, 20, 0, 60]), [-128, -108, -128, -28]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Relu {
    /// The input's zero point (`input_offset`).
    pub input_zero_point: i32,
    /// The output's zero point (`output_offset`).
    pub output_zero_point: i32,
    /// `s_in / s_out` (`output_multiplier`, `output_shift`).
    pub requantize: Requantize,
    /// `quantized_activation_min`: `max(−128, z_out)`.
    pub activation_min: i8,
    /// `quantized_activation_max`: 127 (RELU has no upper bound).
    pub activation_max: i8,
    /// How the requantization rounds ([`Rounding::Double`]: LiteRT's build; for `s_in ≥
    /// s_out / 2` the two are the same function).
    pub rounding: Rounding,
}

impl Relu {
    /// The kernel for `input` and `output` quantizations (host side).
    pub fn new(input: Quantization, output: Quantization) -> Self {
        let real_multiplier = (input.scale / output.scale) as f64;
        // `output_zero_point + (int32)roundf(0.0f / scale)`: the zero point (0/s is ±0).
        let low = output.zero_point + round_half_away_f32(0.0f32 / output.scale) as i32;
        Self {
            input_zero_point: input.zero_point,
            output_zero_point: output.zero_point,
            requantize: Requantize::from_scale(real_multiplier),
            activation_min: low.clamp(-128, 127) as i8,
            activation_max: 127,
            rounding: Rounding::Double,
        }
    }

    /// The same kernel, rounding with `rounding`.
    pub fn rounded(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    /// The output for one int8 input.
    #[inline]
    pub fn apply(&self, x: i8) -> i8 {
        let d = (x as i32).wrapping_sub(self.input_zero_point);
        let out = self
            .output_zero_point
            .wrapping_add(self.requantize.apply(d, self.rounding));
        out.clamp(self.activation_min as i32, self.activation_max as i32) as i8
    }

    /// The activation of every element of `input`.
    #[inline]
    pub fn forward<const N: usize>(&self, input: &[i8; N]) -> [i8; N] {
        input.map(|x| self.apply(x))
    }

    /// The activation of every element of `input` into `output` (the same length).
    #[inline]
    pub fn forward_slice(&self, input: &[i8], output: &mut [i8]) {
        for (y, &x) in output.iter_mut().zip(input) {
            *y = self.apply(x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: Quantization = Quantization {
        scale: 1.0,
        zero_point: 0,
    };

    #[test]
    fn table_is_indexed_by_the_byte() {
        // Identity through the table: f(x) = x, same quantization.
        let t = lookup_table(UNIT, UNIT, |v| v);
        for q in -128..=127i8 {
            assert_eq!(t[q as u8 as usize], q);
        }
        // Clamping: doubling saturates.
        let t = lookup_table(UNIT, UNIT, |v| 2.0 * v);
        assert_eq!(t[100u8 as usize], 127);
        assert_eq!(t[(-100i8) as u8 as usize], -128);
        // Halves round away from zero: 3/2 → 2, −3/2 → −2.
        let t = lookup_table(UNIT, UNIT, |v| v / 2.0);
        assert_eq!(t[3], 2);
        assert_eq!(t[(-3i8) as u8 as usize], -2);
    }

    #[test]
    fn logistic_and_tanh_are_monotone_and_centred() {
        let input = Quantization {
            scale: 0.04,
            zero_point: 5,
        };
        let sigmoid = Logistic::new(input);
        let tanh = Tanh::new(input);
        // At the input's zero: σ = ½ → 0 in (1/256, −128); tanh = 0.
        assert_eq!(sigmoid.apply(5), 0);
        assert_eq!(tanh.apply(5), 0);
        for q in -128..127i8 {
            assert!(sigmoid.apply(q) <= sigmoid.apply(q + 1));
            assert!(tanh.apply(q) <= tanh.apply(q + 1));
        }
    }

    #[test]
    fn leaky_relu_slopes() {
        let input = Quantization {
            scale: 0.5,
            zero_point: -3,
        };
        let output = Quantization {
            scale: 0.25,
            zero_point: 7,
        };
        let leaky = LeakyRelu::new(input, output, 0.5);
        // d = 10 → 5 real → 20 steps; d = −10 → −2.5 real → −10 steps.
        assert_eq!(leaky.apply(7), 27);
        assert_eq!(leaky.apply(-13), -3);
        assert_eq!(leaky.apply(127), 127); // saturates
                                           // A negative slope: −10 → 2.5·0.5 = +1.25 real → 5 steps.
        let negative = LeakyRelu::new(input, output, -0.5);
        assert!(negative.alpha.multiplier < 0);
        assert_eq!(negative.apply(-13), 17);
    }

    #[test]
    fn relu_requantizes_and_clamps() {
        let input = Quantization {
            scale: 0.5,
            zero_point: 0,
        };
        let output = Quantization {
            scale: 0.25,
            zero_point: -100,
        };
        let relu = Relu::new(input, output);
        assert_eq!(relu.activation_min, -100);
        assert_eq!(relu.apply(-5), -100);
        assert_eq!(relu.apply(10), -80);
        assert_eq!(relu.apply(127), 127);
    }
}

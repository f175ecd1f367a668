//! Integer inference: TensorFlow Lite's int8 arithmetic, bit-exact with its reference kernels.
//!
//! The foundation of int8 models for chips without an FPU:
//! - the fixed-point primitives of TFLite's requantization, in its two forms: single rounding
//!   ([`multiply_by_quantized_multiplier_single_rounding`], `TFLITE_SINGLE_ROUNDING`) and
//!   gemmlowp's double rounding ([`multiply_by_quantized_multiplier`], built on
//!   [`saturating_rounding_doubling_high_mul`] and [`rounding_divide_by_pot`]), and, for the
//!   host at quantization time, [`quantize_multiplier`];
//! - the int8 fully-connected layer ([`FullyConnected`]), per output channel or per tensor,
//!   with ReLU fused into the output clamp, as TFLite's `reference_integer_ops::FullyConnected`
//!   and `FullyConnectedPerChannel` compute it;
//! - the quantization of a tensor ([`Quantization`]: scale and zero point, made from a
//!   calibrated [`Range`] as TensorFlow's converter makes it, and LiteRT's QUANTIZE);
//! - gemmlowp's fixed-point functions ([`gemmlowp`]: `exp_on_negative_values`, the
//!   reciprocal, `logistic`, `tanh`), of which the softmax is made;
//! - the int8 activation operators as LiteRT's reference kernels compute them: [`Softmax`]
//!   (gemmlowp fixed point), [`Logistic`], [`Tanh`] and [`Elu`] (256-entry lookup tables
//!   built at quantization time), [`LeakyRelu`] and [`Relu`] (requantizations).
//!
//! | operator | struct | constructor | what it follows | output quantization |
//! |---|---|---|---|---|
//! | SOFTMAX | [`Softmax`] | `new(input_scale, beta)` | `SoftmaxPrepare` (`kReference`), `reference_ops::Softmax` | [`Softmax::OUTPUT`]: 1/256, −128 |
//! | LOGISTIC | [`Logistic`] | `new(input)` | `SigmoidPrepare` (`kReference`): `LUTPopulate`, lookup | [`Logistic::OUTPUT`]: 1/256, −128 |
//! | TANH | [`Tanh`] | `new(input)` | `TanhPrepare` (`kReference`): `LUTPopulate`, lookup | [`Tanh::OUTPUT`]: 1/128, 0 |
//! | ELU | [`Elu`] | `new(input, output)` | `EluPrepare`: `LUTPopulate` with `expm1`, lookup | calibrated |
//! | LEAKY_RELU | [`LeakyRelu`] | `new(input, output, alpha)` | `reference_ops::QuantizeLeakyRelu` | calibrated |
//! | RELU | [`Relu`] | `new(input, output)` | `reference_ops::ReluX` | calibrated |
//!
//! Each `forward::<N>(&[i8; N]) -> [i8; N]` (and `forward_slice`) is integer only. Every one is
//! checked bit for bit against LiteRT on `tests/fixtures/tflite/activations/`
//! (`scripts/tflite_activations.py`, `tests/tflite_activations.rs`: every int8 input of each
//! elementwise operator for several input quantizations, thousands of softmax rows), and
//! [`Softmax`] also at the end of the classifier and digits models (`tests/tflite_models.rs`).
//!
//! Which rounding: [`Rounding::Single`], the default, is what LiteRT's reference kernels
//! compute. That was established against LiteRT itself: `tests/fixtures/tflite/sine.txt` holds
//! 200 int8 outputs of a 1-16-16-1 model run by LiteRT's `BUILTIN_REF` interpreter
//! (`scripts/tflite_fixtures.py`); `tests/tflite_sine.rs` rebuilds the three layers from
//! `sine.layers.txt` and matches all 200 with single rounding, 192 with double rounding.
//!
//! The activations' `MultiplyByQuantizedMultiplier` is another matter: LEAKY_RELU's fixtures
//! (`tests/fixtures/tflite/activations/leaky_relu.txt`) match [`Rounding::Double`] on
//! 4608/4608 int8 outputs and [`Rounding::Single`] on 4469, so LiteRT's `common.cc` is built
//! without `TFLITE_SINGLE_ROUNDING`, and [`LeakyRelu`], [`Relu`] and [`Softmax`] round twice
//! by default (for the last two no fixture can tell the forms apart: see their documentation).
//! The fully-connected layer's agreement with single rounding comes from elsewhere: LiteRT's
//! `kReference` FULLY_CONNECTED calls the overloads of `reference_integer_ops::
//! FullyConnected[PerChannel]` that take the `float` scales and requantize with
//! `round(acc · f64(s_in) · f64(s_w) / f64(s_out))`, which a 31-bit single-rounding multiplier
//! follows closely (`tflite/kernels/fully_connected.cc`,
//! `reference/integer_ops/fully_connected.h` in LiteRT's sources).
//!
//! Everything but [`quantize_multiplier`], [`Requantize::from_scale`], [`Quantization`]'s
//! methods and the activations' constructors (run on the host at quantization time) is
//! integer only: no float, no heap, `no_std`.
//!
//! Followed from `tensorflow/tflite-micro`: `tensorflow/lite/kernels/internal/common.cc`
//! (`MultiplyByQuantizedMultiplier`, both branches of `#if TFLITE_SINGLE_ROUNDING`),
//! `quantization_util.cc` (`QuantizeMultiplier`) and
//! `reference/integer_ops/fully_connected.h`; gemmlowp's `fixedpoint.h` for the two primitives.
//!
//! ```
//! use mlp::quant::{FullyConnected, Requantize};
//!
//! // 2 inputs, 1 output: y = relu(x₀ − x₁) with every scale 1.
//! let layer = FullyConnected::<2, 1> {
//!     weights: [[1, -1]],
//!     bias: [0],
//!     requantize: [Requantize::from_scale(1.0)],
//!     input_zero_point: 0,
//!     output_zero_point: 0,
//!     activation_min: 0, // ReLU: the output zero point
//!     activation_max: 127,
//!     rounding: mlp::quant::Rounding::Single,
//! };
//! assert_eq!(layer.forward(&[5, 3]), [2]);
//! assert_eq!(layer.forward(&[3, 5]), [0]);
//! ```

mod activations;
mod fixed_point;
mod fully_connected;
pub mod gemmlowp;
mod quantization;
mod softmax;

pub use activations::{lookup_table, Elu, LeakyRelu, Logistic, Relu, Tanh};
pub use fixed_point::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_single_rounding,
    quantize_multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul,
};
pub use fully_connected::{fully_connected_int8, relu_range, FullyConnected, Requantize, Rounding};
pub(crate) use quantization::round_half_away_f32;
pub use quantization::{Quantization, Range};
pub use softmax::Softmax;

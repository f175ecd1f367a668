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
//!   and `FullyConnectedPerChannel` compute it.
//!
//! Which rounding: [`Rounding::Single`], the default, is what LiteRT's reference kernels
//! compute. That was established against LiteRT itself: `tests/fixtures/tflite/sine.txt` holds
//! 200 int8 outputs of a 1-16-16-1 model run by LiteRT's `BUILTIN_REF` interpreter
//! (`scripts/tflite_fixtures.py`); `tests/tflite_sine.rs` rebuilds the three layers from
//! `sine.layers.txt` and matches all 200 with single rounding, 192 with double rounding.
//!
//! Everything but [`quantize_multiplier`] and [`Requantize::from_scale`] is integer only: no
//! float, no heap, `no_std`.
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

mod fixed_point;
mod fully_connected;
mod quantization;

pub use fixed_point::{
    multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_single_rounding,
    quantize_multiplier, rounding_divide_by_pot, saturating_rounding_doubling_high_mul,
};
pub use fully_connected::{fully_connected_int8, relu_range, FullyConnected, Requantize, Rounding};
pub use quantization::{Quantization, Range};

//! A reader of fully integer TensorFlow Lite files: a user's int8 `.tflite` model as the
//! [`quant`](crate::quant) kernels, checked.
//!
//! [`Model::parse`] reads a `.tflite` file in place (zero-copy: every tensor's data is a slice
//! of the file's bytes), without `std` and without an allocator, and never panics, whatever the
//! bytes: every offset, length and vtable entry is bounds-checked with checked arithmetic, and
//! anything wrong is a typed [`Error`] whose `Display` says it in words. On top of it:
//! - [`Model::expect_chain`]: the model's operators are exactly the layers a network
//!   expects ([`Expected`]), joined input to output;
//! - [`Model::fully_connected`]: a FULLY_CONNECTED operator as
//!   [`FullyConnected`](crate::quant::FullyConnected)`<IN, OUT>`, its weights, biases, zero
//!   points, per-channel or per-tensor requantization and fused activation checked and
//!   computed as TFLite does;
//! - [`Model::quantization`]: an activation tensor's `(scale, zero point)`;
//! - [`Model::operator_io`]: an operator's input and output tensors.
//!
//! ```
//! use mlp::tflite::{Expected, Model};
//!
//! let bytes = include_bytes!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../tests/fixtures/tflite/sine.tflite"
//! ));
//! let model = Model::parse(bytes)?;
//! model.expect_chain(&[
//!     Expected::FullyConnected { inputs: 1, outputs: 16, relu: true },
//!     Expected::FullyConnected { inputs: 16, outputs: 16, relu: true },
//!     Expected::FullyConnected { inputs: 16, outputs: 1, relu: false },
//! ])?;
//! let l0 = model.fully_connected::<1, 16>(0)?;
//! let l1 = model.fully_connected::<16, 16>(1)?;
//! let l2 = model.fully_connected::<16, 1>(2)?;
//! let (scale, zero_point) = model.quantization(model.input()?)?;
//! let x = ((1.0 / scale) as i32 + zero_point).clamp(-128, 127) as i8; // x ≈ 1.0
//! let [y] = l2.forward(&l1.forward(&l0.forward(&[x])));
//! let (out_scale, out_zero_point) = model.quantization(model.output()?)?;
//! let sin_1 = (y as i32 - out_zero_point) as f32 * out_scale;
//! assert!((sin_1 - 0.84).abs() < 0.1);
//! # Ok::<(), mlp::tflite::Error>(())
//! ```
//!
//! # What it reads
//!
//! The subset of TFLite's schema (`tensorflow/lite/schema/schema.fbs`, version 3) that int8
//! MLPs use: the model's version, operator codes, its one subgraph and its buffers; each
//! tensor's shape, type, buffer, name and quantization (scales, zero points, quantized
//! dimension); each operator's code, inputs, outputs and options (FullyConnectedOptions'
//! fused activation, weights format and `keep_num_dims`, SoftmaxOptions' `beta`,
//! LeakyReluOptions' `alpha`). A buffer's newer `offset`/`size` (data past the flatbuffer, for
//! models over 2 GB) is read from the file at that offset, bounds-checked. Sparse tensors,
//! tensors in external buffers and shuffled FULLY_CONNECTED weights are
//! [`Error::Unsupported`]. Fused RELU6 and RELU_N1_TO_1 are taken, their clamp computed as
//! TFLite's `CalculateActivationRangeQuantized`; fused TANH and SIGN_BIT are not.
//!
//! # Why the flatbuffer decoding is written here
//!
//! The decoding is hand-written (the private `flatbuffer` module, about 250 lines) rather than
//! the `flatbuffers` crate's generated code and verifier, because:
//! - no allocator: the crate's verifier reports errors with an `ErrorTrace` that is a `Vec`,
//!   so it needs `alloc`, and the reader must run on a microcontroller with neither `std` nor
//!   a heap;
//! - the subset is small (eight tables, a few dozen fields), where the generated code for the
//!   whole schema is tens of thousands of lines, and `flatc` would become a build tool;
//! - the reader reads each field once, lazily, with its own bounds check, so it needs no
//!   separate verification pass to be safe: an unchecked read does not exist here. What the
//!   verifier would add (alignment, the table's inline size) is not needed for safety, since
//!   every scalar is assembled from bytes with `from_le_bytes`.
//!
//! # Layout
//!
//! Each file uses only those above it:
//!
//! ```text
//! names       what messages name: Builtin, FusedActivation, TensorType, Subject, Expected, Found
//! error       Error and its parts, said in words
//! flatbuffer  the wire format, every read bounds-checked (private)
//! schema      Tensor, Operator, Quantization, Array: schema.fbs's tables, read in place
//! model       Model::parse, the one subgraph, tensors and operators by index
//! chain       expect_chain, operator_io
//! bind        quantization, fully_connected, activation_range
//! ```
//!
//! `tests/tflite_fuzz.rs` runs the reader and every binding helper over more than 10,000
//! mutated fixture files; none may panic.

mod bind;
mod chain;
mod error;
mod flatbuffer;
mod model;
mod names;
mod schema;
#[cfg(test)]
mod tests;

pub use bind::activation_range;
pub use error::{Dims, Error, Operand, QuantizationProblem, Role, Source};
pub use model::{Model, SCHEMA_VERSION};
pub use names::{Builtin, Expected, Found, FusedActivation, Subject, TensorType};
pub use schema::{Array, Element, Operator, Quantization, Tensor};

//! What can be wrong with a file, typed, and said in words.

use core::fmt;

use super::names::{Builtin, Expected, Found, Subject, TensorType};

/// Why a file cannot be read, or does not hold the network asked for.
///
/// `Display` says it in words for a user, naming operators and tensors by index:
/// `operator 2 is SOFTMAX, the chain expects FULLY_CONNECTED 16 → 3`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// No `TFL3` file identifier at bytes 4..8: not a TensorFlow Lite model.
    NotAModel,
    /// A read runs past the end of the file: the file is cut short, or an offset or length in
    /// it is corrupt.
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it starts (or the offset that pointed to it).
        at: usize,
        /// The file's length.
        len: usize,
    },
    /// A structure that no flatbuffer writer makes (a vtable before the file's start or of an
    /// odd size, a name that is not UTF-8).
    Malformed {
        /// What was being read.
        what: &'static str,
        /// Its position.
        at: usize,
    },
    /// An index stored in the file, or asked for, past the end of its vector.
    OutOfBounds {
        /// What it indexes: `"tensor"`, `"operator"`, `"buffer"`, `"operator code"`.
        what: &'static str,
        /// The index.
        index: i64,
        /// How many there are.
        len: usize,
    },
    /// A schema version other than 3.
    UnsupportedVersion(u32),
    /// Not exactly one subgraph (how many there are).
    Subgraphs(usize),
    /// A field the model needs is absent.
    MissingField(&'static str),
    /// Something this reader does not take (sparse tensors, external data, shuffled weights, a
    /// fused TANH).
    Unsupported {
        /// What has it.
        subject: Subject,
        /// What it is.
        what: &'static str,
    },
    /// The subgraph has not exactly one input and one output.
    SubgraphIo {
        /// Its number of inputs.
        inputs: usize,
        /// Its number of outputs.
        outputs: usize,
    },
    /// An operator is not the operator asked for.
    NotThisOperator {
        /// The operator's index.
        op: usize,
        /// What it is.
        found: Builtin,
        /// What was asked for.
        expected: Builtin,
    },
    /// An operator's builtin options are of another operator's type.
    Options {
        /// The operator's index.
        op: usize,
        /// What it is.
        builtin: Builtin,
        /// The union type of its options.
        union_type: u8,
    },
    /// An operator has inputs or outputs this reader cannot bind (FULLY_CONNECTED: input,
    /// weights and an optional bias, one output; the others: one input, one output).
    Operands {
        /// The operator's index.
        op: usize,
        /// What it is.
        builtin: Builtin,
        /// Its number of inputs.
        inputs: usize,
        /// Its number of outputs.
        outputs: usize,
    },
    /// A tensor of the wrong element type.
    WrongType {
        /// The tensor's index.
        tensor: usize,
        /// Which operand of which operator it is, if known.
        role: Option<Role>,
        /// The type needed.
        expected: TensorType,
        /// Its type.
        found: TensorType,
    },
    /// A tensor of the wrong shape.
    WrongShape {
        /// The tensor's index.
        tensor: usize,
        /// Which operand of which operator it is, if known.
        role: Option<Role>,
        /// The shape needed.
        expected: Dims,
        /// Its shape.
        found: Dims,
    },
    /// A constant tensor whose data is not the size its shape and type need.
    DataSize {
        /// The tensor's index.
        tensor: usize,
        /// Which operand of which operator it is, if known.
        role: Option<Role>,
        /// The bytes needed.
        expected: usize,
        /// The bytes it has.
        found: usize,
    },
    /// A tensor's quantization is not what an int8 model needs.
    Quantization {
        /// The tensor's index.
        tensor: usize,
        /// Which operand of which operator it is, if known.
        role: Option<Role>,
        /// What is wrong.
        problem: QuantizationProblem,
    },
    /// The model's operators are not the chain expected ([`Model::expect_chain`](super::Model::expect_chain)).
    Operator {
        /// The operator's index.
        index: usize,
        /// What the chain expects there (`None`: the chain has ended).
        expected: Option<Expected>,
        /// What the model has there (`None`: the model has no more operators).
        found: Option<Found>,
    },
    /// An operator does not read the tensor the one before it writes (or the subgraph's
    /// input, for the first).
    Disconnected {
        /// The operator's index.
        op: usize,
        /// The tensor it reads.
        reads: usize,
        /// The tensor it should read.
        expected: usize,
        /// Where that tensor comes from.
        source: Source,
    },
    /// The subgraph's output is not what the last operator writes.
    OutputDisconnected {
        /// The subgraph's output tensor.
        output: usize,
        /// The tensor the chain ends with (the last operator's output, or the input of an empty
        /// chain).
        end: usize,
    },
}

/// Which operand of a FULLY_CONNECTED (or the activation input and output of another operator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// The activation input.
    Input,
    /// The weights (`[OUT, IN]`).
    Weights,
    /// The bias (`[OUT]`).
    Bias,
    /// The activation output.
    Output,
}

/// An operand of an operator: where a tensor is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Role {
    /// The operator's index.
    pub op: usize,
    /// Which operand.
    pub operand: Operand,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operand = match self.operand {
            Operand::Input => "input",
            Operand::Weights => "weights",
            Operand::Bias => "bias",
            Operand::Output => "output",
        };
        write!(f, "the {operand} of operator {}", self.op)
    }
}

/// Where the tensor an operator should read comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The subgraph's input.
    SubgraphInput,
    /// The output of this operator.
    Operator(usize),
}

/// A shape, for messages: up to four dimensions kept, and the rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dims {
    rank: usize,
    dims: [i64; 4],
}

impl Dims {
    /// The shape of these dimensions (the first four kept).
    pub fn new(dims: impl IntoIterator<Item = i64>) -> Self {
        let mut out = Self {
            rank: 0,
            dims: [0; 4],
        };
        for d in dims {
            if let Some(slot) = out.dims.get_mut(out.rank) {
                *slot = d;
            }
            out.rank = out.rank.saturating_add(1);
        }
        out
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Dimension `i`, if kept.
    pub fn get(&self, i: usize) -> Option<i64> {
        self.dims.get(i).copied().filter(|_| i < self.rank)
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.dims.iter().take(self.rank).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        if self.rank > self.dims.len() {
            write!(f, ", … (rank {})", self.rank)?;
        }
        f.write_str("]")
    }
}

/// What is wrong with a tensor's quantization.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantizationProblem {
    /// It has none.
    Missing,
    /// Not the number of scales needed (1 per tensor; per channel, one per output).
    ScaleCount {
        /// How many are needed (per channel: the outputs; 1 is also taken).
        expected: usize,
        /// How many there are.
        found: usize,
    },
    /// Not as many zero points as scales.
    ZeroPointCount {
        /// The number of scales.
        expected: usize,
        /// The number of zero points.
        found: usize,
    },
    /// A scale that is not a finite positive number.
    Scale {
        /// Which.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// An activation's zero point outside −128..=127.
    ZeroPoint {
        /// Which.
        index: usize,
        /// Its value.
        value: i64,
    },
    /// A weight zero point other than 0 (TFLite's int8 weights are symmetric).
    WeightZeroPoint {
        /// Which.
        index: usize,
        /// Its value.
        value: i64,
    },
    /// Per-channel weights quantized along a dimension other than 0, the output one.
    Dimension(i32),
    /// A channel's real multiplier `s_in · s_w / s_out` that is not finite, not positive, or at
    /// least 2³⁰ (beyond TFLite's `QuantizeMultiplier` shift range).
    Multiplier {
        /// Which output channel.
        channel: usize,
        /// Its value, in `f64` as TFLite computes it.
        value: f64,
    },
    /// A fused RELU6 or RELU_N1_TO_1 whose bound does not fit an `i32` once quantized (TFLite's
    /// `Quantize` check in `CalculateActivationRangeQuantized`).
    ActivationRange,
    /// The output of an operator whose int8 kernel fixes its quantization (SOFTMAX and LOGISTIC:
    /// scale 1/256, zero point −128; TANH: 1/128, 0) says something else.
    FixedOutput {
        /// The kernel's scale.
        expected_scale: f32,
        /// The kernel's zero point.
        expected_zero_point: i32,
        /// The file's scale.
        scale: f32,
        /// The file's zero point.
        zero_point: i32,
    },
}

impl fmt::Display for QuantizationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Missing => f.write_str("it has no quantization parameters"),
            Self::ScaleCount { expected: 1, found } => {
                write!(f, "it has {found} scales, expected 1 (per tensor)")
            }
            Self::ScaleCount { expected, found } => write!(
                f,
                "it has {found} scales, expected {expected} (per channel) or 1 (per tensor)"
            ),
            Self::ZeroPointCount { expected, found } => {
                write!(f, "it has {found} zero points for {expected} scales")
            }
            Self::Scale { index, value } => {
                write!(f, "scale {index} is {value}, not a finite positive number")
            }
            Self::ZeroPoint { index, value } => {
                write!(
                    f,
                    "zero point {index} is {value}, outside the int8 range −128..=127"
                )
            }
            Self::WeightZeroPoint { index, value } => write!(
                f,
                "weight zero point {index} is {value}; int8 weights are symmetric (zero point 0)"
            ),
            Self::Dimension(d) => write!(
                f,
                "its scales run along dimension {d}; per-channel weights need dimension 0"
            ),
            Self::Multiplier { channel, value } => write!(
                f,
                "the multiplier s_in · s_w / s_out of output channel {channel} is {value}, \
                 not a finite positive number below 2³⁰"
            ),
            Self::ActivationRange => {
                f.write_str("the fused activation's bounds do not fit once quantized")
            }
            Self::FixedOutput {
                expected_scale,
                expected_zero_point,
                scale,
                zero_point,
            } => write!(
                f,
                "its scale is {scale} and zero point {zero_point}, but its operator's int8 kernel \
                 writes scale {expected_scale} and zero point {expected_zero_point}"
            ),
        }
    }
}

/// ` (the weights of operator 0)` or nothing.
struct InRole(Option<Role>);

impl fmt::Display for InRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(role) => write!(f, " ({role})"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NotAModel => f.write_str(
                "not a TensorFlow Lite model: no \"TFL3\" file identifier at bytes 4..8",
            ),
            Self::Truncated { what, at, len } => write!(
                f,
                "the {what} at byte {at} runs past the end of the file ({len} bytes): \
                 the file is truncated or corrupt"
            ),
            Self::Malformed { what, at } => {
                write!(
                    f,
                    "the {what} at byte {at} is malformed: the file is corrupt"
                )
            }
            Self::OutOfBounds { what, index, len } => write!(
                f,
                "{what} {index} does not exist: the model has {len} (the file is corrupt or \
                 the index wrong)"
            ),
            Self::UnsupportedVersion(v) => write!(
                f,
                "the model has schema version {v}; this reader reads version 3"
            ),
            Self::Subgraphs(n) => {
                write!(f, "the model has {n} subgraphs; a network is one subgraph")
            }
            Self::MissingField(what) => write!(f, "the model has no {what}"),
            Self::Unsupported { subject, what } => {
                write!(
                    f,
                    "{subject} uses {what}, which this reader does not support"
                )
            }
            Self::SubgraphIo { inputs, outputs } => write!(
                f,
                "the subgraph has {inputs} inputs and {outputs} outputs; a chain has one of each"
            ),
            Self::NotThisOperator {
                op,
                found,
                expected,
            } => write!(f, "operator {op} is {found}, not {expected}"),
            Self::Options {
                op,
                builtin,
                union_type,
            } => write!(
                f,
                "operator {op} ({builtin}) has builtin options of another operator \
                 (union type {union_type})"
            ),
            Self::Operands {
                op,
                builtin,
                inputs,
                outputs,
            } => write!(
                f,
                "operator {op} ({builtin}) has {inputs} inputs and {outputs} outputs; expected \
                 {}",
                if builtin == Builtin::FullyConnected {
                    "input, weights and an optional bias, and one output"
                } else {
                    "one input and one output"
                }
            ),
            Self::WrongType {
                tensor,
                role,
                expected,
                found,
            } => write!(
                f,
                "tensor {tensor}{} is {found}, expected {expected}",
                InRole(role)
            ),
            Self::WrongShape {
                tensor,
                role,
                expected,
                found,
            } => write!(
                f,
                "tensor {tensor}{} has shape {found}, expected {expected}",
                InRole(role)
            ),
            Self::DataSize {
                tensor,
                role,
                expected,
                found,
            } => write!(
                f,
                "tensor {tensor}{} has {found} bytes of data, expected {expected}",
                InRole(role)
            ),
            Self::Quantization {
                tensor,
                role,
                problem,
            } => write!(f, "tensor {tensor}{}: {problem}", InRole(role)),
            Self::Operator {
                index,
                expected,
                found,
            } => match (found, expected) {
                (Some(found), Some(expected)) => {
                    write!(
                        f,
                        "operator {index} is {found}, the chain expects {expected}"
                    )?;
                    if matches!(found.builtin, Builtin::Quantize | Builtin::Dequantize) {
                        f.write_str(INT8_IO)?;
                    }
                    Ok(())
                }
                (Some(found), None) => {
                    write!(
                        f,
                        "operator {index} is {found}, but the chain ends after {index} operators"
                    )?;
                    if matches!(found.builtin, Builtin::Quantize | Builtin::Dequantize) {
                        f.write_str(INT8_IO)?;
                    }
                    Ok(())
                }
                (None, Some(expected)) => write!(
                    f,
                    "the model ends after {index} operators, the chain expects operator \
                     {index} to be {expected}"
                ),
                (None, None) => write!(f, "operator {index} does not match the chain"),
            },
            Self::Disconnected {
                op,
                reads,
                expected,
                source,
            } => {
                write!(f, "operator {op} reads tensor {reads}, but the chain gives it tensor {expected}, ")?;
                match source {
                    Source::SubgraphInput => f.write_str("the subgraph's input"),
                    Source::Operator(p) => write!(f, "the output of operator {p}"),
                }
            }
            Self::OutputDisconnected { output, end } => write!(
                f,
                "the subgraph's output is tensor {output}, but the chain ends with tensor {end}"
            ),
        }
    }
}

const INT8_IO: &str = ": the model must be converted with int8 input and output types \
     (converter.inference_input_type = converter.inference_output_type = tf.int8)";

impl core::error::Error for Error {}

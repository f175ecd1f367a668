//! The names of things in a TFLite model, and of the layers a chain expects: what messages
//! say, below everything else of the reader (the errors use them).

use core::fmt;

/// A TFLite builtin operator, as the model's `OperatorCode` names it (the larger of its
/// `deprecated_builtin_code` and `builtin_code`, as TFLite's `GetBuiltinCode`).
///
/// `Display` writes TFLite's name (`FULLY_CONNECTED`, `SOFTMAX`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `FULLY_CONNECTED` (9).
    FullyConnected,
    /// `SOFTMAX` (25).
    Softmax,
    /// `LOGISTIC` (14), the sigmoid.
    Logistic,
    /// `TANH` (28).
    Tanh,
    /// `RELU` (19).
    Relu,
    /// `LEAKY_RELU` (98).
    LeakyRelu,
    /// `ELU` (111).
    Elu,
    /// `QUANTIZE` (114): float to int8, in a model converted with float input.
    Quantize,
    /// `DEQUANTIZE` (6): int8 to float, in a model converted with float output.
    Dequantize,
    /// Any other builtin code.
    Other(i32),
}

impl Builtin {
    /// The operator of a builtin code.
    pub const fn from_code(code: i32) -> Self {
        match code {
            9 => Self::FullyConnected,
            25 => Self::Softmax,
            14 => Self::Logistic,
            28 => Self::Tanh,
            19 => Self::Relu,
            98 => Self::LeakyRelu,
            111 => Self::Elu,
            114 => Self::Quantize,
            6 => Self::Dequantize,
            other => Self::Other(other),
        }
    }

    /// TFLite's builtin code.
    pub const fn code(self) -> i32 {
        match self {
            Self::FullyConnected => 9,
            Self::Softmax => 25,
            Self::Logistic => 14,
            Self::Tanh => 28,
            Self::Relu => 19,
            Self::LeakyRelu => 98,
            Self::Elu => 111,
            Self::Quantize => 114,
            Self::Dequantize => 6,
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::FullyConnected => "FULLY_CONNECTED",
            Self::Softmax => "SOFTMAX",
            Self::Logistic => "LOGISTIC",
            Self::Tanh => "TANH",
            Self::Relu => "RELU",
            Self::LeakyRelu => "LEAKY_RELU",
            Self::Elu => "ELU",
            Self::Quantize => "QUANTIZE",
            Self::Dequantize => "DEQUANTIZE",
            // A few more that an MLP-like model may hold, so that messages name them.
            Self::Other(0) => "ADD",
            Self::Other(3) => "CONV_2D",
            Self::Other(18) => "MUL",
            Self::Other(20) => "RELU_N1_TO_1",
            Self::Other(21) => "RELU6",
            Self::Other(22) => "RESHAPE",
            Self::Other(32) => "CUSTOM",
            Self::Other(117) => "HARD_SWISH",
            Self::Other(150) => "GELU",
            Self::Other(code) => return write!(f, "builtin operator {code}"),
        };
        f.write_str(name)
    }
}

/// The activation a TFLite operator fuses into its output (`ActivationFunctionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FusedActivation {
    /// `NONE` (0).
    None,
    /// `RELU` (1).
    Relu,
    /// `RELU_N1_TO_1` (2): clamp to [−1, 1].
    ReluN1To1,
    /// `RELU6` (3): clamp to [0, 6].
    Relu6,
    /// `TANH` (4).
    Tanh,
    /// `SIGN_BIT` (5).
    SignBit,
}

impl FusedActivation {
    /// The activation of an `ActivationFunctionType` code, `None` (the Rust one) for an unknown
    /// code.
    pub const fn from_code(code: i8) -> Option<Self> {
        Some(match code {
            0 => Self::None,
            1 => Self::Relu,
            2 => Self::ReluN1To1,
            3 => Self::Relu6,
            4 => Self::Tanh,
            5 => Self::SignBit,
            _ => return None,
        })
    }
}

impl fmt::Display for FusedActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "NONE",
            Self::Relu => "RELU",
            Self::ReluN1To1 => "RELU_N1_TO_1",
            Self::Relu6 => "RELU6",
            Self::Tanh => "TANH",
            Self::SignBit => "SIGN_BIT",
        })
    }
}

/// A tensor's element type (`TensorType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TensorType {
    /// `FLOAT32` (0), the schema's default.
    Float32,
    /// `INT32` (2): biases.
    Int32,
    /// `UINT8` (3).
    UInt8,
    /// `INT64` (4).
    Int64,
    /// `INT16` (7).
    Int16,
    /// `INT8` (9): weights and activations of a fully integer model.
    Int8,
    /// Any other type code.
    Other(i8),
}

impl TensorType {
    /// The type of a `TensorType` code.
    pub const fn from_code(code: i8) -> Self {
        match code {
            0 => Self::Float32,
            2 => Self::Int32,
            3 => Self::UInt8,
            4 => Self::Int64,
            7 => Self::Int16,
            9 => Self::Int8,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Float32 => "FLOAT32",
            Self::Int32 => "INT32",
            Self::UInt8 => "UINT8",
            Self::Int64 => "INT64",
            Self::Int16 => "INT16",
            Self::Int8 => "INT8",
            Self::Other(1) => "FLOAT16",
            Self::Other(5) => "STRING",
            Self::Other(6) => "BOOL",
            Self::Other(10) => "FLOAT64",
            Self::Other(code) => return write!(f, "tensor type {code}"),
        })
    }
}

/// What an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    /// The model as a whole.
    Model,
    /// A tensor, by index.
    Tensor(usize),
    /// An operator, by index.
    Operator(usize),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Model => f.write_str("the model"),
            Self::Tensor(i) => write!(f, "tensor {i}"),
            Self::Operator(i) => write!(f, "operator {i}"),
        }
    }
}

/// One layer of the chain a network expects the model to be
/// ([`Model::expect_chain`](super::Model::expect_chain)).
///
/// `Display` writes it as a message names it: `FULLY_CONNECTED 16 → 3 with RELU`, `SOFTMAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A FULLY_CONNECTED of `inputs` → `outputs` (weights `[outputs, inputs]`), with a fused
    /// RELU or with no fused activation.
    FullyConnected {
        /// The number of inputs.
        inputs: usize,
        /// The number of outputs.
        outputs: usize,
        /// Whether a RELU is fused into it (else its fused activation must be NONE).
        relu: bool,
    },
    /// SOFTMAX.
    Softmax,
    /// LOGISTIC (the sigmoid).
    Logistic,
    /// TANH.
    Tanh,
    /// RELU, as an operator of its own.
    Relu,
    /// LEAKY_RELU.
    LeakyRelu,
    /// ELU.
    Elu,
}

impl Expected {
    /// The operator it is.
    pub const fn builtin(self) -> Builtin {
        match self {
            Self::FullyConnected { .. } => Builtin::FullyConnected,
            Self::Softmax => Builtin::Softmax,
            Self::Logistic => Builtin::Logistic,
            Self::Tanh => Builtin::Tanh,
            Self::Relu => Builtin::Relu,
            Self::LeakyRelu => Builtin::LeakyRelu,
            Self::Elu => Builtin::Elu,
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::FullyConnected {
                inputs,
                outputs,
                relu,
            } => {
                write!(f, "FULLY_CONNECTED {inputs} → {outputs}")?;
                if relu {
                    f.write_str(" with RELU")?;
                }
                Ok(())
            }
            other => write!(f, "{}", other.builtin()),
        }
    }
}

/// An operator of the model as a chain mismatch describes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Found {
    /// The operator.
    pub builtin: Builtin,
    /// A FULLY_CONNECTED's `(inputs, outputs)` from its weights' shape, when readable.
    pub sizes: Option<(usize, usize)>,
    /// Its fused activation.
    pub activation: FusedActivation,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.builtin)?;
        if let Some((inputs, outputs)) = self.sizes {
            write!(f, " {inputs} → {outputs}")?;
        }
        if self.activation != FusedActivation::None {
            write!(f, " with {}", self.activation)?;
        }
        Ok(())
    }
}

//! The tables of TFLite's `schema.fbs` that an int8 MLP uses: tensors, operators, their options.
//!
//! Field numbers (the vtable slots) as in `tensorflow/lite/schema/schema.fbs`, schema version 3:
//!
//! ```text
//! Model                   0 version: uint, 1 operator_codes, 2 subgraphs, 4 buffers
//! OperatorCode            0 deprecated_builtin_code: byte, 3 builtin_code: int
//! SubGraph                0 tensors, 1 inputs: [int], 2 outputs: [int], 3 operators
//! Tensor                  0 shape: [int], 1 type: byte, 2 buffer: uint, 3 name, 4 quantization,
//!                         6 sparsity, 10 external_buffer: uint
//! QuantizationParameters  2 scale: [float], 3 zero_point: [long], 6 quantized_dimension: int
//! Operator                0 opcode_index: uint, 1 inputs: [int], 2 outputs: [int],
//!                         3 builtin_options_type: ubyte, 4 builtin_options
//! Buffer                  0 data: [ubyte], 1 offset: ulong, 2 size: ulong
//! FullyConnectedOptions   0 fused_activation_function: byte, 1 weights_format: byte,
//!                         2 keep_num_dims: bool
//! SoftmaxOptions          0 beta: float
//! LeakyReluOptions        0 alpha: float
//! ```

use core::fmt;
use core::marker::PhantomData;

use super::error::Error;
use super::flatbuffer::{slice, Table, Vector};
use super::names::{Builtin, FusedActivation, Subject, TensorType};

mod sealed {
    pub trait Sealed {}
    impl Sealed for i32 {}
    impl Sealed for i64 {}
    impl Sealed for f32 {}
}

/// A number that a flatbuffer vector of the schema holds: `i32`, `i64` or `f32`.
pub trait Element: sealed::Sealed + Copy + 'static {
    /// Its size in the file, in bytes.
    const SIZE: usize;
    /// The number from its little-endian bytes (`0` if `bytes` is not `SIZE` long, which the
    /// reader never passes).
    fn from_le(bytes: &[u8]) -> Self;
}

impl Element for i32 {
    const SIZE: usize = 4;
    fn from_le(bytes: &[u8]) -> Self {
        <[u8; 4]>::try_from(bytes).map_or(0, i32::from_le_bytes)
    }
}

impl Element for i64 {
    const SIZE: usize = 8;
    fn from_le(bytes: &[u8]) -> Self {
        <[u8; 8]>::try_from(bytes).map_or(0, i64::from_le_bytes)
    }
}

impl Element for f32 {
    const SIZE: usize = 4;
    fn from_le(bytes: &[u8]) -> Self {
        <[u8; 4]>::try_from(bytes).map_or(0.0, f32::from_le_bytes)
    }
}

/// A vector of numbers in the file, read in place (no copy, no alignment needed): a tensor's
/// shape, scales or zero points, an operator's tensor indices.
#[derive(Clone, Copy)]
pub struct Array<'a, T: Element> {
    bytes: &'a [u8],
    _element: PhantomData<T>,
}

impl<'a, T: Element> Array<'a, T> {
    pub(crate) fn new(vector: Option<Vector<'a>>) -> Self {
        Self {
            bytes: vector.map_or(&[][..], |v| v.data()),
            _element: PhantomData,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.bytes.len() / T::SIZE
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i`, `None` past the end.
    pub fn get(&self, i: usize) -> Option<T> {
        let at = i.checked_mul(T::SIZE)?;
        slice(self.bytes, at, T::SIZE, "").ok().map(T::from_le)
    }

    /// The elements in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + 'a {
        self.bytes.chunks_exact(T::SIZE).map(T::from_le)
    }
}

impl<T: Element + fmt::Debug> fmt::Debug for Array<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Element> IntoIterator for Array<'a, T> {
    type Item = T;
    type IntoIter = core::iter::Map<core::slice::ChunksExact<'a, u8>, fn(&[u8]) -> T>;

    fn into_iter(self) -> Self::IntoIter {
        self.bytes
            .chunks_exact(T::SIZE)
            .map(T::from_le as fn(&[u8]) -> T)
    }
}

/// A tensor of the subgraph, read in place.
#[derive(Clone, Copy)]
pub struct Tensor<'a> {
    pub(crate) index: usize,
    pub(crate) table: Table<'a>,
    pub(crate) file: &'a [u8],
    pub(crate) buffers: Option<Vector<'a>>,
}

impl fmt::Debug for Tensor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tensor")
            .field("index", &self.index)
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl<'a> Tensor<'a> {
    /// Its index in the subgraph.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its name (`""` when it has none).
    pub fn name(&self) -> Result<&'a str, Error> {
        match self.table.vector(3, 1, "tensor name")? {
            Some(v) => core::str::from_utf8(v.data()).map_err(|_| Error::Malformed {
                what: "tensor name (not UTF-8)",
                at: v.start(),
            }),
            None => Ok(""),
        }
    }

    /// Its shape, one `i32` per dimension (empty for a scalar or an absent shape).
    pub fn shape(&self) -> Result<Array<'a, i32>, Error> {
        Ok(Array::new(self.table.vector(0, 4, "tensor shape")?))
    }

    /// Its element type (`FLOAT32`, the schema's default, when absent).
    pub fn element_type(&self) -> Result<TensorType, Error> {
        Ok(TensorType::from_code(self.table.i8(1, 0, "tensor type")?))
    }

    /// The index of its buffer in the model (0, the empty buffer, for an activation).
    pub fn buffer(&self) -> Result<u32, Error> {
        self.table.u32(2, 0, "tensor buffer")
    }

    /// Its constant data, the bytes of its buffer (empty for an activation), in place.
    ///
    /// A buffer whose `offset` is above 1 (models over 2 GB keep data past the flatbuffer) is
    /// read from the file at that offset, bounds-checked. Errors for a sparse tensor
    /// (`sparsity` set: the data is compressed) or one whose data is in an external buffer.
    pub fn data(&self) -> Result<&'a [u8], Error> {
        if self.table.has(6, "tensor sparsity")? {
            return Err(Error::Unsupported {
                subject: Subject::Tensor(self.index),
                what: "sparse tensors",
            });
        }
        if self.table.u32(10, 0, "tensor external buffer")? != 0 {
            return Err(Error::Unsupported {
                subject: Subject::Tensor(self.index),
                what: "data in an external buffer",
            });
        }
        let index = self.buffer()?;
        let Some(buffers) = self.buffers else {
            return if index == 0 {
                Ok(&[])
            } else {
                Err(Error::MissingField("buffers"))
            };
        };
        let i = usize::try_from(index).unwrap_or(usize::MAX);
        let buffer = buffers.table(i, "buffer")?.ok_or(Error::OutOfBounds {
            what: "buffer",
            index: i64::from(index),
            len: buffers.len(),
        })?;
        let offset = buffer.u64(1, 0, "buffer offset")?;
        if offset > 1 {
            let size = buffer.u64(2, 0, "buffer size")?;
            let too_far = Error::Truncated {
                what: "buffer data past the flatbuffer",
                at: usize::try_from(offset).unwrap_or(usize::MAX),
                len: self.file.len(),
            };
            let (Ok(offset), Ok(size)) = (usize::try_from(offset), usize::try_from(size)) else {
                return Err(too_far);
            };
            return slice(self.file, offset, size, "buffer data past the flatbuffer");
        }
        Ok(buffer
            .vector(0, 1, "buffer data")?
            .map_or(&[][..], |v| v.data()))
    }

    /// Its quantization parameters, `None` when it has none (or an empty scale vector, which
    /// TFLite reads as none).
    pub fn quantization(&self) -> Result<Option<Quantization<'a>>, Error> {
        let Some(table) = self.table.table(4, "tensor quantization")? else {
            return Ok(None);
        };
        let scales = Array::new(table.vector(2, 4, "quantization scale")?);
        if scales.is_empty() {
            return Ok(None);
        }
        Ok(Some(Quantization {
            scales,
            zero_points: Array::new(table.vector(3, 8, "quantization zero point")?),
            quantized_dimension: table.i32(6, 0, "quantized dimension")?,
        }))
    }
}

/// A tensor's affine quantization: `real = scale · (q − zero_point)`, per tensor (one scale)
/// or per channel along `quantized_dimension`.
#[derive(Clone, Copy, Debug)]
pub struct Quantization<'a> {
    /// The scales (`f32`), at least one.
    pub scales: Array<'a, f32>,
    /// The zero points (`i64` in the schema).
    pub zero_points: Array<'a, i64>,
    /// The dimension the scales run along, for per-channel quantization.
    pub quantized_dimension: i32,
}

/// An operator of the subgraph, read in place.
#[derive(Clone, Copy, Debug)]
pub struct Operator<'a> {
    pub(crate) index: usize,
    pub(crate) builtin: Builtin,
    pub(crate) table: Table<'a>,
    pub(crate) inputs: Array<'a, i32>,
    pub(crate) outputs: Array<'a, i32>,
}

/// The `BuiltinOptions` union's types this reader knows.
const FULLY_CONNECTED_OPTIONS: u8 = 8;
const SOFTMAX_OPTIONS: u8 = 9;
const LEAKY_RELU_OPTIONS: u8 = 75;

impl<'a> Operator<'a> {
    /// Its index in the subgraph.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Which builtin operator it is.
    pub fn builtin(&self) -> Builtin {
        self.builtin
    }

    /// Its input tensors' indices, in TFLite's order (FULLY_CONNECTED: input, weights, bias);
    /// −1 marks an absent optional input.
    pub fn inputs(&self) -> Array<'a, i32> {
        self.inputs
    }

    /// Its output tensors' indices.
    pub fn outputs(&self) -> Array<'a, i32> {
        self.outputs
    }

    /// Its builtin options table if it is of union type `kind`; an error if it is of another
    /// type (the file is inconsistent).
    fn options(&self, kind: u8) -> Result<Option<Table<'a>>, Error> {
        let found = self.table.u8(3, 0, "builtin options type")?;
        if found == 0 {
            return Ok(None);
        }
        if found != kind {
            return Err(Error::Options {
                op: self.index,
                builtin: self.builtin,
                union_type: found,
            });
        }
        self.table.table(4, "builtin options")
    }

    fn require(&self, builtin: Builtin) -> Result<(), Error> {
        if self.builtin == builtin {
            Ok(())
        } else {
            Err(Error::NotThisOperator {
                op: self.index,
                found: self.builtin,
                expected: builtin,
            })
        }
    }

    /// The activation a FULLY_CONNECTED fuses into its output (`NONE` when it has no options,
    /// the schema's default; `NONE` for the other operators, which fuse none in this subset).
    pub fn fused_activation(&self) -> Result<FusedActivation, Error> {
        if self.builtin != Builtin::FullyConnected {
            return Ok(FusedActivation::None);
        }
        let code = match self.options(FULLY_CONNECTED_OPTIONS)? {
            Some(t) => t.i8(0, 0, "fused activation")?,
            None => 0,
        };
        FusedActivation::from_code(code).ok_or(Error::Unsupported {
            subject: Subject::Operator(self.index),
            what: "an unknown fused activation code",
        })
    }

    /// A FULLY_CONNECTED's `keep_num_dims` (false when absent).
    pub fn keep_num_dims(&self) -> Result<bool, Error> {
        self.require(Builtin::FullyConnected)?;
        match self.options(FULLY_CONNECTED_OPTIONS)? {
            Some(t) => Ok(t.u8(2, 0, "keep_num_dims")? != 0),
            None => Ok(false),
        }
    }

    /// A FULLY_CONNECTED's `weights_format` (0, `DEFAULT`, when absent; 1 is
    /// `SHUFFLED4x16INT8`).
    pub fn weights_format(&self) -> Result<i8, Error> {
        self.require(Builtin::FullyConnected)?;
        match self.options(FULLY_CONNECTED_OPTIONS)? {
            Some(t) => t.i8(1, 0, "weights format"),
            None => Ok(0),
        }
    }

    /// A SOFTMAX's `beta` (0.0, the schema's default, when absent); an error for another
    /// operator.
    pub fn softmax_beta(&self) -> Result<f32, Error> {
        self.require(Builtin::Softmax)?;
        match self.options(SOFTMAX_OPTIONS)? {
            Some(t) => t.f32(0, 0.0, "softmax beta"),
            None => Ok(0.0),
        }
    }

    /// A LEAKY_RELU's `alpha` (0.0, the schema's default, when absent); an error for another
    /// operator.
    pub fn leaky_relu_alpha(&self) -> Result<f32, Error> {
        self.require(Builtin::LeakyRelu)?;
        match self.options(LEAKY_RELU_OPTIONS)? {
            Some(t) => t.f32(0, 0.0, "leaky relu alpha"),
            None => Ok(0.0),
        }
    }
}

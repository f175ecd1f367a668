//! The model: its header checked, its one subgraph found; tensors and operators on demand.

use super::error::Error;
use super::flatbuffer::{u32_at, Table, Vector};
use super::names::Builtin;
use super::schema::{Array, Operator, Tensor};

/// The schema version this reader reads (`TFLITE_SCHEMA_VERSION`).
pub const SCHEMA_VERSION: u32 = 3;

/// A TensorFlow Lite model, read in place from its bytes: nothing is copied or allocated.
///
/// [`Model::parse`] checks the header (the `TFL3` identifier, the root table, the schema
/// version) and finds the one subgraph and its vectors; each tensor and operator is read, and
/// checked, when asked for. Every accessor that reads the file returns a [`Result`].
///
/// ```
/// use mlp::tflite::{Builtin, Model};
///
/// let bytes = include_bytes!(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../tests/fixtures/tflite/classifier_per_channel.tflite"
/// ));
/// let model = Model::parse(bytes)?;
/// assert_eq!(model.operator_count(), 3);
/// assert_eq!(model.operator(2)?.builtin(), Builtin::Softmax);
/// let input = model.tensor(model.input()?)?;
/// assert_eq!(input.shape()?.iter().collect::<Vec<_>>(), [1, 2]);
/// # Ok::<(), mlp::tflite::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Model<'a> {
    bytes: &'a [u8],
    version: u32,
    codes: Option<Vector<'a>>,
    buffers: Option<Vector<'a>>,
    tensors: Vector<'a>,
    operators: Vector<'a>,
    inputs: Array<'a, i32>,
    outputs: Array<'a, i32>,
}

impl core::fmt::Debug for Model<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Model")
            .field("bytes", &self.bytes.len())
            .field("version", &self.version)
            .field("tensors", &self.tensors.len())
            .field("operators", &self.operators.len())
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

impl<'a> Model<'a> {
    /// Reads the header of a `.tflite` file and finds its subgraph.
    ///
    /// Errors: [`Error::Truncated`] for fewer than 8 bytes, [`Error::NotAModel`] without the
    /// `TFL3` identifier, [`Error::UnsupportedVersion`] for a schema version other than 3,
    /// [`Error::Subgraphs`] unless there is exactly one subgraph, and the errors of a corrupt
    /// root, subgraph or vector.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let root = usize::try_from(u32_at(bytes, 0, "root offset")?).unwrap_or(usize::MAX);
        if bytes.get(4..8) != Some(b"TFL3".as_slice()) {
            return Err(if bytes.len() < 8 {
                Error::Truncated {
                    what: "file identifier",
                    at: 4,
                    len: bytes.len(),
                }
            } else {
                Error::NotAModel
            });
        }
        let model = Table::at(bytes, root, "model")?;
        let version = model.u32(0, 0, "model version")?;
        if version != SCHEMA_VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let subgraphs = model
            .vector(2, 4, "subgraphs")?
            .unwrap_or_else(Vector::empty);
        if subgraphs.len() != 1 {
            return Err(Error::Subgraphs(subgraphs.len()));
        }
        let subgraph = subgraphs.table(0, "subgraph")?.ok_or(Error::Subgraphs(0))?;
        Ok(Self {
            bytes,
            version,
            codes: model.vector(1, 4, "operator codes")?,
            buffers: model.vector(4, 4, "buffers")?,
            tensors: subgraph
                .vector(0, 4, "tensors")?
                .unwrap_or_else(Vector::empty),
            operators: subgraph
                .vector(3, 4, "operators")?
                .unwrap_or_else(Vector::empty),
            inputs: Array::new(subgraph.vector(1, 4, "subgraph inputs")?),
            outputs: Array::new(subgraph.vector(2, 4, "subgraph outputs")?),
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The schema version (always [`SCHEMA_VERSION`] after [`Model::parse`]).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The number of operators of the subgraph, in execution order.
    pub fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// The number of tensors of the subgraph.
    pub fn tensor_count(&self) -> usize {
        self.tensors.len()
    }

    /// The subgraph's input tensor indices (as stored).
    pub fn inputs(&self) -> Array<'a, i32> {
        self.inputs
    }

    /// The subgraph's output tensor indices (as stored).
    pub fn outputs(&self) -> Array<'a, i32> {
        self.outputs
    }

    /// Operator `i`, its builtin code resolved through the model's operator codes.
    pub fn operator(&self, i: usize) -> Result<Operator<'a>, Error> {
        let table = self
            .operators
            .table(i, "operator")?
            .ok_or(Error::OutOfBounds {
                what: "operator",
                index: i64::try_from(i).unwrap_or(i64::MAX),
                len: self.operators.len(),
            })?;
        let opcode = table.u32(0, 0, "opcode index")?;
        let codes = self.codes.ok_or(Error::MissingField("operator_codes"))?;
        let code = codes
            .table(
                usize::try_from(opcode).unwrap_or(usize::MAX),
                "operator code",
            )?
            .ok_or(Error::OutOfBounds {
                what: "operator code",
                index: i64::from(opcode),
                len: codes.len(),
            })?;
        let deprecated = code.i8(0, 0, "deprecated builtin code")?;
        let builtin = code.i32(3, 0, "builtin code")?;
        Ok(Operator {
            index: i,
            builtin: Builtin::from_code(builtin.max(i32::from(deprecated))),
            table,
            inputs: Array::new(table.vector(1, 4, "operator inputs")?),
            outputs: Array::new(table.vector(2, 4, "operator outputs")?),
        })
    }

    /// Tensor `i` of the subgraph.
    pub fn tensor(&self, i: usize) -> Result<Tensor<'a>, Error> {
        let table = self.tensors.table(i, "tensor")?.ok_or(Error::OutOfBounds {
            what: "tensor",
            index: i64::try_from(i).unwrap_or(i64::MAX),
            len: self.tensors.len(),
        })?;
        Ok(Tensor {
            index: i,
            table,
            file: self.bytes,
            buffers: self.buffers,
        })
    }

    /// A tensor index stored in the file (an `i32`), checked to name a tensor.
    pub(crate) fn tensor_index(&self, stored: i32) -> Result<usize, Error> {
        usize::try_from(stored)
            .ok()
            .filter(|&i| i < self.tensors.len())
            .ok_or(Error::OutOfBounds {
                what: "tensor",
                index: i64::from(stored),
                len: self.tensors.len(),
            })
    }

    /// The subgraph's one input tensor; [`Error::SubgraphIo`] unless it has exactly one.
    pub fn input(&self) -> Result<usize, Error> {
        self.single_io()?;
        self.tensor_index(self.inputs.get(0).unwrap_or(-1))
    }

    /// The subgraph's one output tensor; [`Error::SubgraphIo`] unless it has exactly one.
    pub fn output(&self) -> Result<usize, Error> {
        self.single_io()?;
        self.tensor_index(self.outputs.get(0).unwrap_or(-1))
    }

    fn single_io(&self) -> Result<(), Error> {
        if self.inputs.len() == 1 && self.outputs.len() == 1 {
            Ok(())
        } else {
            Err(Error::SubgraphIo {
                inputs: self.inputs.len(),
                outputs: self.outputs.len(),
            })
        }
    }
}

//! The model as a chain of layers: which operators, in which order, joined by which tensors.

use super::error::{Dims, Error, Operand, Role, Source};
use super::model::Model;
use super::names::{Builtin, Expected, Found, FusedActivation, TensorType};
use super::schema::{Array, Operator};

/// A FULLY_CONNECTED's `(inputs, outputs)` from its weights' shape `[outputs, inputs]`.
fn fc_sizes(shape: Array<'_, i32>) -> Option<(usize, usize)> {
    if shape.len() != 2 {
        return None;
    }
    let outputs = usize::try_from(shape.get(0)?).ok()?;
    let inputs = usize::try_from(shape.get(1)?).ok()?;
    Some((inputs, outputs))
}

pub(crate) fn dims(shape: Array<'_, i32>) -> Dims {
    Dims::new(shape.iter().map(i64::from))
}

pub(crate) fn dims_of(sizes: &[usize]) -> Dims {
    Dims::new(sizes.iter().map(|&s| i64::try_from(s).unwrap_or(i64::MAX)))
}

impl<'a> Model<'a> {
    /// The activation input and output tensor indices of operator `op` (for a FULLY_CONNECTED,
    /// its input `x`, not the weights or bias), checked to name tensors.
    ///
    /// Errors with [`Error::Operands`] unless a FULLY_CONNECTED has 2 or 3 inputs and any other
    /// operator 1, and each has one output.
    pub fn operator_io(&self, op: usize) -> Result<(usize, usize), Error> {
        self.io_of(&self.operator(op)?)
    }

    pub(crate) fn io_of(&self, o: &Operator<'a>) -> Result<(usize, usize), Error> {
        let (inputs, outputs) = (o.inputs.len(), o.outputs.len());
        let fits = outputs == 1
            && match o.builtin {
                Builtin::FullyConnected => inputs == 2 || inputs == 3,
                _ => inputs == 1,
            };
        if !fits {
            return Err(Error::Operands {
                op: o.index,
                builtin: o.builtin,
                inputs,
                outputs,
            });
        }
        Ok((
            self.tensor_index(o.inputs.get(0).unwrap_or(-1))?,
            self.tensor_index(o.outputs.get(0).unwrap_or(-1))?,
        ))
    }

    /// An operator as a mismatch describes it, as far as it can be read.
    fn found(&self, o: &Operator<'a>) -> Found {
        let sizes = if o.builtin == Builtin::FullyConnected {
            o.inputs
                .get(1)
                .and_then(|w| self.tensor_index(w).ok())
                .and_then(|w| self.tensor(w).ok())
                .and_then(|w| w.shape().ok())
                .and_then(fc_sizes)
        } else {
            None
        };
        Found {
            builtin: o.builtin,
            sizes,
            activation: o.fused_activation().unwrap_or(FusedActivation::None),
        }
    }

    /// An int8 activation tensor, or [`Error::WrongType`].
    fn int8_activation(&self, tensor: usize, role: Role) -> Result<(), Error> {
        let found = self.tensor(tensor)?.element_type()?;
        if found == TensorType::Int8 {
            Ok(())
        } else {
            Err(Error::WrongType {
                tensor,
                role: Some(role),
                expected: TensorType::Int8,
                found,
            })
        }
    }

    /// Checks that the model is exactly this chain: its operators, in order, are `expected`
    /// (a FULLY_CONNECTED of the same sizes and fused activation), each reads the int8 tensor
    /// the one before it writes, the first reads the subgraph's input, and the last writes the
    /// subgraph's output.
    ///
    /// A model converted with float input or output begins with QUANTIZE or ends with
    /// DEQUANTIZE: that is a mismatch too, whose message says to convert with int8 input and
    /// output types. The first difference is the error: [`Error::Operator`] (naming the
    /// operator's index, what it is and what the chain expects), [`Error::Disconnected`],
    /// [`Error::OutputDisconnected`], [`Error::WrongType`] for a non-int8 activation, or an
    /// error of reading the file.
    ///
    /// ```
    /// use mlp::tflite::{Expected, Model};
    ///
    /// let bytes = include_bytes!(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../tests/fixtures/tflite/classifier_per_channel.tflite"
    /// ));
    /// let model = Model::parse(bytes)?;
    /// model.expect_chain(&[
    ///     Expected::FullyConnected { inputs: 2, outputs: 16, relu: true },
    ///     Expected::FullyConnected { inputs: 16, outputs: 3, relu: false },
    ///     Expected::Softmax,
    /// ])?;
    /// let wrong = model.expect_chain(&[
    ///     Expected::FullyConnected { inputs: 2, outputs: 16, relu: true },
    ///     Expected::FullyConnected { inputs: 16, outputs: 3, relu: false },
    ///     Expected::FullyConnected { inputs: 3, outputs: 3, relu: false },
    /// ]);
    /// assert_eq!(
    ///     wrong.unwrap_err().to_string(),
    ///     "operator 2 is SOFTMAX, the chain expects FULLY_CONNECTED 3 → 3"
    /// );
    /// # Ok::<(), mlp::tflite::Error>(())
    /// ```
    pub fn expect_chain(&self, expected: &[Expected]) -> Result<(), Error> {
        let input = self.input()?;
        let output = self.output()?;
        let mut previous = (input, Source::SubgraphInput);
        for (index, &want) in expected.iter().enumerate() {
            if index >= self.operator_count() {
                return Err(Error::Operator {
                    index,
                    expected: Some(want),
                    found: None,
                });
            }
            let op = self.operator(index)?;
            if op.builtin != want.builtin() {
                return Err(Error::Operator {
                    index,
                    expected: Some(want),
                    found: Some(self.found(&op)),
                });
            }
            let (x, y) = self.io_of(&op)?;
            if let Expected::FullyConnected {
                inputs,
                outputs,
                relu,
            } = want
            {
                let activation = op.fused_activation()?;
                let w = self.tensor_index(op.inputs.get(1).unwrap_or(-1))?;
                let shape = self.tensor(w)?.shape()?;
                let Some(sizes) = fc_sizes(shape) else {
                    return Err(Error::WrongShape {
                        tensor: w,
                        role: Some(Role {
                            op: index,
                            operand: Operand::Weights,
                        }),
                        expected: dims_of(&[outputs, inputs]),
                        found: dims(shape),
                    });
                };
                let wanted = if relu {
                    FusedActivation::Relu
                } else {
                    FusedActivation::None
                };
                if sizes != (inputs, outputs) || activation != wanted {
                    return Err(Error::Operator {
                        index,
                        expected: Some(want),
                        found: Some(Found {
                            builtin: op.builtin,
                            sizes: Some(sizes),
                            activation,
                        }),
                    });
                }
            }
            if x != previous.0 {
                return Err(Error::Disconnected {
                    op: index,
                    reads: x,
                    expected: previous.0,
                    source: previous.1,
                });
            }
            let role = |operand| Role { op: index, operand };
            self.int8_activation(x, role(Operand::Input))?;
            self.int8_activation(y, role(Operand::Output))?;
            previous = (y, Source::Operator(index));
        }
        if self.operator_count() > expected.len() {
            let index = expected.len();
            return Err(Error::Operator {
                index,
                expected: None,
                found: Some(self.found(&self.operator(index)?)),
            });
        }
        if previous.0 != output {
            return Err(Error::OutputDisconnected {
                output,
                end: previous.0,
            });
        }
        Ok(())
    }
}

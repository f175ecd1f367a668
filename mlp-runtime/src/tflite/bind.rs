//! The model's layers as `quant`'s kernels: checked, with typed errors.

use super::chain::{dims, dims_of};
use super::error::{Error, Operand, QuantizationProblem, Role};
use super::model::Model;
use super::names::{Builtin, FusedActivation, Subject, TensorType};
use super::schema::{Array, Tensor};
use crate::quant::{FullyConnected, Requantize, Rounding};

/// `v` rounded half away from zero, as C's `roundf` (TFLite's `TfLiteRound`), without `std`.
fn round(v: f32) -> f32 {
    // From 2²³ on every f32 is an integer; NaN and infinities stay as they are.
    if v.is_nan() || v.abs() >= 8_388_608.0 {
        return v;
    }
    let truncated = v as i32 as f32; // exact below 2²³
    let fraction = v - truncated; // exact too
    if fraction >= 0.5 {
        truncated + 1.0
    } else if fraction <= -0.5 {
        truncated - 1.0
    } else {
        truncated
    }
}

/// TFLite's `Quantize(scale, zero_point, f)` of `CalculateActivationRangeQuantized`:
/// `zero_point + round(f / scale)` (an `f32` division), `None` where TFLite's check that the
/// rounded value fits an `i32` fails.
fn quantize(scale: f32, zero_point: i32, f: f32) -> Option<i64> {
    let t = round(f / scale);
    // static_cast<float>(INT32_MIN) and static_cast<float>(INT32_MAX) (= 2³¹), as TFLite.
    if (-2_147_483_648.0..=2_147_483_648.0).contains(&t) {
        Some(i64::from(zero_point) + t as i64)
    } else {
        None
    }
}

fn to_i8(v: i64) -> i8 {
    i8::try_from(v.clamp(-128, 127)).unwrap_or(0)
}

/// The int8 output clamp of a fused activation, as TFLite's `CalculateActivationRangeQuantized`
/// for an int8 output of `scale` and `zero_point`: NONE `(−128, 127)`, RELU
/// `(max(−128, zp), 127)`, RELU6 `(max(−128, zp), min(127, zp + round(6 / scale)))`,
/// RELU_N1_TO_1 `(max(−128, zp + round(−1 / scale)), min(127, zp + round(1 / scale)))`; TANH
/// and SIGN_BIT are [`Error::Unsupported`], as they are in TFLite's kernel.
///
/// `scale` must be finite and positive (a bound that does not fit is
/// [`QuantizationProblem::ActivationRange`] of `role`'s tensor `tensor`).
pub fn activation_range(
    activation: FusedActivation,
    scale: f32,
    zero_point: i32,
    tensor: usize,
    role: Option<Role>,
) -> Result<(i8, i8), Error> {
    let q = |f: f32| {
        quantize(scale, zero_point, f).ok_or(Error::Quantization {
            tensor,
            role,
            problem: QuantizationProblem::ActivationRange,
        })
    };
    let (low, high) = match activation {
        FusedActivation::None => (-128, 127),
        FusedActivation::Relu => (q(0.0)?.max(-128), 127),
        FusedActivation::Relu6 => (q(0.0)?.max(-128), q(6.0)?.min(127)),
        FusedActivation::ReluN1To1 => (q(-1.0)?.max(-128), q(1.0)?.min(127)),
        FusedActivation::Tanh | FusedActivation::SignBit => {
            return Err(Error::Unsupported {
                subject: role.map_or(Subject::Tensor(tensor), |r| Subject::Operator(r.op)),
                what: "a fused TANH or SIGN_BIT activation",
            })
        }
    };
    Ok((to_i8(low), to_i8(high)))
}

/// Whether `shape` is `[n]` or `[1, n]`.
fn is_vector(shape: Array<'_, i32>, n: usize) -> bool {
    let n = i64::try_from(n).unwrap_or(-1);
    let d = |i| shape.get(i).map(i64::from);
    match shape.len() {
        1 => d(0) == Some(n),
        2 => d(0) == Some(1) && d(1) == Some(n),
        _ => false,
    }
}

fn scale_ok(value: f32) -> bool {
    value.is_finite() && value > 0.0
}

impl<'a> Model<'a> {
    /// The `(scale, zero point)` of a per-tensor int8 activation tensor, such as the input or
    /// output of the model or of a layer.
    ///
    /// Errors: [`Error::WrongType`] unless it is INT8; [`Error::Quantization`] unless it has
    /// exactly one scale, finite and positive, and one zero point in −128..=127.
    ///
    /// ```
    /// use mlp::tflite::Model;
    ///
    /// let bytes = include_bytes!(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../tests/fixtures/tflite/classifier_per_channel.tflite"
    /// ));
    /// let model = Model::parse(bytes)?;
    /// let (scale, zero_point) = model.quantization(model.output()?)?;
    /// assert_eq!((scale, zero_point), (1.0 / 256.0, -128)); // TFLite's int8 softmax output
    /// # Ok::<(), mlp::tflite::Error>(())
    /// ```
    pub fn quantization(&self, tensor: usize) -> Result<(f32, i32), Error> {
        self.activation_quantization(tensor, None)
    }

    /// [`Self::quantization`] of a tensor that an int8 kernel writes at a fixed quantization
    /// (SOFTMAX's and LOGISTIC's 1/256 and −128, TANH's 1/128 and 0): anything else is
    /// [`QuantizationProblem::FixedOutput`], since the kernel's outputs would be read at the
    /// wrong scale.
    pub fn fixed_quantization(
        &self,
        tensor: usize,
        expected: (f32, i32),
    ) -> Result<(f32, i32), Error> {
        let (scale, zero_point) = self.quantization(tensor)?;
        if (scale.to_bits(), zero_point) == (expected.0.to_bits(), expected.1) {
            return Ok((scale, zero_point));
        }
        Err(Error::Quantization {
            tensor,
            role: None,
            problem: QuantizationProblem::FixedOutput {
                expected_scale: expected.0,
                expected_zero_point: expected.1,
                scale,
                zero_point,
            },
        })
    }

    fn check_type(t: &Tensor<'a>, role: Option<Role>, expected: TensorType) -> Result<(), Error> {
        let found = t.element_type()?;
        if found == expected {
            Ok(())
        } else {
            Err(Error::WrongType {
                tensor: t.index(),
                role,
                expected,
                found,
            })
        }
    }

    fn activation_quantization(
        &self,
        tensor: usize,
        role: Option<Role>,
    ) -> Result<(f32, i32), Error> {
        let t = self.tensor(tensor)?;
        Self::check_type(&t, role, TensorType::Int8)?;
        let problem = |problem| Error::Quantization {
            tensor,
            role,
            problem,
        };
        let q = t
            .quantization()?
            .ok_or(problem(QuantizationProblem::Missing))?;
        if q.scales.len() != 1 {
            return Err(problem(QuantizationProblem::ScaleCount {
                expected: 1,
                found: q.scales.len(),
            }));
        }
        if q.zero_points.len() != 1 {
            return Err(problem(QuantizationProblem::ZeroPointCount {
                expected: 1,
                found: q.zero_points.len(),
            }));
        }
        let scale = q.scales.get(0).unwrap_or(f32::NAN);
        if !scale_ok(scale) {
            return Err(problem(QuantizationProblem::Scale {
                index: 0,
                value: scale,
            }));
        }
        let zero_point = q.zero_points.get(0).unwrap_or(i64::MIN);
        match i8::try_from(zero_point) {
            Ok(z) => Ok((scale, i32::from(z))),
            Err(_) => Err(problem(QuantizationProblem::ZeroPoint {
                index: 0,
                value: zero_point,
            })),
        }
    }

    /// Operator `op` as [`FullyConnected`]`<IN, OUT>`, checked against TFLite's int8
    /// FULLY_CONNECTED, with [`Rounding::Single`] as LiteRT's reference kernels.
    ///
    /// Checks, each with its typed error: the operator is FULLY_CONNECTED
    /// ([`Error::NotThisOperator`]) with input, weights, optional bias and one output
    /// ([`Error::Operands`]) and the default weights format; the input is INT8 of shape
    /// `[1, IN]` or `[IN]`, per tensor; the weights are INT8 `[OUT, IN]` with exactly `OUT·IN`
    /// bytes of data, `OUT` scales along dimension 0 (per channel) or one (per tensor), each
    /// finite and positive, and zero points all 0; the bias, if present (an absent bias is
    /// zeros), is INT32 `[OUT]` with `4·OUT` bytes (little-endian); the output is INT8 of shape
    /// `[1, OUT]` or `[OUT]`, per tensor. Then per output channel `c`, as TFLite's
    /// `fully_connected.cc`: `requantize[c] = Requantize::from_scale(f64(s_in) · f64(s_w[c]) /
    /// f64(s_out))`, an error if that is not finite and positive or needs a shift above 30; the
    /// fused activation's clamp is TFLite's `CalculateActivationRangeQuantized` (see
    /// [`activation_range`]).
    ///
    /// ```
    /// use mlp::tflite::Model;
    ///
    /// let bytes = include_bytes!(concat!(
    ///     env!("CARGO_MANIFEST_DIR"),
    ///     "/../tests/fixtures/tflite/classifier_per_channel.tflite"
    /// ));
    /// let model = Model::parse(bytes)?;
    /// let hidden = model.fully_connected::<2, 16>(0)?;
    /// let logits = model.fully_connected::<16, 3>(1)?;
    /// let h = hidden.forward(&[10, -20]);
    /// let _y: [i8; 3] = logits.forward(&h);
    /// assert_eq!(hidden.activation_min as i32, hidden.output_zero_point); // the fused ReLU
    /// assert!(model.fully_connected::<3, 16>(0).is_err()); // the wrong sizes
    /// # Ok::<(), mlp::tflite::Error>(())
    /// ```
    pub fn fully_connected<const IN: usize, const OUT: usize>(
        &self,
        op: usize,
    ) -> Result<FullyConnected<IN, OUT>, Error> {
        let o = self.operator(op)?;
        if o.builtin() != Builtin::FullyConnected {
            return Err(Error::NotThisOperator {
                op,
                found: o.builtin(),
                expected: Builtin::FullyConnected,
            });
        }
        let (x, y) = self.io_of(&o)?;
        if o.weights_format()? != 0 {
            return Err(Error::Unsupported {
                subject: Subject::Operator(op),
                what: "shuffled weights (weights_format SHUFFLED4x16INT8)",
            });
        }
        let activation = o.fused_activation()?;
        let role = |operand| Some(Role { op, operand });

        // The input.
        let input = self.tensor(x)?;
        Self::check_type(&input, role(Operand::Input), TensorType::Int8)?;
        let shape = input.shape()?;
        if !is_vector(shape, IN) {
            return Err(Error::WrongShape {
                tensor: x,
                role: role(Operand::Input),
                expected: dims_of(&[1, IN]),
                found: dims(shape),
            });
        }
        let (input_scale, input_zero_point) =
            self.activation_quantization(x, role(Operand::Input))?;

        // The output.
        let output = self.tensor(y)?;
        Self::check_type(&output, role(Operand::Output), TensorType::Int8)?;
        let shape = output.shape()?;
        if !is_vector(shape, OUT) {
            return Err(Error::WrongShape {
                tensor: y,
                role: role(Operand::Output),
                expected: dims_of(&[1, OUT]),
                found: dims(shape),
            });
        }
        let (output_scale, output_zero_point) =
            self.activation_quantization(y, role(Operand::Output))?;

        // The weights.
        let w = self.tensor_index(o.inputs().get(1).unwrap_or(-1))?;
        let weights_role = role(Operand::Weights);
        let weights = self.tensor(w)?;
        Self::check_type(&weights, weights_role, TensorType::Int8)?;
        let shape = weights.shape()?;
        let want = [OUT, IN];
        let same = shape.len() == 2
            && shape
                .iter()
                .zip(want)
                .all(|(d, n)| usize::try_from(d).ok() == Some(n));
        if !same {
            return Err(Error::WrongShape {
                tensor: w,
                role: weights_role,
                expected: dims_of(&want),
                found: dims(shape),
            });
        }
        let data = weights.data()?;
        let size = OUT.saturating_mul(IN);
        if data.len() != size {
            return Err(Error::DataSize {
                tensor: w,
                role: weights_role,
                expected: size,
                found: data.len(),
            });
        }
        let problem = |problem| Error::Quantization {
            tensor: w,
            role: weights_role,
            problem,
        };
        let q = weights
            .quantization()?
            .ok_or(problem(QuantizationProblem::Missing))?;
        let scales = q.scales;
        if scales.len() != 1 && scales.len() != OUT {
            return Err(problem(QuantizationProblem::ScaleCount {
                expected: OUT,
                found: scales.len(),
            }));
        }
        if scales.len() > 1 && q.quantized_dimension != 0 {
            return Err(problem(QuantizationProblem::Dimension(
                q.quantized_dimension,
            )));
        }
        if q.zero_points.len() != scales.len() {
            return Err(problem(QuantizationProblem::ZeroPointCount {
                expected: scales.len(),
                found: q.zero_points.len(),
            }));
        }
        if let Some((index, value)) = q.zero_points.iter().enumerate().find(|&(_, z)| z != 0) {
            return Err(problem(QuantizationProblem::WeightZeroPoint {
                index,
                value,
            }));
        }
        if let Some((index, value)) = scales.iter().enumerate().find(|&(_, s)| !scale_ok(s)) {
            return Err(problem(QuantizationProblem::Scale { index, value }));
        }

        // The bias.
        let mut bias = [0i32; OUT];
        if let Some(b) = o.inputs().get(2).filter(|&b| b != -1) {
            let b = self.tensor_index(b)?;
            let bias_role = role(Operand::Bias);
            let tensor = self.tensor(b)?;
            Self::check_type(&tensor, bias_role, TensorType::Int32)?;
            let shape = tensor.shape()?;
            let same =
                shape.len() == 1 && shape.get(0).and_then(|d| usize::try_from(d).ok()) == Some(OUT);
            if !same {
                return Err(Error::WrongShape {
                    tensor: b,
                    role: bias_role,
                    expected: dims_of(&[OUT]),
                    found: dims(shape),
                });
            }
            let data = tensor.data()?;
            let size = OUT.saturating_mul(4);
            if data.len() != size {
                return Err(Error::DataSize {
                    tensor: b,
                    role: bias_role,
                    expected: size,
                    found: data.len(),
                });
            }
            for (value, bytes) in bias.iter_mut().zip(data.chunks_exact(4)) {
                *value = <[u8; 4]>::try_from(bytes).map_or(0, i32::from_le_bytes);
            }
        }

        // The requantization, per output channel (a per-tensor scale for every channel).
        let mut requantize = [Requantize {
            multiplier: 0,
            shift: 0,
        }; OUT];
        for (channel, r) in requantize.iter_mut().enumerate() {
            let weight_scale = scales
                .get(if scales.len() == 1 { 0 } else { channel })
                .unwrap_or(f32::NAN);
            let real = f64::from(input_scale) * f64::from(weight_scale) / f64::from(output_scale);
            let bad = problem(QuantizationProblem::Multiplier {
                channel,
                value: real,
            });
            if !(real.is_finite() && real > 0.0) {
                return Err(bad);
            }
            *r = Requantize::from_scale(real);
            if r.shift > 30 {
                return Err(bad);
            }
        }

        let (activation_min, activation_max) = activation_range(
            activation,
            output_scale,
            output_zero_point,
            y,
            role(Operand::Output),
        )?;

        let mut matrix = [[0i8; IN]; OUT];
        for (w, &byte) in matrix.as_flattened_mut().iter_mut().zip(data) {
            *w = byte as i8;
        }
        Ok(FullyConnected {
            weights: matrix,
            bias,
            requantize,
            input_zero_point,
            output_zero_point,
            activation_min,
            activation_max,
            rounding: Rounding::Single,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_is_half_away_from_zero() {
        assert_eq!(round(0.5), 1.0);
        assert_eq!(round(-0.5), -1.0);
        assert_eq!(round(1.4999999), 1.0);
        assert_eq!(round(-2.5), -3.0);
        assert_eq!(round(2.0), 2.0);
        assert_eq!(round(1e10), 1e10);
        assert!(round(f32::NAN).is_nan());
        assert_eq!(round(f32::INFINITY), f32::INFINITY);
    }

    #[test]
    fn activation_ranges_are_tflites() {
        let r = |a, s, z| activation_range(a, s, z, 0, None);
        assert_eq!(r(FusedActivation::None, 0.1, 5), Ok((-128, 127)));
        assert_eq!(r(FusedActivation::Relu, 0.1, -20), Ok((-20, 127)));
        // 6 / 0.1 = 60 (in f32: 59.999996 → 60), + zp −128 → −68.
        assert_eq!(r(FusedActivation::Relu6, 0.1, -128), Ok((-128, -68)));
        // ±1 / 0.25 = ±4 around 10.
        assert_eq!(r(FusedActivation::ReluN1To1, 0.25, 10), Ok((6, 14)));
        // Bounds past int8 are clamped; past i32 an error.
        assert_eq!(r(FusedActivation::Relu6, 0.001, 0), Ok((0, 127)));
        assert!(matches!(
            r(FusedActivation::Relu6, 1e-30, 0),
            Err(Error::Quantization {
                problem: QuantizationProblem::ActivationRange,
                ..
            })
        ));
        assert!(matches!(
            r(FusedActivation::Tanh, 0.1, 0),
            Err(Error::Unsupported { .. })
        ));
    }
}

//! What the int8 twins `#[mlp::network]` generates (`NameInt8`) are built with: calibration
//! ranges, the quantization of an affine layer's weights and biases as TensorFlow's converter
//! does it, the int8 maximum of a `Maxout`, and the float ends (`quantize_input`,
//! `dequantize_output`). No heap; only [`max_pieces`] runs at inference time, integer only.
//!
//! ```
//! #[mlp::network(x -> Linear(1, 4) -> ReLU -> Linear(4, 1) -> MSE)]
//! pub struct Tiny;
//!
//! use mlp::nalgebra::SVector;
//! use mlp::Network;
//!
//! let mut net = Tiny::<f32>::zeros();
//! mlp::init::he_normal(&mut net, 7);
//! let calibration: Vec<SVector<f32, 1>> =
//!     (0..50).map(|i| SVector::<f32, 1>::new(i as f32 / 10.0)).collect();
//! let q: TinyInt8 = net.quantize(&calibration);
//! let x = SVector::<f32, 1>::new(2.5);
//! // The int8 twin is close to the float network: within a few of its output steps.
//! let error = (q.forward(&x)[0] - net.forward(&x)[0]).abs();
//! assert!(error <= 4.0 * q.output.scale, "{error}");
//! ```

use crate::quant::{
    lookup_table, relu_range, round_half_away_f32, Elu, FullyConnected, Quantization, Range,
    Requantize, Rounding,
};
use crate::train::metrics::to_f64;
use nalgebra::{ComplexField, RealField, SMatrix, SVector};

/// How [`fully_connected`] quantizes the weights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Weights {
    /// One scale per output row, `max |W[c][·]| / 127`: TensorFlow's converter's default.
    #[default]
    PerChannel,
    /// One scale for the whole matrix, `max |W| / 127`.
    PerTensor,
}

/// Widens `range` to hold every value.
pub fn observe<T: RealField + Copy>(range: &mut Range, values: &[T]) {
    for &v in values {
        range.observe(to_f64(v));
    }
}

/// An affine layer `W·x + b` quantized as TensorFlow's converter (the per-channel symmetric
/// weight quantizer of `tensorflow/lite/tools/optimize/quantization_utils.cc`) does it:
///
/// - each weight scale `s_w = max |w| / 127` in `f32` over the row (per channel) or the matrix
///   (per tensor), 1 if that is 0; `w_q = clamp(round(w · (1/s_w)), −127, 127)`;
/// - each bias at scale `s_in · s_w` (an `f32` product), `b_q = round(b · (1/(s_in·s_w)))`,
///   clamped to ±(2³¹ − 1);
/// - the requantization `f64(s_in) · f64(s_w) / f64(s_out)`, TFLite's `QuantizeMultiplier`;
/// - a fused ReLU: the output clamp starts at the output's zero point.
///
/// The float weights go through `f32` first, as the converter reads them.
pub fn fully_connected<T: RealField + Copy, const IN: usize, const ROWS: usize>(
    w: &SMatrix<T, ROWS, IN>,
    b: &SVector<T, ROWS>,
    input: Quantization,
    output: Quantization,
    relu: bool,
    weights: Weights,
) -> FullyConnected<IN, ROWS> {
    let w32 = |r: usize, c: usize| to_f64(w[(r, c)]) as f32;
    let row_max = |r: usize| (0..IN).map(|c| w32(r, c).abs()).fold(0.0f32, f32::max);
    let all_max = (0..ROWS).map(row_max).fold(0.0f32, f32::max);
    let scales: [f32; ROWS] = core::array::from_fn(|r| {
        let range = match weights {
            Weights::PerChannel => row_max(r),
            Weights::PerTensor => all_max,
        };
        if range > 0.0 && range.is_finite() {
            range / 127.0
        } else {
            1.0
        }
    });
    let quantized: [[i8; IN]; ROWS] = core::array::from_fn(|r| {
        let inverse = 1.0 / scales[r];
        core::array::from_fn(|c| {
            round_half_away_f32(w32(r, c) * inverse).clamp(-127.0, 127.0) as i8
        })
    });
    let bias: [i32; ROWS] = core::array::from_fn(|r| {
        let scale = input.scale * scales[r];
        let inverse = if scale == 0.0 { 0.0 } else { 1.0 / scale };
        let q = f64::from(round_half_away_f32(to_f64(b[r]) as f32 * inverse));
        q.clamp(-f64::from(i32::MAX), f64::from(i32::MAX)) as i32
    });
    let requantize: [Requantize; ROWS] = core::array::from_fn(|r| {
        let real = f64::from(input.scale) * f64::from(scales[r]) / f64::from(output.scale);
        Requantize::from_scale(if real.is_finite() { real } else { 0.0 })
    });
    let (activation_min, activation_max) = if relu {
        relu_range(output.zero_point)
    } else {
        (-128, 127)
    };
    FullyConnected {
        weights: quantized,
        bias,
        requantize,
        input_zero_point: input.zero_point,
        output_zero_point: output.zero_point,
        activation_min,
        activation_max,
        rounding: Rounding::Single,
    }
}

/// `ELU(α)` in int8: TFLite's table (`mlp::quant::Elu`, whose `new` is α = 1, TFLite's only
/// ELU) built for `α·(eᵛ − 1)` below 0.
pub fn elu(input: Quantization, output: Quantization, alpha: f32) -> Elu {
    Elu {
        table: lookup_table(input, output, |v| {
            if v < 0.0 {
                alpha * ComplexField::exp_m1(v)
            } else {
                v
            }
        }),
    }
}

/// `x` quantized with `q`, element by element ([`Quantization::quantize`]).
pub fn quantize_vector<const N: usize>(q: Quantization, x: &SVector<f32, N>) -> [i8; N] {
    core::array::from_fn(|i| q.quantize(x[i]))
}

/// `y` as real numbers with `q` ([`Quantization::dequantize`]).
pub fn dequantize_vector<const N: usize>(q: Quantization, y: &[i8; N]) -> SVector<f32, N> {
    SVector::from_fn(|i, _| q.dequantize(y[i]))
}

/// A `Maxout`'s units in int8: unit `i` is the largest of `x[j·UNITS + i]` over the
/// `ROWS / UNITS` pieces `j`. Exact, because the pieces and the units share one quantization.
pub fn max_pieces<const ROWS: usize, const UNITS: usize>(x: &[i8; ROWS]) -> [i8; UNITS] {
    core::array::from_fn(|i| {
        x.iter()
            .skip(i)
            .step_by(UNITS.max(1))
            .copied()
            .max()
            .unwrap_or(i8::MIN)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Matrix2, Vector2};

    #[test]
    fn weights_per_channel_and_per_tensor() {
        let w = Matrix2::new(1.0f32, -0.5, 0.25, 0.0);
        let b = Vector2::new(0.1f32, -0.1);
        let q = Quantization {
            scale: 0.5,
            zero_point: 0,
        };
        let per_channel = fully_connected(&w, &b, q, q, false, Weights::PerChannel);
        assert_eq!(per_channel.weights, [[127, -64], [127, 0]]);
        // s_w = 1/127 and 0.25/127; bias 0.1 at 0.5/127 → round(25.4) = 25.
        assert_eq!(per_channel.bias[0], 25);
        assert_eq!(per_channel.bias[1], -102);
        let per_tensor = fully_connected(&w, &b, q, q, true, Weights::PerTensor);
        assert_eq!(per_tensor.weights, [[127, -64], [32, 0]]);
        assert_eq!(per_tensor.requantize[0], per_tensor.requantize[1]);
        assert_eq!(per_tensor.activation_min, 0);
    }

    #[test]
    fn maxout_takes_each_units_largest_piece() {
        // Two units, three pieces: unit 0 reads 0, 2, 4; unit 1 reads 1, 3, 5.
        assert_eq!(max_pieces::<6, 2>(&[1, -5, 7, 4, -2, 3]), [7, 4]);
    }
}

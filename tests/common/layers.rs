//! The `.layers.txt` dumps of `scripts/tflite_fixtures.py` (each operator's int8 weights, int32
//! biases, scales as `f32` bit patterns and zero points, as LiteRT's interpreter reads the
//! `.tflite` back), and [`FullyConnected`] layers rebuilt from them: an account of the files
//! independent of `mlp::tflite`'s reader.

use mlp::quant::{relu_range, FullyConnected, Requantize, Rounding};

/// One operator of a `.layers.txt` dump.
#[derive(Default, Debug)]
pub struct Op {
    pub kind: String,
    pub activation: String,
    pub beta: Option<f32>,
    pub input_scale: f32,
    pub input_zero_point: i32,
    pub weight_scales: Vec<f32>,
    pub weights: Vec<Vec<i8>>,
    pub bias: Vec<i32>,
    pub output_scale: f32,
    pub output_zero_point: i32,
}

pub fn f32_bits(text: &str) -> Vec<f32> {
    text.split_whitespace()
        .map(|t| {
            let hex = t.strip_prefix("0x").expect("a 0x bit pattern");
            f32::from_bits(u32::from_str_radix(hex, 16).expect("hex bits"))
        })
        .collect()
}

pub fn ints<T: core::str::FromStr>(text: &str) -> Vec<T>
where
    T::Err: core::fmt::Debug,
{
    text.split_whitespace()
        .map(|t| t.parse().expect("an integer"))
        .collect()
}

pub fn single<T: Copy>(v: Vec<T>) -> T {
    assert_eq!(v.len(), 1, "one value (a per-tensor quantity)");
    v[0]
}

pub fn parse_layers(text: &str) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "op" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(
                words[0].parse::<usize>().unwrap(),
                ops.len(),
                "ops in order"
            );
            let mut op = Op {
                kind: words[1].to_string(),
                ..Op::default()
            };
            for w in &words[2..] {
                if let Some(a) = w.strip_prefix("fused_activation=") {
                    op.activation = a.to_string();
                }
                if let Some(b) = w.strip_prefix("beta=") {
                    op.beta = Some(b.parse().expect("an f32 beta"));
                }
            }
            ops.push(op);
            continue;
        }
        let op = ops.last_mut().expect("an op before its operands");
        match key {
            "input_scales_bits" => op.input_scale = single(f32_bits(rest)),
            "input_zero_points" => op.input_zero_point = single(ints(rest)),
            "weights_scales_bits" => op.weight_scales = f32_bits(rest),
            "weights_zero_points" => assert!(ints::<i32>(rest).iter().all(|&z| z == 0)),
            "weights_row" => {
                let (row, values) = rest.split_once(' ').expect("a row number and values");
                assert_eq!(row.parse::<usize>().unwrap(), op.weights.len());
                op.weights.push(ints(values));
            }
            "bias_values" => op.bias = ints(rest),
            "bias_zero_points" => assert!(ints::<i32>(rest).iter().all(|&z| z == 0)),
            "output_scales_bits" => op.output_scale = single(f32_bits(rest)),
            "output_zero_points" => op.output_zero_point = single(ints(rest)),
            "input" | "weights" | "bias" | "output" | "input_scales" | "weights_scales"
            | "bias_scales" | "bias_scales_bits" | "output_scales" => {}
            other => panic!("unknown line {other}"),
        }
    }
    ops
}

/// How the real multiplier is computed from the `f32` scales.
#[derive(Clone, Copy, Debug)]
pub enum Effective {
    /// TFLite's: `f64(s_in) · f64(s_w) / f64(s_out)` (`fully_connected.cc`, per channel; the
    /// per-tensor `GetQuantizedConvolutionMultipler` also multiplies in `f64`).
    Double,
    /// Not TFLite's, for comparison: `f64(s_in · s_w) / f64(s_out)`, the product in `f32`.
    F32Product,
}

pub fn layer<const IN: usize, const OUT: usize>(
    op: &Op,
    rounding: Rounding,
    effective: Effective,
) -> FullyConnected<IN, OUT> {
    let (activation_min, activation_max) = match op.activation.as_str() {
        "RELU" => relu_range(op.output_zero_point),
        "NONE" => (-128, 127),
        other => panic!("activation {other} not handled"),
    };
    FullyConnected {
        weights: core::array::from_fn(|c| {
            assert_eq!(op.weights[c].len(), IN);
            core::array::from_fn(|d| op.weights[c][d])
        }),
        bias: core::array::from_fn(|c| op.bias[c]),
        requantize: core::array::from_fn(|c| {
            let s_w = op.weight_scales[if op.weight_scales.len() == 1 { 0 } else { c }];
            let real = match effective {
                Effective::Double => {
                    f64::from(op.input_scale) * f64::from(s_w) / f64::from(op.output_scale)
                }
                Effective::F32Product => {
                    f64::from(op.input_scale * s_w) / f64::from(op.output_scale)
                }
            };
            Requantize::from_scale(real)
        }),
        input_zero_point: op.input_zero_point,
        output_zero_point: op.output_zero_point,
        activation_min,
        activation_max,
        rounding,
    }
}

/// One operator's output tensor is the next one's input: the same scale (bits) and zero point.
pub fn assert_joined(ops: &[Op]) {
    for pair in ops.windows(2) {
        assert_eq!(
            pair[0].output_scale.to_bits(),
            pair[1].input_scale.to_bits()
        );
        assert_eq!(pair[0].output_zero_point, pair[1].input_zero_point);
    }
}

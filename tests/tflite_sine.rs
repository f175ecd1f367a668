//! `mlp::quant` against LiteRT itself: the int8 sine model, bit for bit.
//!
//! `tests/fixtures/tflite/sine.layers.txt` is TensorFlow's int8 conversion of a 1-16-16-1
//! network (three FULLY_CONNECTED operators, per-channel weight scales) as LiteRT's interpreter
//! reads it back; `sine.txt` holds 200 int8 inputs and the int8 outputs of LiteRT's reference
//! kernels (`BUILTIN_REF`) for them. Both are written by `scripts/tflite_fixtures.py`.
//!
//! The three layers are rebuilt as [`FullyConnected`] with the multipliers computed as LiteRT's
//! `fully_connected.cc` does for per-channel weights, `QuantizeMultiplier(f64(s_in) ·
//! f64(s_w[c]) / f64(s_out))` from the `f32` scales (read from their bit patterns), and every
//! output must equal LiteRT's with single rounding, LiteRT's. With gemmlowp's double rounding
//! some differ: the test tells the two apart.
//!
//! The classifier and digits fixtures cannot be checked the same way: they record the outputs
//! after the int8 SOFTMAX, not the logits of the last FULLY_CONNECTED.

use mlp::quant::{relu_range, FullyConnected, Requantize, Rounding};

const LAYERS: &str = include_str!("fixtures/tflite/sine.layers.txt");
const SAMPLES: &str = include_str!("fixtures/tflite/sine.txt");

/// One FULLY_CONNECTED operator of the dump.
#[derive(Default, Debug)]
struct Op {
    activation: String,
    input_scale: f32,
    input_zero_point: i32,
    weight_scales: Vec<f32>,
    weights: Vec<Vec<i8>>,
    bias: Vec<i32>,
    output_scale: f32,
    output_zero_point: i32,
}

fn f32_bits(text: &str) -> Vec<f32> {
    text.split_whitespace()
        .map(|t| {
            let hex = t.strip_prefix("0x").expect("a 0x bit pattern");
            f32::from_bits(u32::from_str_radix(hex, 16).expect("hex bits"))
        })
        .collect()
}

fn ints<T: core::str::FromStr>(text: &str) -> Vec<T>
where
    T::Err: core::fmt::Debug,
{
    text.split_whitespace()
        .map(|t| t.parse().expect("an integer"))
        .collect()
}

fn single<T: Copy>(v: Vec<T>) -> T {
    assert_eq!(v.len(), 1, "one value (a per-tensor quantity)");
    v[0]
}

fn parse_layers() -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    for line in LAYERS.lines() {
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
            assert_eq!(words[1], "FULLY_CONNECTED");
            let activation = words
                .iter()
                .find_map(|w| w.strip_prefix("fused_activation="))
                .expect("a fused activation");
            ops.push(Op {
                activation: activation.to_string(),
                ..Op::default()
            });
            continue;
        }
        let op = ops.last_mut().expect("an op before its operands");
        match key {
            "input_scales_bits" => op.input_scale = single(f32_bits(rest)),
            "input_zero_points" => op.input_zero_point = single(ints(rest)),
            "weights_scales_bits" => op.weight_scales = f32_bits(rest),
            "weights_zero_points" => {
                assert!(
                    ints::<i32>(rest).iter().all(|&z| z == 0),
                    "symmetric weights"
                )
            }
            "weights_row" => {
                let (row, values) = rest.split_once(' ').expect("a row number and values");
                assert_eq!(
                    row.parse::<usize>().unwrap(),
                    op.weights.len(),
                    "rows in order"
                );
                op.weights.push(ints(values));
            }
            "bias_values" => op.bias = ints(rest),
            "bias_zero_points" => assert!(ints::<i32>(rest).iter().all(|&z| z == 0)),
            "output_scales_bits" => op.output_scale = single(f32_bits(rest)),
            "output_zero_points" => op.output_zero_point = single(ints(rest)),
            // The decimal scales (the bit patterns are read instead), the tensors' descriptions
            // and the bias scales (s_in · s_w, implied).
            "input" | "weights" | "bias" | "output" | "input_scales" | "weights_scales"
            | "bias_scales" | "bias_scales_bits" | "output_scales" => {}
            other => panic!("unknown line {other}"),
        }
    }
    for op in &ops {
        let out = op.weights.len();
        assert_eq!(op.bias.len(), out);
        assert!(op.weight_scales.len() == out || op.weight_scales.len() == 1);
    }
    ops
}

/// How the real multiplier is computed from the `f32` scales.
#[derive(Clone, Copy, Debug)]
enum Effective {
    /// TFLite's: `f64(s_in) · f64(s_w) / f64(s_out)` (`fully_connected.cc`, per channel; the
    /// per-tensor `GetQuantizedConvolutionMultipler` also multiplies in `f64`).
    Double,
    /// Not TFLite's, for comparison: `f64(s_in · s_w) / f64(s_out)`, the product in `f32`.
    F32Product,
}

fn layer<const IN: usize, const OUT: usize>(
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

/// The int8 model: 1 → 16 → 16 → 1.
struct Sine {
    fc0: FullyConnected<1, 16>,
    fc1: FullyConnected<16, 16>,
    fc2: FullyConnected<16, 1>,
}

impl Sine {
    fn new(ops: &[Op], rounding: Rounding, effective: Effective) -> Self {
        assert_eq!(ops.len(), 3);
        for pair in ops.windows(2) {
            // One layer's output tensor is the next one's input.
            assert_eq!(
                pair[0].output_scale.to_bits(),
                pair[1].input_scale.to_bits()
            );
            assert_eq!(pair[0].output_zero_point, pair[1].input_zero_point);
        }
        Self {
            fc0: layer(&ops[0], rounding, effective),
            fc1: layer(&ops[1], rounding, effective),
            fc2: layer(&ops[2], rounding, effective),
        }
    }

    fn forward(&self, x: i8) -> i8 {
        self.fc2.forward(&self.fc1.forward(&self.fc0.forward(&[x])))[0]
    }
}

/// The samples: (int8 input, LiteRT's int8 output).
fn parse_samples() -> Vec<(i8, i8)> {
    SAMPLES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let columns: Vec<&str> = l.split('\t').collect();
            assert_eq!(columns.len(), 4, "four tab-separated columns");
            (
                columns[1].trim().parse().expect("an int8 input"),
                columns[2].trim().parse().expect("an int8 output"),
            )
        })
        .collect()
}

fn matches(model: &Sine, samples: &[(i8, i8)]) -> (usize, Vec<String>) {
    let mut mismatches = Vec::new();
    for (i, &(x, expected)) in samples.iter().enumerate() {
        let got = model.forward(x);
        if got != expected {
            mismatches.push(format!(
                "sample {i}: input {x}: got {got}, LiteRT {expected}"
            ));
        }
    }
    (samples.len() - mismatches.len(), mismatches)
}

#[test]
fn sine_int8_outputs_are_litert_bit_for_bit() {
    let ops = parse_layers();
    let samples = parse_samples();
    assert_eq!(samples.len(), 200);

    let litert = Sine::new(&ops, Rounding::default(), Effective::Double);
    let (single, mismatches) = matches(&litert, &samples);
    println!(
        "single rounding (LiteRT's, the default): {single}/{} int8 outputs equal LiteRT's",
        samples.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    let gemmlowp = Sine::new(&ops, Rounding::Double, Effective::Double);
    let (double, mismatches) = matches(&gemmlowp, &samples);
    println!(
        "double rounding (gemmlowp's two steps): {double}/{} equal LiteRT's; first differences:\n  {}",
        samples.len(),
        mismatches[..mismatches.len().min(3)].join("\n  ")
    );
    assert!(
        double < samples.len(),
        "double rounding must differ somewhere, or the test does not discriminate"
    );

    // For the record: the product s_in · s_w in f32 instead (not TFLite's).
    let (f32_product, _) = matches(
        &Sine::new(&ops, Rounding::Single, Effective::F32Product),
        &samples,
    );
    println!(
        "single rounding, multipliers from the f32 product s_in · s_w: {f32_product}/{}",
        samples.len()
    );
}

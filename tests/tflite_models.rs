//! Whole int8 classifiers against LiteRT, bit for bit: FULLY_CONNECTED → FULLY_CONNECTED →
//! SOFTMAX.
//!
//! `tests/fixtures/tflite/{classifier_per_channel,classifier_per_tensor,digits}.layers.txt` are
//! TensorFlow's int8 conversions of a 2-16-3 and a 64-32-10 network ending in a softmax, as
//! LiteRT's interpreter reads them back; the `.txt` files hold 200 int8 inputs each and the int8
//! outputs LiteRT's reference kernels (`BUILTIN_REF`) computed after the SOFTMAX. Both are
//! written by `scripts/tflite_fixtures.py`.
//!
//! The two layers are [`FullyConnected`] with the multipliers `QuantizeMultiplier(f64(s_in) ·
//! f64(s_w[c]) / f64(s_out))` from the `f32` scales (read from their bit patterns, as
//! `tests/tflite_sine.rs` does), and the last operator is [`Softmax::new`] of the logits'
//! scale and the operator's β. Every output of every sample must equal LiteRT's: the proof that
//! the int8 softmax is LiteRT's on real logits.

use mlp::quant::{relu_range, FullyConnected, Quantization, Requantize, Softmax};

/// One operator of a `.layers.txt` dump.
#[derive(Default, Debug)]
struct Op {
    kind: String,
    activation: String,
    beta: Option<f32>,
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

fn read(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/tflite/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_layers(text: &str) -> Vec<Op> {
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

fn layer<const IN: usize, const OUT: usize>(op: &Op) -> FullyConnected<IN, OUT> {
    assert_eq!(op.kind, "FULLY_CONNECTED");
    assert_eq!(op.weights.len(), OUT);
    assert_eq!(op.bias.len(), OUT);
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
            Requantize::from_scale(
                f64::from(op.input_scale) * f64::from(s_w) / f64::from(op.output_scale),
            )
        }),
        input_zero_point: op.input_zero_point,
        output_zero_point: op.output_zero_point,
        activation_min,
        activation_max,
        rounding: Default::default(),
    }
}

/// IN → HIDDEN (ReLU) → OUT → SOFTMAX, all int8.
struct Classifier<const IN: usize, const HIDDEN: usize, const OUT: usize> {
    fc0: FullyConnected<IN, HIDDEN>,
    fc1: FullyConnected<HIDDEN, OUT>,
    softmax: Softmax,
    logits: Quantization,
}

impl<const IN: usize, const HIDDEN: usize, const OUT: usize> Classifier<IN, HIDDEN, OUT> {
    fn new(ops: &[Op]) -> Self {
        assert_eq!(ops.len(), 3);
        for pair in ops.windows(2) {
            assert_eq!(
                pair[0].output_scale.to_bits(),
                pair[1].input_scale.to_bits()
            );
            assert_eq!(pair[0].output_zero_point, pair[1].input_zero_point);
        }
        let last = &ops[2];
        assert_eq!(last.kind, "SOFTMAX");
        assert_eq!(
            Quantization {
                scale: last.output_scale,
                zero_point: last.output_zero_point
            },
            Softmax::OUTPUT
        );
        Self {
            fc0: layer(&ops[0]),
            fc1: layer(&ops[1]),
            // Built from the logits' scale and β only, as SoftmaxPrepare does.
            softmax: Softmax::new(last.input_scale, last.beta.expect("a softmax beta")),
            logits: Quantization {
                scale: last.input_scale,
                zero_point: last.input_zero_point,
            },
        }
    }

    fn logits(&self, x: &[i8; IN]) -> [i8; OUT] {
        self.fc1.forward(&self.fc0.forward(x))
    }

    fn forward(&self, x: &[i8; IN]) -> [i8; OUT] {
        self.softmax.forward(&self.logits(x))
    }

    /// Not TFLite's, for comparison: the float softmax of the dequantized logits, quantized.
    fn forward_float_softmax(&self, x: &[i8; IN]) -> [i8; OUT] {
        let logits = self.logits(x).map(|q| self.logits.dequantize(q) as f64);
        let max = logits.iter().cloned().fold(f64::MIN, f64::max);
        let sum: f64 = logits.iter().map(|v| (v - max).exp()).sum();
        logits.map(|v| Softmax::OUTPUT.quantize(((v - max).exp() / sum) as f32))
    }
}

/// (int8 input, LiteRT's int8 output) per sample.
fn parse_samples(text: &str) -> Vec<(Vec<i8>, Vec<i8>)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let columns: Vec<&str> = l.split('\t').collect();
            assert_eq!(columns.len(), 4, "four tab-separated columns");
            (ints(columns[1]), ints(columns[2]))
        })
        .collect()
}

fn check<const IN: usize, const HIDDEN: usize, const OUT: usize>(stem: &str) {
    let ops = parse_layers(&read(&format!("{stem}.layers.txt")));
    let samples = parse_samples(&read(&format!("{stem}.txt")));
    assert_eq!(samples.len(), 200);
    let model = Classifier::<IN, HIDDEN, OUT>::new(&ops);
    let (mut equal, mut total, mut rows, mut float_equal) = (0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for (i, (x, expected)) in samples.iter().enumerate() {
        let x: [i8; IN] = x.as_slice().try_into().expect("IN inputs");
        assert_eq!(expected.len(), OUT);
        let got = model.forward(&x);
        let float = model.forward_float_softmax(&x);
        equal += got.iter().zip(expected).filter(|(g, e)| g == e).count();
        float_equal += float.iter().zip(expected).filter(|(g, e)| g == e).count();
        total += OUT;
        if got.as_slice() == expected.as_slice() {
            rows += 1;
        } else if mismatches.len() < 5 {
            mismatches.push(format!(
                "sample {i}: logits {:?} → got {got:?}, LiteRT {expected:?}",
                model.logits(&x)
            ));
        }
    }
    println!(
        "{stem}: {rows}/{} samples and {equal}/{total} int8 outputs equal LiteRT's \
         (softmax input scale {}, zero point {}); a float softmax of the same logits: {float_equal}/{total}",
        samples.len(),
        model.logits.scale,
        model.logits.zero_point
    );
    assert_eq!(equal, total, "mismatches:\n{}", mismatches.join("\n"));
    assert_eq!(rows, samples.len());
}

#[test]
fn classifier_per_channel_is_litert_bit_for_bit() {
    check::<2, 16, 3>("classifier_per_channel");
}

#[test]
fn classifier_per_tensor_is_litert_bit_for_bit() {
    check::<2, 16, 3>("classifier_per_tensor");
}

#[test]
fn digits_is_litert_bit_for_bit() {
    check::<64, 32, 10>("digits");
}

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

mod common;

use common::layers::{assert_joined, layer, parse_layers, Effective, Op};
use mlp::quant::{FullyConnected, Rounding};

const LAYERS: &str = include_str!("fixtures/tflite/sine.layers.txt");
const SAMPLES: &str = include_str!("fixtures/tflite/sine.txt");

/// The int8 model: 1 → 16 → 16 → 1.
struct Sine {
    fc0: FullyConnected<1, 16>,
    fc1: FullyConnected<16, 16>,
    fc2: FullyConnected<16, 1>,
}

impl Sine {
    fn new(ops: &[Op], rounding: Rounding, effective: Effective) -> Self {
        assert_eq!(ops.len(), 3);
        assert_joined(ops);
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
    let ops = parse_layers(LAYERS);
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

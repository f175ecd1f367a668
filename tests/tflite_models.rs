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

mod common;

use common::layers::{assert_joined, ints, layer, parse_layers, Effective, Op};
use mlp::quant::{FullyConnected, Quantization, Rounding, Softmax};

fn read(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/tflite/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
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
        assert_joined(ops);
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
            fc0: layer(&ops[0], Rounding::Single, Effective::Double),
            fc1: layer(&ops[1], Rounding::Single, Effective::Double),
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

//! `mlp::quant` against TensorFlow Lite's int8 arithmetic, bit for bit.
//!
//! The fixture `tests/fixtures/quant/fixed_point.txt` is written by
//! `scripts/tflite_reference.py`, a plain-Python implementation of gemmlowp's
//! `SaturatingRoundingDoublingHighMul` and `RoundingDivideByPOT`, TFLite's
//! `MultiplyByQuantizedMultiplier` (double rounding; LiteRT's reference kernels round once, see
//! `tests/tflite_sine.rs`), `QuantizeMultiplier` and the
//! reference int8 `FullyConnected` / `FullyConnectedPerChannel` kernels. Every line must agree
//! exactly; the test also checks that every kind of case is there in the expected number.

use mlp::quant::{
    fully_connected_int8, multiply_by_quantized_multiplier, quantize_multiplier,
    rounding_divide_by_pot, saturating_rounding_doubling_high_mul, FullyConnected, Requantize,
    Rounding,
};

const FIXTURE: &str = include_str!("fixtures/quant/fixed_point.txt");

fn ints(text: &str) -> Vec<i32> {
    text.split_whitespace()
        .map(|t| t.parse().expect("an integer"))
        .collect()
}

/// One fully-connected case of the fixture.
struct Layer {
    per_channel: bool,
    input_zero_point: i32,
    output_zero_point: i32,
    activation: (i8, i8),
    input: Vec<i32>,
    weights: Vec<i32>,
    bias: Vec<i32>,
    multipliers: Vec<i32>,
    shifts: Vec<i32>,
    output: Vec<i32>,
}

fn to_i8(v: i32) -> i8 {
    i8::try_from(v).expect("an int8")
}

fn run<const IN: usize, const OUT: usize>(l: &Layer) -> (Vec<i32>, Vec<i32>) {
    let input: [i8; IN] = core::array::from_fn(|d| to_i8(l.input[d]));
    let weights: [[i8; IN]; OUT] =
        core::array::from_fn(|c| core::array::from_fn(|d| to_i8(l.weights[c * IN + d])));
    let bias: [i32; OUT] = core::array::from_fn(|c| l.bias[c]);
    // The fixture's reference is the double-rounding form.
    let requantize: [Requantize; OUT] = core::array::from_fn(|c| Requantize {
        multiplier: l.multipliers[c],
        shift: i8::try_from(l.shifts[c]).expect("a shift in -31..=30"),
    });
    if !l.per_channel {
        assert!(requantize.iter().all(|r| *r == requantize[0]));
    }
    let layer = FullyConnected::<IN, OUT> {
        weights,
        bias,
        requantize,
        input_zero_point: l.input_zero_point,
        output_zero_point: l.output_zero_point,
        activation_min: l.activation.0,
        activation_max: l.activation.1,
        rounding: Rounding::Double,
    };
    let by_struct = layer.forward(&input);
    let by_function = fully_connected_int8(
        &input,
        l.input_zero_point,
        &layer.weights,
        &layer.bias,
        &layer.requantize,
        l.output_zero_point,
        l.activation,
    );
    // The function rounds once, LiteRT's way; the struct above twice, the fixture's way.
    assert_eq!(
        layer.with_rounding(Rounding::Single).forward(&input),
        by_function
    );
    (
        by_struct.iter().map(|&v| i32::from(v)).collect(),
        l.output.clone(),
    )
}

fn parse_layer(rest: &str) -> (usize, usize, Layer) {
    let parts: Vec<&str> = rest.split('|').collect();
    assert_eq!(parts.len(), 7, "an fc line has seven sections");
    let head: Vec<&str> = parts[0].split_whitespace().collect();
    let per_channel = match head[0] {
        "per_channel" => true,
        "per_tensor" => false,
        other => panic!("unknown kind {other}"),
    };
    let h = ints(&head[1..].join(" "));
    let (n_in, n_out) = (h[0] as usize, h[1] as usize);
    let layer = Layer {
        per_channel,
        input_zero_point: h[2],
        output_zero_point: h[3],
        activation: (to_i8(h[4]), to_i8(h[5])),
        input: ints(parts[1]),
        weights: ints(parts[2]),
        bias: ints(parts[3]),
        multipliers: ints(parts[4]),
        shifts: ints(parts[5]),
        output: ints(parts[6]),
    };
    assert_eq!(layer.input.len(), n_in);
    assert_eq!(layer.weights.len(), n_in * n_out);
    for v in [
        &layer.bias,
        &layer.multipliers,
        &layer.shifts,
        &layer.output,
    ] {
        assert_eq!(v.len(), n_out);
    }
    (n_in, n_out, layer)
}

#[derive(Default, Debug)]
struct Counts {
    srdhm: usize,
    rdbp: usize,
    mbqm: usize,
    qm: usize,
    fc_per_channel: usize,
    fc_per_tensor: usize,
    fc_outputs: usize,
}

#[test]
fn bit_exact_with_the_tflite_reference() {
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for (number, line) in FIXTURE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (kind, rest) = line.split_once(' ').expect("a kind and fields");
        let ok = match kind {
            "srdhm" => {
                counts.srdhm += 1;
                let f = ints(rest);
                saturating_rounding_doubling_high_mul(f[0], f[1]) == f[2]
            }
            "rdbp" => {
                counts.rdbp += 1;
                let f = ints(rest);
                rounding_divide_by_pot(f[0], f[1]) == f[2]
            }
            "mbqm" => {
                counts.mbqm += 1;
                let f = ints(rest);
                multiply_by_quantized_multiplier(f[0], f[1], f[2]) == f[3]
            }
            "qm" => {
                counts.qm += 1;
                let (bits, expected) = rest.split_once(' ').expect("bits and a result");
                let real = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex bits"));
                let e = ints(expected);
                quantize_multiplier(real) == (e[0], e[1])
                    && Requantize::from_scale(real)
                        == Requantize {
                            multiplier: e[0],
                            shift: i8::try_from(e[1]).expect("a shift in -31..=30"),
                        }
            }
            "fc" => {
                let (n_in, n_out, layer) = parse_layer(rest);
                if layer.per_channel {
                    counts.fc_per_channel += 1;
                } else {
                    counts.fc_per_tensor += 1;
                }
                counts.fc_outputs += n_out;
                let (got, expected) = match (n_in, n_out) {
                    (1, 16) => run::<1, 16>(&layer),
                    (16, 16) => run::<16, 16>(&layer),
                    (16, 1) => run::<16, 1>(&layer),
                    (2, 16) => run::<2, 16>(&layer),
                    (16, 3) => run::<16, 3>(&layer),
                    (64, 32) => run::<64, 32>(&layer),
                    (32, 10) => run::<32, 10>(&layer),
                    (3, 5) => run::<3, 5>(&layer),
                    (7, 4) => run::<7, 4>(&layer),
                    other => panic!("line {}: no instance for the shape {other:?}", number + 1),
                };
                got == expected
            }
            other => panic!("line {}: unknown kind {other}", number + 1),
        };
        if !ok {
            failures.push(format!("line {}: {line:.200}", number + 1));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the fixture's cases differ from TFLite's, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    // The fixture is complete: a truncated or emptied file must not pass.
    assert_eq!(counts.srdhm, 5000, "{counts:?}");
    assert_eq!(counts.rdbp, 5000, "{counts:?}");
    assert_eq!(counts.mbqm, 5000, "{counts:?}");
    assert_eq!(counts.qm, 3000, "{counts:?}");
    assert_eq!(counts.fc_per_channel, 200, "{counts:?}");
    assert_eq!(counts.fc_per_tensor, 200, "{counts:?}");
    assert!(counts.fc_outputs > 4000, "{counts:?}");
}

#[test]
fn fixed_point_edge_cases() {
    // i32::MIN · i32::MIN is the one saturating product.
    assert_eq!(
        saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
        i32::MAX
    );
    assert_eq!(
        saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN + 1),
        i32::MAX
    );
    // RoundingDivideByPOT: negative ties away from zero, at every exponent.
    for e in 1..=31 {
        let half = 1i64 << (e - 1);
        assert_eq!(rounding_divide_by_pot(-half as i32, e), -1, "e = {e}");
        if e <= 30 {
            // −1.5 → −2 and 1.5 → 2.
            assert_eq!(rounding_divide_by_pot((-3 * half) as i32, e), -2, "e = {e}");
            assert_eq!(rounding_divide_by_pot((3 * half) as i32, e), 2, "e = {e}");
        }
        assert_eq!(rounding_divide_by_pot(half as i32, e), 1, "e = {e}");
    }
    for x in [i32::MIN, -7, -1, 0, 1, 7, i32::MAX] {
        assert_eq!(rounding_divide_by_pot(x, 0), x);
    }
    // MultiplyByQuantizedMultiplier at the extremes of the multiplier range.
    assert_eq!(
        multiply_by_quantized_multiplier(i32::MAX, i32::MAX, 0),
        i32::MAX - 1
    );
    assert_eq!(
        multiply_by_quantized_multiplier(i32::MIN, i32::MAX, 0),
        i32::MIN + 1
    );
    assert_eq!(multiply_by_quantized_multiplier(1000, 1 << 30, -31), 0);
    assert_eq!(
        multiply_by_quantized_multiplier(1 << 20, 1 << 30, 10),
        1 << 29
    );
}

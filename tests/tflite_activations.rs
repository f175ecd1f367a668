//! `mlp::quant`'s int8 activations against LiteRT itself, bit for bit.
//!
//! `tests/fixtures/tflite/activations/<kind>.txt` (written by `scripts/tflite_activations.py`)
//! hold one-operator int8 models converted by TensorFlow from a known calibration range and
//! run by LiteRT's reference kernels (`BUILTIN_REF`; ELU, which that resolver lacks, by the
//! builtin one): the tensors' scales (as `f32` bits) and zero points, and LiteRT's int8 outputs
//! for every int8 input (LOGISTIC, TANH, RELU, LEAKY_RELU, ELU) or for hundreds of rows
//! (SOFTMAX of widths 3, 10, 16).
//!
//! Every kernel is built by its constructor from the fixture's scales and zero points (the
//! fixtures hold no kernel parameter) and must reproduce every output. The input tensors'
//! quantizations must also be `Quantization::from_min_max` of the calibration range.

use mlp::quant::{
    gemmlowp, multiply_by_quantized_multiplier, quantize_multiplier, rounding_divide_by_pot, Elu,
    LeakyRelu, Logistic, Quantization, Relu, Rounding, Softmax, Tanh,
};

/// One `case` block of a fixture file.
#[derive(Debug, Default)]
struct Case {
    name: String,
    op: String,
    n: usize,
    alpha: Option<f32>,
    beta: Option<f32>,
    calibration_min: f32,
    calibration_max: f32,
    input_scale: f32,
    input_zero_point: i32,
    output_scale: f32,
    output_zero_point: i32,
    samples: Vec<(Vec<i8>, Vec<i8>)>,
}

impl Case {
    fn input(&self) -> Quantization {
        Quantization {
            scale: self.input_scale,
            zero_point: self.input_zero_point,
        }
    }

    fn output(&self) -> Quantization {
        Quantization {
            scale: self.output_scale,
            zero_point: self.output_zero_point,
        }
    }
}

/// `<decimal> <0xbits>`: the value from its bits, checked against the decimal.
fn f32_with_bits(rest: &str) -> f32 {
    let mut words = rest.split_whitespace();
    let decimal: f32 = words.next().expect("a decimal").parse().expect("an f32");
    let hex = words.next().expect("bits");
    let bits = u32::from_str_radix(hex.strip_prefix("0x").expect("0x"), 16).expect("hex");
    let v = f32::from_bits(bits);
    assert_eq!(decimal.to_bits(), bits, "the decimal and the bits agree");
    v
}

fn int8s(text: &str) -> Vec<i8> {
    text.split_whitespace()
        .map(|t| t.parse().expect("an int8"))
        .collect()
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut current: Option<Case> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "case" {
            assert!(current.is_none(), "a case inside a case");
            let mut words = rest.split_whitespace();
            let mut case = Case {
                name: words.next().expect("a name").to_string(),
                ..Case::default()
            };
            for w in words {
                let (k, v) = w.split_once('=').expect("key=value");
                match k {
                    "op" => case.op = v.to_string(),
                    "n" => case.n = v.parse().unwrap(),
                    "alpha" => case.alpha = Some(v.parse().unwrap()),
                    "beta" => case.beta = Some(v.parse().unwrap()),
                    "resolver" => assert_eq!(v, "BUILTIN_WITHOUT_DEFAULT_DELEGATES"),
                    other => panic!("unknown case option {other}"),
                }
            }
            current = Some(case);
            continue;
        }
        let case = current.as_mut().expect("a line outside a case");
        match key {
            "calibration_min" => case.calibration_min = f32_with_bits(rest),
            "calibration_max" => case.calibration_max = f32_with_bits(rest),
            "input_scale" => case.input_scale = f32_with_bits(rest),
            "input_zero_point" => case.input_zero_point = rest.trim().parse().unwrap(),
            "output_scale" => case.output_scale = f32_with_bits(rest),
            "output_zero_point" => case.output_zero_point = rest.trim().parse().unwrap(),
            "sample" => {
                let (x, y) = rest.split_once('|').expect("inputs | outputs");
                let (x, y) = (int8s(x), int8s(y));
                assert_eq!(x.len(), case.n);
                assert_eq!(y.len(), case.n);
                case.samples.push((x, y));
            }
            "end" => {
                cases.push(current.take().unwrap());
            }
            other => panic!("unknown line {other}"),
        }
    }
    assert!(current.is_none(), "an unfinished case");
    cases
}

fn load(kind: &str) -> Vec<Case> {
    let path = format!(
        "{}/tests/fixtures/tflite/activations/{kind}.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases = parse(&text);
    assert!(!cases.is_empty(), "{path}: no case");
    cases
}

/// Compares `kernel`'s outputs with LiteRT's on every sample of `case`: (equal, total), and
/// the first differences.
fn compare(case: &Case, kernel: impl Fn(&[i8]) -> Vec<i8>) -> (usize, usize, Vec<String>) {
    let (mut equal, mut total, mut diffs) = (0, 0, Vec::new());
    for (x, expected) in &case.samples {
        let got = kernel(x);
        for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
            total += 1;
            if g == e {
                equal += 1;
            } else if diffs.len() < 5 {
                diffs.push(format!(
                    "{}: input {} → got {g}, LiteRT {e}",
                    case.name, x[i]
                ));
            }
        }
    }
    (equal, total, diffs)
}

/// Runs `kernel` on every case of `kind`, prints the counts, asserts all equal.
fn check_all(kind: &str, op: &str, kernel: impl Fn(&Case) -> Box<dyn Fn(&[i8]) -> Vec<i8>>) {
    let cases = load(kind);
    let (mut equal, mut total) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        assert_eq!(case.op, op);
        let k = kernel(case);
        let (e, t, diffs) = compare(case, k);
        println!(
            "{kind} {}: {e}/{t} int8 outputs equal LiteRT's (input scale {} zp {}, output scale {} zp {})",
            case.name, case.input_scale, case.input_zero_point, case.output_scale, case.output_zero_point
        );
        equal += e;
        total += t;
        failures.extend(diffs);
    }
    println!("{kind}: {equal}/{total} over {} cases", cases.len());
    assert!(total > 0);
    assert_eq!(equal, total, "mismatches:\n{}", failures.join("\n"));
}

/// Every elementwise case feeds all 256 int8 values once.
fn assert_exhaustive(kind: &str) {
    for case in load(kind) {
        assert_eq!(case.samples.len(), 1);
        let mut seen: Vec<i8> = case.samples[0].0.clone();
        seen.sort();
        assert_eq!(seen, (-128..=127).collect::<Vec<i8>>(), "{}", case.name);
    }
}

#[test]
fn input_quantization_is_from_min_max_of_the_calibration_range() {
    let mut checked = 0;
    for kind in ["logistic", "tanh", "relu", "leaky_relu", "elu", "softmax"] {
        for case in load(kind) {
            let q = Quantization::from_min_max(
                f64::from(case.calibration_min),
                f64::from(case.calibration_max),
            );
            assert_eq!(
                (q.scale.to_bits(), q.zero_point),
                (case.input_scale.to_bits(), case.input_zero_point),
                "{}: from_min_max({}, {}) = {q:?}, the converter gave scale {} zp {}",
                case.name,
                case.calibration_min,
                case.calibration_max,
                case.input_scale,
                case.input_zero_point
            );
            checked += 1;
        }
    }
    println!("from_min_max: {checked}/{checked} converted input tensors reproduced");
    assert!(checked >= 60);
}

/// For the record: how many outputs the exact function (in `f64`, rounded once to the output
/// step) gives, against LiteRT's `f32` table.
fn exact_record(kind: &str, f: fn(f64) -> f64) -> (usize, usize) {
    let (mut equal, mut total) = (0, 0);
    for case in load(kind) {
        let (input, output) = (case.input(), case.output());
        let (e, t, _) = compare(&case, |x| {
            x.iter()
                .map(|&q| {
                    let v = f64::from(input.scale) * f64::from(i32::from(q) - input.zero_point);
                    let r = (f(v) / f64::from(output.scale)).round() + f64::from(output.zero_point);
                    r.clamp(-128.0, 127.0) as i8
                })
                .collect()
        });
        equal += e;
        total += t;
    }
    println!("{kind}: the exact function rounded once (not LiteRT's): {equal}/{total}");
    (equal, total)
}

/// The other int8 LOGISTIC/TANH of TFLite, for comparison: `reference_integer_ops::Logistic`
/// / `Tanh` for int8 (gemmlowp's 16-bit-free fixed point on Q4.27 inputs), which TensorFlow
/// Lite Micro runs and LiteRT's reference resolver does not. Prepare: the multiplier of
/// `s_in · 2²⁷`, `input_range_radius = CalculateInputRadius(4, shift, 31)`.
fn fixed_point_record(kind: &str, tanh: bool) -> (usize, usize) {
    let (mut equal, mut total) = (0, 0);
    for case in load(kind) {
        let input = case.input();
        let (multiplier, shift) = quantize_multiplier(f64::from(input.scale) * f64::from(1 << 27));
        let radius = (15.0 * f64::from(1 << 27) / 2f64.powi(shift)).floor() as i32;
        let (e, t, _) = compare(&case, |x| {
            x.iter()
                .map(|&q| {
                    let d = i32::from(q) - input.zero_point;
                    if d <= -radius {
                        -128
                    } else if d >= radius {
                        127
                    } else {
                        let q4 = multiply_by_quantized_multiplier(d, multiplier, shift);
                        let y = if tanh {
                            rounding_divide_by_pot(gemmlowp::tanh(q4, 4), 24)
                        } else {
                            rounding_divide_by_pot(gemmlowp::logistic(q4, 4), 23) - 128
                        };
                        y.clamp(-128, 127) as i8
                    }
                })
                .collect()
        });
        equal += e;
        total += t;
    }
    println!(
        "{kind}: reference_integer_ops' int8 fixed-point path (TFLite Micro's; not LiteRT's \
         reference resolver's): {equal}/{total}"
    );
    (equal, total)
}

#[test]
fn logistic_is_litert_bit_for_bit() {
    assert_exhaustive("logistic");
    for case in load("logistic") {
        assert_eq!(case.output(), Logistic::OUTPUT, "{}", case.name);
    }
    check_all("logistic", "LOGISTIC", |case| {
        let k = Logistic::new(case.input());
        Box::new(move |x| {
            let mut y = vec![0; x.len()];
            k.forward_slice(x, &mut y);
            y
        })
    });
    // The near-tie cases make the fixture tell LiteRT's f32 table from the exact function and
    // from the fixed-point kernel.
    let (equal, total) = exact_record("logistic", |v| 1.0 / (1.0 + (-v).exp()));
    assert!(
        equal < total,
        "the fixture must tell the table from the exact function"
    );
    let (equal, total) = fixed_point_record("logistic", false);
    assert!(
        equal < total,
        "the fixture must tell the table from the fixed-point kernel"
    );
}

#[test]
fn tanh_is_litert_bit_for_bit() {
    assert_exhaustive("tanh");
    for case in load("tanh") {
        assert_eq!(case.output(), Tanh::OUTPUT, "{}", case.name);
    }
    check_all("tanh", "TANH", |case| {
        let k = Tanh::new(case.input());
        Box::new(move |x| {
            let x: [i8; 256] = x.try_into().unwrap();
            k.forward(&x).to_vec()
        })
    });
    let (equal, total) = exact_record("tanh", f64::tanh);
    assert!(
        equal < total,
        "the fixture must tell the table from the exact function"
    );
    let (equal, total) = fixed_point_record("tanh", true);
    assert!(
        equal < total,
        "the fixture must tell the table from the fixed-point kernel"
    );
}

#[test]
fn elu_is_litert_bit_for_bit() {
    assert_exhaustive("elu");
    check_all("elu", "ELU", |case| {
        let k = Elu::new(case.input(), case.output());
        Box::new(move |x| x.iter().map(|&v| k.apply(v)).collect())
    });
    exact_record("elu", |v| if v < 0.0 { v.exp_m1() } else { v });
}

#[test]
fn relu_is_litert_bit_for_bit() {
    assert_exhaustive("relu");
    check_all("relu", "RELU", |case| {
        let k = Relu::new(case.input(), case.output());
        Box::new(move |x| {
            let x: [i8; 256] = x.try_into().unwrap();
            k.forward(&x).to_vec()
        })
    });
    // For the record: single rounding (the same function for these scales, s_in ≥ s_out).
    let (mut equal, mut total) = (0, 0);
    for case in load("relu") {
        assert!(case.input_scale >= case.output_scale, "{}", case.name);
        let k = Relu::new(case.input(), case.output()).rounded(Rounding::Single);
        let (e, t, _) = compare(&case, |x| x.iter().map(|&v| k.apply(v)).collect());
        equal += e;
        total += t;
    }
    println!("relu with single rounding: {equal}/{total}");
}

#[test]
fn leaky_relu_is_litert_bit_for_bit() {
    assert_exhaustive("leaky_relu");
    let cases = load("leaky_relu");
    let mut alphas: Vec<u32> = cases.iter().map(|c| c.alpha.unwrap().to_bits()).collect();
    alphas.sort();
    alphas.dedup();
    assert!(alphas.len() >= 2, "at least two slopes");
    // The fixtures decide the rounding: single rounding must miss some (or the test could not
    // tell the two apart), and the constructor's default must be the one that matches.
    let (mut equal, mut total) = (0, 0);
    for case in &cases {
        let k = LeakyRelu::new(case.input(), case.output(), case.alpha.unwrap())
            .rounded(Rounding::Single);
        let (e, t, _) = compare(case, |x| x.iter().map(|&v| k.apply(v)).collect());
        equal += e;
        total += t;
    }
    println!("leaky_relu with single rounding (not LiteRT's): {equal}/{total}");
    assert!(
        equal < total,
        "single and double rounding must differ on the fixtures"
    );
    assert_eq!(
        LeakyRelu::new(cases[0].input(), cases[0].output(), 0.2).rounding,
        Rounding::Double
    );
    check_all("leaky_relu", "LEAKY_RELU", |case| {
        let k = LeakyRelu::new(case.input(), case.output(), case.alpha.unwrap());
        Box::new(move |x| {
            let x: [i8; 256] = x.try_into().unwrap();
            k.forward(&x).to_vec()
        })
    });
}

/// The softmax of a row through the array API where the width is one of the fixtures'.
fn softmax_row(k: &Softmax, x: &[i8]) -> Vec<i8> {
    match x.len() {
        3 => k.forward(&<[i8; 3]>::try_from(x).unwrap()).to_vec(),
        10 => k.forward(&<[i8; 10]>::try_from(x).unwrap()).to_vec(),
        16 => k.forward(&<[i8; 16]>::try_from(x).unwrap()).to_vec(),
        _ => {
            let mut y = vec![0; x.len()];
            k.forward_slice(x, &mut y);
            y
        }
    }
}

#[test]
fn softmax_is_litert_bit_for_bit() {
    let cases = load("softmax");
    let mut widths: Vec<usize> = cases.iter().map(|c| c.n).collect();
    widths.sort();
    widths.dedup();
    assert_eq!(widths, [3, 10, 16]);
    for case in &cases {
        assert_eq!(case.output(), Softmax::OUTPUT, "{}", case.name);
        assert_eq!(case.beta, Some(1.0));
        assert!(case.samples.len() >= 300);
    }
    check_all("softmax", "SOFTMAX", |case| {
        let k = Softmax::new(case.input_scale, case.beta.unwrap());
        Box::new(move |x| softmax_row(&k, x))
    });
    let rows: usize = cases.iter().map(|c| c.samples.len()).sum();
    println!("softmax: {rows} rows");
    // For the record: single rounding (the 2³⁰ − 1 cap).
    let (mut equal, mut total) = (0, 0);
    for case in &cases {
        let k = Softmax::with_rounding(case.input_scale, 1.0, Rounding::Single);
        let (e, t, _) = compare(case, |x| softmax_row(&k, x));
        equal += e;
        total += t;
    }
    println!("softmax with single rounding: {equal}/{total}");
    // The fixture discriminates: a float softmax of the dequantized inputs, quantized to
    // 1/256, misses some.
    let (mut equal, mut total) = (0, 0);
    for case in &cases {
        let input = case.input();
        let (e, t, _) = compare(case, |x| {
            let v: Vec<f64> = x.iter().map(|&q| input.dequantize(q) as f64).collect();
            let max = v.iter().cloned().fold(f64::MIN, f64::max);
            let sum: f64 = v.iter().map(|a| (a - max).exp()).sum();
            v.iter()
                .map(|a| Softmax::OUTPUT.quantize(((a - max).exp() / sum) as f32))
                .collect()
        });
        equal += e;
        total += t;
    }
    println!("a float softmax quantized (not LiteRT's): {equal}/{total}");
    assert!(
        equal < total,
        "the fixture must tell the integer softmax from a float one"
    );
}

//! `mlp::tflite` against TFLite's own reading of the four fixture models.
//!
//! Each `tests/fixtures/tflite/<name>.layers.txt` was written by `scripts/tflite_fixtures.py`
//! from LiteRT's interpreter (`get_tensor_details()`, `get_tensor()`) and TFLite's Python
//! schema module, independently of this reader: the operators in order, their tensors' indices,
//! names, types, shapes, scales (with their `f32` bit patterns), zero points, the int8 weight
//! rows and the int32 biases. The reader must find every one of them in the `.tflite` file, and
//! build each FULLY_CONNECTED as [`FullyConnected`] exactly as `tests/tflite_sine.rs` builds
//! it by hand from the dump. Then wrong chains: each must be the matching typed error, with a
//! message naming the operator and both sides.

use mlp::quant::{relu_range, FullyConnected, Requantize, Rounding};
use mlp::tflite::{
    Builtin, Error, Expected, Found, FusedActivation, Model, Operand, QuantizationProblem, Role,
    TensorType,
};

const SINE: &[u8] = include_bytes!("fixtures/tflite/sine.tflite");
const PER_CHANNEL: &[u8] = include_bytes!("fixtures/tflite/classifier_per_channel.tflite");
const PER_TENSOR: &[u8] = include_bytes!("fixtures/tflite/classifier_per_tensor.tflite");
const DIGITS: &[u8] = include_bytes!("fixtures/tflite/digits.tflite");

const SINE_LAYERS: &str = include_str!("fixtures/tflite/sine.layers.txt");
const PER_CHANNEL_LAYERS: &str = include_str!("fixtures/tflite/classifier_per_channel.layers.txt");
const PER_TENSOR_LAYERS: &str = include_str!("fixtures/tflite/classifier_per_tensor.layers.txt");
const DIGITS_LAYERS: &str = include_str!("fixtures/tflite/digits.layers.txt");

fn fc(inputs: usize, outputs: usize, relu: bool) -> Expected {
    Expected::FullyConnected {
        inputs,
        outputs,
        relu,
    }
}

/// The Keras models of `scripts/tflite_fixtures.py`: Dense(relu) layers, a last Dense without
/// activation, a Softmax layer for the classifiers.
fn sine_chain() -> Vec<Expected> {
    vec![fc(1, 16, true), fc(16, 16, true), fc(16, 1, false)]
}

fn classifier_chain() -> Vec<Expected> {
    vec![fc(2, 16, true), fc(16, 3, false), Expected::Softmax]
}

fn digits_chain() -> Vec<Expected> {
    vec![fc(64, 32, true), fc(32, 10, false), Expected::Softmax]
}

// ---- the dump ------------------------------------------------------------------------------

/// One operand of an operator in the dump.
#[derive(Debug, Default, Clone)]
struct Operand_ {
    tensor: usize,
    name: String,
    dtype: String,
    shape: Vec<i32>,
    quantized_dimension: Option<i32>,
    scale_bits: Vec<u32>,
    zero_points: Vec<i64>,
}

/// One operator of the dump.
#[derive(Debug, Default)]
struct Op {
    name: String,
    options: Vec<(String, String)>,
    input: Operand_,
    weights: Option<Operand_>,
    bias: Option<Operand_>,
    output: Operand_,
    weight_rows: Vec<Vec<i8>>,
    bias_values: Vec<i32>,
}

impl Op {
    fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// `key=value` words, a value running on over the words without `=` (`shape=1 16`).
fn key_values(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for word in text.split_whitespace() {
        match word.split_once('=') {
            Some((k, v)) => out.push((k.to_string(), v.to_string())),
            None => {
                let last = out.last_mut().expect("a key before a bare word");
                last.1.push(' ');
                last.1.push_str(word);
            }
        }
    }
    out
}

fn ints<T: std::str::FromStr>(text: &str) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    text.split_whitespace()
        .map(|t| t.parse().expect("an integer"))
        .collect()
}

fn bits(text: &str) -> Vec<u32> {
    text.split_whitespace()
        .map(|t| u32::from_str_radix(t.strip_prefix("0x").expect("0x bits"), 16).expect("hex"))
        .collect()
}

fn parse_dump(text: &str) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
        if key == "op" {
            let (index, rest) = rest.split_once(' ').expect("op index");
            assert_eq!(index.parse::<usize>().unwrap(), ops.len(), "ops in order");
            let (name, options) = rest.split_once(' ').unwrap_or((rest, ""));
            ops.push(Op {
                name: name.to_string(),
                options: key_values(options),
                ..Op::default()
            });
            continue;
        }
        let op = ops.last_mut().expect("an op before its operands");
        let (role, field) = key.split_once('_').unwrap_or((key, ""));
        let operand = match role {
            "input" => &mut op.input,
            "output" => &mut op.output,
            "weights" => op.weights.get_or_insert_with(Default::default),
            "bias" => op.bias.get_or_insert_with(Default::default),
            other => panic!("unknown line {other}"),
        };
        match field {
            "" => {
                for (k, v) in key_values(rest) {
                    match k.as_str() {
                        "tensor" => operand.tensor = v.parse().unwrap(),
                        "name" => operand.name = v,
                        "dtype" => operand.dtype = v,
                        "shape" => operand.shape = ints(&v),
                        "quantized_dimension" => {
                            operand.quantized_dimension = Some(v.parse().unwrap())
                        }
                        other => panic!("unknown key {other}"),
                    }
                }
            }
            "scales" => {}
            "scales_bits" => operand.scale_bits = bits(rest),
            "zero_points" => operand.zero_points = ints(rest),
            "row" => {
                let (row, values) = rest.split_once(' ').expect("a row and its values");
                assert_eq!(row.parse::<usize>().unwrap(), op.weight_rows.len());
                op.weight_rows.push(ints(values));
            }
            "values" => op.bias_values = ints(rest),
            other => panic!("unknown field {other}"),
        }
    }
    ops
}

// ---- the checks ----------------------------------------------------------------------------

fn dtype(t: TensorType) -> &'static str {
    match t {
        TensorType::Int8 => "int8",
        TensorType::Int32 => "int32",
        TensorType::Float32 => "float32",
        _ => "other",
    }
}

/// Every field of `operand` as the reader reads tensor `operand.tensor`.
fn check_tensor(model: &Model<'_>, operand: &Operand_, what: &str) {
    let t = model.tensor(operand.tensor).unwrap();
    assert_eq!(t.name().unwrap(), operand.name, "{what}: name");
    assert_eq!(dtype(t.element_type().unwrap()), operand.dtype, "{what}");
    assert_eq!(
        t.shape().unwrap().iter().collect::<Vec<_>>(),
        operand.shape,
        "{what}: shape"
    );
    let q = t.quantization().unwrap().expect("quantized");
    let scale_bits: Vec<u32> = q.scales.iter().map(f32::to_bits).collect();
    assert_eq!(scale_bits, operand.scale_bits, "{what}: scale bits");
    assert_eq!(
        q.zero_points.iter().collect::<Vec<_>>(),
        operand.zero_points,
        "{what}: zero points"
    );
    if let Some(d) = operand.quantized_dimension {
        assert_eq!(q.quantized_dimension, d, "{what}: quantized dimension");
    }
}

/// The layer as the dump gives it, built by hand (as `tests/tflite_sine.rs`).
fn from_dump<const IN: usize, const OUT: usize>(op: &Op) -> FullyConnected<IN, OUT> {
    let s_in = f32::from_bits(op.input.scale_bits[0]);
    let s_out = f32::from_bits(op.output.scale_bits[0]);
    let s_w: Vec<f32> = op
        .weights
        .as_ref()
        .unwrap()
        .scale_bits
        .iter()
        .map(|&b| f32::from_bits(b))
        .collect();
    let zp_out = op.output.zero_points[0] as i32;
    let (activation_min, activation_max) = match op.option("fused_activation").unwrap() {
        "RELU" => relu_range(zp_out),
        "NONE" => (-128, 127),
        other => panic!("activation {other}"),
    };
    FullyConnected {
        weights: core::array::from_fn(|c| core::array::from_fn(|d| op.weight_rows[c][d])),
        bias: core::array::from_fn(|c| op.bias_values[c]),
        requantize: core::array::from_fn(|c| {
            let s = s_w[if s_w.len() == 1 { 0 } else { c }];
            Requantize::from_scale(f64::from(s_in) * f64::from(s) / f64::from(s_out))
        }),
        input_zero_point: op.input.zero_points[0] as i32,
        output_zero_point: zp_out,
        activation_min,
        activation_max,
        rounding: Rounding::Single,
    }
}

fn check_fully_connected<const IN: usize, const OUT: usize>(
    model: &Model<'_>,
    index: usize,
    op: &Op,
) {
    let layer = model
        .fully_connected::<IN, OUT>(index)
        .unwrap_or_else(|e| panic!("operator {index}: {e}"));
    let expected = from_dump::<IN, OUT>(op);
    assert_eq!(layer.weights, expected.weights, "operator {index}: weights");
    assert_eq!(layer.bias, expected.bias, "operator {index}: biases");
    assert_eq!(layer.input_zero_point, expected.input_zero_point);
    assert_eq!(layer.output_zero_point, expected.output_zero_point);
    assert_eq!(layer.requantize, expected.requantize, "operator {index}");
    assert_eq!(
        (layer.activation_min, layer.activation_max),
        (expected.activation_min, expected.activation_max),
        "operator {index}: the fused activation's clamp"
    );
    assert_eq!(layer, expected);
    // The dump's rows are what the file's weights are, and every one of them was compared.
    assert_eq!(op.weight_rows.len(), OUT);
    assert!(op.weight_rows.iter().all(|r| r.len() == IN));
    assert_eq!(op.bias_values.len(), OUT);
}

/// The reader finds in `bytes` everything the dump says, operator by operator.
fn check_model(bytes: &[u8], dump: &str, chain: &[Expected]) -> Vec<Op> {
    let model = Model::parse(bytes).unwrap();
    assert_eq!(model.version(), 3);
    let ops = parse_dump(dump);
    assert_eq!(model.operator_count(), ops.len());
    model.expect_chain(chain).unwrap();
    assert_eq!(model.input().unwrap(), ops[0].input.tensor);
    assert_eq!(model.output().unwrap(), ops.last().unwrap().output.tensor);
    for (i, op) in ops.iter().enumerate() {
        let o = model.operator(i).unwrap();
        assert_eq!(o.builtin().to_string(), op.name, "operator {i}");
        assert_eq!(o.index(), i);
        assert_eq!(
            model.operator_io(i).unwrap(),
            (op.input.tensor, op.output.tensor),
            "operator {i}"
        );
        check_tensor(&model, &op.input, "input");
        check_tensor(&model, &op.output, "output");
        assert_eq!(
            model.quantization(op.output.tensor).unwrap(),
            (
                f32::from_bits(op.output.scale_bits[0]),
                op.output.zero_points[0] as i32
            )
        );
        match o.builtin() {
            Builtin::FullyConnected => {
                let (w, b) = (op.weights.as_ref().unwrap(), op.bias.as_ref().unwrap());
                check_tensor(&model, w, "weights");
                check_tensor(&model, b, "bias");
                let inputs: Vec<i32> = o.inputs().iter().collect();
                assert_eq!(
                    inputs,
                    [op.input.tensor, w.tensor, b.tensor].map(|t| t as i32)
                );
                assert_eq!(
                    o.outputs().iter().collect::<Vec<_>>(),
                    [op.output.tensor as i32]
                );
                assert_eq!(
                    o.fused_activation().unwrap().to_string(),
                    op.option("fused_activation").unwrap()
                );
                assert_eq!(
                    o.keep_num_dims().unwrap().to_string(),
                    op.option("keep_num_dims").unwrap().to_lowercase()
                );
                assert_eq!(
                    o.weights_format().unwrap().to_string(),
                    op.option("weights_format").unwrap()
                );
                // The weights' and biases' data, raw, as the dump's values.
                let data = model.tensor(w.tensor).unwrap().data().unwrap();
                let rows: Vec<i8> = op.weight_rows.concat();
                assert_eq!(data.iter().map(|&b| b as i8).collect::<Vec<_>>(), rows);
                let data = model.tensor(b.tensor).unwrap().data().unwrap();
                let biases: Vec<i32> = data
                    .chunks(4)
                    .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
                    .collect();
                assert_eq!(biases, op.bias_values);
                assert!(o.softmax_beta().is_err());
            }
            Builtin::Softmax => {
                let beta: f32 = op.option("beta").unwrap().parse().unwrap();
                assert_eq!(o.softmax_beta().unwrap(), beta);
                assert_eq!(o.fused_activation().unwrap(), FusedActivation::None);
                assert!(model
                    .tensor(op.output.tensor)
                    .unwrap()
                    .data()
                    .unwrap()
                    .is_empty());
            }
            other => panic!("no such operator in the fixtures: {other}"),
        }
    }
    ops
}

#[test]
fn sine_is_read_as_tflite_reads_it() {
    let ops = check_model(SINE, SINE_LAYERS, &sine_chain());
    let model = Model::parse(SINE).unwrap();
    check_fully_connected::<1, 16>(&model, 0, &ops[0]);
    check_fully_connected::<16, 16>(&model, 1, &ops[1]);
    check_fully_connected::<16, 1>(&model, 2, &ops[2]);
}

#[test]
fn classifier_per_channel_is_read_as_tflite_reads_it() {
    let ops = check_model(PER_CHANNEL, PER_CHANNEL_LAYERS, &classifier_chain());
    let model = Model::parse(PER_CHANNEL).unwrap();
    assert_eq!(ops[0].weights.as_ref().unwrap().scale_bits.len(), 16);
    check_fully_connected::<2, 16>(&model, 0, &ops[0]);
    check_fully_connected::<16, 3>(&model, 1, &ops[1]);
}

#[test]
fn classifier_per_tensor_is_read_as_tflite_reads_it() {
    let ops = check_model(PER_TENSOR, PER_TENSOR_LAYERS, &classifier_chain());
    let model = Model::parse(PER_TENSOR).unwrap();
    assert_eq!(ops[0].weights.as_ref().unwrap().scale_bits.len(), 1);
    check_fully_connected::<2, 16>(&model, 0, &ops[0]);
    check_fully_connected::<16, 3>(&model, 1, &ops[1]);
    // Per tensor: every channel requantizes alike.
    let layer = model.fully_connected::<2, 16>(0).unwrap();
    assert!(layer.requantize.iter().all(|r| *r == layer.requantize[0]));
}

#[test]
fn digits_is_read_as_tflite_reads_it() {
    let ops = check_model(DIGITS, DIGITS_LAYERS, &digits_chain());
    let model = Model::parse(DIGITS).unwrap();
    check_fully_connected::<64, 32>(&model, 0, &ops[0]);
    check_fully_connected::<32, 10>(&model, 1, &ops[1]);
}

// ---- wrong chains --------------------------------------------------------------------------

fn chain_error(bytes: &[u8], chain: &[Expected]) -> (Error, String) {
    let e = Model::parse(bytes)
        .unwrap()
        .expect_chain(chain)
        .unwrap_err();
    let message = e.to_string();
    (e, message)
}

#[test]
fn a_wrong_size_names_the_operator_and_both_sides() {
    let (e, message) = chain_error(
        PER_CHANNEL,
        &[fc(2, 8, true), fc(8, 3, false), Expected::Softmax],
    );
    assert_eq!(
        e,
        Error::Operator {
            index: 0,
            expected: Some(fc(2, 8, true)),
            found: Some(Found {
                builtin: Builtin::FullyConnected,
                sizes: Some((2, 16)),
                activation: FusedActivation::Relu,
            }),
        }
    );
    assert_eq!(
        message,
        "operator 0 is FULLY_CONNECTED 2 → 16 with RELU, the chain expects FULLY_CONNECTED 2 → 8 with RELU"
    );
    let (_, message) = chain_error(
        DIGITS,
        &[fc(64, 32, true), fc(32, 9, false), Expected::Softmax],
    );
    assert_eq!(
        message,
        "operator 1 is FULLY_CONNECTED 32 → 10, the chain expects FULLY_CONNECTED 32 → 9"
    );
}

#[test]
fn a_missing_relu_names_the_operator_and_both_sides() {
    let (e, message) = chain_error(
        SINE,
        &[fc(1, 16, true), fc(16, 16, false), fc(16, 1, false)],
    );
    assert!(matches!(e, Error::Operator { index: 1, .. }), "{e:?}");
    assert!(
        message.contains("operator 1 is FULLY_CONNECTED 16 → 16 with RELU"),
        "{message}"
    );
    assert!(
        message.ends_with("the chain expects FULLY_CONNECTED 16 → 16"),
        "{message}"
    );
    // And a ReLU the model does not have.
    let (_, message) = chain_error(SINE, &[fc(1, 16, true), fc(16, 16, true), fc(16, 1, true)]);
    assert_eq!(
        message,
        "operator 2 is FULLY_CONNECTED 16 → 1, the chain expects FULLY_CONNECTED 16 → 1 with RELU"
    );
}

#[test]
fn a_missing_softmax_names_the_operator() {
    // The chain stops before the model's SOFTMAX.
    let (e, message) = chain_error(PER_TENSOR, &[fc(2, 16, true), fc(16, 3, false)]);
    assert_eq!(
        e,
        Error::Operator {
            index: 2,
            expected: None,
            found: Some(Found {
                builtin: Builtin::Softmax,
                sizes: None,
                activation: FusedActivation::None,
            }),
        }
    );
    assert_eq!(
        message,
        "operator 2 is SOFTMAX, but the chain ends after 2 operators"
    );
    // The chain wants a SOFTMAX the model does not have.
    let mut chain = sine_chain();
    chain.push(Expected::Softmax);
    let (e, message) = chain_error(SINE, &chain);
    assert!(matches!(
        e,
        Error::Operator {
            index: 3,
            expected: Some(Expected::Softmax),
            found: None
        }
    ));
    assert_eq!(
        message,
        "the model ends after 3 operators, the chain expects operator 3 to be SOFTMAX"
    );
    // A SOFTMAX where the chain has a layer, and a layer where it has a SOFTMAX.
    let (_, message) = chain_error(
        DIGITS,
        &[fc(64, 32, true), fc(32, 10, false), fc(10, 10, false)],
    );
    assert_eq!(
        message,
        "operator 2 is SOFTMAX, the chain expects FULLY_CONNECTED 10 → 10"
    );
    let (_, message) = chain_error(DIGITS, &[fc(64, 32, true), Expected::Softmax]);
    assert_eq!(
        message,
        "operator 1 is FULLY_CONNECTED 32 → 10, the chain expects SOFTMAX"
    );
    let (_, message) = chain_error(
        DIGITS,
        &[fc(64, 32, true), fc(32, 10, false), Expected::Logistic],
    );
    assert_eq!(message, "operator 2 is SOFTMAX, the chain expects LOGISTIC");
}

/// The position of field `slot` of the table at `table`, read without the reader.
fn field(bytes: &[u8], table: usize, slot: usize) -> usize {
    let u16_at = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize;
    let soffset = i32::from_le_bytes(bytes[table..table + 4].try_into().unwrap());
    let vtable = (table as i64 - soffset as i64) as usize;
    let offset = u16_at(vtable + 4 + 2 * slot);
    assert_ne!(offset, 0, "field {slot} present");
    table + offset
}

fn follow(bytes: &[u8], at: usize) -> usize {
    at + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

/// The classifier with its operator code 1 (SOFTMAX) changed to `code`, as a model converted
/// with float output (DEQUANTIZE last) or float input would have one.
fn with_opcode(bytes: &[u8], deprecated: i8, code: i32) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let root = follow(&b, 0);
    let codes = follow(&b, field(&b, root, 1));
    let code_1 = follow(&b, codes + 4 + 4);
    let at = field(&b, code_1, 0);
    b[at] = deprecated as u8;
    let at = field(&b, code_1, 3);
    b[at..at + 4].copy_from_slice(&code.to_le_bytes());
    b
}

#[test]
fn quantize_and_dequantize_ask_for_int8_input_and_output() {
    let dequantize = with_opcode(PER_CHANNEL, 6, 6);
    let model = Model::parse(&dequantize).unwrap();
    assert_eq!(model.operator(2).unwrap().builtin(), Builtin::Dequantize);
    let (e, message) = chain_error(&dequantize, &classifier_chain());
    assert!(matches!(e, Error::Operator { index: 2, .. }), "{e:?}");
    assert!(
        message.starts_with("operator 2 is DEQUANTIZE, the chain expects SOFTMAX"),
        "{message}"
    );
    assert!(message.contains("int8 input and output"), "{message}");
    // The larger of the two codes is the operator (TFLite's GetBuiltinCode).
    let quantize = with_opcode(PER_CHANNEL, 25, 114);
    let (_, message) = chain_error(&quantize, &classifier_chain());
    assert!(
        message.starts_with("operator 2 is QUANTIZE, the chain expects SOFTMAX"),
        "{message}"
    );
    assert!(message.contains("int8 input and output"), "{message}");
    let model = Model::parse(&quantize).unwrap();
    assert_eq!(model.operator(2).unwrap().builtin(), Builtin::Quantize);
}

// ---- the binding helpers' errors -----------------------------------------------------------

#[test]
fn fully_connected_checks_the_sizes_and_the_operator() {
    let model = Model::parse(PER_CHANNEL).unwrap();
    let e = model.fully_connected::<2, 8>(0).unwrap_err();
    assert!(
        matches!(
            e,
            Error::WrongShape {
                tensor: 5,
                role: Some(Role {
                    op: 0,
                    operand: Operand::Output
                }),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "tensor 5 (the output of operator 0) has shape [1, 16], expected [1, 8]"
    );
    let e = model.fully_connected::<3, 16>(0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "tensor 0 (the input of operator 0) has shape [1, 2], expected [1, 3]"
    );
    let e = model.fully_connected::<16, 3>(2).unwrap_err();
    assert_eq!(
        e,
        Error::NotThisOperator {
            op: 2,
            found: Builtin::Softmax,
            expected: Builtin::FullyConnected
        }
    );
    assert_eq!(e.to_string(), "operator 2 is SOFTMAX, not FULLY_CONNECTED");
    let e = model.fully_connected::<16, 3>(3).unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfBounds {
                what: "operator",
                index: 3,
                len: 3
            }
        ),
        "{e:?}"
    );
    assert!(model.operator(2).unwrap().leaky_relu_alpha().is_err());
}

#[test]
fn quantization_is_for_per_tensor_int8_activations() {
    let model = Model::parse(PER_CHANNEL).unwrap();
    let e = model.quantization(4).unwrap_err(); // per-channel weights
    assert_eq!(
        e,
        Error::Quantization {
            tensor: 4,
            role: None,
            problem: QuantizationProblem::ScaleCount {
                expected: 1,
                found: 16
            },
        }
    );
    assert_eq!(
        e.to_string(),
        "tensor 4: it has 16 scales, expected 1 (per tensor)"
    );
    let e = model.quantization(3).unwrap_err(); // a bias
    assert!(
        matches!(
            e,
            Error::WrongType {
                tensor: 3,
                expected: TensorType::Int8,
                found: TensorType::Int32,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "tensor 3 is INT32, expected INT8");
    assert!(matches!(
        model.quantization(8),
        Err(Error::OutOfBounds { what: "tensor", .. })
    ));
    // The int8 softmax output: scale 1/256, zero point −128.
    assert_eq!(model.quantization(7).unwrap(), (1.0 / 256.0, -128));
}

#[test]
fn not_a_model() {
    assert!(matches!(Model::parse(&[]), Err(Error::Truncated { .. })));
    assert!(matches!(Model::parse(b"12345678"), Err(Error::NotAModel)));
    let e = Model::parse(&SINE[..SINE.len() / 2]).unwrap_err();
    assert!(matches!(e, Error::Truncated { .. }), "{e:?}");
    assert!(e.to_string().contains("truncated or corrupt"), "{e}");
    assert_eq!(
        Error::NotAModel.to_string(),
        "not a TensorFlow Lite model: no \"TFL3\" file identifier at bytes 4..8"
    );
}

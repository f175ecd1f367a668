//! The reader on small models written here, field by field: what the fixtures do not have
//! (data past the flatbuffer, RELU6, an absent bias, a sparse tensor, bad quantization, two
//! subgraphs, a QUANTIZE first, a broken chain).

use std::string::ToString;
use std::vec;
use std::vec::Vec;

use super::*;
use crate::quant::Requantize;

/// A flatbuffer object, written by [`finish`].
enum Obj {
    /// A table: `(slot, value)` fields.
    Table(Vec<(usize, Val)>),
    /// A vector of scalars: its length and its elements' bytes.
    Scalars(u32, Vec<u8>),
    /// A vector of tables.
    Tables(Vec<Obj>),
}

enum Val {
    I8(i8),
    U32(u32),
    I32(i32),
    U64(u64),
    F32(f32),
    Ref(Obj),
}

fn ints(v: &[i32]) -> Obj {
    Obj::Scalars(
        v.len() as u32,
        v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    )
}

fn longs(v: &[i64]) -> Obj {
    Obj::Scalars(
        v.len() as u32,
        v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    )
}

fn floats(v: &[f32]) -> Obj {
    Obj::Scalars(
        v.len() as u32,
        v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    )
}

fn bytes(v: &[u8]) -> Obj {
    Obj::Scalars(v.len() as u32, v.to_vec())
}

/// Writes `obj` at the end of `buf`, its children after it (every offset forward), and
/// returns its position.
fn write(buf: &mut Vec<u8>, obj: &Obj) -> usize {
    match obj {
        Obj::Scalars(len, data) => {
            let pos = buf.len();
            buf.extend(len.to_le_bytes());
            buf.extend(data);
            pos
        }
        Obj::Tables(items) => {
            let pos = buf.len();
            buf.extend((items.len() as u32).to_le_bytes());
            let slots: Vec<usize> = items
                .iter()
                .map(|_| {
                    buf.extend([0; 4]);
                    buf.len() - 4
                })
                .collect();
            for (at, item) in slots.into_iter().zip(items) {
                let child = write(buf, item);
                buf[at..at + 4].copy_from_slice(&((child - at) as u32).to_le_bytes());
            }
            pos
        }
        Obj::Table(fields) => {
            let size = |v: &Val| match v {
                Val::I8(_) => 1,
                Val::U64(_) => 8,
                _ => 4,
            };
            let slots = fields.iter().map(|f| f.0 + 1).max().unwrap_or(0);
            let mut offsets = vec![0u16; slots];
            let mut inline = 4;
            for (slot, v) in fields {
                offsets[*slot] = inline as u16;
                inline += size(v);
            }
            let vtable = buf.len();
            buf.extend(((4 + 2 * slots) as u16).to_le_bytes());
            buf.extend((inline as u16).to_le_bytes());
            for o in offsets {
                buf.extend(o.to_le_bytes());
            }
            let table = buf.len();
            buf.extend(((table - vtable) as i32).to_le_bytes());
            let mut refs = Vec::new();
            for (_, v) in fields {
                match v {
                    Val::I8(x) => buf.extend(x.to_le_bytes()),
                    Val::U32(x) => buf.extend(x.to_le_bytes()),
                    Val::I32(x) => buf.extend(x.to_le_bytes()),
                    Val::U64(x) => buf.extend(x.to_le_bytes()),
                    Val::F32(x) => buf.extend(x.to_le_bytes()),
                    Val::Ref(child) => {
                        refs.push((buf.len(), child));
                        buf.extend([0; 4]);
                    }
                }
            }
            for (at, child) in refs {
                let pos = write(buf, child);
                buf[at..at + 4].copy_from_slice(&((pos - at) as u32).to_le_bytes());
            }
            table
        }
    }
}

/// The file: the root offset, `TFL3`, the model.
fn finish(model: &Obj) -> Vec<u8> {
    let mut buf = vec![0, 0, 0, 0, b'T', b'F', b'L', b'3'];
    let root = write(&mut buf, model);
    buf[0..4].copy_from_slice(&(root as u32).to_le_bytes());
    buf
}

/// What the one-layer model (2 → 2) varies.
struct Spec {
    version: u32,
    subgraphs: usize,
    first_code: i32,
    fused: i8,
    weights_format: i8,
    bias: bool,
    /// The weights' data past the flatbuffer (the buffer's `offset`/`size`), this far past
    /// the end of the file (0: right after it).
    external: Option<u64>,
    sparse: bool,
    input_scale: f32,
    input_zero_point: i64,
    weight_zero_point: i64,
    quantized_dimension: i32,
    /// Operator 1's input: a second operator, SOFTMAX, reading this tensor.
    softmax_reads: Option<i32>,
}

impl Default for Spec {
    fn default() -> Self {
        Self {
            version: 3,
            subgraphs: 1,
            first_code: 9,
            fused: 1,
            weights_format: 0,
            bias: true,
            external: None,
            sparse: false,
            input_scale: 0.5,
            input_zero_point: 1,
            weight_zero_point: 0,
            quantized_dimension: 0,
            softmax_reads: None,
        }
    }
}

const WEIGHTS: [u8; 4] = [1, 2, 3, 4];

fn quantization(scales: &[f32], zero_points: &[i64], dimension: i32) -> Val {
    Val::Ref(Obj::Table(vec![
        (2, Val::Ref(floats(scales))),
        (3, Val::Ref(longs(zero_points))),
        (6, Val::I32(dimension)),
    ]))
}

fn tensor(shape: &[i32], kind: i8, buffer: u32, name: &str, q: Val) -> Obj {
    Obj::Table(vec![
        (0, Val::Ref(ints(shape))),
        (1, Val::I8(kind)),
        (2, Val::U32(buffer)),
        (3, Val::Ref(bytes(name.as_bytes()))),
        (4, q),
    ])
}

/// The model of `spec`: x (int8 [1, 2], scale `input_scale`) → FULLY_CONNECTED (weights
/// [[1, 2], [3, 4]] at scales 0.25 and 0.5, bias [10, −20]) → y (int8 [1, 2], scale 0.125, zero
/// point −3), and, with `softmax_reads`, a SOFTMAX after it.
fn model(spec: &Spec, external_at: u64) -> Vec<u8> {
    let mut weights_tensor = tensor(
        &[2, 2],
        9,
        1,
        "w",
        quantization(
            &[0.25, 0.5],
            &[spec.weight_zero_point, 0],
            spec.quantized_dimension,
        ),
    );
    if spec.sparse {
        if let Obj::Table(fields) = &mut weights_tensor {
            fields.push((6, Val::Ref(Obj::Table(vec![(0, Val::Ref(ints(&[0, 1])))]))));
        }
    }
    let mut tensors = vec![
        tensor(
            &[1, 2],
            9,
            0,
            "x",
            quantization(&[spec.input_scale], &[spec.input_zero_point], 0),
        ),
        weights_tensor,
        tensor(&[2], 2, 2, "b", quantization(&[0.125, 0.25], &[0, 0], 0)),
        tensor(&[1, 2], 9, 0, "y", quantization(&[0.125], &[-3], 0)),
    ];
    let bias_index = if spec.bias { 2 } else { -1 };
    let mut operators = vec![Obj::Table(vec![
        (0, Val::U32(0)),
        (1, Val::Ref(ints(&[0, 1, bias_index]))),
        (2, Val::Ref(ints(&[3]))),
        (3, Val::I8(8)),
        (
            4,
            Val::Ref(Obj::Table(vec![
                (0, Val::I8(spec.fused)),
                (1, Val::I8(spec.weights_format)),
            ])),
        ),
    ])];
    let mut output = 3;
    if let Some(reads) = spec.softmax_reads {
        tensors.push(tensor(
            &[1, 2],
            9,
            0,
            "p",
            quantization(&[1.0 / 256.0], &[-128], 0),
        ));
        operators.push(Obj::Table(vec![
            (0, Val::U32(1)),
            (1, Val::Ref(ints(&[reads]))),
            (2, Val::Ref(ints(&[4]))),
            (3, Val::I8(9)),
            (4, Val::Ref(Obj::Table(vec![(0, Val::F32(1.0))]))),
        ]));
        output = 4;
    }
    let mut subgraph = || {
        Obj::Table(vec![
            (0, Val::Ref(Obj::Tables(core::mem::take(&mut tensors)))),
            (1, Val::Ref(ints(&[0]))),
            (2, Val::Ref(ints(&[output]))),
            (3, Val::Ref(Obj::Tables(core::mem::take(&mut operators)))),
        ])
    };
    let subgraphs: Vec<Obj> = (0..spec.subgraphs).map(|_| subgraph()).collect();
    let weights_buffer = match spec.external {
        None => Obj::Table(vec![(0, Val::Ref(bytes(&WEIGHTS)))]),
        Some(_) => Obj::Table(vec![(1, Val::U64(external_at)), (2, Val::U64(4))]),
    };
    let bias: Vec<u8> = [10i32, -20].iter().flat_map(|b| b.to_le_bytes()).collect();
    let codes =
        |code: i32| Obj::Table(vec![(0, Val::I8(code.min(127) as i8)), (3, Val::I32(code))]);
    finish(&Obj::Table(vec![
        (0, Val::U32(spec.version)),
        (
            1,
            Val::Ref(Obj::Tables(vec![codes(spec.first_code), codes(25)])),
        ),
        (2, Val::Ref(Obj::Tables(subgraphs))),
        (
            4,
            Val::Ref(Obj::Tables(vec![
                Obj::Table(vec![]),
                weights_buffer,
                Obj::Table(vec![(0, Val::Ref(bytes(&bias)))]),
            ])),
        ),
    ]))
}

/// The file of `spec`, with the weights after the flatbuffer when `external` asks for it.
fn file(spec: &Spec) -> Vec<u8> {
    match spec.external {
        None => model(spec, 0),
        Some(gap) => {
            // The length does not depend on the offset's value: write once to learn it.
            let len = model(spec, 2).len() as u64;
            let mut f = model(spec, len + gap);
            f.extend(WEIGHTS);
            f
        }
    }
}

fn layer(spec: &Spec) -> Result<crate::quant::FullyConnected<2, 2>, Error> {
    let f = file(spec);
    let m = Model::parse(&f)?;
    m.fully_connected::<2, 2>(0)
}

#[test]
fn the_model_written_here_is_read_back() {
    let f = file(&Spec::default());
    let m = Model::parse(&f).unwrap();
    m.expect_chain(&[Expected::FullyConnected {
        inputs: 2,
        outputs: 2,
        relu: true,
    }])
    .unwrap();
    assert_eq!(m.tensor(1).unwrap().name(), Ok("w"));
    let l = m.fully_connected::<2, 2>(0).unwrap();
    assert_eq!(l.weights, [[1, 2], [3, 4]]);
    assert_eq!(l.bias, [10, -20]);
    // s_in · s_w / s_out: 0.5 · 0.25 / 0.125 = 1, 0.5 · 0.5 / 0.125 = 2.
    assert_eq!(
        l.requantize,
        [Requantize::from_scale(1.0), Requantize::from_scale(2.0)]
    );
    assert_eq!((l.input_zero_point, l.output_zero_point), (1, -3));
    assert_eq!((l.activation_min, l.activation_max), (-3, 127));
    // x − 1 = [4, −4]: [4 − 8 + 10, 12 − 16 − 20] = [6, −24] → [6, −48] − 3 → ReLU at −3.
    assert_eq!(l.forward(&[5, -3]), [3, -3]);
}

#[test]
fn data_past_the_flatbuffer_is_read_bounds_checked() {
    let spec = Spec {
        external: Some(0),
        ..Spec::default()
    };
    assert_eq!(layer(&spec), layer(&Spec::default()));
    let f = file(&spec);
    let m = Model::parse(&f).unwrap();
    assert_eq!(m.tensor(1).unwrap().data(), Ok(&WEIGHTS[..]));
    // An offset past the end.
    let spec = Spec {
        external: Some(1),
        ..Spec::default()
    };
    assert!(matches!(layer(&spec), Err(Error::Truncated { .. })));
    let spec = Spec {
        external: Some(u64::MAX / 2),
        ..Spec::default()
    };
    assert!(matches!(layer(&spec), Err(Error::Truncated { .. })));
}

#[test]
fn fused_activations_clamp_as_tflite() {
    let range = |fused| {
        layer(&Spec {
            fused,
            ..Spec::default()
        })
        .map(|l| (l.activation_min, l.activation_max))
    };
    assert_eq!(range(0), Ok((-128, 127)));
    assert_eq!(range(1), Ok((-3, 127)));
    // RELU6: −3 + round(6 / 0.125) = 45. RELU_N1_TO_1: −3 ∓ 8.
    assert_eq!(range(3), Ok((-3, 45)));
    assert_eq!(range(2), Ok((-11, 5)));
    for code in [4, 5] {
        let e = range(code).unwrap_err();
        assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().contains("TANH or SIGN_BIT"), "{e}");
    }
    assert!(matches!(range(17), Err(Error::Unsupported { .. })));
}

#[test]
fn an_absent_bias_is_zeros() {
    let l = layer(&Spec {
        bias: false,
        ..Spec::default()
    })
    .unwrap();
    assert_eq!(l.bias, [0, 0]);
}

#[test]
fn what_the_reader_does_not_take_is_unsupported() {
    let e = layer(&Spec {
        sparse: true,
        ..Spec::default()
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "tensor 1 uses sparse tensors, which this reader does not support"
    );
    let e = layer(&Spec {
        weights_format: 1,
        ..Spec::default()
    })
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                subject: Subject::Operator(0),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn bad_quantization_is_a_typed_error() {
    let problem = |spec: Spec| match layer(&spec) {
        Err(Error::Quantization { problem, role, .. }) => (problem, role.map(|r| r.operand)),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        problem(Spec {
            weight_zero_point: 3,
            ..Spec::default()
        }),
        (
            QuantizationProblem::WeightZeroPoint { index: 0, value: 3 },
            Some(Operand::Weights)
        )
    );
    assert_eq!(
        problem(Spec {
            quantized_dimension: 1,
            ..Spec::default()
        }),
        (QuantizationProblem::Dimension(1), Some(Operand::Weights))
    );
    assert_eq!(
        problem(Spec {
            input_zero_point: 128,
            ..Spec::default()
        }),
        (
            QuantizationProblem::ZeroPoint {
                index: 0,
                value: 128
            },
            Some(Operand::Input)
        )
    );
    for scale in [0.0, -0.5, f32::INFINITY] {
        assert_eq!(
            problem(Spec {
                input_scale: scale,
                ..Spec::default()
            }),
            (
                QuantizationProblem::Scale {
                    index: 0,
                    value: scale
                },
                Some(Operand::Input)
            )
        );
    }
    // A NaN scale (not equal to itself: matched by kind).
    let e = layer(&Spec {
        input_scale: f32::NAN,
        ..Spec::default()
    });
    assert!(matches!(
        e,
        Err(Error::Quantization {
            problem: QuantizationProblem::Scale { .. },
            ..
        })
    ));
    // A multiplier too large for QuantizeMultiplier's shift: 3e38 · 0.25 / 0.125.
    let (p, _) = problem(Spec {
        input_scale: 3e38,
        ..Spec::default()
    });
    assert!(
        matches!(p, QuantizationProblem::Multiplier { channel: 0, .. }),
        "{p:?}"
    );
    // A multiplier that flushes to zero is TFLite's (0, 0), not an error.
    let l = layer(&Spec {
        input_scale: 1e-30,
        ..Spec::default()
    })
    .unwrap();
    assert_eq!(
        l.requantize[0],
        Requantize {
            multiplier: 0,
            shift: 0
        }
    );
}

#[test]
fn the_model_level_errors() {
    let parse = |spec: Spec| Model::parse(&file(&spec)).map(|_| ()).unwrap_err();
    assert_eq!(
        parse(Spec {
            version: 2,
            ..Spec::default()
        }),
        Error::UnsupportedVersion(2)
    );
    assert_eq!(
        parse(Spec {
            subgraphs: 2,
            ..Spec::default()
        }),
        Error::Subgraphs(2)
    );
    assert_eq!(
        parse(Spec {
            subgraphs: 0,
            ..Spec::default()
        })
        .to_string(),
        "the model has 0 subgraphs; a network is one subgraph"
    );
}

#[test]
fn a_model_with_float_input_is_a_mismatch_that_says_so() {
    let f = file(&Spec {
        first_code: 114,
        ..Spec::default()
    });
    let m = Model::parse(&f).unwrap();
    let e = m
        .expect_chain(&[Expected::FullyConnected {
            inputs: 2,
            outputs: 2,
            relu: true,
        }])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "operator 0 is QUANTIZE, the chain expects FULLY_CONNECTED 2 → 2 with RELU: the model \
         must be converted with int8 input and output types (converter.inference_input_type = \
         converter.inference_output_type = tf.int8)"
    );
}

#[test]
fn the_chain_must_be_joined() {
    let chain = [
        Expected::FullyConnected {
            inputs: 2,
            outputs: 2,
            relu: true,
        },
        Expected::Softmax,
    ];
    let joined = file(&Spec {
        softmax_reads: Some(3),
        ..Spec::default()
    });
    let m = Model::parse(&joined).unwrap();
    assert_eq!(m.expect_chain(&chain), Ok(()));
    assert_eq!(m.operator(1).unwrap().softmax_beta(), Ok(1.0));
    // The SOFTMAX reads the model's input instead of the layer's output.
    let broken = file(&Spec {
        softmax_reads: Some(0),
        ..Spec::default()
    });
    let e = Model::parse(&broken)
        .unwrap()
        .expect_chain(&chain)
        .unwrap_err();
    assert_eq!(
        e,
        Error::Disconnected {
            op: 1,
            reads: 0,
            expected: 3,
            source: Source::Operator(0)
        }
    );
    assert_eq!(
        e.to_string(),
        "operator 1 reads tensor 0, but the chain gives it tensor 3, the output of operator 0"
    );
    // It reads a tensor that does not exist.
    let missing = file(&Spec {
        softmax_reads: Some(9),
        ..Spec::default()
    });
    let e = Model::parse(&missing)
        .unwrap()
        .expect_chain(&chain)
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::OutOfBounds {
                what: "tensor",
                index: 9,
                len: 5
            }
        ),
        "{e:?}"
    );
    // A bias is no activation: `quantization` checks the type.
    let m = Model::parse(&joined).unwrap();
    assert!(matches!(
        m.quantization(2),
        Err(Error::WrongType {
            found: TensorType::Int32,
            ..
        })
    ));
}

#[test]
fn debug_shows_positions_not_the_file() {
    let f = file(&Spec::default());
    let m = Model::parse(&f).unwrap();
    let text = std::format!(
        "{m:?} {:?} {:?}",
        m.tensor(1).unwrap(),
        m.operator(0).unwrap()
    );
    assert!(text.len() < 400, "{text}");
    assert!(text.contains("tensors: 4"), "{text}");
    assert!(text.contains("inputs: [0, 1, 2]"), "{text}");
}

//! The int8 twins `#[mlp::network]` generates (`NameInt8`), against TensorFlow Lite itself and
//! against their float networks.
//!
//! - Bit-exact: each fixture `.tflite` under `tests/fixtures/tflite/` (made from Keras models by
//!   TensorFlow's converter, `scripts/tflite_fixtures.py`) is read by `NameInt8::from_tflite`;
//!   on every sample `quantize_input` must give the int8 input LiteRT was fed and
//!   `forward_int8` the int8 output LiteRT's reference kernels (`BUILTIN_REF`) computed,
//!   Softmax included.
//! - Accuracy: `quantize` (post-training quantization with the training inputs as calibration)
//!   keeps the held-out accuracy within 1 point of the float network's, on digits and on the
//!   design card's network.

use mlp::metrics::argmax;
use mlp::nalgebra::SVector;
use mlp::Network;

#[mlp::network(x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE)]
pub struct Sine;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Card;

#[mlp::network(x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE)]
pub struct Digits;

/// One fixture sample: the float input, the int8 input LiteRT was fed, its int8 output.
struct Sample {
    x: Vec<f32>,
    x_q: Vec<i8>,
    y_q: Vec<i8>,
}

fn samples(text: &str) -> Vec<Sample> {
    fn numbers<T: std::str::FromStr>(column: &str) -> Vec<T>
    where
        T::Err: std::fmt::Debug,
    {
        column
            .split_whitespace()
            .map(|n| n.parse().expect("a number"))
            .collect()
    }
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let columns: Vec<&str> = l.split('\t').collect();
            assert_eq!(columns.len(), 4, "four columns: {l}");
            Sample {
                x: numbers(columns[0]),
                x_q: numbers(columns[1]),
                y_q: numbers(columns[2]),
            }
        })
        .collect()
}

/// Runs every sample through `quantize_input` and `forward_int8`; returns how many inputs and
/// outputs equal LiteRT's, and the count of samples.
fn compare<const IN: usize, const OUT: usize>(
    text: &str,
    quantize_input: impl Fn(&SVector<f32, IN>) -> [i8; IN],
    forward_int8: impl Fn(&[i8; IN]) -> [i8; OUT],
) -> (usize, usize, usize) {
    let samples = samples(text);
    let (mut inputs, mut outputs) = (0, 0);
    for (k, s) in samples.iter().enumerate() {
        let x = SVector::<f32, IN>::from_column_slice(&s.x);
        let x_q: [i8; IN] = s.x_q.clone().try_into().expect("IN int8 inputs");
        if quantize_input(&x) == x_q {
            inputs += 1;
        } else {
            eprintln!(
                "sample {k}: input {:?} vs LiteRT's {x_q:?}",
                quantize_input(&x)
            );
        }
        let y_q = forward_int8(&x_q);
        if y_q.as_slice() == s.y_q.as_slice() {
            outputs += 1;
        } else {
            eprintln!("sample {k}: output {y_q:?} vs LiteRT's {:?}", s.y_q);
        }
    }
    (inputs, outputs, samples.len())
}

fn assert_bit_exact(name: &str, (inputs, outputs, total): (usize, usize, usize)) {
    println!(
        "{name}: quantize_input {inputs}/{total}, forward_int8 {outputs}/{total} equal LiteRT's"
    );
    assert!(total >= 200, "{name}: {total} samples");
    assert_eq!(inputs, total, "{name}: inputs");
    assert_eq!(outputs, total, "{name}: outputs");
}

#[test]
fn sine_from_tflite_is_bit_exact() {
    let q = SineInt8::from_tflite(include_bytes!("fixtures/tflite/sine.tflite")).expect("a model");
    let counts = compare(
        include_str!("fixtures/tflite/sine.txt"),
        |x| q.quantize_input(x),
        |x| q.forward_int8(x),
    );
    assert_bit_exact("sine", counts);
}

#[test]
fn classifiers_from_tflite_are_bit_exact_per_channel_and_per_tensor() {
    for (name, bytes, text) in [
        (
            "classifier_per_channel",
            &include_bytes!("fixtures/tflite/classifier_per_channel.tflite")[..],
            include_str!("fixtures/tflite/classifier_per_channel.txt"),
        ),
        (
            "classifier_per_tensor",
            &include_bytes!("fixtures/tflite/classifier_per_tensor.tflite")[..],
            include_str!("fixtures/tflite/classifier_per_tensor.txt"),
        ),
    ] {
        let q = CardInt8::from_tflite(bytes).expect("a model");
        let per_tensor = q.w.requantize.iter().all(|r| *r == q.w.requantize[0]);
        assert_eq!(per_tensor, name.ends_with("per_tensor"), "{name}");
        let counts = compare(text, |x| q.quantize_input(x), |x| q.forward_int8(x));
        assert_bit_exact(name, counts);
    }
}

#[test]
fn digits_from_tflite_is_bit_exact() {
    let q =
        DigitsInt8::from_tflite(include_bytes!("fixtures/tflite/digits.tflite")).expect("a model");
    let counts = compare(
        include_str!("fixtures/tflite/digits.txt"),
        |x| q.quantize_input(x),
        |x| q.forward_int8(x),
    );
    assert_bit_exact("digits", counts);
}

#[test]
fn a_model_of_another_chain_is_a_typed_error_in_words() {
    let error = CardInt8::from_tflite(include_bytes!("fixtures/tflite/sine.tflite"))
        .expect_err("sine is not a 2-16-3 classifier");
    let message = error.to_string();
    println!("{message}");
    assert!(message.contains("operator 0"), "{message}");
    let error = DigitsInt8::from_tflite(&include_bytes!("fixtures/tflite/digits.tflite")[..100])
        .expect_err("a truncated file");
    println!("{error}");
}

/// Trains `net` with plain SGD, one sample at a time, in a fixed order.
fn train<N: Network<f32, Target = usize>>(
    net: &mut N,
    data: &[(N::Input, usize)],
    epochs: usize,
    rate: f32,
) {
    let mut rng = mlp::rng::Rng::new(3);
    let mut order: Vec<usize> = (0..data.len()).collect();
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            net.train_step(&data[i].0, &data[i].1, rate);
        }
    }
}

/// The percentage of `data` where `predict` finds the class.
fn accuracy<X>(data: &[(X, usize)], predict: impl Fn(&X) -> usize) -> f64 {
    let right = data.iter().filter(|(x, y)| predict(x) == *y).count();
    100.0 * right as f64 / data.len() as f64
}

#[test]
fn quantize_keeps_digits_accuracy_within_one_point() {
    // Pixels 0..16 scaled to [0, 1], as examples/07_digits.rs and the Keras fixture do.
    let mut data = mlp::datasets::digits();
    for row in &mut data.features {
        row.iter_mut().for_each(|p| *p /= 16.0);
    }
    let (train_set, test_set) = data.split(0.25, 5);
    let (train_set, test_set) = (train_set.samples::<f32>(), test_set.samples::<f32>());
    let mut net = Digits::<f32>::zeros();
    mlp::init::xavier_uniform(&mut net, 5);
    train(&mut net, &train_set, 10, 0.02);
    let calibration: Vec<SVector<f32, 64>> = train_set.iter().map(|(x, _)| *x).collect();
    for weights in [
        mlp::int8::Weights::PerChannel,
        mlp::int8::Weights::PerTensor,
    ] {
        let q = net.quantize_with(&calibration, weights);
        let float = accuracy(&test_set, |x| argmax(net.forward(x).as_slice()));
        let int8 = accuracy(&test_set, |x| argmax(&q.forward_int8(&q.quantize_input(x))));
        println!("digits ({weights:?}): held-out accuracy {float:.2}% (f32), {int8:.2}% (int8)");
        assert!(float > 90.0, "the float network learned: {float}");
        assert!((float - int8).abs() <= 1.0, "{float} vs {int8}");
    }
}

#[test]
fn quantize_keeps_the_card_networks_accuracy_within_one_point() {
    let data = mlp::datasets::make_blobs::<2>(600, 3, 2.5, 42);
    let (train_set, test_set) = data.split(0.3, 42);
    let (train_set, test_set) = (train_set.samples::<f32>(), test_set.samples::<f32>());
    let mut net = Card::<f32>::zeros();
    mlp::init::xavier_uniform(&mut net, 7);
    train(&mut net, &train_set, 20, 0.05);
    let calibration: Vec<SVector<f32, 2>> = train_set.iter().map(|(x, _)| *x).collect();
    let q = net.quantize(&calibration);
    let float = accuracy(&test_set, |x| argmax(net.forward(x).as_slice()));
    let int8 = accuracy(&test_set, |x| argmax(&q.forward_int8(&q.quantize_input(x))));
    println!("card: held-out accuracy {float:.2}% (f32), {int8:.2}% (int8)");
    assert!(float > 80.0, "the float network learned: {float}");
    assert!((float - int8).abs() <= 1.0, "{float} vs {int8}");
}

#[mlp::network(x -> Maxout(4, 8, 3) -> LeakyReLU(0.2) -> Linear(8, 8) -> ELU(0.5) -> Linear(8, 6) -> Tanh -> Linear(6, 1) -> Sigmoid -> BCE)]
pub struct Zoo;

#[mlp::network(x -> Linear(3, 6) -> Sigmoid -> ReLU -> Linear(6, 2) -> Identity -> MSE)]
pub struct Standalone;

/// Every kind of step chained by the macro (Maxout's max of pieces, LeakyReLU, ELU with α ≠ 1,
/// Tanh, Sigmoid, a ReLU that is not fused, Identity) stays close to the float network, in f32
/// and in f64: within a few steps of the output's scale.
#[test]
fn every_step_kind_tracks_its_float_network() {
    fn check<const IN: usize, const OUT: usize>(
        name: &str,
        inputs: &[SVector<f32, IN>],
        float: impl Fn(&SVector<f32, IN>) -> SVector<f32, OUT>,
        int8: impl Fn(&SVector<f32, IN>) -> SVector<f32, OUT>,
        step: f32,
    ) {
        let (mut worst, mut total) = (0.0f32, 0.0f32);
        for x in inputs {
            let (a, b) = (float(x), int8(x));
            for i in 0..OUT {
                worst = worst.max((a[i] - b[i]).abs());
                total += (a[i] - b[i]).abs();
            }
        }
        let mean = total / (inputs.len() * OUT) as f32;
        println!("{name}: |int8 − f32| largest {worst:.4}, mean {mean:.4}, output step {step:.4}");
        assert!(
            mean <= 2.0 * step,
            "{name}: mean {mean} against a step of {step}"
        );
        assert!(
            worst <= 8.0 * step,
            "{name}: largest {worst} against a step of {step}"
        );
    }
    let mut rng = mlp::rng::Rng::new(11);
    let zoo_inputs: Vec<SVector<f32, 4>> = (0..300)
        .map(|_| SVector::<f32, 4>::from_fn(|_, _| 4.0 * rng.uniform() as f32 - 2.0))
        .collect();
    let mut zoo = Zoo::<f32>::zeros();
    mlp::init::xavier_uniform(&mut zoo, 4);
    let q = zoo.quantize(&zoo_inputs);

    check(
        "zoo (f32)",
        &zoo_inputs,
        |x| zoo.forward(x),
        |x| q.forward(x),
        q.output.scale,
    );

    let mut zoo64 = Zoo::<f64>::zeros();
    mlp::init::xavier_uniform(&mut zoo64, 4);
    let inputs64: Vec<SVector<f64, 4>> = zoo_inputs.iter().map(|x| x.cast()).collect();
    let q64 = zoo64.quantize(&inputs64);
    check(
        "zoo (f64)",
        &zoo_inputs,
        |x| zoo64.forward(&x.cast()).cast(),
        |x| q64.forward(x),
        q64.output.scale,
    );

    let standalone_inputs: Vec<SVector<f32, 3>> = (0..300)
        .map(|_| SVector::<f32, 3>::from_fn(|_, _| 6.0 * rng.uniform() as f32 - 3.0))
        .collect();
    let mut net = Standalone::<f32>::zeros();
    mlp::init::xavier_uniform(&mut net, 5);
    let q = net.quantize(&standalone_inputs);
    check(
        "standalone ReLU, Identity",
        &standalone_inputs,
        |x| net.forward(x),
        |x| q.forward(x),
        q.output.scale,
    );
}

/// A Softmax whose output the file says is quantized other than TFLite's int8 kernel writes it
/// (1/256, −128) would be read at the wrong scale: it is an error in words.
#[test]
fn a_softmax_output_at_another_scale_is_refused() {
    let mut bytes = include_bytes!("fixtures/tflite/classifier_per_channel.tflite").to_vec();
    let sixteenth = (1.0f32 / 256.0).to_le_bytes();
    let places: Vec<usize> = (0..bytes.len() - 4)
        .filter(|&i| bytes[i..i + 4] == sixteenth)
        .collect();
    assert_eq!(places.len(), 1, "the softmax output's scale, once");
    bytes[places[0]..places[0] + 4].copy_from_slice(&(1.0f32 / 128.0).to_le_bytes());
    let message = CardInt8::from_tflite(&bytes)
        .expect_err("a softmax output at 1/128")
        .to_string();
    println!("{message}");
    assert!(
        message.contains("0.0078125") && message.contains("0.00390625"),
        "{message}"
    );
}

/// A network whose logits are always 0 (all weights zero) calibrates to a logits scale finer
/// than TFLite's softmax takes; quantize still makes a twin, whose outputs are all equal.
#[test]
fn a_network_of_zeros_quantizes_without_a_panic() {
    let net = Card::<f32>::zeros();
    let calibration = [
        SVector::<f32, 2>::new(1.0, -1.0),
        SVector::<f32, 2>::new(0.5, 2.0),
    ];
    let q = net.quantize(&calibration);
    let y = q.forward_int8(&q.quantize_input(&calibration[0]));
    assert!(y.iter().all(|&v| v == y[0]), "{y:?}");
}

/// The twin's memory constants, against the sizes of its own fields.
#[test]
fn memory_constants_are_the_fields_sizes() {
    use core::mem::{size_of, size_of_val};
    let q = Card::<f32>::zeros().quantize(&[SVector::<f32, 2>::new(1.0, -1.0)]);
    assert_eq!(
        CardInt8::WEIGHT_BYTES,
        size_of_val(&q.w.weights) + size_of_val(&q.u.weights)
    );
    assert_eq!(
        CardInt8::BIAS_BYTES,
        size_of_val(&q.w.bias) + size_of_val(&q.u.bias)
    );
    assert_eq!(
        CardInt8::NUM_PARAMS,
        q.w.weights.len() * q.w.weights[0].len()
            + q.u.weights.len() * q.u.weights[0].len()
            + q.w.bias.len()
            + q.u.bias.len()
    );
    assert_eq!(CardInt8::PARAM_BYTES, size_of::<CardInt8>());
    // The largest input and output of one step: h (16) and θ (3).
    let steps = [
        q.w.bias.len() + q.w.weights[0].len(),
        q.u.weights[0].len() + q.u.bias.len(),
    ];
    assert_eq!(
        CardInt8::ACTIVATION_BYTES,
        steps.into_iter().max().unwrap_or(0)
    );
    assert_eq!((CardInt8::INPUTS, CardInt8::OUTPUTS), (2, 3));
    assert!(CardInt8::DERIVATION.contains("Quantized forward pass"));
}

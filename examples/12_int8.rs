//! Integer models, for chips without an FPU: quantize a trained network to int8 as TensorFlow
//! Lite does, compare it with the float network, read the same kind of model from a `.tflite`
//! file TensorFlow's converter wrote, and print the quantized forward pass the macro derived.
//!
//! The digits network (`x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE`) is
//! trained in f32, then `net.quantize(&calibration)` makes its twin `DigitsInt8`: int8 weights
//! per output channel, int32 biases, every activation an int8 with a scale and a zero point
//! measured on the calibration inputs, Softmax in TFLite's fixed point. `forward_int8` uses no
//! float and no heap; `mlp::export::rust_const` writes the twin for a firmware's flash.
//!
//! Run: `cargo run --release --example 12_int8`

use mlp::datasets;
use mlp::fit::{fit, FitConfig};
use mlp::metrics::argmax;
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig};
use mlp::Network;

#[mlp::network(x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE)]
struct Digits;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = datasets::digits();
    for row in &mut data.features {
        row.iter_mut().for_each(|p| *p /= 16.0);
    }
    let (train, test) = data.split(0.2, 21);
    let (train, test) = (train.samples::<f32>(), test.samples::<f32>());

    let mut net = Digits::<f32>::zeros();
    mlp::init::xavier_uniform(&mut net, 21);
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.003,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        epochs: 30,
        batch_size: 32,
        seed: 21,
        progress: false,
        ..FitConfig::default()
    };
    fit(&mut net, &mut adam, &train, None, &config)?;

    // Post-training quantization, calibrated on the training inputs.
    let calibration: Vec<SVector<f32, 64>> = train.iter().map(|(x, _)| *x).collect();
    let q: DigitsInt8 = net.quantize(&calibration);
    let accuracy = |predict: &dyn Fn(&SVector<f32, 64>) -> usize| {
        let right = test.iter().filter(|(x, y)| predict(x) == *y).count();
        100.0 * right as f64 / test.len() as f64
    };
    let float = accuracy(&|x| argmax(net.forward(x).as_slice()));
    let int8 = accuracy(&|x| argmax(&q.forward_int8(&q.quantize_input(x))));
    println!("held-out accuracy: {float:.1} % in f32, {int8:.1} % in int8");
    println!(
        "the int8 twin: {} B ({} B of int8 weights, {} B of int32 biases), against {} B of f32 parameters",
        DigitsInt8::PARAM_BYTES,
        DigitsInt8::WEIGHT_BYTES,
        DigitsInt8::BIAS_BYTES,
        Digits::<f32>::PARAM_BYTES
    );

    // The quantized forward pass, as the macro derived it (the last section of DERIVATION).
    let derivation = Digits::<f32>::DERIVATION;
    if let Some(start) = derivation.find("Quantized forward pass") {
        println!("\n{}", &derivation[start..]);
    }

    // A model TensorFlow's converter made from the same Keras network, read without a heap.
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/tflite/digits.tflite"),
    )?;
    let keras = DigitsInt8::from_tflite(&bytes)?;
    let agree = test
        .iter()
        .filter(|(x, _)| {
            argmax(&keras.forward_int8(&keras.quantize_input(x)))
                == argmax(&q.forward_int8(&q.quantize_input(x)))
        })
        .count();
    println!(
        "tests/fixtures/tflite/digits.tflite (a Keras model of the same chain, converted by TensorFlow) agrees with ours on {agree} of {} held-out digits (it was trained on another split: its accuracy here would not be a held-out figure)",
        test.len()
    );
    // A file of another network is an error that says what differs.
    #[mlp::network(x -> Linear(64, 16) -> ReLU -> Linear(16, 10) -> Softmax -> CE)]
    struct Smaller;
    if let Err(e) = SmallerInt8::from_tflite(&bytes) {
        println!("read as a 64-16-10 network: {e}");
    }

    let source = mlp::export::rust_const(&q);
    println!(
        "\nmlp::export::rust_const(&q): {} lines of Rust for a `static` in flash, starting\n{}",
        source.lines().count(),
        source.lines().take(4).collect::<Vec<_>>().join("\n")
    );
    Ok(())
}

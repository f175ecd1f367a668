//! From training on a computer to weights in a microcontroller's flash: train the sine model
//! (`x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE`, the
//! hello world of TensorFlow Lite Micro and microflow-rs) on the host, then write
//!
//! - `firmware/src/sine_weights.rs`: the trained network as Rust source for a `const` of its
//!   type (`mlp::export::rust_const`), which the firmware `include!`s into a `static` in flash;
//! - `firmware/src/sine_expected.rs`: inputs, the host's outputs as bits, and sin x, which the
//!   firmware checks its own outputs against, bit for bit;
//! - `firmware/src/sine_int8.rs`: the network's int8 twin (`SineInt8`), quantized with the
//!   training inputs as calibration (`net.quantize`), as Rust source of a `const`, for chips
//!   without an FPU;
//! - `firmware/src/sine_int8_expected.rs`: the same inputs quantized, the host's int8 outputs
//!   (`forward_int8`) and sin x.
//!
//! Run: `cargo run --release --example 09_weights_in_flash`, then
//! `cd firmware && cargo run --release --bin sine` (needs `qemu-system-arm`).

#[path = "../firmware/src/models.rs"]
mod models;

use mlp::fit::{fit, FitConfig};
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig};
use mlp::Network;
use models::Sine;
use std::f64::consts::PI;
use std::fmt::Write;

/// Points the firmware checks.
const CHECKED: usize = 16;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let samples = |n: usize, offset: f64| -> Vec<(SVector<f32, 1>, SVector<f32, 1>)> {
        (0..n)
            .map(|i| {
                let x = -PI + 2.0 * PI * (i as f64 + offset) / n as f64;
                (
                    SVector::<f32, 1>::new(x as f32),
                    SVector::<f32, 1>::new(x.sin() as f32),
                )
            })
            .collect()
    };
    let (train, validation) = (samples(512, 0.0), samples(97, 0.5));

    let mut net = Sine::<f32>::zeros();
    // Glorot (Xavier) uniform, Keras's default: with He's normal the hidden values grow to
    // ~6 and the int8 twin's error to 0.06–0.18 (seeds 1–7), against 0.030–0.052 with this.
    mlp::init::xavier_uniform(&mut net, 1);
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 3e-3,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        epochs: 600,
        batch_size: 32,
        seed: 5,
        progress: false,
        ..FitConfig::default()
    };
    let history = fit(&mut net, &mut adam, &train, Some(&validation), &config)?;
    let last = history.epochs.last().ok_or("no epoch ran")?;
    println!(
        "trained {} epochs: training loss {:.2e}, validation loss {:.2e}",
        history.epochs.len(),
        last.loss,
        last.validation_loss.unwrap_or(f64::NAN)
    );

    // The device has no AVX: compute the expected outputs the way it does, bit for bit.
    mlp::simd::set_enabled(false);
    let mut expected = String::new();
    writeln!(
        expected,
        "// Inputs, the host's outputs (as bits) and sin x, written by examples/09_weights_in_flash.rs."
    )?;
    writeln!(expected, "/// (x, ŷ on the host, sin x)")?;
    writeln!(
        expected,
        "pub const EXPECTED: [(f32, u32, f32); {CHECKED}] = ["
    )?;
    let mut worst = 0.0f32;
    for (i, (x, y)) in samples(CHECKED, 0.25).iter().enumerate() {
        let y_hat = net.forward(x)[0];
        worst = worst.max((y_hat - y[0]).abs());
        writeln!(
            expected,
            "    ({:?}_f32, 0x{:08x}, {:?}_f32), // {i}: ŷ = {y_hat}",
            x[0],
            y_hat.to_bits(),
            y[0]
        )?;
    }
    writeln!(expected, "];")?;
    println!("largest |ŷ − sin x| on the {CHECKED} checked points: {worst:.4}");

    // The int8 twin, calibrated on the training inputs.
    let calibration: Vec<SVector<f32, 1>> = train.iter().map(|(x, _)| *x).collect();
    let q = net.quantize(&calibration);
    let mut expected_int8 = String::new();
    writeln!(
        expected_int8,
        "// Inputs, quantized; the host's int8 outputs and sin x, written by examples/09_weights_in_flash.rs."
    )?;
    writeln!(
        expected_int8,
        "/// (x, x quantized, ŷ quantized on the host, sin x)"
    )?;
    writeln!(
        expected_int8,
        "pub const EXPECTED_INT8: [(f32, i8, i8, f32); {CHECKED}] = ["
    )?;
    let mut worst_int8 = 0.0f32;
    for (i, (x, y)) in samples(CHECKED, 0.25).iter().enumerate() {
        let x_q = q.quantize_input(x);
        let y_q = q.forward_int8(&x_q);
        let y_hat = q.dequantize_output(&y_q)[0];
        worst_int8 = worst_int8.max((y_hat - y[0]).abs());
        writeln!(
            expected_int8,
            "    ({:?}_f32, {}, {}, {:?}_f32), // {i}: ŷ = {y_hat}",
            x[0], x_q[0], y_q[0], y[0]
        )?;
    }
    writeln!(expected_int8, "];")?;
    println!("int8 twin: largest |ŷ − sin x| on the {CHECKED} checked points: {worst_int8:.4}");

    let (mut worst_grid, mut worst_grid_int8) = (0f32, 0f32);
    for (x, y) in samples(1000, 0.5) {
        worst_grid = worst_grid.max((net.forward(&x)[0] - y[0]).abs());
        worst_grid_int8 = worst_grid_int8.max((q.forward(&x)[0] - y[0]).abs());
    }
    println!(
        "largest |ŷ − sin x| over 1000 points of [−π, π]: {worst_grid:.4} (f32), {worst_grid_int8:.4} (int8)"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../firmware/src");
    std::fs::write(dir.join("sine_weights.rs"), mlp::export::rust_const(&net))?;
    std::fs::write(dir.join("sine_expected.rs"), expected)?;
    std::fs::write(dir.join("sine_int8.rs"), mlp::export::rust_const(&q))?;
    std::fs::write(dir.join("sine_int8_expected.rs"), expected_int8)?;
    println!("wrote firmware/src/sine_weights.rs, sine_expected.rs, sine_int8.rs and sine_int8_expected.rs");
    Ok(())
}

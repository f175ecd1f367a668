//! Weights in flash: the Rust source `mlp::export::rust_const` writes compiles to a `static`
//! equal to the exported network bit for bit, and the firmware's fixture (the sine model trained
//! by `examples/09_weights_in_flash.rs`) is what the exporter writes for it.

#[path = "../firmware/src/models.rs"]
mod models;

mod expected {
    include!("../firmware/src/sine_expected.rs");
    include!("../firmware/src/sine_int8_expected.rs");
}

use mlp::nalgebra::SVector;
use mlp::Network;
use models::{Card, Sine, SineInt8};

/// The exported sine model, compiled in as the firmware compiles it.
static SINE: Sine<f32> = include!("../firmware/src/sine_weights.rs");

/// Its int8 twin, as the firmwares for chips without an FPU compile it.
static SINE_INT8: SineInt8 = include!("../firmware/src/sine_int8.rs");

#[test]
fn the_exported_source_is_what_the_exporter_writes() {
    let source = include_str!("../firmware/src/sine_weights.rs");
    assert_eq!(mlp::export::rust_const(&SINE), source);
}

#[test]
fn the_compiled_network_gives_the_hosts_outputs_bit_for_bit() {
    // The firmware's reference outputs were computed without the AVX kernels, as a
    // microcontroller computes; so are these.
    mlp::simd::set_enabled(false);
    for &(x, bits, sine) in expected::EXPECTED.iter() {
        let y_hat = SINE.forward(&SVector::<f32, 1>::new(x))[0];
        assert_eq!(y_hat.to_bits(), bits, "x = {x}");
        assert!(
            (y_hat - sine).abs() < 0.05,
            "x = {x}: {y_hat} vs sin x = {sine}"
        );
    }
    mlp::simd::set_enabled(true);
}

/// Every number the exporter writes reads back to the same bits.
#[test]
fn train_export_read_back() {
    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 3);
    for k in 0..50 {
        let x = SVector::<f32, 2>::new((k % 7) as f32 - 3.0, (k % 5) as f32 * 0.3);
        net.train_step(&x, &(k % 3), 0.1);
    }
    let source = mlp::export::rust_const(&net);
    let numbers: Vec<f32> = source
        .lines()
        .filter(|l| l.trim_start().starts_with('['))
        .flat_map(|l| {
            l.trim()
                .trim_start_matches('[')
                .trim_end_matches("],")
                .split(", ")
        })
        .map(|n| n.trim_end_matches("_f32").parse().expect("a number"))
        .collect();
    let mut values = Vec::new();
    net.visit_params(|_, v| values.extend_from_slice(v));
    assert_eq!(numbers.len(), values.len());
    for (a, b) in numbers.iter().zip(&values) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
}

#[test]
fn the_exported_int8_twin_is_what_the_exporter_writes() {
    let source = include_str!("../firmware/src/sine_int8.rs");
    assert_eq!(mlp::export::rust_const(&SINE_INT8), source);
    // And it is the float network quantized with the training inputs as calibration, as
    // examples/09_weights_in_flash.rs makes it.
    let calibration: Vec<SVector<f32, 1>> = (0..512)
        .map(|i| {
            let x = -std::f64::consts::PI + 2.0 * std::f64::consts::PI * i as f64 / 512.0;
            SVector::<f32, 1>::new(x as f32)
        })
        .collect();
    assert_eq!(SINE.quantize(&calibration), SINE_INT8);
}

#[test]
fn the_int8_twin_gives_the_hosts_outputs_and_sin_x_within_005() {
    for &(x, x_q, y_q, sine) in expected::EXPECTED_INT8.iter() {
        let input = SVector::<f32, 1>::new(x);
        assert_eq!(SINE_INT8.quantize_input(&input), [x_q], "x = {x}");
        assert_eq!(SINE_INT8.forward_int8(&[x_q]), [y_q], "x = {x}");
        let y = SINE_INT8.dequantize_output(&[y_q])[0];
        assert!((y - sine).abs() < 0.05, "x = {x}: {y} vs sin x = {sine}");
    }
    // Over the whole range the network was trained on, not only the checked points.
    let mut worst = 0.0f32;
    for i in 0..1000 {
        let x = -std::f32::consts::PI + 2.0 * std::f32::consts::PI * (i as f32 + 0.5) / 1000.0;
        let y = SINE_INT8.forward(&SVector::<f32, 1>::new(x))[0];
        worst = worst.max((y - x.sin()).abs());
    }
    println!("int8 sine: largest |ŷ − sin x| over 1000 points of [−π, π]: {worst:.4}");
    assert!(worst < 0.05, "{worst}");
}

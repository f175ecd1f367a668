//! Weights in flash: the Rust source `mlp::export::rust_const` writes compiles to a `static`
//! equal to the exported network bit for bit, and the firmware's fixture (the sine model trained
//! by `examples/09_weights_in_flash.rs`) is what the exporter writes for it.

#[path = "../firmware/src/models.rs"]
mod models;

mod expected {
    include!("../firmware/src/sine_expected.rs");
}

use mlp::nalgebra::SVector;
use mlp::Network;
use models::{Card, Sine};

/// The exported sine model, compiled in as the firmware compiles it.
static SINE: Sine<f32> = include!("../firmware/src/sine_weights.rs");

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

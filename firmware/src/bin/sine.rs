//! Inference in f32 with the weights in flash: the sine model trained on the host
//! (`examples/09_weights_in_flash.rs`), compiled in as a `static`, its outputs checked against
//! the host's bit for bit and against sin x. Exits with failure on any difference. On the
//! Cortex-M4F the floats are the FPU's; on the Cortex-M0 and the RV32IMAC core, which have none,
//! they are the compiler's soft-float routines (correctly rounded, as the FPU, so the bits are
//! the same).
#![no_std]
#![no_main]

use mlp::nalgebra::SVector;
use mlp::Network;
use mlp_firmware::entry;
use mlp_firmware::models::Sine;
use mlp_firmware::{exit, print, print_f32, print_u32, stack_high_water, Counter};

/// The trained network, in flash: nothing parsed, nothing copied to RAM.
static NET: Sine<f32> = include!("../sine_weights.rs");

mod expected {
    include!("../sine_expected.rs");
}

/// The network's forward pass, as a function of its own so that its code shows in the symbol
/// table next to its weights (`NET`).
#[inline(never)]
fn predict(x: f32) -> f32 {
    NET.forward(&SVector::<f32, 1>::new(x))[0]
}

/// How far from sin x the model may be.
const TOLERANCE: f32 = 0.05;

#[entry]
fn main() -> ! {
    let counter = Counter::take();

    print("sine model on the device: x, y_hat, sin x\n");
    let mut ok = true;
    let mut ticks = 0;
    for &(x, host_bits, sine) in expected::EXPECTED.iter() {
        let start = counter.now();
        let y_hat = predict(core::hint::black_box(x));
        ticks += counter.since(start);
        let same = y_hat.to_bits() == host_bits;
        let close = (y_hat - sine).abs() < TOLERANCE;
        ok &= same && close;
        print_f32(x);
        print("  ");
        print_f32(y_hat);
        print("  ");
        print_f32(sine);
        print(if same {
            "  same bits as the host"
        } else {
            "  DIFFERS from the host"
        });
        print(if close { "\n" } else { "  FAR from sin x\n" });
    }
    let n = expected::EXPECTED.len() as u32;
    print("instructions per inference: ");
    print_u32(counter.instructions(ticks) / n);
    print("\ncalibration: ");
    print_u32(counter.calibration_ticks());
    print(" ticks for 131072 instructions");
    print("\nstack high-water mark: ");
    print_u32(stack_high_water());
    print(" bytes\n");
    print(if ok { "sine: ok\n" } else { "sine: FAILED\n" });
    exit(ok)
}

//! Integer-only inference: the sine model's int8 twin (`SineInt8`, quantized on the host by
//! `examples/09_weights_in_flash.rs`), its parameters in flash, its outputs checked against the
//! host's `forward_int8` exactly. Exits with failure on any difference. Prints the instructions
//! per inference and the stack's high-water mark; no float and no `core::fmt`, so that the
//! firmware stays small enough for a Cortex-M0 (`report.sh` checks its flash).
#![no_std]
#![no_main]

use mlp_firmware::models::SineInt8;
use mlp_firmware::{entry, exit, print, print_i32, print_u32, stack_high_water, Counter};

/// The int8 network, in flash: nothing parsed, nothing copied to RAM.
static NET_INT8: SineInt8 = include!("../sine_int8.rs");

mod expected {
    include!("../sine_int8_expected.rs");
}

/// (x quantized, the host's int8 output): only these two columns of the expected file reach
/// flash, taken at compile time (the file also has x and sin x as f32).
static EXPECTED: [(i8, i8); expected::EXPECTED_INT8.len()] = {
    let mut pairs = [(0, 0); expected::EXPECTED_INT8.len()];
    let mut i = 0;
    while i < pairs.len() {
        pairs[i] = (expected::EXPECTED_INT8[i].1, expected::EXPECTED_INT8[i].2);
        i += 1;
    }
    pairs
};

/// The network's forward pass, as a function of its own so that its code shows in the symbol
/// table next to its parameters (`NET_INT8`).
#[inline(never)]
fn predict(x: i8) -> i8 {
    NET_INT8.forward_int8(&[x])[0]
}

#[entry]
fn main() -> ! {
    let counter = Counter::take();

    // Each line: x, y, and whether y is the host's (`=`, else `!`); few and short strings, so
    // that the image stays within the Cortex-M0's 2 KiB.
    let mut ok = true;
    let mut ticks = 0;
    for &(x, host) in &EXPECTED {
        let start = counter.now();
        let y = predict(core::hint::black_box(x));
        ticks += counter.since(start);
        ok &= y == host;
        print_i32(x.into());
        print(" ");
        print_i32(y.into());
        print(if y == host { " =\n" } else { " !\n" });
    }
    print("instructions per inference: ");
    print_u32(counter.instructions(ticks) / EXPECTED.len() as u32);
    print("\ncalibration: ");
    print_u32(counter.calibration_ticks());
    print("\nstack high-water mark: ");
    print_u32(stack_high_water());
    print(if ok {
        "\nsine_int8: ok\n"
    } else {
        "\nsine_int8: FAILED\n"
    });
    exit(ok)
}

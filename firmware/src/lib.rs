//! What the firmwares share, on every core: output through semihosting without `core::fmt`
//! (numbers are written digit by digit, with subtractions, so neither formatting machinery nor
//! a division routine reaches flash), the exit status, the stack's high-water mark (the stack
//! is painted before `main`: by cortex-m-rt on the Arm cores, by `__pre_init` in `riscv.rs` on
//! RISC-V) and the stack one call uses ([`stack_used_by`]), and an instruction counter
//! ([`Counter`]: SysTick on the Arm cores, which counts guest instructions at the board's clock
//! under QEMU's `-icount shift=0`; `minstret` on RISC-V, which QEMU derives from the same
//! count); also the card firmware's program ([`card`], run by `card` and `card_by_value`) and
//! the lecture's expressions ([`lecture`]).
//!
//! The board is chosen by the target (`build.rs` sets `cfg(board)`): `mps2_an386` (Cortex-M4F,
//! `thumbv7em-none-eabihf`), `microbit` (Cortex-M0, `thumbv6m-none-eabi`) and `sifive_e`
//! (RV32IMAC, `riscv32imac-unknown-none-elf`).
#![no_std]

#[cfg(target_arch = "arm")]
mod arm;
#[cfg(target_arch = "riscv32")]
mod riscv;
#[cfg(target_arch = "arm")]
use arm as platform;
#[cfg(target_arch = "riscv32")]
use riscv as platform;

pub mod card;
pub mod hand;
pub mod lecture;
pub mod models;

use core::sync::atomic::{AtomicU32, Ordering};
pub use platform::{entry, exit};
use platform::{Ticks, STACK_PAINT_VALUE};

/// Three clusters of eight points in the plane, one per class.
pub static CLUSTERS: [([f32; 2], usize); 24] = [
    ([-2.1, 0.3], 0),
    ([-1.7, -0.4], 0),
    ([-2.6, -0.2], 0),
    ([-1.9, 0.8], 0),
    ([-2.4, 0.5], 0),
    ([-1.5, 0.1], 0),
    ([-2.2, -0.7], 0),
    ([-2.8, 0.2], 0),
    ([2.0, 0.2], 1),
    ([1.6, -0.5], 1),
    ([2.5, 0.1], 1),
    ([2.2, -0.8], 1),
    ([1.8, 0.6], 1),
    ([2.7, -0.3], 1),
    ([1.4, -0.1], 1),
    ([2.3, 0.7], 1),
    ([0.1, 2.4], 2),
    ([-0.4, 2.0], 2),
    ([0.5, 2.8], 2),
    ([-0.2, 2.9], 2),
    ([0.3, 1.8], 2),
    ([0.7, 2.3], 2),
    ([-0.6, 2.6], 2),
    ([0.0, 2.1], 2),
];

/// Writes `text` to the host's standard output.
pub fn print(text: &str) {
    platform::write(text.as_bytes());
}

/// The powers of ten of `u32`, from the largest.
static POWERS_OF_TEN: [u32; 10] = [
    1_000_000_000,
    100_000_000,
    10_000_000,
    1_000_000,
    100_000,
    10_000,
    1_000,
    100,
    10,
    1,
];

/// Writes `n` in decimal: each digit by subtracting its power of ten (the Cortex-M0 has no
/// division instruction, and its division routine would weigh more than this).
pub fn print_u32(n: u32) {
    let mut n = n;
    let mut started = false;
    for &power in &POWERS_OF_TEN {
        let mut digit = b'0';
        while n >= power {
            n -= power;
            digit += 1;
        }
        if digit != b'0' || started || power == 1 {
            started = true;
            platform::write(&[digit]);
        }
    }
}

/// Writes `n` in decimal, with a sign if negative.
pub fn print_i32(n: i32) {
    if n < 0 {
        print("-");
    }
    print_u32(n.unsigned_abs());
}

/// Writes `x` with four decimals (for people; comparisons use the bits).
pub fn print_f32(x: f32) {
    if x.is_nan() {
        print("NaN");
        return;
    }
    if x < 0.0 {
        print("-");
    }
    let scaled = (if x < 0.0 { -x } else { x }) * 10_000.0 + 0.5;
    if scaled >= 4.0e9 {
        print("inf");
        return;
    }
    let scaled = scaled as u32;
    print_u32(scaled / 10_000);
    print(".");
    let fraction = scaled % 10_000;
    for divisor in [1000, 100, 10, 1] {
        print_u32(fraction / divisor % 10);
    }
}

/// The deepest the stack had gone before [`stack_used_by`] painted it again, in bytes.
static DEEPEST: AtomicU32 = AtomicU32::new(0);

/// The lowest address below `top` that is no longer painted (`top` itself if none is).
fn lowest_unpainted(top: usize) -> usize {
    let mut p = platform::stack_bottom();
    // SAFETY: the words between the stack's bottom and `top` (at most the stack's top) are the
    // stack, readable at any time.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == STACK_PAINT_VALUE {
        p += 4;
    }
    p
}

/// The most stack used so far, in bytes: the painted words no call has overwritten are counted
/// from the bottom of the stack (painted before `main`; [`stack_used_by`] paints the free part
/// again and keeps what it found before).
pub fn stack_high_water() -> u32 {
    let top = platform::stack_top();
    let now = (top - lowest_unpainted(top)) as u32;
    now.max(DEEPEST.load(Ordering::Relaxed))
}

/// Runs `f` and returns what it returns with the stack it used, in bytes: the free stack below
/// the caller's is painted again, `f` runs in a frame of its own, and the painted words it
/// overwrote are counted. Measures one phase of a firmware on its own, however deep the
/// phases before it went.
#[inline(never)]
pub fn stack_used_by<R>(f: impl FnOnce() -> R) -> (R, u32) {
    /// `f`'s own frame, below the stack pointer read before the call.
    #[inline(never)]
    fn call<R>(f: impl FnOnce() -> R) -> R {
        f()
    }
    DEEPEST.store(stack_high_water(), Ordering::Relaxed);
    let sp = platform::stack_pointer();
    // SAFETY: the words from the stack's bottom up to the stack pointer are free stack (no
    // interrupt is enabled, so nothing else uses them), and painting them is what the runtime
    // does before `main`.
    unsafe {
        let mut p = platform::stack_bottom();
        while p < sp {
            core::ptr::write_volatile(p as *mut u32, STACK_PAINT_VALUE);
            p += 4;
        }
    }
    let result = call(f);
    (result, (sp - lowest_unpainted(sp)) as u32)
}

/// Counts guest instructions: SysTick on the Arm cores (at the board's clock, so one tick is
/// several instructions, calibrated when the counter is taken), `minstret` on RISC-V (one per
/// instruction).
pub struct Counter {
    ticks: Ticks,
    /// Ticks the calibration loop took.
    calibration: u32,
    /// Guest instructions per tick, in sixteenths.
    per_tick_16: u32,
}

/// Iterations of the calibration loop: two instructions each.
const CALIBRATION_ITERATIONS: u32 = 1 << 16;

/// The calibration loop's instructions.
pub const CALIBRATION_INSTRUCTIONS: u32 = 2 * CALIBRATION_ITERATIONS;

impl Counter {
    /// Takes the instruction counter (once per firmware) and calibrates it.
    pub fn take() -> Counter {
        let ticks = Ticks::take();
        let start = ticks.now();
        platform::count_down(CALIBRATION_ITERATIONS);
        let calibration = ticks.since(start).max(1);
        // CALIBRATION_INSTRUCTIONS · 16 / calibration, rounded, by subtraction (a few thousand
        // at most, and no division routine in flash).
        let mut rest = CALIBRATION_INSTRUCTIONS * 16 + calibration / 2;
        let mut per_tick_16 = 0;
        while rest >= calibration {
            rest -= calibration;
            per_tick_16 += 1;
        }
        Counter {
            ticks,
            calibration,
            per_tick_16,
        }
    }

    /// The ticks [`CALIBRATION_INSTRUCTIONS`] instructions took (on RISC-V that number, and the
    /// three or so instructions that read the counter and set up the loop).
    pub fn calibration_ticks(&self) -> u32 {
        self.calibration
    }

    /// The counter now.
    pub fn now(&self) -> u32 {
        self.ticks.now()
    }

    /// Ticks from `start` to now (on the Arm cores fewer than 2²⁴).
    pub fn since(&self, start: u32) -> u32 {
        self.ticks.since(start)
    }

    /// Guest instructions per tick, rounded (1 on RISC-V, where a tick is an instruction).
    pub fn instructions_per_tick(&self) -> u32 {
        (self.per_tick_16 + 8) >> 4
    }

    /// The guest instructions in `ticks` ticks, to a sixteenth of a tick (a board's clock is a
    /// whole or half number of nanoseconds, as the mps2-an386's 40 ns and the micro:bit's
    /// 62.5 ns).
    pub fn instructions(&self, ticks: u32) -> u32 {
        (ticks * self.per_tick_16 + 8) >> 4
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("panic\n");
    exit(false)
}

//! What the firmwares share: output through semihosting without `core::fmt` (numbers are
//! written digit by digit, so no formatting machinery reaches flash), the exit status, the
//! stack's high-water mark (cortex-m-rt paints the stack before `main`) and the stack one call
//! uses ([`stack_used_by`]), and an instruction counter (SysTick, which counts guest
//! instructions under QEMU's `-icount shift=0`); also the card firmware's program ([`card`],
//! run by `card` and `card_by_value`) and the lecture's expressions ([`lecture`]).
#![no_std]

pub mod card;
pub mod hand;
pub mod lecture;
pub mod models;

use core::sync::atomic::{AtomicU32, Ordering};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_semihosting::{debug, hio};

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
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(text.as_bytes());
    }
}

/// Writes `n` in decimal.
pub fn print_u32(n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(&digits[i..]);
    }
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

/// Ends the program: QEMU exits with 0 for success, 1 for failure.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

/// The deepest the stack had gone before [`stack_used_by`] painted it again, in bytes.
static DEEPEST: AtomicU32 = AtomicU32::new(0);

/// The lowest address below `top` that is no longer painted (`top` itself if none is).
fn lowest_unpainted(top: usize) -> usize {
    // SAFETY: the linker script defines `_stack_end`; only its address is taken, and the words
    // between it and `top` (at most the stack's top) are the stack, readable at any time.
    unsafe {
        let mut p = &raw const _stack_end as usize;
        while p < top && core::ptr::read_volatile(p as *const u32) == cortex_m_rt::STACK_PAINT_VALUE
        {
            p += 4;
        }
        p
    }
}

/// The most stack used so far, in bytes: the painted words no call has overwritten are counted
/// from the bottom of the stack (cortex-m-rt paints it before `main`; [`stack_used_by`] paints
/// the free part again and keeps what it found before).
pub fn stack_high_water() -> u32 {
    let top = &raw const _stack_start as usize;
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
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; no memory, no stack.
    unsafe {
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    // SAFETY: the words from `_stack_end` up to the stack pointer are free stack (no interrupt
    // is enabled, so nothing else uses them), and painting them is what cortex-m-rt does before
    // `main`.
    unsafe {
        let mut p = &raw const _stack_end as usize;
        while p < sp {
            core::ptr::write_volatile(p as *mut u32, cortex_m_rt::STACK_PAINT_VALUE);
            p += 4;
        }
    }
    let result = call(f);
    (result, (sp - lowest_unpainted(sp)) as u32)
}

/// Counts guest instructions with SysTick (24 bits, counting down).
pub struct Counter {
    syst: SYST,
}

impl Counter {
    /// Takes the core peripherals and starts SysTick from them; exits with failure if they
    /// were taken already.
    pub fn take() -> Counter {
        let Some(p) = cortex_m::Peripherals::take() else {
            exit(false)
        };
        Counter::new(p.SYST)
    }

    /// Takes SysTick and starts it from the core clock.
    pub fn new(mut syst: SYST) -> Counter {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00FF_FFFF);
        syst.clear_current();
        syst.enable_counter();
        Counter { syst }
    }

    /// The counter now.
    pub fn now(&self) -> u32 {
        let _ = &self.syst;
        SYST::get_current()
    }

    /// Ticks from `start` to now (fewer than 2²⁴).
    pub fn since(&self, start: u32) -> u32 {
        start.wrapping_sub(self.now()) & 0x00FF_FFFF
    }

    /// Guest instructions per SysTick tick, measured on a loop of a known number of
    /// instructions (QEMU's SysTick runs at the board's clock, each instruction one virtual
    /// nanosecond under `-icount shift=0`).
    pub fn instructions_per_tick(&self) -> u32 {
        let iterations: u32 = 100_000;
        let start = self.now();
        let mut n = iterations;
        // SAFETY: a counted loop on one register; no memory, no stack.
        unsafe {
            core::arch::asm!("2:", "subs {n}, #1", "bne 2b", n = inout(reg) n, options(nomem, nostack));
        }
        let _ = n;
        let ticks = self.since(start).max(1);
        (2 * iterations + ticks / 2) / ticks
    }
}

extern "C" {
    fn DefaultHandler();
}

/// The interrupt part of the vector table for the board, the mps2-an386's 32 external
/// interrupts (without a device crate, cortex-m-rt would reserve all 240 a Cortex-M can have):
/// none is used, all go to the default handler.
#[link_section = ".vector_table.interrupts"]
#[no_mangle]
pub static __INTERRUPTS: [unsafe extern "C" fn(); 32] = [DefaultHandler; 32];

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    print("panic\n");
    exit(false)
}

//! The Arm cores (the mps2-an386's Cortex-M4F, the micro:bit's Cortex-M0): cortex-m-rt starts
//! the program and paints the stack, semihosting writes and exits, SysTick counts.

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_semihosting::{debug, nr};

pub use cortex_m_rt::entry;

/// What cortex-m-rt's `paint-stack` fills the stack with before `main`.
pub const STACK_PAINT_VALUE: u32 = cortex_m_rt::STACK_PAINT_VALUE;

/// Writes `bytes` to the host's console, one semihosting `SYS_WRITEC` each: the smallest code
/// there is (no handle to open, no partial writes to retry).
#[inline(never)]
pub fn write(bytes: &[u8]) {
    for byte in bytes {
        // SAFETY: SYS_WRITEC reads the one byte its argument points to.
        unsafe {
            cortex_m_semihosting::syscall1(nr::WRITEC, byte as *const u8 as usize);
        }
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

/// The stack's top (its first word is just below).
pub fn stack_top() -> usize {
    // The linker script defines the symbol; only its address is taken.
    &raw const _stack_start as usize
}

/// The stack's lowest address.
pub fn stack_bottom() -> usize {
    &raw const _stack_end as usize
}

/// The stack pointer.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; no memory, no stack.
    unsafe {
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// A loop of `iterations` times two instructions (`subs`, `bne`).
#[inline(always)]
pub fn count_down(iterations: u32) {
    // SAFETY: a counted loop on one register; no memory, no stack.
    unsafe {
        core::arch::asm!("2:", "subs r0, #1", "bne 2b", inout("r0") iterations => _, options(nomem, nostack));
    }
}

/// SysTick, counting down from 2²⁴ − 1 at the core clock.
pub struct Ticks {
    syst: SYST,
}

impl Ticks {
    /// Takes SysTick and starts it.
    pub fn take() -> Ticks {
        // SAFETY: the firmwares take the counter once, before anything else, and nothing else
        // uses SysTick or any other core peripheral (no critical section and no flag in RAM,
        // which `take` would cost).
        let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00FF_FFFF);
        syst.clear_current();
        syst.enable_counter();
        Ticks { syst }
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
}

extern "C" {
    fn DefaultHandler();
}

/// The entries of the vector table's interrupt part: on the mps2-an386 its 32 interrupts; on
/// the micro:bit one, the least cortex-m-rt's linker script accepts (the nRF51 has 26, 104 B of
/// flash that the 2 KiB int8 firmware does without: no interrupt is ever enabled, so no entry
/// past the table is ever read).
const INTERRUPTS: usize = if cfg!(board = "microbit") { 1 } else { 32 };

/// The interrupt part of the vector table (without a device crate, cortex-m-rt would reserve
/// all 240 a Cortex-M can have): none is enabled, all go to the default handler.
#[link_section = ".vector_table.interrupts"]
#[no_mangle]
pub static __INTERRUPTS: [unsafe extern "C" fn(); INTERRUPTS] = [DefaultHandler; INTERRUPTS];

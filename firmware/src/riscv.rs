//! The RISC-V core (the sifive_e's E31, RV32IMAC): riscv-rt starts the program, `__pre_init`
//! (below) paints the stack, semihosting writes and exits, `minstret` counts.
//!
//! Under QEMU's `-icount shift=0`, `minstret` (and `mcycle`) read the instruction count QEMU
//! keeps for icount; without `-icount` they would read the host's clock.
//! [`Counter::take`](crate::Counter::take) calibrates it on a loop of a known length, and the
//! firmwares print the result (one instruction per tick).

use riscv_semihosting::{debug, nr};

pub use riscv_rt::entry;

/// What the stack is painted with before `main` (the value cortex-m-rt uses).
pub const STACK_PAINT_VALUE: u32 = 0xCCCC_CCCC;

// Paints the stack from its bottom (`__estack`, riscv-rt's linker script) up to the stack
// pointer, before RAM is initialized: riscv-rt calls `__pre_init` (feature `pre-init`) once the
// stack pointer is set. Assembly only, temporaries only (riscv-rt keeps a0-a2 in s0-s2).
core::arch::global_asm!(
    ".section .text.__pre_init, \"ax\"",
    ".global __pre_init",
    "__pre_init:",
    "    la t0, __estack",
    "    li t1, 0xCCCCCCCC",
    "1:  bgeu t0, sp, 2f",
    "    sw t1, 0(t0)",
    "    addi t0, t0, 4",
    "    j 1b",
    "2:  ret",
);

/// Writes `bytes` to the host's console, one semihosting `SYS_WRITEC` each, as on the Arm
/// cores.
#[inline(never)]
pub fn write(bytes: &[u8]) {
    for byte in bytes {
        // SAFETY: SYS_WRITEC reads the one byte its argument points to.
        unsafe {
            riscv_semihosting::syscall1(nr::WRITEC, byte as *const u8 as usize);
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
    static __estack: u32;
}

/// The stack's top (its first word is just below).
pub fn stack_top() -> usize {
    // The linker script defines the symbol; only its address is taken.
    &raw const _stack_start as usize
}

/// The stack's lowest address.
pub fn stack_bottom() -> usize {
    &raw const __estack as usize
}

/// The stack pointer.
#[inline(always)]
pub fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; no memory, no stack.
    unsafe {
        core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
    }
    sp
}

/// A loop of `iterations` times two instructions (`addi`, `bnez`).
#[inline(always)]
pub fn count_down(iterations: u32) {
    // SAFETY: a counted loop on one register; no memory, no stack.
    unsafe {
        core::arch::asm!("2:", "addi {n}, {n}, -1", "bnez {n}, 2b", n = inout(reg) iterations => _, options(nomem, nostack));
    }
}

/// `minstret`: instructions retired, counting up.
pub struct Ticks;

impl Ticks {
    /// The counter (always available in machine mode).
    pub fn take() -> Ticks {
        Ticks
    }

    /// The counter now (its low 32 bits).
    pub fn now(&self) -> u32 {
        riscv::register::minstret::read() as u32
    }

    /// Instructions from `start` to now.
    pub fn since(&self, start: u32) -> u32 {
        self.now().wrapping_sub(start)
    }
}

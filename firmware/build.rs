//! Puts the board's memory map (`memory/<board>.x`, chosen by the target) where the linker
//! scripts find it as `memory.x`, with `device.x` for cortex-m-rt on the Arm cores and
//! `discard.x` for RISC-V (`.cargo/config.toml` passes it to the linker), and sets
//! `cfg(board = "...")`: `mps2_an386` (Cortex-M4F, `thumbv7em-none-eabihf`), `microbit`
//! (Cortex-M0, `thumbv6m-none-eabi`) or `sifive_e` (RV32IMAC, `riscv32imac-unknown-none-elf`).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = env::var("TARGET").expect("cargo sets TARGET");
    let (board, memory) = match target.as_str() {
        "thumbv7em-none-eabihf" => ("mps2_an386", "memory/mps2-an386.x"),
        "thumbv6m-none-eabi" => ("microbit", "memory/nrf51.x"),
        "riscv32imac-unknown-none-elf" => ("sifive_e", "memory/sifive_e.x"),
        other => panic!(
            "no board for the target {other}: thumbv7em-none-eabihf, thumbv6m-none-eabi or \
             riscv32imac-unknown-none-elf"
        ),
    };
    fs::copy(memory, out.join("memory.x")).expect("memory.x is copied");
    fs::copy("device.x", out.join("device.x")).expect("device.x is copied");
    fs::copy("memory/discard.x", out.join("discard.x")).expect("discard.x is copied");
    println!("cargo:rustc-link-search={}", out.display());
    println!(
        "cargo::rustc-check-cfg=cfg(board, values(\"mps2_an386\", \"microbit\", \"sifive_e\"))"
    );
    println!("cargo:rustc-cfg=board=\"{board}\"");
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=device.x");
}

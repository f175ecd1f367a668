//! Instructions per sample, counted by valgrind's callgrind: repeatable to the instruction,
//! whatever else the machine is doing. Each variant runs N and 0 times in a child process;
//! the difference over N (and over the batch size, for batch steps) is the cost per sample.
//!
//! Run: `cargo bench --bench instructions` (needs `valgrind` on the PATH).

mod common;

use common::{assert_same_step, batch, card, digits, digits_silu, BATCH};
use mlp::Network;
use std::hint::black_box;
use std::process::Command;

/// (name, label, samples per call); every expert variant follows the generated one it is
/// compared with. Both sides read the class index from memory (the generated step takes it by
/// reference, as `Network::train_step` does; the expert's by value, loaded at the call).
const VARIANTS: &[(&str, &str, usize)] = &[
    ("card-train_step", "card 2-16-3: generated train_step", 1),
    ("card-hand", "card 2-16-3: expert step", 1),
    ("card-forward", "card 2-16-3: generated forward", 1),
    ("card-hand-forward", "card 2-16-3: expert forward", 1),
    (
        "card-batch",
        "card 2-16-3: generated train_step_batch (B = 32)",
        BATCH,
    ),
    (
        "card-hand-batch",
        "card 2-16-3: expert batch step (B = 32)",
        BATCH,
    ),
    (
        "digits-train_step",
        "digits 64-32-10: generated train_step",
        1,
    ),
    ("digits-hand", "digits 64-32-10: expert step", 1),
    ("digits-forward", "digits 64-32-10: generated forward", 1),
    ("digits-hand-forward", "digits 64-32-10: expert forward", 1),
    (
        "digits-batch",
        "digits 64-32-10: generated train_step_batch (B = 32)",
        BATCH,
    ),
    (
        "digits-hand-batch",
        "digits 64-32-10: expert batch step (B = 32)",
        BATCH,
    ),
    ("silu-train_step", "digits, SiLU: generated train_step", 1),
    ("silu-hand", "digits, SiLU: expert step", 1),
    ("silu-forward", "digits, SiLU: generated forward", 1),
    ("silu-hand-forward", "digits, SiLU: expert forward", 1),
    (
        "silu-batch",
        "digits, SiLU: generated train_step_batch (B = 32)",
        BATCH,
    ),
    (
        "silu-hand-batch",
        "digits, SiLU: expert batch step (B = 32)",
        BATCH,
    ),
];

fn run(variant: &str, n: usize) {
    let (mut net, mut hand, x) = card();
    let (mut dnet, mut dhand, dx) = digits();
    let (xb, yb) = batch::<2, 3>();
    let (dxb, dyb) = batch::<64, 10>();
    let (mut snet, mut shand, sx) = digits_silu();
    for _ in 0..n {
        match variant {
            "card-train_step" => {
                black_box(black_box(&mut net).train_step(black_box(&x), black_box(&1), 1e-4));
            }
            "card-hand" => {
                black_box(black_box(&mut hand).step(black_box(&x), *black_box(&1), 1e-4));
            }
            "card-forward" => {
                black_box(black_box(&net).forward(black_box(&x)));
            }
            "card-hand-forward" => {
                black_box(black_box(&hand).forward(black_box(&x)));
            }
            "card-batch" => {
                black_box(black_box(&mut net).train_step_batch(black_box(&xb), &yb, 1e-4));
            }
            "card-hand-batch" => {
                black_box(black_box(&mut hand).step_batch(black_box(&xb), &yb, 1e-4));
            }
            "digits-train_step" => {
                black_box(black_box(&mut dnet).train_step(black_box(&dx), black_box(&7), 1e-4));
            }
            "digits-hand" => {
                black_box(black_box(&mut dhand).step(black_box(&dx), *black_box(&7), 1e-4));
            }
            "digits-forward" => {
                black_box(black_box(&dnet).forward(black_box(&dx)));
            }
            "digits-hand-forward" => {
                black_box(black_box(&dhand).forward(black_box(&dx)));
            }
            "digits-batch" => {
                black_box(black_box(&mut dnet).train_step_batch(black_box(&dxb), &dyb, 1e-4));
            }
            "digits-hand-batch" => {
                black_box(black_box(&mut dhand).step_batch(black_box(&dxb), &dyb, 1e-4));
            }
            "silu-train_step" => {
                black_box(black_box(&mut snet).train_step(black_box(&sx), black_box(&7), 1e-4));
            }
            "silu-hand" => {
                black_box(black_box(&mut shand).step(black_box(&sx), *black_box(&7), 1e-4));
            }
            "silu-forward" => {
                black_box(black_box(&snet).forward(black_box(&sx)));
            }
            "silu-hand-forward" => {
                black_box(black_box(&shand).forward(black_box(&sx)));
            }
            "silu-batch" => {
                black_box(black_box(&mut snet).train_step_batch(black_box(&dxb), &dyb, 1e-4));
            }
            "silu-hand-batch" => {
                black_box(black_box(&mut shand).step_batch(black_box(&dxb), &dyb, 1e-4));
            }
            _ => panic!("unknown variant {variant}"),
        }
    }
    black_box((net, hand, dnet, dhand, snet, shand));
}

fn instructions(variant: &str, n: usize) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(["--count", variant, &n.to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("Collected :"))?;
    line.rsplit(' ').next()?.trim().parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--count") {
        run(&args[i + 1], args[i + 2].parse().expect("a count"));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` expect a quiet exit.
    }
    assert_same_step();
    let n = 1000;
    println!(
        "{:<56} {:>12}  generated / expert",
        "variant", "instr/sample"
    );
    let mut generated: Option<u64> = None;
    for (k, (variant, label, samples)) in VARIANTS.iter().enumerate() {
        match (instructions(variant, n), instructions(variant, 0)) {
            (Some(with), Some(without)) => {
                let per_sample = (with - without) / (n * samples) as u64;
                let ratio = match (k % 2, generated) {
                    (1, Some(ours)) => format!("  {:.3}", ours as f64 / per_sample as f64),
                    _ => String::new(),
                };
                println!("{label:<56} {per_sample:>12}{ratio}");
                generated = Some(per_sample);
            }
            _ => println!("{label:<56} {:>12}", "valgrind?"),
        }
    }
}

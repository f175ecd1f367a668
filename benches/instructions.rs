//! Instructions per step, counted by valgrind's callgrind: repeatable to the instruction,
//! whatever else the machine is doing. Each variant runs N and 0 times in a child process;
//! the difference over N is the cost of one call.
//!
//! Run: `cargo bench --bench instructions` (needs `valgrind` on the PATH).

mod common;

use common::{assert_same_step, card, digits};
use mlp::Network;
use std::hint::black_box;
use std::process::Command;

const VARIANTS: &[(&str, &str)] = &[
    ("card-train_step", "card: generated train_step"),
    (
        "card-separate",
        "card: generated forward_cached + backward + sgd_step",
    ),
    ("card-hand", "card: hand-written nalgebra step"),
    ("card-forward", "card: generated forward"),
    ("card-hand-forward", "card: hand-written forward"),
    ("digits-train_step", "digits: generated train_step"),
    ("digits-hand", "digits: hand-written nalgebra step"),
];

fn run(variant: &str, n: usize) {
    let (mut net, mut hand, x) = card();
    let (mut dnet, mut dhand, dx) = digits();
    for _ in 0..n {
        match variant {
            "card-train_step" => {
                black_box(black_box(&mut net).train_step(black_box(&x), black_box(&1), 1e-4));
            }
            "card-separate" => {
                let net = black_box(&mut net);
                let (_, tape) = net.forward_cached(black_box(&x));
                let grads = net.backward(&tape, black_box(&1));
                net.sgd_step(&grads, 1e-4);
            }
            "card-hand" => black_box(&mut hand).step(black_box(&x), black_box(1), 1e-4),
            "card-forward" => {
                black_box(black_box(&net).forward(black_box(&x)));
            }
            "card-hand-forward" => {
                black_box(black_box(&hand).forward(black_box(&x)));
            }
            "digits-train_step" => {
                black_box(black_box(&mut dnet).train_step(black_box(&dx), black_box(&7), 1e-4));
            }
            "digits-hand" => black_box(&mut dhand).step(black_box(&dx), black_box(7), 1e-4),
            _ => panic!("unknown variant {variant}"),
        }
    }
    black_box((net, hand, dnet, dhand));
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
    let n = 2000;
    println!("{:<55} {:>14}", "variant", "instructions");
    for (variant, label) in VARIANTS {
        match (instructions(variant, n), instructions(variant, 0)) {
            (Some(with), Some(without)) => {
                println!("{label:<55} {:>14}", (with - without) / n as u64);
            }
            _ => {
                println!("{label:<55} {:>14}", "valgrind?");
            }
        }
    }
}

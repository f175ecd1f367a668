//! The card firmware's program, shared by two binaries that differ only in how the Adam phase
//! gets its gradients: `card` calls `loss_and_gradients_into` (into storage the caller owns),
//! `card_by_value` calls `loss_and_gradients` (returned by value). `report.sh` compares the
//! Adam phase's stack and the binaries' flash, so that the by-value form cannot grow dearer on
//! the device again unnoticed.
//!
//! The program: the design card's classifier, initialized on the device from a seed, trained
//! with `train_step` (plain SGD) and then Adam on three small clusters compiled in. Exits with
//! success only if the loss fell and every point is classified right. Also runs the same step
//! written by hand by an expert ([`crate::hand`]) and reports the instructions per step of
//! both.

use crate::hand::Hand;
use crate::models::{Card, CardGradients};
use crate::{
    exit, print, print_f32, print_u32, stack_high_water, stack_used_by, Counter, CLUSTERS as DATA,
};
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig, Optimizer};
use mlp::Network;

fn sample(k: usize) -> (SVector<f32, 2>, usize) {
    let (x, y) = DATA[k];
    (SVector::<f32, 2>::new(x[0], x[1]), y)
}

fn all_right(net: &Card<f32>) -> bool {
    (0..DATA.len()).all(|k| {
        let (x, y) = sample(k);
        net.prediction_correct(&net.forward(&x), &y) == Some(true)
    })
}

/// Epochs of SGD with `train_step` on the compiled-in points: the mean loss of the first epoch
/// and of the last (each sample's loss as the step computed it, before its update).
#[inline(never)]
fn sgd_phase(net: &mut Card<f32>) -> (f32, f32) {
    let n = DATA.len() as f32;
    let (mut first, mut last) = (0.0, 0.0);
    for epoch in 0..20 {
        let mut total = 0.0;
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            total += net.train_step(&x, &y, 0.05);
        }
        if epoch == 0 {
            first = total / n;
        }
        last = total / n;
    }
    (first, last)
}

/// Epochs of Adam, each step's gradients from `loss_and_gradients` (returned by value) when
/// `BY_VALUE`, else from `loss_and_gradients_into` (one gradients value the phase owns): the
/// mean loss of the last epoch.
#[inline(never)]
fn adam_phase<const BY_VALUE: bool>(net: &mut Card<f32>) -> f32 {
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.01,
        ..AdamConfig::default()
    });
    let mut grads = CardGradients::zeros();
    let mut last = 0.0;
    for _ in 0..20 {
        let mut total = 0.0;
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            if BY_VALUE {
                let (loss, grads) = net.loss_and_gradients(&x, &y);
                total += loss;
                adam.step(net, &grads);
            } else {
                total += net.loss_and_gradients_into(&x, &y, &mut grads);
                adam.step(net, &grads);
            }
        }
        last = total / DATA.len() as f32;
    }
    last
}

/// Ticks for `rounds` passes of the generated `train_step` and of the expert's step, from the
/// same weights; and whether both end with the same weights.
#[inline(never)]
fn race(net: &mut Card<f32>, counter: &Counter, rounds: usize) -> (u32, u32, bool) {
    let mut hand: Hand<2, 16, 3> = Hand {
        w: Default::default(),
        b1: Default::default(),
        u: Default::default(),
        b2: Default::default(),
    };
    // The same weights, copied one number at a time (a block copy would bring `memcpy`, 0.9 kB
    // of flash, for this one use).
    let from: [&[f32]; 4] = [
        net.w.as_slice(),
        net.b1.as_slice(),
        net.u.as_slice(),
        net.b2.as_slice(),
    ];
    let to: [&mut [f32]; 4] = [
        hand.w.as_mut_slice(),
        hand.b1.as_mut_slice(),
        hand.u.as_mut_slice(),
        hand.b2.as_mut_slice(),
    ];
    for (from, to) in from.iter().zip(to) {
        for (a, b) in to.iter_mut().zip(from.iter()) {
            *a = core::hint::black_box(*b);
        }
    }
    let start = counter.now();
    for _ in 0..rounds {
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            core::hint::black_box(core::hint::black_box(&mut *net).train_step(&x, &y, 1e-4));
        }
    }
    let generated = counter.since(start);
    let start = counter.now();
    for _ in 0..rounds {
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            core::hint::black_box(core::hint::black_box(&mut hand).step(&x, y, 1e-4));
        }
    }
    let by_hand = counter.since(start);
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-4);
    let same =
        close(net.w.as_slice(), hand.w.as_slice()) && close(net.u.as_slice(), hand.u.as_slice());
    (generated, by_hand, same)
}

/// The program; `name` for its last line, `BY_VALUE` for the Adam phase's gradients (see
/// [`adam_phase`]).
pub fn run<const BY_VALUE: bool>(name: &str) -> ! {
    let counter = Counter::take();

    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 1);
    let (before, after_sgd) = sgd_phase(&mut net);
    let (after_adam, adam_stack) = stack_used_by(|| adam_phase::<BY_VALUE>(&mut net));
    let right = all_right(&net);

    let per_tick = counter.instructions_per_tick();
    let rounds = 50;
    let (generated_ticks, hand_ticks, same) = race(&mut net, &counter, rounds);
    let steps = (rounds * DATA.len()) as u32;

    print("card network trained on the device: mean loss ");
    print_f32(before);
    print(" -> ");
    print_f32(after_sgd);
    print(" (SGD) -> ");
    print_f32(after_adam);
    print(" (Adam); every point right: ");
    print(if right { "yes\n" } else { "NO\n" });
    print("instructions per train_step: generated ");
    print_u32(generated_ticks * per_tick / steps);
    print(", by hand ");
    print_u32(hand_ticks * per_tick / steps);
    print(if same {
        " (same weights)\n"
    } else {
        " (weights DIFFER)\n"
    });
    print(if BY_VALUE {
        "Adam phase, gradients by loss_and_gradients (by value): stack "
    } else {
        "Adam phase, gradients by loss_and_gradients_into: stack "
    });
    print_u32(adam_stack);
    print(" bytes (the gradients: ");
    print_u32(Card::<f32>::GRADIENT_BYTES as u32);
    print(" bytes)\n");
    print("stack high-water mark: ");
    print_u32(stack_high_water());
    print(" bytes\n");
    let ok = right && after_sgd < before && after_adam < after_sgd && same;
    print(name);
    print(if ok { ": ok\n" } else { ": FAILED\n" });
    exit(ok)
}

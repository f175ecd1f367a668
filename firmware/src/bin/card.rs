//! Training on a Cortex-M4F: the design card's classifier, initialized on the device from a
//! seed, trained with `train_step` (plain SGD) and then Adam on three small clusters compiled
//! in. Exits with success only if the loss fell and every point is classified right. Also runs
//! the same step written by hand by an expert (`mlp_firmware::hand`) and reports the
//! instructions per step of both.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig, Optimizer};
use mlp::Network;
use mlp_firmware::hand::Hand;
use mlp_firmware::models::{Card, CardGradients};
use mlp_firmware::{
    exit, print, print_f32, print_u32, stack_high_water, Counter, CLUSTERS as DATA,
};

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

/// Epochs of SGD with `train_step`, then of Adam, on the compiled-in points: the mean loss of
/// the first epoch, of the last SGD epoch and of the last Adam epoch (each sample's loss as
/// the step computed it, before its update).
#[inline(never)]
fn train(net: &mut Card<f32>) -> (f32, f32, f32) {
    let n = DATA.len() as f32;
    let (mut first, mut sgd) = (0.0, 0.0);
    for epoch in 0..20 {
        let mut total = 0.0;
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            total += net.train_step(&x, &y, 0.05);
        }
        if epoch == 0 {
            first = total / n;
        }
        sgd = total / n;
    }
    (first, sgd, adam_phase(net))
}

#[inline(never)]
fn adam_phase(net: &mut Card<f32>) -> f32 {
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
            total += net.loss_and_gradients_into(&x, &y, &mut grads);
            adam.step(net, &grads);
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

#[entry]
fn main() -> ! {
    let peripherals = cortex_m::Peripherals::take();
    let Some(p) = peripherals else { exit(false) };
    let counter = Counter::new(p.SYST);

    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 1);
    let (before, after_sgd, after_adam) = train(&mut net);
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
    print("stack high-water mark: ");
    print_u32(stack_high_water());
    print(" bytes\n");
    let ok = right && after_sgd < before && after_adam < after_sgd && same;
    print(if ok { "card: ok\n" } else { "card: FAILED\n" });
    exit(ok)
}

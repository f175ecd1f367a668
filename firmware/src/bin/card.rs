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
use mlp_firmware::models::Card;
use mlp_firmware::{exit, print, print_f32, print_u32, stack_high_water, Counter};

/// Three clusters of eight points in the plane, one per class.
static DATA: [([f32; 2], usize); 24] = [
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

fn sample(k: usize) -> (SVector<f32, 2>, usize) {
    let (x, y) = DATA[k];
    (SVector::<f32, 2>::new(x[0], x[1]), y)
}

fn mean_loss(net: &Card<f32>) -> f32 {
    let mut total = 0.0;
    for k in 0..DATA.len() {
        let (x, y) = sample(k);
        total += net.loss(&x, &y);
    }
    total / DATA.len() as f32
}

fn all_right(net: &Card<f32>) -> bool {
    (0..DATA.len()).all(|k| {
        let (x, y) = sample(k);
        net.prediction_correct(&net.forward(&x), &y) == Some(true)
    })
}

/// SGD with `train_step`, then Adam, on the compiled-in points: the mean loss after each.
#[inline(never)]
fn train(net: &mut Card<f32>) -> (f32, f32) {
    // The lecture's SGD, one sample at a time.
    for _ in 0..20 {
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            net.train_step(&x, &y, 0.05);
        }
    }
    let after_sgd = mean_loss(net);
    print("hw after sgd: "); print_u32(stack_high_water()); print("\n");
    (after_sgd, adam_phase(net))
}

#[inline(never)]
fn adam_phase(net: &mut Card<f32>) -> f32 {
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.01,
        ..AdamConfig::default()
    });
    for _ in 0..20 {
        for k in 0..DATA.len() {
            let (x, y) = sample(k);
            let (_, grads) = net.loss_and_gradients(&x, &y);
            adam.step(net, &grads);
        }
    }
    mean_loss(net)
}

/// Ticks for `rounds` passes of the generated `train_step` and of the expert's step, from the
/// same weights; and whether both end with the same weights.
#[inline(never)]
fn race(net: &mut Card<f32>, counter: &Counter, rounds: usize) -> (u32, u32, bool) {
    let mut hand = Hand {
        w: net.w,
        b1: net.b1,
        u: net.u,
        b2: net.b2,
    };
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
    let same = (net.w - hand.w).amax() < 1e-4 && (net.u - hand.u).amax() < 1e-4;
    (generated, by_hand, same)
}

#[entry]
fn main() -> ! {
    let peripherals = cortex_m::Peripherals::take();
    let Some(p) = peripherals else { exit(false) };
    let counter = Counter::new(p.SYST);

    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 1);
    let before = mean_loss(&net);
    print("hw after init: "); print_u32(stack_high_water()); print("\n");
    let (after_sgd, after_adam) = train(&mut net);
    print("hw after train: "); print_u32(stack_high_water()); print("\n");
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
    print(if same { " (same weights)\n" } else { " (weights DIFFER)\n" });
    print("stack high-water mark: ");
    print_u32(stack_high_water());
    print(" bytes\n");
    let ok = right && after_sgd < before && after_adam < after_sgd && same;
    print(if ok { "card: ok\n" } else { "card: FAILED\n" });
    exit(ok)
}

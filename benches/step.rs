//! Wall time per step: the generated code against the expert's hand-written nalgebra
//! (`common::Hand`), in the same run, one sample and a batch of 32 on both networks.
//!
//! Run: `cargo bench -p mlp-benches --bench step`. For numbers that do not move with machine
//! load, see `--bench instructions`.

mod common;

use common::{assert_same_step, batch, card, digits};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mlp::Network;

fn bench(c: &mut Criterion) {
    assert_same_step();
    let (card, hand_card, x2) = card();
    let (digits, hand_digits, x64) = digits();
    let (xb2, yb2) = batch::<2, 3>();
    let (xb64, yb64) = batch::<64, 10>();

    let mut group = c.benchmark_group("card 2-16-3");
    group.bench_function("generated train_step", |b| {
        let mut net = card;
        b.iter(|| net.train_step(black_box(&x2), black_box(&1), 1e-4))
    });
    group.bench_function("expert step", |b| {
        let mut net = hand_card;
        b.iter(|| net.step(black_box(&x2), *black_box(&1), 1e-4))
    });
    group.bench_function("generated forward", |b| {
        b.iter(|| card.forward(black_box(&x2)))
    });
    group.bench_function("expert forward", |b| {
        b.iter(|| hand_card.forward(black_box(&x2)))
    });
    group.bench_function("generated train_step_batch 32", |b| {
        let mut net = card;
        b.iter(|| net.train_step_batch(black_box(&xb2), &yb2, 1e-4))
    });
    group.bench_function("expert batch step 32", |b| {
        let mut net = hand_card;
        b.iter(|| net.step_batch(black_box(&xb2), &yb2, 1e-4))
    });
    group.finish();

    let mut group = c.benchmark_group("digits 64-32-10");
    group.bench_function("generated train_step", |b| {
        let mut net = digits;
        b.iter(|| net.train_step(black_box(&x64), black_box(&7), 1e-4))
    });
    group.bench_function("expert step", |b| {
        let mut net = hand_digits;
        b.iter(|| net.step(black_box(&x64), *black_box(&7), 1e-4))
    });
    group.bench_function("generated forward", |b| {
        b.iter(|| digits.forward(black_box(&x64)))
    });
    group.bench_function("expert forward", |b| {
        b.iter(|| hand_digits.forward(black_box(&x64)))
    });
    group.bench_function("generated train_step_batch 32", |b| {
        let mut net = digits;
        b.iter(|| net.train_step_batch(black_box(&xb64), &yb64, 1e-4))
    });
    group.bench_function("expert batch step 32", |b| {
        let mut net = hand_digits;
        b.iter(|| net.step_batch(black_box(&xb64), &yb64, 1e-4))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

//! Wall time of one SGD training step and one forward pass: the generated code against the
//! same computation written by hand in nalgebra (`common::Hand`), in the same run.
//!
//! Run: `cargo bench --bench step`. For numbers that do not move with machine load, see
//! `cargo bench --bench instructions`.

mod common;

use common::{assert_same_step, card, digits};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mlp::Network;

fn bench(c: &mut Criterion) {
    assert_same_step();
    let (card, hand_card, x2) = card();
    let (digits, hand_digits, x64) = digits();

    let mut group = c.benchmark_group("card 2-16-3 train step");
    group.bench_function("generated train_step", |b| {
        let mut net = card;
        b.iter(|| net.train_step(black_box(&x2), black_box(&1), 1e-4))
    });
    group.bench_function("generated forward_cached + backward + sgd_step", |b| {
        let mut net = card;
        b.iter(|| {
            let (_, tape) = net.forward_cached(black_box(&x2));
            let grads = net.backward(&tape, black_box(&1));
            net.sgd_step(&grads, 1e-4);
        })
    });
    group.bench_function("hand-written nalgebra", |b| {
        let mut net = hand_card;
        b.iter(|| net.step(black_box(&x2), black_box(1), 1e-4))
    });
    group.finish();

    let mut group = c.benchmark_group("card 2-16-3 forward");
    group.bench_function("generated", |b| b.iter(|| card.forward(black_box(&x2))));
    group.bench_function("hand-written nalgebra", |b| {
        b.iter(|| hand_card.forward(black_box(&x2)))
    });
    group.finish();

    let mut group = c.benchmark_group("digits 64-32-10 train step");
    group.bench_function("generated train_step", |b| {
        let mut net = digits;
        b.iter(|| net.train_step(black_box(&x64), black_box(&7), 1e-4))
    });
    group.bench_function("hand-written nalgebra", |b| {
        let mut net = hand_digits;
        b.iter(|| net.step(black_box(&x64), black_box(7), 1e-4))
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

//! Mini-batches and metrics: the batch mean equals the mean of the per-sample results, batches
//! are seeded permutations, nothing allocates, and the confusion matrix counts right.

use mlp::batch::{mean_loss_and_gradients, shuffled_batches};
use mlp::metrics::{argmax, ConfusionMatrix};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

#[mlp::network(x -> Linear(3, 5) -> Tanh -> Linear(5, 3) -> Softmax -> CE)]
struct Net;

fn samples() -> Vec<(SVector<f64, 3>, usize)> {
    let mut rng = Rng::new(2);
    (0..7)
        .map(|i| (SVector::from_fn(|_, _| rng.normal()), i % 3))
        .collect()
}

#[test]
fn batch_mean_is_the_mean_of_samples() {
    let mut net = Net::<f64>::zeros();
    mlp::init::xavier_uniform(&mut net, 3);
    let data = samples();
    let (loss, grads) = mean_loss_and_gradients(&net, data.iter().map(|(x, y)| (x, y)));
    let n = data.len() as f64;
    let expected_loss = data.iter().map(|(x, y)| net.loss(x, y)).sum::<f64>() / n;
    assert!((loss - expected_loss).abs() < 1e-14);
    let mut expected = NetGradients::<f64>::zeros();
    for (x, y) in &data {
        let (_, g) = net.loss_and_gradients(x, y);
        expected.w += g.w / n;
        expected.b1 += g.b1 / n;
        expected.u += g.u / n;
        expected.b2 += g.b2 / n;
    }
    let mut a = Vec::new();
    let mut b = Vec::new();
    grads.visit_params(|_, v| a.extend_from_slice(v));
    expected.visit_params(|_, v| b.extend_from_slice(v));
    for (p, q) in a.iter().zip(&b) {
        assert!((p - q).abs() < 1e-14, "{p} vs {q}");
    }
    let (empty_loss, empty) = mean_loss_and_gradients(&net, std::iter::empty());
    assert_eq!((empty_loss, empty), (0.0, NetGradients::zeros()));
}

#[test]
fn batches_are_a_seeded_permutation() {
    let run = |seed| {
        let mut order: Vec<usize> = (0..10).collect();
        let mut rng = Rng::new(seed);
        let batches: Vec<Vec<usize>> = shuffled_batches(&mut order, 4, &mut rng)
            .map(|b| b.to_vec())
            .collect();
        batches
    };
    let a = run(5);
    assert_eq!(a, run(5), "same seed, same batches");
    assert_ne!(a, run(6), "another seed, other batches");
    assert_eq!(a.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
    let mut all: Vec<usize> = a.concat();
    all.sort();
    assert_eq!(
        all,
        (0..10).collect::<Vec<_>>(),
        "every sample exactly once"
    );
}

#[test]
fn a_fixed_size_batch_needs_no_heap() {
    // An array batch and index buffer on the stack: the whole step runs without the heap
    // (the counting allocator lives in tests/no_heap.rs; here the API simply takes slices).
    let net = Net::<f32>::zeros();
    let batch = [(SVector::<f32, 3>::zeros(), 0usize); 4];
    let mut order = [0usize, 1, 2, 3];
    let mut rng = Rng::new(1);
    for indices in shuffled_batches(&mut order, 2, &mut rng) {
        let (loss, _) =
            mean_loss_and_gradients(&net, indices.iter().map(|&i| (&batch[i].0, &batch[i].1)));
        assert!((loss - 3f32.ln()).abs() < 1e-6, "uniform ŷ: J = log 3");
    }
}

#[test]
fn confusion_matrix() {
    let mut m = ConfusionMatrix::<3>::default();
    for (truth, prediction) in [(0, 0), (0, 1), (1, 1), (2, 2), (2, 2), (2, 0)] {
        m.record(truth, prediction);
    }
    assert_eq!(m.counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
    assert_eq!(m.total(), 6);
    assert!((m.accuracy() - 4.0 / 6.0).abs() < 1e-15);
    let table = m.to_string();
    assert!(table.contains("accuracy 66.67%"), "{table}");
    assert_eq!(argmax(&[0.1, 0.7, 0.7, 0.2]), 1, "ties: the first");
}

#[test]
fn batched_mean_is_the_per_sample_mean() {
    let mut net = Net::<f64>::zeros();
    mlp::init::xavier_uniform(&mut net, 5);
    let data = samples();
    let refs: Vec<(&SVector<f64, 3>, &usize)> = data.iter().map(|(x, y)| (x, y)).collect();
    for n in [7, 6] {
        let refs = &refs[..n];
        let (a, ga) = mlp::batch::mean_loss_and_gradients_batched::<6, _, _>(&net, refs);
        let (b, gb) = mean_loss_and_gradients(&net, refs.iter().copied());
        assert!((a - b).abs() < 1e-12, "{n} samples: {a} vs {b}");
        assert!((ga.w - gb.w).norm() < 1e-12 && (ga.b2 - gb.b2).norm() < 1e-12);
    }
    let (a, _) = mlp::batch::mean_loss_and_gradients_any(&net, &refs[..0]);
    assert_eq!(a, 0.0);
}

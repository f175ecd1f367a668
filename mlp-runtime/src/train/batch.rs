//! Mini-batches without the heap: the mean loss and mean gradients over any batch of samples,
//! and seeded shuffled batches of indices over a data set.

use super::rng::Rng;
use crate::network::{Network, Parameters};
use nalgebra::RealField;

/// The mean loss and the mean gradients over `batch` (samples as `(input, target)` pairs).
/// Allocation-free: the sum builds up in one gradients value. An empty batch gives zero.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
///
/// #[mlp::network(x -> Linear(2, 4) -> ReLU -> Linear(4, 3) -> Softmax -> CE)]
/// struct Net;
///
/// let mut net = Net::<f64>::zeros();
/// mlp::init::he_normal(&mut net, 1);
/// let batch = [(SVector::<f64, 2>::new(1.0, 0.0), 0), (SVector::<f64, 2>::new(0.0, 1.0), 2)];
/// let (loss, grads) = mlp::batch::mean_loss_and_gradients(&net, batch.iter().map(|(x, y)| (x, y)));
/// assert!(loss > 0.0 && grads.b2.iter().all(|g| g.is_finite()));
/// ```
pub fn mean_loss_and_gradients<'a, T, N>(
    net: &N,
    batch: impl IntoIterator<Item = (&'a N::Input, &'a N::Target)>,
) -> (T, N::Gradients)
where
    T: RealField + Copy,
    N: Network<T>,
    N::Input: 'a,
    N::Target: 'a,
    N::Gradients: Default,
{
    let mut sum = N::Gradients::default();
    let mut total = T::zero();
    let mut count = 0usize;
    for (x, y) in batch {
        let (loss, grads) = net.loss_and_gradients(x, y);
        total += loss;
        count += 1;
        for k in 0..grads.tensor_count() {
            for (s, g) in sum.tensor_mut(k).iter_mut().zip(grads.tensor(k)) {
                *s += *g;
            }
        }
    }
    if count == 0 {
        return (T::zero(), sum);
    }
    let scale = T::one() / nalgebra::convert::<f64, T>(count as f64);
    for k in 0..sum.tensor_count() {
        sum.tensor_mut(k).iter_mut().for_each(|s| *s *= scale);
    }
    (total * scale, sum)
}

/// The mean loss and the mean gradients over exactly `B` samples through the network's
/// batched code (`loss_and_gradients_batch`: one matrix–matrix product per layer instead of
/// `B` matrix–vector products). Allocation-free; the `B` inputs are gathered on the stack. With
/// any other number of samples (a short last batch) it falls back to
/// [`mean_loss_and_gradients`], sample by sample.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
///
/// #[mlp::network(x -> Linear(2, 4) -> ReLU -> Linear(4, 3) -> Softmax -> CE)]
/// struct Net;
///
/// let mut net = Net::<f64>::zeros();
/// mlp::init::he_normal(&mut net, 1);
/// let data = [(SVector::<f64, 2>::new(1.0, 0.0), 0), (SVector::<f64, 2>::new(0.0, 1.0), 2)];
/// let samples: Vec<_> = data.iter().map(|(x, y)| (x, y)).collect();
/// let (batched, _) = mlp::batch::mean_loss_and_gradients_batched::<2, _, _>(&net, &samples);
/// let (per_sample, _) = mlp::batch::mean_loss_and_gradients(&net, samples.iter().copied());
/// assert!((batched - per_sample).abs() < 1e-12);
/// ```
pub fn mean_loss_and_gradients_batched<const B: usize, T, N>(
    net: &N,
    samples: &[(&N::Input, &N::Target)],
) -> (T, N::Gradients)
where
    T: RealField + Copy,
    N: Network<T>,
    N::Target: Copy,
    N::Gradients: Default,
{
    if samples.len() != B {
        return mean_loss_and_gradients(net, samples.iter().copied());
    }
    let inputs: [&N::Input; B] = core::array::from_fn(|j| samples[j].0);
    let targets: [N::Target; B] = core::array::from_fn(|j| *samples[j].1);
    net.loss_and_gradients_batch(&N::input_batch(&inputs), &targets)
}

/// The batch sizes [`mean_loss_and_gradients_any`] sends through the batched code.
pub const BATCHED_SIZES: [usize; 6] = [8, 16, 32, 64, 128, 256];

/// [`mean_loss_and_gradients_batched`] for a batch size known only at run time: sizes in
/// [`BATCHED_SIZES`] go through the batched code, any other size sample by sample.
pub fn mean_loss_and_gradients_any<T, N>(
    net: &N,
    samples: &[(&N::Input, &N::Target)],
) -> (T, N::Gradients)
where
    T: RealField + Copy,
    N: Network<T>,
    N::Target: Copy,
    N::Gradients: Default,
{
    match samples.len() {
        8 => mean_loss_and_gradients_batched::<8, T, N>(net, samples),
        16 => mean_loss_and_gradients_batched::<16, T, N>(net, samples),
        32 => mean_loss_and_gradients_batched::<32, T, N>(net, samples),
        64 => mean_loss_and_gradients_batched::<64, T, N>(net, samples),
        128 => mean_loss_and_gradients_batched::<128, T, N>(net, samples),
        256 => mean_loss_and_gradients_batched::<256, T, N>(net, samples),
        _ => mean_loss_and_gradients(net, samples.iter().copied()),
    }
}

/// Shuffles `order` (typically `0..n`) with `rng` and returns its batches of `batch_size`
/// (the last one shorter when `batch_size` does not divide `n`). Seeded: the same generator
/// state gives the same batches.
///
/// # Example
///
/// ```
/// let mut order = [0, 1, 2, 3, 4];
/// let mut rng = mlp::rng::Rng::new(1);
/// let batches: Vec<&[usize]> = mlp::batch::shuffled_batches(&mut order, 2, &mut rng).collect();
/// assert_eq!(batches.len(), 3);
/// ```
pub fn shuffled_batches<'a>(
    order: &'a mut [usize],
    batch_size: usize,
    rng: &mut Rng,
) -> core::slice::Chunks<'a, usize> {
    rng.shuffle(order);
    order.chunks(batch_size.max(1))
}

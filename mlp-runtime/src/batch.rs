//! Mini-batches without the heap: the mean loss and mean gradients over any batch of samples,
//! and seeded shuffled batches of indices over a data set.

use crate::rng::Rng;
use crate::{Network, Parameters};
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

//! Seeded weight initialization, without `std`.
//!
//! Weights are drawn from the named distribution with the layer's fan-in and fan-out (a weight
//! tensor of `fan_out × fan_in` values is always followed by its bias of `fan_out`); biases are
//! zero. The same seed gives the same weights.

use crate::rng::Rng;
use crate::Network;
use nalgebra::RealField;

/// How many tensors the fan-in bookkeeping remembers; deeper networks fall back to
/// `fan_in = fan_out = √len` for the rest.
const MAX_TENSORS: usize = 256;

/// Fills every weight with `draw(rng, fan_in, fan_out)` and every bias with zero.
fn fill<T, N>(net: &mut N, seed: u64, mut draw: impl FnMut(&mut Rng, f64, f64) -> f64)
where
    T: RealField + Copy,
    N: Network<T>,
{
    let mut lengths = [0usize; MAX_TENSORS];
    let mut count = 0;
    net.visit_params(|_, values| {
        if count < MAX_TENSORS {
            lengths[count] = values.len();
        }
        count += 1;
    });
    let mut rng = Rng::new(seed);
    let mut k = 0;
    net.visit_params_mut(|name, values| {
        if name.ends_with("bias") {
            values.iter_mut().for_each(|v| *v = T::zero());
        } else {
            let fan_out = lengths.get(k + 1).copied().filter(|&n| n > 0);
            let (fan_in, fan_out) = match fan_out {
                Some(out) if k + 1 < MAX_TENSORS => ((values.len() / out) as f64, out as f64),
                _ => {
                    let side = sqrt(values.len() as f64);
                    (side, side)
                }
            };
            for v in values.iter_mut() {
                *v = nalgebra::convert(draw(&mut rng, fan_in, fan_out));
            }
        }
        k += 1;
    });
}

/// `f64::sqrt` without `std`.
fn sqrt(x: f64) -> f64 {
    nalgebra::ComplexField::sqrt(x)
}

/// Xavier/Glorot uniform: `U(−a, a)` with `a = √(6 / (fan_in + fan_out))`; biases zero.
///
/// # Example
///
/// ```
/// #[mlp::network(x -> Linear(2, 16) -> Tanh -> Linear(16, 3) -> Softmax -> CE)]
/// struct Net;
///
/// let mut a = Net::<f32>::zeros();
/// let mut b = Net::<f32>::zeros();
/// mlp::init::xavier_uniform(&mut a, 42);
/// mlp::init::xavier_uniform(&mut b, 42);
/// assert_eq!(a, b);
/// let bound = (6.0f32 / (2.0 + 16.0)).sqrt();
/// assert!(a.w.iter().all(|w| w.abs() <= bound) && a.b1.iter().all(|b| *b == 0.0));
/// ```
pub fn xavier_uniform<T: RealField + Copy, N: Network<T>>(net: &mut N, seed: u64) {
    fill(net, seed, |rng, fan_in, fan_out| {
        let a = sqrt(6.0 / (fan_in + fan_out));
        (2.0 * rng.uniform() - 1.0) * a
    });
}

/// He/Kaiming normal: `N(0, 2 / fan_in)`, for ReLU-like activations; biases zero.
pub fn he_normal<T: RealField + Copy, N: Network<T>>(net: &mut N, seed: u64) {
    fill(net, seed, |rng, fan_in, _| {
        rng.normal() * sqrt(2.0 / fan_in)
    });
}

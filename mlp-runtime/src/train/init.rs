//! Seeded weight initialization, without `std`.
//!
//! Weights are drawn from the named distribution with the layer's fan-in and fan-out (a weight
//! tensor of `fan_out × fan_in` values is always followed by its bias of `fan_out`); biases are
//! zero. The same seed gives the same weights. Everything is computed in the network's scalar
//! type: an `f32` network on a microcontroller pulls in no `f64` arithmetic.

use super::rng::Rng;
use crate::float;
use crate::network::{Network, Parameters};
use nalgebra::RealField;

/// Fills every weight with `draw(rng, fan_in, fan_out)` and every bias with zero. A weight's
/// fan-out is the length of the bias after it (a network without biases after its weights
/// gets `fan_in = fan_out = √len`); everything is computed in `T`, and nothing is kept on the
/// stack but the generator.
fn fill<T, N>(net: &mut N, seed: u64, mut draw: impl FnMut(&mut Rng, T, T) -> T)
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    let mut rng = Rng::new(seed);
    // Every affine layer visits its weight, then its bias: even tensors are weights.
    for k in 0..net.tensor_count() {
        let next = net.tensor(k + 1).len();
        let values = net.tensor_mut(k);
        let len = values.len();
        if k % 2 == 1 {
            values.iter_mut().for_each(|v| *v = T::zero());
            continue;
        }
        let (fan_in, fan_out) = if next > 0 && len % next == 0 {
            (count::<T>(len / next), count::<T>(next))
        } else {
            let side = float::sqrt(count::<T>(len));
            (side, side)
        };
        for v in values.iter_mut() {
            *v = draw(&mut rng, fan_in, fan_out);
        }
    }
}

/// `n` as a `T`, without `f64` arithmetic for an `f32`.
fn count<T: RealField + Copy>(n: usize) -> T {
    if float::is_f32::<T>() {
        let f = n as f32;
        // SAFETY: `T` is `f32` (checked).
        return unsafe { *(&f as *const f32 as *const T) };
    }
    nalgebra::convert(n as f64)
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
pub fn xavier_uniform<T: RealField + Copy, N: Network<T> + Parameters<T>>(net: &mut N, seed: u64) {
    fill(net, seed, |rng, fan_in: T, fan_out: T| {
        let (one, two) = (T::one(), T::one() + T::one());
        let six = two * (two + one);
        let a = float::sqrt(six / (fan_in + fan_out));
        (two * rng.uniform_in::<T>() - one) * a
    });
}

/// He/Kaiming normal: `N(0, 2 / fan_in)`, for ReLU-like activations; biases zero.
pub fn he_normal<T: RealField + Copy, N: Network<T> + Parameters<T>>(net: &mut N, seed: u64) {
    fill(net, seed, |rng, fan_in: T, _| {
        let two = T::one() + T::one();
        rng.normal_in::<T>() * float::sqrt(two / fan_in)
    });
}

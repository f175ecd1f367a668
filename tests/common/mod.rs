//! Shared test helpers: seeded weights, and central finite differences in f64.
#![allow(dead_code)]

use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

/// Every parameter drawn from N(0, scale²), seeded.
pub fn randomize<N: Network<f64>>(net: &mut N, seed: u64, scale: f64) {
    let mut rng = Rng::new(seed);
    net.visit_params_mut(|_, values| {
        for v in values {
            *v = scale * rng.normal();
        }
    });
}

pub fn random_vector<const D: usize>(rng: &mut Rng, scale: f64) -> SVector<f64, D> {
    SVector::from_fn(|_, _| scale * rng.normal())
}

#[allow(unused_imports)]
pub use mlp::gradcheck::relative_error;

/// The worst relative error per parameter tensor and for the input, from [`mlp::gradcheck`].
pub fn gradcheck<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
) -> Vec<(String, f64)>
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    mlp::gradcheck(net, x, target).tensors
}

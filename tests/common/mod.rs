//! Shared test helpers: seeded weights, central finite differences in f64, and comparisons
//! ([`compare`]).
#![allow(dead_code)]

pub mod compare;
pub mod layers;

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
    mlp::gradcheck(net, x, target)
        .tensors()
        .map(|(name, error)| (name.to_string(), error))
        .collect()
}

/// Copies every parameter of `from` into `to`, number by number in visiting order (the two
/// networks may differ in type but not in their parameters' layout), converting the scalar.
#[allow(dead_code)]
pub fn copy_params<A, B, T>(from: &A, to: &mut B)
where
    A: Network<f64>,
    B: Network<T>,
    T: mlp::nalgebra::RealField + Copy,
{
    let mut values = Vec::new();
    from.visit_params(|_, v| values.extend_from_slice(v));
    let mut k = 0;
    to.visit_params_mut(|_, v| {
        for e in v {
            *e = mlp::nalgebra::convert(values[k]);
            k += 1;
        }
    });
    assert_eq!(k, values.len(), "the networks' parameters differ in size");
}

/// [`gradcheck`] on `trials` random draws of weights (scale 0.8), input (scale 1.5) and target
/// (`target`, from the same generator seeded `base + trial`): every tensor's worst relative
/// error must stay under `tolerance`; returns the worst seen.
#[allow(dead_code)]
pub fn gradcheck_random<N, const I: usize>(
    mut net: N,
    trials: u64,
    base: u64,
    tolerance: f64,
    target: impl Fn(&mut Rng) -> N::Target,
) -> f64
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let mut worst: f64 = 0.0;
    for seed in 0..trials {
        randomize(&mut net, seed, 0.8);
        let mut rng = Rng::new(base + seed);
        let x = random_vector::<I>(&mut rng, 1.5);
        let y = target(&mut rng);
        for (name, err) in gradcheck(&mut net, &x, &y) {
            assert!(
                err < tolerance,
                "seed {seed}: {name} relative error {err:e}"
            );
            worst = worst.max(err);
        }
    }
    worst
}

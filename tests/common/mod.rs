//! Shared test helpers: seeded weights, and central finite differences in f64.
#![allow(dead_code)]

use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::{Network, Parameters};

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

/// Relative error, with magnitudes below 1e-3 counted as 1e-3: there the finite-difference
/// reference itself is only good to about 1e-11 absolute, and a relative error would measure
/// that noise rather than the gradient.
pub fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-3)
}

/// The fourth-order central difference of `f` at 0, step `h`:
/// (f(−2h) − 8f(−h) + 8f(h) − f(2h)) / 12h, truncation error O(h⁴).
pub fn central_difference(mut f: impl FnMut(f64) -> f64, h: f64) -> f64 {
    (f(-2.0 * h) - 8.0 * f(-h) + 8.0 * f(h) - f(2.0 * h)) / (12.0 * h)
}

/// The worst relative error, per parameter tensor and for the input, between the generated
/// gradients and central finite differences (fourth order, step 1e-5) of the generated loss.
pub fn gradcheck<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
) -> Vec<(String, f64)>
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let h = 1e-5;
    let (_, tape) = net.forward_cached(x);
    let (grads, d_x) = net.backward_with_input(&tape, target);
    let mut analytic: Vec<(String, Vec<f64>)> = Vec::new();
    grads.visit_params(|name, g| analytic.push((name.to_string(), g.to_vec())));

    let mut report = Vec::new();
    for (tensor, (name, expected)) in analytic.iter().enumerate() {
        let mut worst: f64 = 0.0;
        for (i, &value) in expected.iter().enumerate() {
            let numeric = central_difference(
                |delta| {
                    nudge(net, tensor, i, delta);
                    let l = net.loss(x, target);
                    nudge(net, tensor, i, -delta);
                    l
                },
                h,
            );
            worst = worst.max(relative_error(value, numeric));
        }
        report.push((name.clone(), worst));
    }
    let mut worst: f64 = 0.0;
    for i in 0..I {
        let numeric = central_difference(
            |delta| {
                let mut moved = *x;
                moved[i] += delta;
                net.loss(&moved, target)
            },
            h,
        );
        worst = worst.max(relative_error(d_x[i], numeric));
    }
    report.push(("x".into(), worst));
    report
}

fn nudge<N: Network<f64>>(net: &mut N, tensor: usize, index: usize, delta: f64) {
    let mut k = 0;
    net.visit_params_mut(|_, values| {
        if k == tensor {
            values[index] += delta;
        }
        k += 1;
    });
}

//! Check a network's generated gradients against finite differences, in one line.
//!
//! Each parameter (and each input component) is nudged by ±h and ±2h and the loss re-evaluated:
//! the fourth-order central difference `(J(−2h) − 8J(−h) + 8J(h) − J(2h)) / 12h` has truncation
//! error O(h⁴), so with h = 10⁻⁵ in f64 it is good to about 10⁻¹¹ absolute. The check reports,
//! per parameter tensor, the worst relative error `|a − n| / max(|a|, |n|, 10⁻³)`.

use crate::{Network, Parameters};
use nalgebra::SVector;

/// The step of the finite differences.
pub const STEP: f64 = 1e-5;

/// Relative error, with magnitudes below 10⁻³ counted as 10⁻³: there the finite difference is
/// itself only good to about 10⁻¹¹ absolute, and a relative error would measure that noise.
pub fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1e-3)
}

/// The fourth-order central difference of `f` at 0 with step `h`.
pub fn central_difference(mut f: impl FnMut(f64) -> f64, h: f64) -> f64 {
    (f(-2.0 * h) - 8.0 * f(-h) + 8.0 * f(h) - f(2.0 * h)) / (12.0 * h)
}

/// Compares `net`'s gradients at `(x, target)` with finite differences of its loss; calls
/// `report(name, worst relative error)` once per parameter tensor, in visiting order, then
/// once for the input (`"x"`). Allocation-free; the weights are restored exactly.
pub fn gradcheck_each<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
    mut report: impl FnMut(&str, f64),
) where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let (_, tape) = net.forward_cached(x);
    let (grads, d_x) = net.backward_with_input(&tape, target);
    let mut tensor = 0;
    grads.visit_params(|name, analytic| {
        let mut worst: f64 = 0.0;
        for (i, &a) in analytic.iter().enumerate() {
            let numeric = central_difference(
                |delta| {
                    let saved = nudge(net, tensor, i, delta);
                    let loss = net.loss(x, target);
                    restore(net, tensor, i, saved);
                    loss
                },
                STEP,
            );
            worst = worst.max(relative_error(a, numeric));
        }
        report(name, worst);
        tensor += 1;
    });
    let mut worst: f64 = 0.0;
    for i in 0..I {
        let numeric = central_difference(
            |delta| {
                let mut moved = *x;
                moved[i] += delta;
                net.loss(&moved, target)
            },
            STEP,
        );
        worst = worst.max(relative_error(d_x[i], numeric));
    }
    report("x", worst);
}

/// Adds `delta` to element `index` of parameter tensor `tensor`; returns the old value.
fn nudge<N: Network<f64>>(net: &mut N, tensor: usize, index: usize, delta: f64) -> f64 {
    let mut k = 0;
    let mut saved = 0.0;
    net.visit_params_mut(|_, values| {
        if k == tensor {
            saved = values[index];
            values[index] += delta;
        }
        k += 1;
    });
    saved
}

fn restore<N: Network<f64>>(net: &mut N, tensor: usize, index: usize, value: f64) {
    let mut k = 0;
    net.visit_params_mut(|_, values| {
        if k == tensor {
            values[index] = value;
        }
        k += 1;
    });
}

/// The result of [`gradcheck`]: the worst relative error per parameter tensor and the input.
#[cfg(feature = "std")]
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck {
    /// `(name, worst relative error)`, parameters in visiting order, then `"x"`.
    pub tensors: std::vec::Vec<(std::string::String, f64)>,
}

#[cfg(feature = "std")]
impl GradCheck {
    /// The worst relative error over everything checked.
    pub fn worst(&self) -> f64 {
        self.tensors.iter().fold(0.0, |w, (_, e)| w.max(*e))
    }
}

#[cfg(feature = "std")]
impl core::fmt::Display for GradCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "{:<12} worst relative error", "tensor")?;
        for (name, error) in &self.tensors {
            writeln!(f, "{name:<12} {error:.2e}")?;
        }
        Ok(())
    }
}

/// Checks `net`'s generated gradients at `(x, target)` against finite differences.
///
/// # Example
///
/// ```
/// use mlp::nalgebra::SVector;
/// use mlp::Network;
///
/// #[mlp::network(x -> Linear(2, 4) -> Tanh -> Linear(4, 3) -> Softmax -> CE)]
/// struct Net;
///
/// let mut net = Net::<f64>::zeros();
/// net.visit_params_mut(|_, v| v.iter_mut().enumerate().for_each(|(i, e)| *e = (i as f64).sin()));
/// let report = mlp::gradcheck(&mut net, &SVector::<f64, 2>::new(0.5, -1.0), &2);
/// println!("{report}");
/// assert!(report.worst() < 1e-6);
/// ```
#[cfg(feature = "std")]
pub fn gradcheck<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
) -> GradCheck
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let mut tensors = std::vec::Vec::new();
    gradcheck_each(net, x, target, |name, worst| {
        tensors.push((name.into(), worst));
    });
    GradCheck { tensors }
}

//! Check a network's generated gradients against finite differences, in one line, with or
//! without `std` (no allocation).
//!
//! Each parameter (and each input component) is nudged by ±h and ±2h and the loss re-evaluated:
//! the fourth-order central difference `(J(−2h) − 8J(−h) + 8J(h) − J(2h)) / 12h` has truncation
//! error O(h⁴), so with h = 10⁻⁵ in f64 it is good to about 10⁻¹¹ absolute. The check reports
//! the relative error `|a − n| / max(|a|, |n|, 10⁻³)` of every parameter and, per parameter
//! tensor, the worst.

use crate::network::{Network, Parameters};
use core::fmt;
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

/// The largest of `errors` (0 for none).
fn worst(errors: &[f64]) -> f64 {
    errors.iter().fold(0.0, |w, e| w.max(*e))
}

/// `net`'s gradients at `(x, target)`, each replaced by its relative error against the finite
/// difference, and the same for ∂J/∂x. The weights are restored exactly.
fn relative_errors<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
) -> (N::Gradients, SVector<f64, I>)
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let (_, tape) = net.forward_cached(x);
    let (mut grads, mut d_x) = net.backward_with_input(&tape, target);
    for tensor in 0..grads.tensor_count() {
        for (i, analytic) in grads.tensor_mut(tensor).iter_mut().enumerate() {
            let numeric = central_difference(
                |delta| {
                    let saved = nudge(net, tensor, i, delta);
                    let loss = net.loss(x, target);
                    restore(net, tensor, i, saved);
                    loss
                },
                STEP,
            );
            *analytic = relative_error(*analytic, numeric);
        }
    }
    for i in 0..I {
        let numeric = central_difference(
            |delta| {
                let mut moved = *x;
                moved[i] += delta;
                net.loss(&moved, target)
            },
            STEP,
        );
        d_x[i] = relative_error(d_x[i], numeric);
    }
    (grads, d_x)
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
    let (errors, input) = relative_errors(net, x, target);
    errors.visit_params(|name, errors| report(name, worst(errors)));
    report("x", worst(input.as_slice()));
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

/// The result of [`gradcheck`]: the relative error of every parameter and of every component of
/// ∂J/∂x, kept in the network's own static shapes (no allocation), and per tensor the worst.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheck<N: Network<f64>> {
    /// The relative error of every parameter's gradient, in the gradients' type: the error of
    /// `∂J/∂W[(3, 1)]` is `report.parameters.w[(3, 1)]`.
    pub parameters: N::Gradients,
    /// The relative error of every component of ∂J/∂x.
    pub input: N::Input,
}

impl<N, const I: usize> GradCheck<N>
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    /// `(name, worst relative error)` per parameter tensor, in visiting order, named as in
    /// [`Network::LAYOUT`] (PyTorch's state-dict keys, `0.weight`), then `("x", ...)` for
    /// the input.
    pub fn tensors(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        let names = N::LAYOUT.params;
        (0..self.parameters.tensor_count())
            .map(move |k| {
                let name = names.get(k).map_or("?", |p| p.key);
                (name, worst(self.parameters.tensor(k)))
            })
            .chain(core::iter::once(("x", worst(self.input.as_slice()))))
    }

    /// The worst relative error over everything checked.
    pub fn worst(&self) -> f64 {
        self.tensors().fold(0.0, |w, (_, e)| w.max(e))
    }
}

/// A table: the worst relative error per tensor.
impl<N, const I: usize> fmt::Display for GradCheck<N>
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<12} worst relative error", "tensor")?;
        for (name, error) in self.tensors() {
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
/// assert!(report.parameters.u[(2, 3)] < 1e-6); // one weight's own error
/// assert_eq!(report.tensors().next().map(|t| t.0), Some("0.weight"));
/// ```
pub fn gradcheck<N, const I: usize>(
    net: &mut N,
    x: &SVector<f64, I>,
    target: &N::Target,
) -> GradCheck<N>
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let (parameters, input) = relative_errors(net, x, target);
    GradCheck { parameters, input }
}

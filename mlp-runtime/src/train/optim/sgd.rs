//! Stochastic gradient descent, as `torch.optim.SGD`.

use super::Optimizer;
use crate::network::{Network, Parameters};
use nalgebra::RealField;

/// The settings of [`Sgd`]; `Default` is the lecture's plain update with η = 0.01.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig<T> {
    /// η.
    pub learning_rate: T,
    /// μ: the velocity's decay; 0 for plain SGD.
    pub momentum: T,
    /// Nesterov momentum (needs `momentum > 0`).
    pub nesterov: bool,
    /// λ: L2 weight decay, added to the gradient as `λ·θ`.
    pub weight_decay: T,
}

impl<T: RealField + Copy> Default for SgdConfig<T> {
    fn default() -> Self {
        SgdConfig {
            learning_rate: nalgebra::convert(0.01),
            momentum: T::zero(),
            nesterov: false,
            weight_decay: T::zero(),
        }
    }
}

/// SGD with optional momentum, Nesterov momentum and weight decay, step for step as
/// `torch.optim.SGD` (dampening 0):
///
/// ```text
/// g ← ∇θ + λ·θ
/// b ← g (first step), μ·b + g (later steps)          if μ ≠ 0
/// g ← g + μ·b (Nesterov), b (otherwise)              if μ ≠ 0
/// θ ← θ − η·g
/// ```
pub struct Sgd<T: RealField + Copy, N: Network<T>> {
    /// The settings.
    pub config: SgdConfig<T>,
    velocity: N::Gradients,
    started: bool,
}

impl<T: RealField + Copy, N: Network<T>> Sgd<T, N>
where
    N::Gradients: Default,
{
    /// A fresh optimizer (zero velocity).
    pub fn new(config: SgdConfig<T>) -> Self {
        Sgd {
            config,
            velocity: N::Gradients::default(),
            started: false,
        }
    }
}

impl<T: RealField + Copy, N: Network<T> + Parameters<T>> Optimizer<T, N> for Sgd<T, N> {
    fn step(&mut self, net: &mut N, grads: &N::Gradients) {
        let SgdConfig {
            learning_rate,
            momentum,
            nesterov,
            weight_decay,
        } = self.config;
        let first = !self.started;
        self.started = true;
        for k in 0..Parameters::tensor_count(net) {
            let params = Parameters::tensor_mut(net, k);
            let grad = grads.tensor(k);
            let velocity = self.velocity.tensor_mut(k);
            for ((p, &g), b) in params.iter_mut().zip(grad).zip(velocity.iter_mut()) {
                let mut g = g + weight_decay * *p;
                if momentum != T::zero() {
                    *b = if first { g } else { momentum * *b + g };
                    g = if nesterov { g + momentum * *b } else { *b };
                }
                *p -= learning_rate * g;
            }
        }
    }
}

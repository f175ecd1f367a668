//! Adam, as `torch.optim.Adam`.

use super::Optimizer;
use crate::float;
use crate::network::{Network, Parameters};
use nalgebra::RealField;

/// The settings of [`Adam`]; `Default` is PyTorch's: η = 1e-3, β = (0.9, 0.999), ε = 1e-8.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig<T> {
    /// η.
    pub learning_rate: T,
    /// β₁: the first moment's decay.
    pub beta1: T,
    /// β₂: the second moment's decay.
    pub beta2: T,
    /// ε, added to √v̂.
    pub epsilon: T,
    /// λ: L2 weight decay, added to the gradient as `λ·θ` (Adam, not AdamW).
    pub weight_decay: T,
}

impl<T: RealField + Copy> Default for AdamConfig<T> {
    fn default() -> Self {
        AdamConfig {
            learning_rate: nalgebra::convert(1e-3),
            beta1: nalgebra::convert(0.9),
            beta2: nalgebra::convert(0.999),
            epsilon: nalgebra::convert(1e-8),
            weight_decay: T::zero(),
        }
    }
}

/// Adam with bias correction, step for step as `torch.optim.Adam` (`amsgrad = false`):
///
/// ```text
/// g ← ∇θ + λ·θ;   t ← t + 1
/// m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
pub struct Adam<T: RealField + Copy, N: Network<T>> {
    /// The settings.
    pub config: AdamConfig<T>,
    first_moment: N::Gradients,
    second_moment: N::Gradients,
    /// β₁ᵗ and β₂ᵗ, kept as running products (no `powf`, which a microcontroller would get
    /// from software `libm`).
    beta1_power: T,
    beta2_power: T,
}

impl<T: RealField + Copy, N: Network<T>> Adam<T, N>
where
    N::Gradients: Default,
{
    /// A fresh optimizer (zero moments, step 0).
    pub fn new(config: AdamConfig<T>) -> Self {
        Adam {
            config,
            first_moment: N::Gradients::default(),
            second_moment: N::Gradients::default(),
            beta1_power: T::one(),
            beta2_power: T::one(),
        }
    }
}

impl<T: RealField + Copy, N: Network<T> + Parameters<T>> Optimizer<T, N> for Adam<T, N> {
    fn step(&mut self, net: &mut N, grads: &N::Gradients) {
        let AdamConfig {
            learning_rate,
            beta1,
            beta2,
            epsilon,
            weight_decay,
        } = self.config;
        self.beta1_power *= beta1;
        self.beta2_power *= beta2;
        let one = T::one();
        let correction1 = one - self.beta1_power;
        let correction2 = one - self.beta2_power;
        for k in 0..Parameters::tensor_count(net) {
            let params = Parameters::tensor_mut(net, k);
            let grad = grads.tensor(k);
            let m = self.first_moment.tensor_mut(k);
            let v = self.second_moment.tensor_mut(k);
            for (((p, &g), m), v) in params.iter_mut().zip(grad).zip(m).zip(v) {
                let g = g + weight_decay * *p;
                *m = beta1 * *m + (one - beta1) * g;
                *v = beta2 * *v + (one - beta2) * g * g;
                let m_hat = *m / correction1;
                let v_hat = *v / correction2;
                *p -= learning_rate * m_hat / (float::sqrt(v_hat) + epsilon);
            }
        }
    }
}

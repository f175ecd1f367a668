//! Optimizers that work on any generated network, allocation-free, with `torch.optim`'s
//! semantics: [`Sgd`] (the lecture's `W ← W − η·∇W`, with momentum, Nesterov and weight decay)
//! and [`Adam`]. Their state (velocity, moments) is the network's own gradients type, so it has
//! the network's static shapes.
//!
//! # Example
//!
//! ```
//! use mlp::optim::{Adam, AdamConfig, Optimizer};
//! use mlp::Network;
//!
//! #[mlp::network(x -> Linear(2, 8) -> Tanh -> Linear(8, 2) -> Softmax -> CE)]
//! struct Net;
//!
//! let mut net = Net::<f64>::zeros();
//! mlp::init::xavier_uniform(&mut net, 1);
//! let mut adam = Adam::new(AdamConfig { learning_rate: 0.05, ..AdamConfig::default() });
//! let x = mlp::nalgebra::SVector::<f64, 2>::new(0.5, -0.5);
//! let before = net.loss(&x, &1);
//! for _ in 0..20 {
//!     let (_, grads) = net.loss_and_gradients(&x, &1);
//!     adam.step(&mut net, &grads);
//! }
//! assert!(net.loss(&x, &1) < before);
//! ```

mod adam;
mod sgd;

pub use adam::{Adam, AdamConfig};
pub use sgd::{Sgd, SgdConfig};

use crate::network::{Network, Parameters};
use nalgebra::RealField;

/// One update of a network's parameters from its gradients.
pub trait Optimizer<T: RealField + Copy, N: Network<T> + Parameters<T>> {
    /// Updates `net` in place from `grads` (the gradients at the current parameters).
    fn step(&mut self, net: &mut N, grads: &N::Gradients);
}

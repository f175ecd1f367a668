//! The training mechanics, `no_std` and allocation-free: seeded random numbers, weight
//! initialization, optimizers, mini-batches, metrics and the gradient check.

pub mod batch;
pub mod gradcheck;
pub mod init;
pub mod metrics;
pub mod optim;
pub mod rng;

//! What needs an operating system (the `std` feature): data sets and CSV files, the training
//! loop with its progress bar, and the export of weights as Rust source.

pub mod datasets;
pub mod export;
pub mod fit;
mod progress;

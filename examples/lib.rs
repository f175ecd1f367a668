//! The numbered examples of `mlp` (run one with `cargo run --release --example 05_nonlinear`),
//! and the tests of what they draw. Nothing to use here: this package only holds them.

//! The symbolic core of `mlp`: everything the derivation is made of, and nothing about macros.
//!
//! The modules, bottom to top (each uses only those above it in this list):
//!
//! - [`ir`]: the graph of matrix-calculus operations, its rendering (math, s-expressions) and a
//!   reference evaluator;
//! - [`layers`]: a plain description of the layers and losses a chain may hold;
//! - [`simplify`]: the named rewrite rules;
//! - [`local`]: each operation's local Jacobian, and each layer's forward expression;
//! - [`chain`]: the chain rule, composing local Jacobians from a seed back;
//! - [`forward`]: forward mode, the same local Jacobians applied from the arguments up;
//! - [`lower`]: Rust expressions lowered to the IR (`#[mlp::grad]` bodies);
//! - [`elementwise`]: an `Elementwise(expr)` activation lowered, its derivative stated.
//!
//! The proc-macro crate `mlp-macros` builds on this crate; cargo keeps the order, so a stage of
//! the macro cannot reach back into the calculus, and the derivation can be built and tested
//! outside a macro.

#![warn(missing_docs)]

pub mod chain;
pub mod elementwise;
pub mod forward;
pub mod ir;
pub mod layers;
pub mod local;
pub mod lower;
pub mod simplify;

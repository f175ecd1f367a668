//! The `#[mlp::network(...)]` attribute. Use it through the `mlp` crate, which documents it.
//!
//! A pipeline of pure stages over `proc_macro2`. The calculus (the IR, local Jacobians, the
//! chain rule, the rewrite rules, expressions lowered to the IR) is the library crate
//! `mlp-symbolic`, below this one. Here, bottom to top, each module using only those before it:
//!
//! - syntax: `ast`, `kw`, `parse` (tokens → a chain of words);
//! - the network stages: `check` (every word and shape) → `model` (the forward graph, named
//!   after the lecture) → `backprop` (the chain rule and the rewrite rules) → `batch` (the same
//!   derivation over a batch);
//! - text and code: `derivation` (the text users read), `emit` (IR → Rust statements),
//!   `codegen` (the network's items), `grad` (the `#[mlp::grad]` expansion);
//! - `expand`: the `#[mlp::network]` pipeline end to end.
//!
//! `tests/module_order.rs` fails on a cycle. This file is the shim.

mod ast;
mod backprop;
mod batch;
mod check;
mod codegen;
mod derivation;
mod emit;
mod expand;
mod grad;
mod int8;
mod kw;
mod model;
mod parse;

#[cfg(test)]
mod tests;

/// Turns a unit struct into a fully connected network; see the `mlp` crate's documentation.
#[proc_macro_attribute]
pub fn network(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    expand::expand(attr.into(), item.into()).into()
}

/// Differentiates a function symbolically; see the `mlp` crate's documentation.
#[proc_macro_attribute]
pub fn grad(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    grad::expand(attr.into(), item.into()).into()
}

//! The `#[mlp::network(...)]` attribute. Use it through the `mlp` crate, which documents it.
//!
//! A pipeline of pure stages over `proc_macro2`, one module each:
//! `parse` → `check` → `model` (symbolic IR) → `chain` (chain rule) → `simplify`
//! (named rewrite rules) → `derivation` (text) and `codegen` (Rust). This file is the shim.

mod ast;
mod backprop;
mod batch;
mod check;
mod codegen;
mod derivation;
mod emit;
mod expand;
mod grad;
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

//! The chain as written: every node keeps its tokens, so later stages can point errors at the
//! smallest wrong token.

use proc_macro2::{Span, TokenStream};
use syn::Ident;

/// `x -> Layer -> Layer(args) -> ... -> Loss, key = value, ...`, as parsed, before any
/// meaning is checked.
pub struct Chain {
    /// The input's name (`x`).
    pub input: Ident,
    /// Every element after the input, in order, layers and losses alike.
    pub elements: Vec<Element>,
    /// `key = value` options after the chain (`jacobians = full`, `ram_budget = 4096`).
    pub options: Vec<(Ident, proc_macro2::TokenTree)>,
}

/// One `Name` or `Name(args)` of the chain.
pub struct Element {
    pub name: Ident,
    pub args: Option<Args>,
}

/// A parenthesized argument list and where it stands.
pub struct Args {
    /// The span of the parentheses and everything inside them.
    pub span: Span,
    pub items: Vec<Arg>,
}

/// One argument: its tokens (for spans) and its value when it is a number.
pub struct Arg {
    pub tokens: TokenStream,
    /// Set for a lone whole-number literal.
    pub int: Option<usize>,
    /// Set for a lone finite number literal, whole or not (`0.1`, `1`).
    pub number: Option<f64>,
}

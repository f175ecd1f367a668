//! The chain as written: every node keeps its tokens, so later stages can point errors at the
//! smallest wrong token.

use proc_macro2::{Span, TokenStream};
use syn::Ident;

/// `x -> Layer -> Layer(args) -> ... -> Loss`, as parsed, before any meaning is checked.
pub struct Chain {
    /// The input's name (`x`).
    pub input: Ident,
    /// Every element after the input, in order, layers and losses alike.
    pub elements: Vec<Element>,
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

/// One argument: its tokens (for spans) and its value when it is a whole number.
pub struct Arg {
    pub tokens: TokenStream,
    pub int: Option<usize>,
}

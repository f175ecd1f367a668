//! The arithmetic the networks' code and `#[mlp::grad]`'s code share: `a + b`, `a − b`, `−a`
//! and `a·c` for a rational constant `c`, on operands each writer writes its own way.

use super::scalar::{self, Scalars};
use mlp_symbolic::ir::{Id, Op};
use proc_macro2::TokenStream;
use quote::quote;

/// Where an operand stands, for writers that borrow or parenthesize differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An operand of `+` or `−`.
    Summand,
    /// The operand of `−a` or `a·c`.
    Factor,
}

/// `op` in Rust when it is `+`, `−`, unary `−` or a scale, its operands written by `operand`.
pub fn arithmetic<W: Scalars>(
    w: &mut W,
    op: &Op,
    mut operand: impl FnMut(&mut W, Id, Role) -> TokenStream,
) -> Option<TokenStream> {
    Some(match *op {
        Op::Add(a, b) => {
            let (a, b) = (operand(w, a, Role::Summand), operand(w, b, Role::Summand));
            quote!(#a + #b)
        }
        Op::Sub(a, b) => {
            let (a, b) = (operand(w, a, Role::Summand), operand(w, b, Role::Summand));
            quote!(#a - #b)
        }
        Op::Neg(a) => {
            let a = operand(w, a, Role::Factor);
            quote!(-#a)
        }
        Op::Scale(r, a) => {
            let a = operand(w, a, Role::Factor);
            let c = scalar::ratio(r, w);
            quote!(#a * #c)
        }
        _ => return None,
    })
}

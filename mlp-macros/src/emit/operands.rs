//! Operands: a node as a name, a place, a borrow or a parenthesized expression.

use super::plan::Form;
use super::Emitter;
use mlp_symbolic::ir::{Id, Op};
use proc_macro2::TokenStream;
use quote::quote;

impl Emitter<'_> {
    /// The node as a place, a let, or a parenthesized expression (usable as a receiver).
    pub(super) fn value(&mut self, n: Id) -> TokenStream {
        if let Some(p) = self.places.get(&n) {
            return p.clone();
        }
        if let Some(b) = self.bound.get(&n) {
            return b.clone();
        }
        let e = self.expr(n);
        if self.form.get(&n) == Some(&Form::Operator) {
            quote!((#e))
        } else {
            e
        }
    }

    /// A borrowed operand: `&name` or `&(expr)`; a place that is a reference already (`(*x)`)
    /// is passed as it is (`x`).
    pub(super) fn borrow(&mut self, n: Id) -> TokenStream {
        let v = self.value(n);
        let mut tokens = v.clone().into_iter();
        if let (Some(proc_macro2::TokenTree::Group(group)), None) = (tokens.next(), tokens.next()) {
            let inner: Vec<proc_macro2::TokenTree> = group.stream().into_iter().collect();
            if let [proc_macro2::TokenTree::Punct(star), ident @ proc_macro2::TokenTree::Ident(_)] =
                inner.as_slice()
            {
                if star.as_char() == '*' && group.delimiter() == proc_macro2::Delimiter::Parenthesis
                {
                    return quote!(#ident);
                }
            }
        }
        quote!(&#v)
    }

    /// An operand of an operator: scalars by value, matrices borrowed unless freshly computed.
    pub(super) fn operand(&mut self, n: Id) -> TokenStream {
        if self.is_t(n) || self.inline.contains(&n) {
            return self.value(n);
        }
        self.borrow(n)
    }

    /// An operand of `+` or `−`: a folded product needs no parentheses (`&w * &x + &b`).
    pub(super) fn summand(&mut self, n: Id) -> TokenStream {
        let product = matches!(self.g.op(n), Op::MatMul(..) | Op::Scale(..));
        if product && self.inline.contains(&n) && !self.is_t(n) {
            return self.expr(n);
        }
        self.operand(n)
    }

    pub(super) fn expr(&mut self, n: Id) -> TokenStream {
        match self.form.get(&n).copied().unwrap_or(Form::Call) {
            Form::Closure => self.closure(n),
            Form::Operator => self.operator(n),
            Form::Call => self.call(n),
        }
    }
}

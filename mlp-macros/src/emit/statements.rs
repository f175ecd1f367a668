//! Statements: one `let` per bound value, the class-index difference `ŷ − y` in place, and the
//! training updates on the parameters' places.

use super::Emitter;
use mlp_symbolic::ir::{Id, Op};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

impl Emitter<'_> {
    /// `let name = expr;`
    pub(super) fn bind(&mut self, n: Id) {
        let name = match self.names.get(&n) {
            Some(s) => Ident::new(s, Span::call_site()),
            None => format_ident!("t{}", n),
        };
        // ŷ = softmax(θ) whose max and sum the loss shares (`lse_from_softmax`): all three from
        // one pass.
        if let Op::Softmax(t) = *self.g.op(n) {
            let parts = [Op::Max(t), Op::ExpSum(t)]
                .map(|op| self.g.find(&op).filter(|p| self.needed.contains(p)));
            if let [Some(max), Some(sum)] = parts {
                let (m, s) = (format_ident!("{}_max", name), format_ident!("{}_sum", name));
                let t = self.borrow(t);
                let kernel = if self.batch {
                    quote!(::mlp::__private::softmax_parts_columns)
                } else {
                    quote!(::mlp::__private::softmax_parts)
                };
                self.stmts.push(quote!(let (#name, #m, #s) = #kernel(#t);));
                self.bound.insert(n, quote!(#name));
                self.bound.insert(max, quote!(#m));
                self.bound.insert(sum, quote!(#s));
                return;
            }
        }
        if let Some(statement) = self.update(n) {
            self.stmts.push(statement);
            return;
        }
        if let Some(dest) = self.sinks.get(&n).cloned() {
            if let Some(statement) = self.class_difference(n, quote!(#dest), false) {
                self.stmts.push(statement);
                self.bound.insert(n, dest);
                return;
            }
            let statement = match *self.g.op(n) {
                Op::MatMul(a, bt) if !self.batch && matches!(self.g.op(bt), Op::Transpose(_)) => {
                    let Op::Transpose(b) = *self.g.op(bt) else {
                        return;
                    };
                    let (a, b) = (self.borrow(a), self.borrow(b));
                    quote!(::mlp::__private::set_outer(&mut #dest, #a, #b);)
                }
                _ => {
                    let expr = self.expr(n);
                    quote!(#dest = #expr;)
                }
            };
            self.stmts.push(statement);
            self.bound.insert(n, dest);
            return;
        }
        if let Some(statement) = self.class_difference(n, quote!(#name), true) {
            self.stmts.push(statement);
            self.bound.insert(n, quote!(#name));
            return;
        }
        let expr = self.expr(n);
        self.stmts.push(quote!(let #name = #expr;));
        self.bound.insert(n, quote!(#name));
    }

    /// `ŷ − y` for a class index into `place` (a new `let mut` when `declare`): copy ŷ and
    /// subtract one at the class of each sample, with no one-hot vector.
    pub(super) fn class_difference(
        &mut self,
        n: Id,
        place: TokenStream,
        declare: bool,
    ) -> Option<TokenStream> {
        let Op::Sub(a, y) = *self.g.op(n) else {
            return None;
        };
        if !self.g.is_class_target(y) || self.inline.contains(&a) {
            return None;
        }
        let (a, y) = (self.value(a), self.value(y));
        self.one = true;
        let init = if declare {
            quote!(let mut #place = #a;)
        } else {
            quote!(#place = #a;)
        };
        Some(if self.batch {
            quote! {
                #init
                for (j, &class) in #y.iter().enumerate() {
                    #place[(class, j)] -= one;
                }
            }
        } else {
            quote! {
                #init
                #place[#y] -= one;
            }
        })
    }

    /// An update of training as a statement on the parameter's place.
    pub(super) fn update(&mut self, n: Id) -> Option<TokenStream> {
        match *self.g.op(n) {
            Op::Update(p, d) => {
                let (p, d) = (self.value(p), self.borrow(d));
                Some(quote!(::mlp::__private::sgd_update(&mut #p, #d, learning_rate);))
            }
            Op::OuterUpdate(p, a, b, scale) => {
                let (p, a, b) = (self.value(p), self.borrow(a), self.borrow(b));
                let rate = match scale {
                    Some(s) => {
                        let s = self.value(s);
                        quote!(learning_rate * #s)
                    }
                    None => quote!(learning_rate),
                };
                Some(quote!(::mlp::__private::sub_outer(&mut #p, #rate, #a, #b);))
            }
            _ => None,
        }
    }
}

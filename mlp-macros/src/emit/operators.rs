//! nalgebra's operators and methods on whole values (`&w * &x + &b`), and the register-blocked
//! product kernels.

use super::arithmetic::{arithmetic, Role};
use super::Emitter;
use mlp_symbolic::ir::{Id, Op};
use proc_macro2::TokenStream;
use quote::quote;

impl Emitter<'_> {
    pub(super) fn operator(&mut self, n: Id) -> TokenStream {
        let g = self.g;
        match *g.op(n) {
            // Products of matrices go to the register-blocked kernels (`mlp::kernels::mul`);
            // a transpose folds into the kernel instead of being copied.
            Op::MatMul(a, b) => {
                if let (Op::Transpose(a0), true) = (g.op(a), self.inline.contains(&a)) {
                    let (a0, b) = (self.value(*a0), self.borrow(b));
                    return if self.batch {
                        quote!(::mlp::__private::tr_mul(&#a0, #b))
                    } else {
                        quote!(#a0.tr_mul(#b))
                    };
                }
                if let (Op::Transpose(b0), true) = (g.op(b), self.inline.contains(&b)) {
                    let (a, b0) = (self.borrow(a), self.borrow(*b0));
                    return quote!(::mlp::__private::mul_tr(#a, #b0));
                }
                if self.is_t(a) {
                    let (a, b) = (self.operand(a), self.operand(b));
                    return quote!(#b * #a);
                }
                if self.is_t(b) {
                    let (a, b) = (self.operand(a), self.operand(b));
                    return quote!(#a * #b);
                }
                let (a, b) = (self.borrow(a), self.borrow(b));
                if self.batch {
                    quote!(::mlp::__private::mul(#a, #b))
                } else {
                    quote!((#a * #b))
                }
            }
            // W·x + b: the product accumulated onto the bias, one pass (BLAS's gemv with β = 1).
            Op::Add(p, b) if self.affine(p).is_some() => {
                let (w, x) = self.affine(p).unwrap_or((p, b));
                let (w, x) = (self.borrow(w), self.borrow(x));
                if let Op::Broadcast(b0, _) = *g.op(b) {
                    let b0 = self.borrow(b0);
                    return quote!(::mlp::__private::affine_columns(#w, #x, #b0));
                }
                let b = self.borrow(b);
                quote!(::mlp::__private::affine(#w, #x, #b))
            }
            Op::Transpose(a) => {
                let a = self.value(a);
                quote!(#a.transpose())
            }
            ref op => arithmetic(self, op, |e, c, role| match role {
                Role::Summand => e.summand(c),
                Role::Factor => e.operand(c),
            })
            .unwrap_or_else(|| self.call(n)),
        }
    }

    /// `(W, x)` when `p` is the product `W·x` of an affine layer, folded into its `+ b`.
    pub(super) fn affine(&self, p: Id) -> Option<(Id, Id)> {
        match *self.g.op(p) {
            Op::MatMul(w, x)
                if self.inline.contains(&p)
                    && !self.is_t(w)
                    && !self.is_t(x)
                    && !matches!(self.g.op(w), Op::Transpose(_))
                    && !matches!(self.g.op(x), Op::Transpose(_)) =>
            {
                Some((w, x))
            }
            _ => None,
        }
    }
}

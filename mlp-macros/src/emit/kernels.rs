//! Function calls on whole values: one table for per-sample and batched code. A batch holds one
//! sample per column and calls each kernel's `_columns` form, which applies it to every column.

use super::scalar;
use super::{internal_error, lit, Emitter};
use mlp_symbolic::ir::{Id, Op, Ratio};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

impl Emitter<'_> {
    /// A runtime kernel by name, `name_columns` in a batch.
    fn kernel(&self, name: &str) -> TokenStream {
        let ident = if self.batch {
            format_ident!("{}_columns", name)
        } else {
            format_ident!("{}", name)
        };
        quote!(::mlp::__private::#ident)
    }

    /// A kernel's const generics: `<T, units, pieces>`, with `B` in a batch.
    fn generics(&self, sizes: &[usize]) -> TokenStream {
        let sizes = sizes.iter().map(|&n| lit(n));
        let batch = self.batch.then(|| quote!(, B));
        quote!(<T, #(#sizes),* #batch>)
    }

    /// `f(&a)`, `f(&a, &b)`: a kernel on borrowed operands.
    fn kernel_call(&mut self, name: &str, args: &[Id]) -> TokenStream {
        let f = self.kernel(name);
        let args: Vec<TokenStream> = args.iter().map(|&a| self.borrow(a)).collect();
        quote!(#f(#(#args),*))
    }

    /// A call on whole values (anything not elementwise nor one of nalgebra's operators).
    pub(super) fn call(&mut self, n: Id) -> TokenStream {
        let g = self.g;
        let batch = self.batch;
        match *g.op(n) {
            Op::Softmax(a) => self.kernel_call("softmax", &[a]),
            Op::LogSumExp(a) => self.kernel_call("log_sum_exp", &[a]),
            Op::ExpSum(a) => self.kernel_call("exp_sum", &[a]),
            Op::Max(a) if batch => self.kernel_call("max", &[a]),
            Op::Max(a) => {
                let a = self.value(a);
                quote!(#a.max())
            }
            Op::Log(a) => {
                let a = self.value(a);
                if batch {
                    quote!(#a.map(|v| v.ln()))
                } else {
                    quote!(#a.ln())
                }
            }
            // ⟨y, v⟩ for a class index: the element at the class, no one-hot vector.
            Op::Dot(a, b) if g.is_class_target(a) || g.is_class_target(b) => {
                let (y, v) = if g.is_class_target(a) { (a, b) } else { (b, a) };
                let (y, v) = (self.value(y), self.value(v));
                if batch {
                    quote!(::mlp::__private::nalgebra::SMatrix::<T, 1, B>::from_fn(|_, j| #v[(#y[j], j)]))
                } else {
                    quote!(#v[#y])
                }
            }
            Op::Dot(a, b) if batch => self.kernel_call("dot", &[a, b]),
            Op::Dot(a, b) => {
                let (a, b) = (self.value(a), self.borrow(b));
                quote!(#a.dot(#b))
            }
            Op::Mse(a, y) if batch => self.kernel_call("mse", &[a, y]),
            Op::Mse(a, y) => {
                let mean = scalar::ratio(Ratio::new(1, g.shape(a).rows as i64), self);
                let (a, y) = (self.borrow(a), self.borrow(y));
                quote!((#a - #y).norm_squared() * #mean)
            }
            Op::BceLogits(t, y) => self.kernel_call("bce_with_logits", &[t, y]),
            Op::Maxout(_, t) => {
                let (f, sizes) = (
                    self.kernel("maxout"),
                    self.generics(&[g.shape(n).rows, g.shape(t).rows]),
                );
                let t = self.borrow(t);
                quote!(#f::#sizes(#t))
            }
            Op::MaxoutRoute(_, t, up) => {
                let f = self.kernel("maxout_route");
                let sizes = self.generics(&[g.shape(up).rows, g.shape(t).rows]);
                let (t, up) = (self.borrow(t), self.borrow(up));
                quote!(#f::#sizes(#t, #up))
            }
            // Sums over the batch: a number when every sample's value is one, else a column.
            Op::ColumnSum(a) if self.is_t(n) => {
                let a = self.value(a);
                quote!(#a.sum())
            }
            Op::ColumnSum(a) => {
                let a = self.value(a);
                quote!(#a.column_sum())
            }
            // Per-sample only: the batch lifting never produces these.
            Op::CrossEntropy(p, y) if g.is_class_target(y) => {
                let (p, y) = (self.value(p), self.value(y));
                quote!((-#p[#y].ln()))
            }
            Op::CrossEntropy(p, y) => {
                let (p, y) = (self.value(p), self.value(y));
                quote!((-#y.dot(&#p.map(|p| p.ln()))))
            }
            Op::Diag(v) => {
                let k = lit(g.shape(n).rows);
                let v = self.borrow(v);
                quote!(::mlp::__private::nalgebra::SMatrix::<T, #k, #k>::from_diagonal(#v))
            }
            Op::Identity(k) => {
                let k = lit(k);
                quote!(::mlp::__private::nalgebra::SMatrix::<T, #k, #k>::identity())
            }
            Op::Bce(p, y) => {
                let (p, y) = (self.borrow(p), self.borrow(y));
                quote!(::mlp::__private::binary_cross_entropy(#p, #y))
            }
            Op::MaxoutSelect(_, t) => {
                let (units, pieces) = (lit(g.shape(n).rows), lit(g.shape(t).rows));
                let t = self.borrow(t);
                quote!(::mlp::__private::maxout_selection::<T, #units, #pieces>(#t))
            }
            Op::Leaf(_) => internal_error("network", "a leaf without a value"),
            _ => self.closure(n),
        }
    }
}

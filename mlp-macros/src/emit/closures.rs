//! Elementwise expression trees as one closure over the elements (`map`, `zip_map`,
//! `from_fn`): one pass, no temporaries.

use super::plan::Form;
use super::scalar::{self, Call, Scalars};
use super::{dim, internal_error, rust_name, Emitter};
use mlp_symbolic::ir::{Func, Id, Num, Op};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::HashMap;

impl Emitter<'_> {
    /// An elementwise expression tree as one pass over the elements.
    pub(super) fn closure(&mut self, n: Id) -> TokenStream {
        let mut leaves: Vec<Id> = Vec::new();
        let mut indexed = false;
        self.collect_leaves(n, &mut leaves, &mut indexed);
        let vectors: Vec<Id> = leaves.iter().copied().filter(|&l| !self.is_t(l)).collect();
        let s = self.g.shape(n);
        let (rows, cols) = (dim(s.rows), s.cols);
        // A leaf of another shape (a bias beside a batch) is read by index, repeated.
        let mixed = vectors.iter().any(|&l| self.g.shape(l) != s);
        let mut access = HashMap::new();
        if indexed || mixed || vectors.is_empty() || vectors.len() > 3 {
            for &l in &vectors {
                let v = self.value(l);
                let ls = self.g.shape(l);
                let at = match (ls.rows == 1 && s.rows != 1, ls.cols == 1) {
                    (_, true) => quote!(#v[i]),
                    (true, false) => quote!(#v[j]),
                    (false, false) => quote!(#v[(i, j)]),
                };
                access.insert(l, at);
            }
            let body = self.element(n, &access).0;
            let j = if cols == 1 { quote!(_) } else { quote!(j) };
            let cols = dim(cols);
            return quote! {
                ::mlp::__private::nalgebra::SMatrix::<T, #rows, #cols>::from_fn(|i, #j| #body)
            };
        }
        let mut params = Vec::new();
        for &l in &vectors {
            let ident = self.leaf_ident(l);
            access.insert(l, quote!(#ident));
            params.push(ident);
        }
        let body = self.element(n, &access).0;
        let first = self.value(vectors[0]);
        let rest: Vec<TokenStream> = vectors[1..].iter().map(|&l| self.borrow(l)).collect();
        match rest.len() {
            0 => quote!(#first.map(|#(#params),*| #body)),
            1 => quote!(#first.zip_map(#(#rest),*, |#(#params),*| #body)),
            _ => quote!(#first.zip_zip_map(#(#rest),*, |#(#params),*| #body)),
        }
    }

    /// The closure parameter for a leaf: the value's own name (`z`), or `t7`.
    pub(super) fn leaf_ident(&self, l: Id) -> Ident {
        Ident::new(&rust_name(self.g, self.names, l), Span::call_site())
    }

    pub(super) fn collect_leaves(&self, n: Id, leaves: &mut Vec<Id>, indexed: &mut bool) {
        for c in self.g.op(n).children() {
            if self.g.is_class_target(c) {
                *indexed = true;
            } else if self.inline.contains(&c) && self.form.get(&c) == Some(&Form::Closure) {
                self.collect_leaves(c, leaves, indexed);
            } else if !leaves.contains(&c) {
                leaves.push(c);
            }
        }
    }

    /// A folded `1[z > 0]` or `1[z > 0] + a·1[z ≤ 0]` factor: its `z`, and `a` for the second.
    pub(super) fn folded_step(&self, s: Id) -> Option<(Id, Option<Num>)> {
        match *self.g.op(s) {
            Op::Map(Func::ReluPrime, z) if self.inline.contains(&s) => Some((z, None)),
            Op::Map(Func::LeakyReluPrime(a), z) if self.inline.contains(&s) => Some((z, Some(a))),
            _ => None,
        }
    }

    /// One element of `n`; the bool says whether it is atomic (needs no parentheses).
    pub(super) fn element(
        &mut self,
        n: Id,
        access: &HashMap<Id, TokenStream>,
    ) -> (TokenStream, bool) {
        if let Some(a) = access.get(&n) {
            return (a.clone(), true);
        }
        if self.g.is_class_target(n) {
            let y = self.value(n);
            self.zero = true;
            self.one = true;
            let class = if self.batch {
                quote!(#y[j])
            } else {
                quote!(#y)
            };
            return (quote!(if i == #class { one } else { zero }), false);
        }
        let folded = self.inline.contains(&n) && self.form.get(&n) == Some(&Form::Closure);
        if self.is_t(n) && !folded {
            return (self.value(n), true);
        }
        let sub = |e: &mut Self, c: Id| -> TokenStream {
            let (t, atom) = e.element(c, access);
            if atom {
                t
            } else {
                quote!((#t))
            }
        };
        let g = self.g;
        let t = match *g.op(n) {
            // g ⊙ 1[z > 0]: pass g where z > 0, else 0 (no multiplication); LeakyReLU: else a·g.
            Op::Hadamard(a, s) if self.folded_step(s).is_some() => {
                let (z, slope) = self.folded_step(s).unwrap_or((s, None));
                let (a, z) = (sub(self, a), sub(self, z));
                self.zero = true;
                match slope {
                    None => quote!(if #z > zero { #a } else { zero }),
                    Some(slope) => {
                        let slope = self.number(slope.value());
                        quote!(if #z > zero { #a } else { #a * #slope })
                    }
                }
            }
            Op::Hadamard(a, b) => {
                let (a, b) = (sub(self, a), sub(self, b));
                quote!(#a * #b)
            }
            Op::Div(a, b) => {
                let (a, b) = (sub(self, a), sub(self, b));
                quote!(#a / #b)
            }
            Op::Add(a, b) => {
                let (a, b) = (sub(self, a), sub(self, b));
                quote!(#a + #b)
            }
            Op::Sub(a, b) | Op::SubScalar(a, b) => {
                let (a, b) = (sub(self, a), sub(self, b));
                quote!(#a - #b)
            }
            Op::Neg(a) => {
                let a = sub(self, a);
                quote!(-#a)
            }
            Op::Scale(r, a) => {
                let (a, c) = (sub(self, a), scalar::ratio(r, self));
                quote!(#a * #c)
            }
            Op::Ones(_) => {
                self.one = true;
                return (quote!(one), true);
            }
            Op::Broadcast(a, _) => return self.element(a, access),
            Op::Fill(c, ..) => return (self.number(c.value()), true),
            Op::Binary(f, a, b) => {
                // Compound operands are bound once: `{ let lhs = ..; let rhs = ..; .. }`.
                let (simple_a, simple_b) = (access.contains_key(&a), access.contains_key(&b));
                let (ta, tb) = (sub(self, a), sub(self, b));
                let ua = if simple_a { ta.clone() } else { quote!(lhs) };
                let vb = if simple_b { tb.clone() } else { quote!(rhs) };
                let (body, atomic) = scalar::binary(f, &ua, &vb, Call::Method, self);
                if simple_a && simple_b {
                    return (body, atomic);
                }
                let bind_a = (!simple_a).then(|| quote!(let lhs = #ta;));
                let bind_b = (!simple_b).then(|| quote!(let rhs = #tb;));
                return (quote!({ #bind_a #bind_b #body }), true);
            }
            Op::Map(f, a) => {
                // A compound operand used twice is bound once: `{ let v = ..; .. }`.
                let simple = access.contains_key(&a);
                let operand = sub(self, a);
                let a = if simple { operand.clone() } else { quote!(v) };
                let (body, atomic) = scalar::function(f, &a, Call::Method, self);
                return if simple {
                    (body, atomic)
                } else {
                    (quote!({ let v = #operand; #body }), true)
                };
            }
            // Not elementwise and not a leaf of this closure: it must already have a value.
            _ => match self.places.get(&n).or_else(|| self.bound.get(&n)) {
                Some(v) => {
                    let at = if g.shape(n).cols == 1 {
                        quote!(#v[i])
                    } else {
                        quote!(#v[(i, j)])
                    };
                    return (at, true);
                }
                None => internal_error("network", "an elementwise operand without a value"),
            },
        };
        (t, false)
    }
}

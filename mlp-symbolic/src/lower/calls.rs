//! Calls: `sigmoid`, `relu`, constants of generic code, vectors built from numbers, and other
//! `#[mlp::grad]` functions.

use super::{constant_call, error, named_func, source, Lowering, SUPPORTED};
use crate::ir::{Id, Op};
use syn::spanned::Spanned;
use syn::Expr;

impl Lowering<'_> {
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> syn::Result<Id> {
        if let Some(v) = constant_call(c) {
            return Ok(self.constant(v));
        }
        if let Expr::Path(p) = &*c.func {
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let is_vector = |t: &str| {
                t == "SVector"
                    || t.strip_prefix("Vector")
                        .is_some_and(|d| d.parse::<usize>().is_ok())
            };
            if let [.., ty, new] = segments.as_slice() {
                if new == "new" && is_vector(ty) {
                    return self.vector(c, p);
                }
            }
        }
        let func = match &*c.func {
            Expr::Path(p) => p.path.segments.last().and_then(|s| named_func(&s.ident)),
            _ => None,
        };
        let Some(func) = func else {
            return self.call_other(c);
        };
        if c.args.len() != 1 {
            return Err(error(c, "expected one argument"));
        }
        let a = self.expr(&c.args[0])?;
        if !self.shape(a).is_scalar() && self.elementwise.is_none() {
            return Err(error(
                c,
                "on a matrix, apply it elementwise: `v.map(sigmoid)`",
            ));
        }
        Ok(self.g.add(Op::Map(func, a)))
    }

    /// `g(a, b)` for another `#[mlp::grad]` function `g` of numbers: its value, its local
    /// derivatives from the `g_grad` (and `g_hessian`) generated beside it.
    pub(super) fn call_other(&mut self, c: &syn::ExprCall) -> syn::Result<Id> {
        let path = match &*c.func {
            Expr::Path(p) if p.qself.is_none() && !p.path.segments.is_empty() => &p.path,
            _ => {
                return Err(syn::Error::new(
                    c.func.span(),
                    format!("`{}` cannot be differentiated: ({SUPPORTED})", source(c)),
                ))
            }
        };
        if self.activation {
            return Err(syn::Error::new(
                c.func.span(),
                format!(
                    "`{}` cannot be differentiated: the functions of an `Elementwise` activation are `sigmoid` and `relu` ({SUPPORTED})",
                    source(c)
                ),
            ));
        }
        let plain = path
            .segments
            .iter()
            .all(|s| matches!(s.arguments, syn::PathArguments::None));
        if !plain {
            return Err(error(
                &c.func,
                "expected the name of a `#[mlp::grad]` function, without generic arguments",
            ));
        }
        let mut args = Vec::new();
        for arg in &c.args {
            let a = self.expr(arg)?;
            if !self.shape(a).is_scalar() {
                return Err(error(
                    arg,
                    &format!(
                        "a call of another `#[mlp::grad]` function takes numbers, found {}",
                        self.shape(a).text()
                    ),
                ));
            }
            args.push(a);
        }
        let name = source(path);
        self.g
            .call_spans
            .entry(name.clone())
            .or_insert_with(|| c.func.span());
        Ok(self.g.add(Op::Call(name, args)))
    }
}

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
            // `f64::sin(x)`, `T::atan2(y, x)`, `RealField::max(a, b)`: the method `x.sin()`.
            if let [ty, method] = segments.as_slice() {
                let scalar_type = ["f32", "f64", "RealField", "ComplexField", "Float"]
                    .contains(&ty.as_str())
                    || self.generic.as_deref() == Some(ty.as_str());
                if scalar_type && !c.args.is_empty() && method_of_numbers(method) {
                    let mut args = c.args.iter().cloned();
                    let receiver = args.next().map(Box::new);
                    let Some(receiver) = receiver else {
                        return Err(error(c, "expected the number the function applies to"));
                    };
                    let call = syn::ExprMethodCall {
                        attrs: Vec::new(),
                        receiver,
                        dot_token: Default::default(),
                        method: p.path.segments[1].ident.clone(),
                        turbofish: None,
                        paren_token: c.paren_token,
                        args: args.collect(),
                    };
                    return self.method(&call);
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

/// A method of `f32`/`f64` that `#[mlp::grad]` differentiates, called as a function.
fn method_of_numbers(name: &str) -> bool {
    super::methods::unary(name).is_some()
        || [
            "powi",
            "powf",
            "max",
            "min",
            "atan2",
            "hypot",
            "log",
            "copysign",
            "mul_add",
            "clamp",
            "to_degrees",
            "to_radians",
        ]
        .contains(&name)
}

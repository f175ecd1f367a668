//! Arithmetic: `+ - * /`, products of matrices and by numbers, inner products, elements read
//! by index, and vectors built from numbers.

use super::{error, source, Lowering};
use crate::ir::{Func, Id, Op};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr};

impl Lowering<'_> {
    pub(super) fn binary(&mut self, b: &syn::ExprBinary) -> syn::Result<Id> {
        let (a, c) = (self.expr(&b.left)?, self.expr(&b.right)?);
        self.combine(b, a, c)
    }

    /// `a op c` for the lowered operands of `b`.
    pub(super) fn combine(&mut self, b: &syn::ExprBinary, a: Id, c: Id) -> syn::Result<Id> {
        let (sa, sc) = (self.shape(a), self.shape(c));
        let op = &b.op;
        let mismatch = |what: &str| {
            syn::Error::new(
                op.span(),
                format!(
                    "`{}` cannot be differentiated: {what} ({} {} {})",
                    source(b),
                    sa.text(),
                    op.to_token_stream(),
                    sc.text()
                ),
            )
        };
        match op {
            BinOp::Add(_) | BinOp::Sub(_) => {
                if sa != sc {
                    return Err(mismatch("`+` and `-` need equal shapes"));
                }
                Ok(self.g.add(if matches!(op, BinOp::Add(_)) {
                    Op::Add(a, c)
                } else {
                    Op::Sub(a, c)
                }))
            }
            BinOp::Mul(_) => {
                if sa.is_scalar() && sc.is_scalar() || self.elementwise.is_some() && sa == sc {
                    Ok(self.g.add(Op::Hadamard(a, c)))
                } else if sa.is_scalar() {
                    Ok(self.g.add(Op::MatMul(a, c)))
                } else if sc.is_scalar() {
                    Ok(self.g.add(Op::MatMul(c, a)))
                } else if sa.cols == sc.rows {
                    Ok(self.g.add(Op::MatMul(a, c)))
                } else {
                    Err(mismatch(
                        "a matrix product needs the left factor's columns to equal the right's rows; elementwise, write `.component_mul(&v)`",
                    ))
                }
            }
            BinOp::Div(_) => {
                if sa == sc && (sa.is_scalar() || self.elementwise.is_some()) {
                    Ok(self.g.add(Op::Div(a, c)))
                } else if sc.is_scalar() {
                    let r = self.g.add(Op::Map(Func::Recip, c));
                    Ok(self.g.add(Op::MatMul(r, a)))
                } else {
                    Err(mismatch(
                        "only a division by a scalar (use `.component_div(&v)` elementwise)",
                    ))
                }
            }
            _ => Err(syn::Error::new(
                op.span(),
                format!(
                    "`{}` cannot be differentiated: only `+ - * /` are, not `{}`",
                    source(b),
                    op.to_token_stream()
                ),
            )),
        }
    }

    /// ⟨a, b⟩: the inner product of vectors, `Σ a ⊙ b` for matrices.
    pub(super) fn inner(&mut self, a: Id, b: Id) -> Id {
        let s = self.shape(a);
        if s.is_scalar() {
            self.g.add(Op::Hadamard(a, b))
        } else if s.cols == 1 {
            self.g.add(Op::Dot(a, b))
        } else {
            let p = self.g.add(Op::Hadamard(a, b));
            self.g.add(Op::Sum(p))
        }
    }

    /// `v[i]`, `m[(i, j)]`: an element at indices known while lowering.
    pub(super) fn index(&mut self, e: &syn::ExprIndex) -> syn::Result<Id> {
        let m = self.expr(&e.expr)?;
        let s = self.shape(m);
        let out_of_range = |what: String| error(&e.index, &what);
        let k = match &*e.index {
            Expr::Tuple(t) if t.elems.len() == 2 => {
                let (Some(i), Some(j)) = (self.integer(&t.elems[0]), self.integer(&t.elems[1]))
                else {
                    return Err(error(&e.index, "expected indices known when the function is compiled: integers, loop counters, `const`s"));
                };
                if i < 0 || j < 0 || i as usize >= s.rows || j as usize >= s.cols {
                    return Err(out_of_range(format!(
                        "({i}, {j}) is outside the {} matrix{}",
                        s.text(),
                        self.counters()
                    )));
                }
                i as usize + j as usize * s.rows
            }
            index => {
                let Some(k) = self.integer(index) else {
                    return Err(error(index, "expected an index known when the function is compiled: an integer, a loop counter, a `const`, or `+`/`-` of those"));
                };
                if k < 0 || k as usize >= s.rows * s.cols {
                    return Err(out_of_range(format!(
                        "index {k} is outside the {} value{}",
                        s.text(),
                        self.counters()
                    )));
                }
                k as usize
            }
        };
        if s.is_scalar() {
            return Ok(m);
        }
        let basis = self.g.add(Op::Basis(s.rows, s.cols, k));
        Ok(if s.cols == 1 {
            self.g.add(Op::Dot(basis, m))
        } else {
            let p = self.g.add(Op::Hadamard(basis, m));
            self.g.add(Op::Sum(p))
        })
    }

    /// `SVector::<T, n>::new(a, b, ...)`, `Vector3::new(...)`: a column of numbers, Σ sₖ·eₖ.
    pub(super) fn vector(&mut self, c: &syn::ExprCall, p: &syn::ExprPath) -> syn::Result<Id> {
        let n = c.args.len();
        if n == 0 {
            return Err(error(c, "expected the vector's elements"));
        }
        // The size the type names, where it names one, must be the number of elements.
        let last = p.path.segments.len().saturating_sub(2);
        let declared = p.path.segments.get(last).and_then(|s| {
            let name = s.ident.to_string();
            if let Some(k) = name
                .strip_prefix("Vector")
                .and_then(|d| d.parse::<usize>().ok())
            {
                return Some(k);
            }
            let syn::PathArguments::AngleBracketed(a) = &s.arguments else {
                return None;
            };
            a.args.iter().find_map(|g| match g {
                syn::GenericArgument::Const(e) => self.integer(e).map(|v| v as usize),
                syn::GenericArgument::Type(syn::Type::Path(t)) => {
                    t.path.get_ident().and_then(|i| i.to_string().parse().ok())
                }
                _ => None,
            })
        });
        if declared.is_some_and(|d| d != n) {
            return Err(error(
                c,
                &format!(
                    "the type says {} elements, found {n}",
                    declared.unwrap_or(0)
                ),
            ));
        }
        let mut total: Option<Id> = None;
        for (k, arg) in c.args.iter().enumerate() {
            let v = self.expr(arg)?;
            if !self.shape(v).is_scalar() {
                return Err(error(arg, "expected a number"));
            }
            let basis = self.g.add(Op::Basis(n, 1, k));
            let term = self.g.add(Op::MatMul(v, basis));
            total = Some(match total {
                Some(t) => self.g.add(Op::Add(t, term)),
                None => term,
            });
        }
        total.ok_or_else(|| error(c, "expected the vector's elements"))
    }
}

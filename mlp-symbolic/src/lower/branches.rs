//! Branches: `if`/`else` as a selection of the branch a condition takes, and the conditions
//! (comparisons, `&&`, `||`, `!`) as masks.

use super::{error, short, source, Lowering};
use crate::ir::{Cmp, Id, Logic, Num, Op};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

impl Lowering<'_> {
    /// `if c { a } else { b }`: both branches lowered, the value of the one the condition
    /// selects (elementwise inside `.map`); the derivative is that of the branch taken.
    pub(super) fn branch(&mut self, i: &syn::ExprIf) -> syn::Result<Id> {
        let e = Expr::If(i.clone());
        if self.activation {
            return Err(error(
                &e,
                "an `if` in an `Elementwise` activation is not supported: write it with `.max`, `.min`, `.abs` or `.clamp`",
            ));
        }
        let Some((_, otherwise)) = &i.else_branch else {
            return Err(syn::Error::new(
                i.if_token.span,
                format!(
                    "`{}` cannot be differentiated: an `if` without `else` has no value; add an `else` branch",
                    short(&e)
                ),
            ));
        };
        let c = self.condition(&i.cond)?;
        let a = self.body(&i.then_branch)?;
        let b = self.expr(otherwise)?;
        let (sa, sb, sc) = (self.shape(a), self.shape(b), self.shape(c));
        if sa != sb {
            return Err(error(
                otherwise,
                &format!(
                    "the branches of an `if` need one shape, found {} and {}",
                    sa.text(),
                    sb.text()
                ),
            ));
        }
        // A condition on numbers choosing between vectors holds for every element.
        let c = if sc != sa && sc.is_scalar() {
            let ones = self.g.add(Op::Fill(Num::new(1.0), sa.rows, sa.cols));
            self.g.add(Op::MatMul(c, ones))
        } else if sc != sa {
            return Err(error(
                &i.cond,
                &format!(
                    "the condition is {} and the branches {}: expected a condition on numbers, or elementwise of the branches' shape",
                    sc.text(),
                    sa.text()
                ),
            ));
        } else {
            c
        };
        Ok(self.g.add(Op::Select(c, a, b)))
    }

    /// A condition: comparisons of values (`<`, `<=`, `>`, `>=`, `==`, `!=`), joined with `&&`
    /// and `||`, negated with `!`, `true`, `false`, or a `let` of one. A mask in the IR.
    pub(super) fn condition(&mut self, e: &Expr) -> syn::Result<Id> {
        match e {
            Expr::Paren(p) => self.condition(&p.expr),
            Expr::Group(g) => self.condition(&g.expr),
            Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(b), ..
            }) => Ok(self.constant(f64::from(u8::from(b.value)))),
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => {
                let c = self.condition(&u.expr)?;
                Ok(self.g.add(Op::Not(c)))
            }
            Expr::Binary(b) if matches!(b.op, BinOp::And(_) | BinOp::Or(_)) => {
                let (l, r) = (self.condition(&b.left)?, self.condition(&b.right)?);
                let logic = if matches!(b.op, BinOp::And(_)) {
                    Logic::And
                } else {
                    Logic::Or
                };
                self.same_shape(b, l, r)?;
                Ok(self.g.add(Op::Logic(logic, l, r)))
            }
            Expr::Binary(b) if condition_op(&b.op) => {
                let (l, r) = (self.expr(&b.left)?, self.expr(&b.right)?);
                let cmp = match b.op {
                    BinOp::Lt(_) => Cmp::Lt,
                    BinOp::Le(_) => Cmp::Le,
                    BinOp::Gt(_) => Cmp::Gt,
                    BinOp::Ge(_) => Cmp::Ge,
                    BinOp::Eq(_) => Cmp::Eq,
                    _ => Cmp::Ne,
                };
                self.same_shape(b, l, r)?;
                Ok(self.g.add(Op::Compare(cmp, l, r)))
            }
            Expr::Path(_) => {
                let c = self.expr(e)?;
                match self.g.op(c) {
                    Op::Compare(..) | Op::Logic(..) | Op::Not(_) => Ok(c),
                    Op::Fill(v, ..) if v.value() == 0.0 || v.value() == 1.0 => Ok(c),
                    _ => Err(error(e, "expected a condition (a comparison such as `x > y`)")),
                }
            }
            _ => Err(error(
                e,
                "expected a condition: a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`) of values, joined with `&&`/`||` or negated with `!`",
            )),
        }
    }

    pub(super) fn same_shape(&self, b: &syn::ExprBinary, l: Id, r: Id) -> syn::Result<()> {
        let (sl, sr) = (self.shape(l), self.shape(r));
        if sl == sr {
            return Ok(());
        }
        Err(syn::Error::new(
            b.op.span(),
            format!(
                "`{}` cannot be differentiated: the two sides need one shape ({} {} {})",
                source(b),
                sl.text(),
                b.op.to_token_stream(),
                sr.text()
            ),
        ))
    }
}

/// A comparison or a connective: the operators of conditions.
pub(super) fn condition_op(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::Lt(_)
            | BinOp::Le(_)
            | BinOp::Gt(_)
            | BinOp::Ge(_)
            | BinOp::Eq(_)
            | BinOp::Ne(_)
            | BinOp::And(_)
            | BinOp::Or(_)
    )
}

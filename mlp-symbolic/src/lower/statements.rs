//! Statements: `let`s, assignments to a `let mut`, `for` loops of constant bounds (unrolled),
//! `const`s of integers, and the integers known while lowering.

use super::{error, literal, short, Lowering, MAX_UNROLLED};
use crate::ir::Id;
use syn::{BinOp, Expr, Lit, Stmt};

impl Lowering<'_> {
    /// A statement: a `let`, an assignment to a `let mut`, a `for` loop of constant bounds, or
    /// a `const` of an integer.
    pub(super) fn statement(&mut self, stmt: &Stmt) -> syn::Result<()> {
        match stmt {
            Stmt::Local(local) => self.local(local),
            Stmt::Expr(Expr::Assign(a), _) => {
                let value = self.expr(&a.right)?;
                self.assign(&a.left, value)
            }
            Stmt::Expr(Expr::Binary(b), _) if compound(&b.op).is_some() => {
                let current = self.expr(&b.left)?;
                let right = self.expr(&b.right)?;
                let fake = syn::ExprBinary {
                    attrs: Vec::new(),
                    left: b.left.clone(),
                    op: compound(&b.op).unwrap_or(b.op),
                    right: b.right.clone(),
                };
                let value = self.combine(&fake, current, right)?;
                self.assign(&b.left, value)
            }
            Stmt::Expr(Expr::ForLoop(f), _) => self.for_loop(f),
            Stmt::Expr(e @ (Expr::While(_) | Expr::Loop(_)), _) => {
                let keyword = match e {
                    Expr::While(w) => w.while_token.span,
                    Expr::Loop(l) => l.loop_token.span,
                    _ => proc_macro2::Span::call_site(),
                };
                Err(syn::Error::new(
                    keyword,
                    format!(
                        "`{}` cannot be differentiated: only `for` loops with constant bounds are (`for i in 0..n`); `while` and `loop` run a number of times known only at run time",
                        short(e)
                    ),
                ))
            }
            Stmt::Expr(Expr::Break(b), _) => Err(error(
                b,
                "`break` makes the number of iterations depend on the values: not differentiated",
            )),
            Stmt::Item(syn::Item::Const(c)) => {
                let Some(v) = self.integer(&c.expr) else {
                    return Err(error(&c.expr, "expected an integer constant"));
                };
                self.integers.push((c.ident.to_string(), v));
                Ok(())
            }
            other => Err(error(
                other,
                "only `let` bindings, assignments to a `let mut`, `for` loops and a final expression can be differentiated",
            )),
        }
    }

    /// `name = value` for a `let mut name`: the name now stands for the new value.
    pub(super) fn assign(&mut self, target: &Expr, value: Id) -> syn::Result<()> {
        let Expr::Path(p) = target else {
            return Err(error(target, "only a `let mut` name can be assigned"));
        };
        let Some(ident) = p.path.get_ident() else {
            return Err(error(target, "only a `let mut` name can be assigned"));
        };
        let name = ident.to_string();
        if !self.mutable.contains(&name) {
            return Err(error(
                target,
                &format!("`{name}` is not a `let mut` of this function"),
            ));
        }
        let Some(slot) = self.scope.iter_mut().rev().find(|(n, _)| *n == name) else {
            return Err(error(target, &format!("`{name}` is not in scope")));
        };
        if self.g.shape(slot.1) != self.g.shape(value) {
            let (was, now) = (self.g.shape(slot.1).text(), self.g.shape(value).text());
            return Err(error(
                target,
                &format!("`{name}` is {was}; the value assigned is {now}"),
            ));
        }
        slot.1 = value;
        // The value a loop leaves is named after the loop, not each iteration's.
        if self.in_loop == 0 && self.g.name(value).is_none() && !self.is_constant(value) {
            let fresh = self.fresh(&name);
            self.g.set_name(value, fresh);
        }
        Ok(())
    }

    /// `for i in a..b { ... }`, `a..=b`, or over an array of numbers `for c in [1.0, 2.0]`:
    /// unrolled, the counter a known integer in each copy of the body.
    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> syn::Result<()> {
        let counter = match &*f.pat {
            syn::Pat::Ident(p) if p.subpat.is_none() => p.ident.to_string(),
            syn::Pat::Wild(_) => "_".to_string(),
            other => return Err(error(other, "expected a loop counter name")),
        };
        // The values the counter takes: integers of a range, or numbers of an array.
        let (integers, numbers): (Vec<i64>, Vec<f64>) = match &*f.expr {
            Expr::Range(r) => {
                let bound = |e: &Option<Box<Expr>>| -> syn::Result<i64> {
                    let Some(e) = e else {
                        return Err(error(r, "expected both bounds: `a..b`"));
                    };
                    self.integer(e).ok_or_else(|| {
                        error(
                            e,
                            "a loop bound must be known when the function is compiled: an integer, a `const` of this function, `x.len()` of an argument, or `+`/`-`/`*` of those",
                        )
                    })
                };
                let (start, end) = (bound(&r.start)?, bound(&r.end)?);
                let end = match r.limits {
                    syn::RangeLimits::HalfOpen(_) => end,
                    syn::RangeLimits::Closed(_) => end + 1,
                };
                ((start..end.max(start)).collect(), Vec::new())
            }
            Expr::Array(a) => {
                let mut values = Vec::new();
                for e in &a.elems {
                    values.push(literal(e).ok_or_else(|| error(e, "expected a number"))?);
                }
                (Vec::new(), values)
            }
            other => {
                return Err(error(
                    other,
                    "expected a range of constant bounds (`0..n`, `1..=n`) or an array of numbers",
                ))
            }
        };
        let count = integers.len() + numbers.len();
        self.unrolled += count;
        if self.unrolled > MAX_UNROLLED {
            return Err(error(
                &f.expr,
                &format!(
                    "the loops of one function are unrolled, at most {MAX_UNROLLED} iterations in all: this one brings them to {}",
                    self.unrolled
                ),
            ));
        }
        self.in_loop += 1;
        let result: syn::Result<()> = (|| {
            for &i in &integers {
                self.integers.push((counter.clone(), i));
                let step = self.loop_body(&f.body);
                self.integers.pop();
                step?;
            }
            for &v in &numbers {
                let c = self.constant(v);
                self.scope.push((counter.clone(), c));
                let step = self.loop_body(&f.body);
                self.scope.pop();
                step?;
            }
            Ok(())
        })();
        self.in_loop -= 1;
        result?;
        // Name what the loop left in each `let mut` it changed.
        if self.in_loop == 0 {
            for name in self.mutable.clone() {
                if let Some(&(_, id)) = self.scope.iter().rev().find(|(n, _)| *n == name) {
                    if self.g.name(id).is_none() && !self.is_constant(id) {
                        let fresh = self.fresh(&name);
                        self.g.set_name(id, fresh);
                    }
                }
            }
        }
        Ok(())
    }

    /// One iteration: the body's statements, its `let`s scoped to it.
    pub(super) fn loop_body(&mut self, block: &syn::Block) -> syn::Result<()> {
        let (depth, integers) = (self.scope.len(), self.integers.len());
        for stmt in &block.stmts {
            match stmt {
                // A loop inside the loop needs no `;`.
                Stmt::Expr(Expr::ForLoop(f), None) => self.for_loop(f)?,
                Stmt::Expr(e, None) => {
                    return Err(error(
                        e,
                        "a loop's body yields no value: end it with an assignment to a `let mut` (`acc += ...;`)",
                    ))
                }
                other => self.statement(other)?,
            }
        }
        self.scope.truncate(depth);
        self.integers.truncate(integers);
        Ok(())
    }

    /// An integer known while lowering: a literal, a loop counter, a `const` of the body,
    /// `x.len()` (or `x.nrows()`, `x.ncols()`) of a value, and `+ - * /` of those.
    pub(super) fn integer(&self, e: &Expr) -> Option<i64> {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(i), ..
            }) => i.base10_parse().ok(),
            Expr::Paren(p) => self.integer(&p.expr),
            Expr::Group(g) => self.integer(&g.expr),
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                self.integers
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, v)| v)
            }
            Expr::Binary(b) => {
                let (l, r) = (self.integer(&b.left)?, self.integer(&b.right)?);
                match b.op {
                    BinOp::Add(_) => l.checked_add(r),
                    BinOp::Sub(_) => l.checked_sub(r),
                    BinOp::Mul(_) => l.checked_mul(r),
                    BinOp::Div(_) if r != 0 => Some(l / r),
                    _ => None,
                }
            }
            Expr::MethodCall(m) if m.args.is_empty() => {
                let Expr::Path(p) = &*m.receiver else {
                    return None;
                };
                let name = p.path.get_ident()?.to_string();
                let &(_, id) = self.scope.iter().rev().find(|(n, _)| *n == name)?;
                let s = self.g.shape(id);
                match m.method.to_string().as_str() {
                    "len" => i64::try_from(s.rows * s.cols).ok(),
                    "nrows" => i64::try_from(s.rows).ok(),
                    "ncols" => i64::try_from(s.cols).ok(),
                    _ => None,
                }
            }
            Expr::Cast(c) => self.integer(&c.expr),
            _ => None,
        }
    }

    /// The loop counters' values, for a message: ` (when i = 4)`.
    pub(super) fn counters(&self) -> String {
        if self.integers.is_empty() || self.in_loop == 0 {
            return String::new();
        }
        let values: Vec<String> = self
            .integers
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect();
        format!(" (when {})", values.join(", "))
    }
}

/// The operator of a compound assignment: `+=` is `+`.
pub(super) fn compound(op: &BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::AddAssign(t) => BinOp::Add(syn::Token![+](t.spans[0])),
        BinOp::SubAssign(t) => BinOp::Sub(syn::Token![-](t.spans[0])),
        BinOp::MulAssign(t) => BinOp::Mul(syn::Token![*](t.spans[0])),
        BinOp::DivAssign(t) => BinOp::Div(syn::Token![/](t.spans[0])),
        _ => return None,
    })
}

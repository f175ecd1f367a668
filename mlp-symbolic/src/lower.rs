//! Rust expressions → the IR: the stage that lets `#[mlp::grad]` functions and
//! `Elementwise(...)` activations use the same chain rule as the networks.
//!
//! Every supported construct becomes one IR operation; anything else is a `syn::Error` spanned
//! on the smallest expression at fault, saying why it cannot be differentiated.

use crate::ir::{Binary, Cmp, Func, Graph, Id, LeafKind, Logic, Name, Num, Op, Shape};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, Stmt, UnOp};

/// What the body may write, in the error messages' words.
pub const SUPPORTED: &str = "supported: arguments and `let`s, number literals, `+ - * /`, unary \
     `-`, `.transpose()`, `.dot(&v)`, `.sum()`, `.norm_squared()`, `.component_mul(&v)`, \
     `.component_div(&v)`, the methods of `f32`/`f64` (`sin cos tan asin acos atan atan2 sinh \
     cosh tanh asinh acosh atanh exp exp2 exp_m1 ln ln_1p log log2 log10 sqrt cbrt powi powf \
     recip abs signum copysign hypot mul_add min max clamp to_degrees to_radians`), `sigmoid(s)`, `relu(s)`, \
     `.map(|t| ...)` over those, `if`/`else` on comparisons, `for` loops of constant bounds \
     over `let mut`s, indexing `v[i]`, `m[(i, j)]` and `SVector::new(..)`; in generic code constants may be `T::zero()`, `T::one()`, `convert(2.0)` or \
     `T::from_f64(2.0).unwrap()`";

/// Lowers expressions into one graph.
pub struct Lowering<'g> {
    /// The graph the expressions are lowered into.
    pub g: &'g mut Graph,
    /// Names in scope, innermost last (a later `let` shadows an earlier one).
    scope: Vec<(String, Id)>,
    /// Inside `.map(|t| ...)` or an `Elementwise(...)` activation: every operation is
    /// elementwise and a number is a constant of this shape.
    elementwise: Option<Shape>,
    /// Rust names already given, so that a shadowing `let` gets a fresh one.
    taken: Vec<String>,
    /// Lowering an `Elementwise(...)` activation, whose only variable is `z`.
    activation: bool,
    /// Integers known while lowering: loop counters and `const`s of the body, innermost last.
    integers: Vec<(String, i64)>,
    /// The names declared `let mut`, which assignments may change.
    mutable: Vec<String>,
    /// Loop iterations unrolled so far (at most [`MAX_UNROLLED`]).
    unrolled: usize,
    /// Inside a loop: assignments there are not named (the value after the loop is).
    in_loop: usize,
}

/// The most loop iterations one function may unroll.
pub const MAX_UNROLLED: usize = 4096;

impl<'g> Lowering<'g> {
    /// A lowering of a `#[mlp::grad]` body: nothing in scope yet, operations as written.
    pub fn new(g: &'g mut Graph) -> Self {
        Lowering {
            g,
            scope: Vec::new(),
            elementwise: None,
            taken: Vec::new(),
            activation: false,
            integers: Vec::new(),
            mutable: Vec::new(),
            unrolled: 0,
            in_loop: 0,
        }
    }

    /// The lowering of an `Elementwise` activation: `z` is the whole value, every operation
    /// applies to each element.
    pub fn elementwise(g: &'g mut Graph, shape: Shape) -> Self {
        let mut l = Lowering::new(g);
        l.elementwise = Some(shape);
        l.activation = true;
        l
    }

    /// A variable the expressions may name.
    pub fn bind(&mut self, name: &str, id: Id) {
        self.scope.push((name.to_string(), id));
        self.taken.push(name.to_string());
    }

    /// A fresh name: `q`, then `q′` (`q_1` in Rust) for a second `q`, `q″` (`q_2`) for a
    /// third.
    fn fresh(&mut self, name: &str) -> Name {
        let mut candidate = name.to_string();
        let mut k = 0;
        while self.taken.contains(&candidate) {
            k += 1;
            candidate = format!("{name}_{k}");
        }
        self.taken.push(candidate.clone());
        let math = match k {
            0 => name.to_string(),
            1 => format!("{name}′"),
            2 => format!("{name}″"),
            3 => format!("{name}‴"),
            k => format!("{name}⁽{k}⁾"),
        };
        Name::new(math, candidate)
    }

    /// A block or an expression: `let`s name their values (the derivation's intermediates).
    pub fn body(&mut self, block: &syn::Block) -> syn::Result<Id> {
        let (depth, integers) = (self.scope.len(), self.integers.len());
        let mut result = None;
        for (i, stmt) in block.stmts.iter().enumerate() {
            let last = i + 1 == block.stmts.len();
            match stmt {
                Stmt::Expr(e, None) if last => result = Some(self.expr(e)?),
                other => self.statement(other)?,
            }
        }
        self.scope.truncate(depth);
        self.integers.truncate(integers);
        result.ok_or_else(|| {
            syn::Error::new(
                block.brace_token.span.close(),
                "expected a final expression (the value to differentiate), found none",
            )
        })
    }

    /// A statement: a `let`, an assignment to a `let mut`, a `for` loop of constant bounds, or
    /// a `const` of an integer.
    fn statement(&mut self, stmt: &Stmt) -> syn::Result<()> {
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
    fn assign(&mut self, target: &Expr, value: Id) -> syn::Result<()> {
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
    fn for_loop(&mut self, f: &syn::ExprForLoop) -> syn::Result<()> {
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
    fn loop_body(&mut self, block: &syn::Block) -> syn::Result<()> {
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
    fn integer(&self, e: &Expr) -> Option<i64> {
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
    fn counters(&self) -> String {
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

    /// `v[i]`, `m[(i, j)]`: an element at indices known while lowering.
    fn index(&mut self, e: &syn::ExprIndex) -> syn::Result<Id> {
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
    fn vector(&mut self, c: &syn::ExprCall, p: &syn::ExprPath) -> syn::Result<Id> {
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

    fn local(&mut self, local: &syn::Local) -> syn::Result<()> {
        if let syn::Pat::Ident(p) = &local.pat {
            if p.mutability.is_some() {
                self.mutable.push(p.ident.to_string());
            }
        }
        let ident = match &local.pat {
            syn::Pat::Ident(p) if p.subpat.is_none() => &p.ident,
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) if p.subpat.is_none() => &p.ident,
                other => return Err(error(other, "expected a plain name in `let name = ...`")),
            },
            other => return Err(error(other, "expected a plain name in `let name = ...`")),
        };
        check_name(ident)?;
        let Some(init) = &local.init else {
            return Err(error(local, "a `let` needs a value: `let name = ...;`"));
        };
        if let Some((_, diverge)) = &init.diverge {
            return Err(error(diverge, "`let ... else` cannot be differentiated"));
        }
        let id = self.expr(&init.expr)?;
        let text = ident.to_string();
        if self.g.name(id).is_none() && !self.is_constant(id) {
            let name = self.fresh(&text);
            self.g.set_name(id, name);
        }
        self.scope.push((text, id));
        Ok(())
    }

    fn is_constant(&self, id: Id) -> bool {
        matches!(self.g.op(id), Op::Fill(..))
    }

    fn shape(&self, id: Id) -> Shape {
        self.g.shape(id)
    }

    fn constant(&mut self, value: f64) -> Id {
        let s = self.elementwise.unwrap_or(Shape::SCALAR);
        self.g.add(Op::Fill(Num::new(value), s.rows, s.cols))
    }

    /// One expression.
    pub fn expr(&mut self, e: &Expr) -> syn::Result<Id> {
        match e {
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Reference(r) => self.expr(&r.expr),
            Expr::Block(b) if b.label.is_none() => self.body(&b.block),
            Expr::Path(p) => {
                let Some(ident) = p.path.get_ident().filter(|_| p.qself.is_none()) else {
                    return Err(error(e, "expected an argument or a `let` name"));
                };
                let name = ident.to_string();
                if !self.scope.iter().any(|(n, _)| *n == name) {
                    if let Some(&(_, v)) = self.integers.iter().rev().find(|(n, _)| *n == name) {
                        return Ok(self.constant(v as f64));
                    }
                }
                self.scope
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|&(_, id)| id)
                    .ok_or_else(|| {
                        let why = if self.activation {
                            format!("an `Elementwise` activation is an expression of `z` alone, found `{name}`")
                        } else {
                            format!("`{name}` is not an argument or a `let` of this expression")
                        };
                        error(e, &why)
                    })
            }
            Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(_), ..
            }) => self.condition(e),
            Expr::Lit(lit) => match number(&lit.lit) {
                Some(v) => Ok(self.constant(v)),
                None => Err(error(e, "expected a number")),
            },
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => self.condition(e),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => {
                    if let Expr::Lit(lit) = &*u.expr {
                        if let Some(v) = number(&lit.lit) {
                            return Ok(self.constant(-v));
                        }
                    }
                    let a = self.expr(&u.expr)?;
                    Ok(self.g.add(Op::Neg(a)))
                }
                UnOp::Deref(_) => self.expr(&u.expr),
                _ => Err(error(e, "only unary `-` is differentiable")),
            },
            Expr::Binary(b) if condition_op(&b.op) => self.condition(e),
            Expr::Binary(b) => self.binary(b),
            Expr::If(i) => self.branch(i),
            Expr::Index(i) => self.index(i),
            // `i as f64` of a loop counter: a number.
            Expr::Cast(c) => match self.integer(&c.expr) {
                Some(v) => Ok(self.constant(v as f64)),
                None => Err(error(e, "only an integer known when the function is compiled can be cast (`i as f64`)")),
            },
            Expr::Match(m) => Err(syn::Error::new(
                m.match_token.span,
                format!(
                    "`{}` cannot be differentiated: a `match` is not; write it as `if`/`else if`/`else`",
                    short(e)
                ),
            )),
            Expr::MethodCall(m) => self.method(m),
            Expr::Call(c) => self.call(c),
            _ => Err(error(e, SUPPORTED)),
        }
    }

    /// `if c { a } else { b }`: both branches lowered, the value of the one the condition
    /// selects (elementwise inside `.map`); the derivative is that of the branch taken.
    fn branch(&mut self, i: &syn::ExprIf) -> syn::Result<Id> {
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
    fn condition(&mut self, e: &Expr) -> syn::Result<Id> {
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

    fn same_shape(&self, b: &syn::ExprBinary, l: Id, r: Id) -> syn::Result<()> {
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

    fn binary(&mut self, b: &syn::ExprBinary) -> syn::Result<Id> {
        let (a, c) = (self.expr(&b.left)?, self.expr(&b.right)?);
        self.combine(b, a, c)
    }

    /// `a op c` for the lowered operands of `b`.
    fn combine(&mut self, b: &syn::ExprBinary, a: Id, c: Id) -> syn::Result<Id> {
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

    fn method(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Id> {
        let name = m.method.to_string();
        let e = Expr::MethodCall(m.clone());
        let cannot = |why: &str| {
            syn::Error::new(
                m.method.span(),
                format!("`{}` cannot be differentiated: {why}", source(&e)),
            )
        };
        // `T::from_f64(2.0).unwrap()`: a constant in generic code.
        if name == "unwrap" && m.args.is_empty() {
            if let Expr::Call(c) = &*m.receiver {
                if let Some(v) = constant_call(c) {
                    return Ok(self.constant(v));
                }
            }
        }
        let arity = match name.as_str() {
            "dot" | "component_mul" | "component_div" | "powi" | "powf" | "max" | "min"
            | "atan2" | "hypot" | "log" | "copysign" | "map" => 1,
            "mul_add" | "clamp" => 2,
            "transpose" | "sum" | "norm_squared" | "to_degrees" | "to_radians" => 0,
            _ if unary(&name).is_some() => 0,
            _ => return Err(cannot(SUPPORTED)),
        };
        if m.args.len() != arity {
            return Err(cannot(&format!(
                "`.{name}` takes {arity} argument(s), found {}",
                m.args.len()
            )));
        }
        if m.turbofish.is_some() {
            return Err(cannot("no turbofish expected"));
        }
        let a = self.expr(&m.receiver)?;
        let sa = self.shape(a);
        let elementwise = sa.is_scalar() || self.elementwise.is_some();
        let func = |f: Func, this: &mut Self| -> syn::Result<Id> {
            if elementwise {
                Ok(this.g.add(Op::Map(f, a)))
            } else {
                Err(cannot(&format!(
                    "on a {} matrix `.{name}()` is not elementwise in nalgebra; write `.map(|t| t.{name}())`",
                    sa.text()
                )))
            }
        };
        match name.as_str() {
            "transpose" if self.elementwise.is_none() => Ok(if sa.is_scalar() {
                a
            } else {
                self.g.add(Op::Transpose(a))
            }),
            "sum" if self.elementwise.is_none() => Ok(if sa.is_scalar() {
                a
            } else {
                self.g.add(Op::Sum(a))
            }),
            "norm_squared" if self.elementwise.is_none() => Ok(self.inner(a, a)),
            "dot" if self.elementwise.is_none() => {
                let b = self.expr(&m.args[0])?;
                if self.shape(b) != sa {
                    return Err(cannot(&format!(
                        "`.dot` needs equal shapes, found {} and {}",
                        sa.text(),
                        self.shape(b).text()
                    )));
                }
                Ok(self.inner(a, b))
            }
            "component_mul" | "component_div" => {
                let b = self.expr(&m.args[0])?;
                if self.shape(b) != sa {
                    return Err(cannot(&format!(
                        "`.{name}` needs equal shapes, found {} and {}",
                        sa.text(),
                        self.shape(b).text()
                    )));
                }
                Ok(self.g.add(if name == "component_mul" {
                    Op::Hadamard(a, b)
                } else {
                    Op::Div(a, b)
                }))
            }
            "powi" => {
                let Some(k) = integer(&m.args[0]) else {
                    return Err(error(&m.args[0], "expected an integer literal exponent"));
                };
                match k {
                    0 => Ok(self.constant_like(a, 1.0)),
                    1 => Ok(a),
                    2 => func(Func::Square, self),
                    k => func(Func::Powi(k), self),
                }
            }
            "max" if is_zero(&m.args[0]) => func(Func::Relu, self),
            "max" | "min" | "atan2" | "powf" | "hypot" => {
                let f = match name.as_str() {
                    "max" => Binary::Max,
                    "min" => Binary::Min,
                    "atan2" => Binary::Atan2,
                    "powf" => Binary::Powf,
                    _ => Binary::Hypot,
                };
                let b = self.operand(&m.args[0], a, m)?;
                if !elementwise {
                    return Err(cannot(&format!(
                        "on a {} matrix `.{name}(..)` is not elementwise in nalgebra; write `.map(|t| t.{name}(..))`",
                        sa.text()
                    )));
                }
                Ok(self.g.add(Op::Binary(f, a, b)))
            }
            // log_b(a) = ln a / ln b.
            "log" => {
                let b = self.operand(&m.args[0], a, m)?;
                let ln_a = func(Func::Ln, self)?;
                let ln_b = self.g.add(Op::Map(Func::Ln, b));
                Ok(self.g.add(Op::Div(ln_a, ln_b)))
            }
            // |a| with the sign of b: |a|·signum(b) (exact), ∂/∂b = 0.
            "copysign" => {
                let b = self.operand(&m.args[0], a, m)?;
                let magnitude = func(Func::Abs, self)?;
                let sign = self.g.add(Op::Map(Func::Signum, b));
                Ok(self.g.add(Op::Hadamard(magnitude, sign)))
            }
            // Degrees and radians: a constant factor.
            "to_degrees" | "to_radians" => {
                if !elementwise {
                    return Err(cannot(&format!("write `.map(|t| t.{name}())` on a matrix")));
                }
                let factor = if name == "to_degrees" {
                    180.0 / std::f64::consts::PI
                } else {
                    std::f64::consts::PI / 180.0
                };
                let c = self.constant_like(a, factor);
                Ok(self.g.add(Op::Hadamard(a, c)))
            }
            // a·b + c, elementwise.
            "mul_add" => {
                let b = self.operand(&m.args[0], a, m)?;
                let c = self.operand(&m.args[1], a, m)?;
                if !elementwise {
                    return Err(cannot(
                        "`.mul_add` is differentiated on numbers (or inside `.map(|t| ...)`)",
                    ));
                }
                let product = self.g.add(Op::Hadamard(a, b));
                Ok(self.g.add(Op::Add(product, c)))
            }
            // clamp(lo, hi) = min(max(a, lo), hi).
            "clamp" => {
                let lo = self.operand(&m.args[0], a, m)?;
                let hi = self.operand(&m.args[1], a, m)?;
                if !elementwise {
                    return Err(cannot(
                        "`.clamp` is differentiated on numbers (or inside `.map(|t| ...)`)",
                    ));
                }
                let above = self.g.add(Op::Binary(Binary::Max, a, lo));
                Ok(self.g.add(Op::Binary(Binary::Min, above, hi)))
            }
            "map" => self.map(a, &m.args[0]),
            other => match unary(other) {
                Some(f) => func(f, self),
                None => Err(cannot(SUPPORTED)),
            },
        }
    }

    /// The argument of a method of two or three numbers, of the receiver `a`'s shape; errors
    /// spanned on the argument.
    fn operand(&mut self, arg: &Expr, a: Id, call: &syn::ExprMethodCall) -> syn::Result<Id> {
        let b = self.expr(arg)?;
        let (sa, sb) = (self.shape(a), self.shape(b));
        if sa == sb {
            return Ok(b);
        }
        let method = &call.method;
        let why = if self.elementwise.is_some() && sb.is_scalar() {
            format!(
                "inside `.map(|t| ...)` the argument of `.{method}` is a number literal or an expression of the closure's parameter, found `{}`",
                source(arg)
            )
        } else {
            format!(
                "`.{method}` needs an argument of the receiver's shape {}, found {} `{}`",
                sa.text(),
                sb.text(),
                source(arg)
            )
        };
        let call = Expr::MethodCall(call.clone());
        Err(syn::Error::new_spanned(
            arg,
            format!("`{}` cannot be differentiated: {why}", source(&call)),
        ))
    }

    fn constant_like(&mut self, a: Id, value: f64) -> Id {
        let s = self.shape(a);
        self.g.add(Op::Fill(Num::new(value), s.rows, s.cols))
    }

    /// ⟨a, b⟩: the inner product of vectors, `Σ a ⊙ b` for matrices.
    fn inner(&mut self, a: Id, b: Id) -> Id {
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

    /// `.map(|t| body)` or `.map(sigmoid)`: the body lowered elementwise over the receiver.
    fn map(&mut self, a: Id, f: &Expr) -> syn::Result<Id> {
        if let Expr::Path(p) = f {
            if let Some(func) = p.path.segments.last().and_then(|s| named_func(&s.ident)) {
                return Ok(self.g.add(Op::Map(func, a)));
            }
        }
        let Expr::Closure(c) = f else {
            return Err(error(
                f,
                "expected a closure `|t| ...` or `sigmoid`/`relu` as the map",
            ));
        };
        let [syn::Pat::Ident(param)] = c.inputs.iter().collect::<Vec<_>>()[..] else {
            return Err(error(&c.inputs, "expected one parameter: `|t| ...`"));
        };
        let outer = self.elementwise.replace(self.shape(a));
        let depth = self.scope.len();
        self.scope.push((param.ident.to_string(), a));
        let result = self.expr(&c.body);
        self.scope.truncate(depth);
        self.elementwise = outer;
        let id = result?;
        if self.shape(id) != self.shape(a) {
            return Err(error(
                &c.body,
                "expected an elementwise expression of the parameter",
            ));
        }
        Ok(id)
    }

    fn call(&mut self, c: &syn::ExprCall) -> syn::Result<Id> {
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
}

impl Lowering<'_> {
    /// `g(a, b)` for another `#[mlp::grad]` function `g` of numbers: its value, its local
    /// derivatives from the `g_grad` (and `g_hessian`) generated beside it.
    fn call_other(&mut self, c: &syn::ExprCall) -> syn::Result<Id> {
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

/// Names the generated code gives its own values; an argument or a `let` may not take one.
pub fn check_name(ident: &syn::Ident) -> syn::Result<()> {
    let name = ident.to_string();
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    };
    let taken = ["one", "zero", "out", "i", "e_i"].contains(&name.as_str())
        || name.starts_with("d_")
        || name.starts_with("jacobian_")
        || numbered("t");
    if taken {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "`{name}` is a name the generated code uses for its own values (`one`, `zero`, `out`, `i`, `e_i`, `d_…`, `jacobian_…`, `t1`, …); rename it"
            ),
        ));
    }
    Ok(())
}

/// A new input leaf.
pub fn argument(g: &mut Graph, name: &str, shape: Shape) -> Id {
    g.leaf(Name::new(name, name), LeafKind::Input, shape)
}

/// The methods of one number that map to a [`Func`].
fn unary(name: &str) -> Option<Func> {
    Some(match name {
        "exp" => Func::Exp,
        "ln" => Func::Ln,
        "tanh" => Func::Tanh,
        "sqrt" => Func::Sqrt,
        "recip" => Func::Recip,
        "sin" => Func::Sin,
        "cos" => Func::Cos,
        "tan" => Func::Tan,
        "asin" => Func::Asin,
        "acos" => Func::Acos,
        "atan" => Func::Atan,
        "sinh" => Func::Sinh,
        "cosh" => Func::Cosh,
        "asinh" => Func::Asinh,
        "acosh" => Func::Acosh,
        "atanh" => Func::Atanh,
        "exp2" => Func::Exp2,
        "exp_m1" => Func::ExpM1,
        "ln_1p" => Func::Ln1p,
        "log2" => Func::Log2,
        "log10" => Func::Log10,
        "cbrt" => Func::Cbrt,
        "abs" => Func::Abs,
        "signum" => Func::Signum,
        _ => return None,
    })
}

/// The operator of a compound assignment: `+=` is `+`.
fn compound(op: &BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::AddAssign(t) => BinOp::Add(syn::Token![+](t.spans[0])),
        BinOp::SubAssign(t) => BinOp::Sub(syn::Token![-](t.spans[0])),
        BinOp::MulAssign(t) => BinOp::Mul(syn::Token![*](t.spans[0])),
        BinOp::DivAssign(t) => BinOp::Div(syn::Token![/](t.spans[0])),
        _ => return None,
    })
}

/// A comparison or a connective: the operators of conditions.
fn condition_op(op: &BinOp) -> bool {
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

/// An expression's text for a message, at most 60 characters.
fn short(at: &impl ToTokens) -> String {
    let text = source(at);
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

/// `0.0`, or `T::zero()` in generic code.
fn is_zero(e: &Expr) -> bool {
    match e {
        Expr::Lit(lit) => number(&lit.lit) == Some(0.0),
        Expr::Call(c) => constant_call(c) == Some(0.0),
        _ => false,
    }
}

fn named_func(ident: &syn::Ident) -> Option<Func> {
    match ident.to_string().as_str() {
        "sigmoid" => Some(Func::Sigmoid),
        "relu" => Some(Func::Relu),
        _ => None,
    }
}

/// A constant written for a generic scalar: `T::zero()`, `T::one()`, `convert(2.0)`,
/// `T::from_f64(2.0)` (before its `.unwrap()`), `T::from_subset(&2.0)`.
fn constant_call(c: &syn::ExprCall) -> Option<f64> {
    let Expr::Path(p) = &*c.func else {
        return None;
    };
    let name = p.path.segments.last()?.ident.to_string();
    match (name.as_str(), c.args.len()) {
        ("zero", 0) => Some(0.0),
        ("one", 0) => Some(1.0),
        ("convert" | "from_f64" | "from_f32" | "from_subset", 1) => literal(&c.args[0]),
        _ => None,
    }
}

/// A number literal, negated, parenthesized or borrowed.
fn literal(e: &Expr) -> Option<f64> {
    match e {
        Expr::Lit(lit) => number(&lit.lit),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => literal(&u.expr).map(|v| -v),
        Expr::Paren(p) => literal(&p.expr),
        Expr::Reference(r) => literal(&r.expr),
        _ => None,
    }
}

fn number(lit: &Lit) -> Option<f64> {
    let v = match lit {
        Lit::Float(f) => f.base10_parse::<f64>().ok()?,
        Lit::Int(i) => i.base10_parse::<f64>().ok()?,
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn integer(e: &Expr) -> Option<i32> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => integer(&u.expr).map(|k: i32| -k),
        Expr::Paren(p) => integer(&p.expr),
        _ => None,
    }
}

/// Tokens as the user wrote them, near enough: `foo(x)`, `v.exp()`, not `foo (x)`, `v . exp ()`.
pub fn source(at: &impl ToTokens) -> String {
    let text = at.to_token_stream().to_string();
    let mut out = text;
    for (from, to) in [
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" . ", "."),
        (" ,", ","),
        ("& ", "&"),
        (" [", "["),
        ("[ ", "["),
        (" ]", "]"),
        ("! (", "!("),
        (":: ", "::"),
        (" ::", "::"),
        ("| ", "|"),
        (" |", "|"),
    ] {
        out = out.replace(from, to);
    }
    // A closure's bars: `|t| t * t`, not `|t|t * t`.
    out = out.replace("|(", "| (");
    out
}

/// The span of the first token (where to point when the whole input is wrong), or the call
/// site for no tokens.
pub fn first_span(tokens: &proc_macro2::TokenStream) -> proc_macro2::Span {
    tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(proc_macro2::Span::call_site, |t| t.span())
}

/// "`tokens` cannot be differentiated: why", spanned on `at`.
pub fn error(at: &impl ToTokens, why: &str) -> syn::Error {
    let text = source(at);
    let text = if text.chars().count() > 60 {
        format!("{}…", text.chars().take(57).collect::<String>())
    } else {
        text
    };
    syn::Error::new_spanned(at, format!("`{text}` cannot be differentiated: {why}"))
}

//! Rust expressions → the IR: the stage that lets `#[mlp::grad]` functions and
//! `Elementwise(...)` activations use the same chain rule as the networks.
//!
//! Every supported construct becomes one IR operation; anything else is a `syn::Error` spanned
//! on the smallest expression at fault, saying why it cannot be differentiated.

mod arithmetic;
mod branches;
mod calls;
mod methods;
mod statements;

use crate::ir::{Func, Graph, Id, LeafKind, Name, Num, Op, Shape};
use branches::condition_op;
use quote::ToTokens;
use syn::{Expr, Lit, Stmt, UnOp};

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
    /// The function's generic scalar parameter (`T`), if it has one: `T::sin(x)` is a method.
    pub generic: Option<String>,
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
            generic: None,
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

    fn constant_like(&mut self, a: Id, value: f64) -> Id {
        let s = self.shape(a);
        self.g.add(Op::Fill(Num::new(value), s.rows, s.cols))
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

/// An expression's text for a message, at most 60 characters.
fn short(at: &impl ToTokens) -> String {
    let text = source(at);
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(57).collect::<String>())
    } else {
        text
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

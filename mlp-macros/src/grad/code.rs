//! The Rust of a `#[mlp::grad]` function: the forward pass with the function's own `let`
//! names, then the backward pass, one `let d_v` per named value from the result back (the
//! lecture's ∂f/∂v), then the gradients in argument order. Straight-line code over stack
//! values: no heap.

use super::{Differentiated, Scalar};
use crate::emit::arithmetic::arithmetic;
use crate::emit::scalar::{self, Call, Scalars};
use crate::emit::{internal_error, lit};
use mlp_symbolic::ir::{element, Cmp, Graph, Id, Logic, Op};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::{HashMap, HashSet};

struct Code<'a> {
    g: &'a Graph,
    scalar: &'a Scalar,
    bound: HashMap<Id, TokenStream>,
    uses: HashMap<Id, usize>,
    stmts: Vec<TokenStream>,
    zero: bool,
    one: bool,
}

/// The body of `NAME_grad` or `NAME_jacobian`: statements, then the result.
pub struct Body {
    pub stmts: TokenStream,
    pub result: TokenStream,
    /// How the statements call each named value (`q`), the result included.
    pub values: HashMap<Id, TokenStream>,
    /// How they call each named value's gradient (`d_q`); for a vector result, the Jacobians
    /// by the arguments (`jacobian_x`).
    pub grads: HashMap<Id, TokenStream>,
}

impl Body {
    pub fn tokens(&self) -> TokenStream {
        let (stmts, result) = (&self.stmts, &self.result);
        quote!(#stmts #result)
    }
}

pub fn function(d: &Differentiated, scalar: &Scalar) -> Body {
    let g = &d.graph;
    let forward: Vec<Id> = d
        .grads
        .iter()
        .map(|&(v, _)| v)
        .filter(|&v| !matches!(g.op(v), Op::Leaf(_)))
        .chain([d.output])
        .collect();
    let backward: Vec<Id> = d.grads.iter().map(|&(_, gr)| gr).collect();
    let mut roots = forward.clone();
    roots.extend(&backward);
    let seed: Vec<(Id, TokenStream)> = if d.is_jacobian() {
        vec![(d.seed, quote!(e_i))]
    } else {
        Vec::new()
    };
    let (mut c, prelude) = start(d, scalar, &seed, &roots);

    // Forward: every named value in order, the result last.
    let mut order = forward.clone();
    order.sort_unstable();
    order.dedup();
    for &v in &order {
        if !c.bound.contains_key(&v) {
            let name = rust_ident(g, v);
            c.bind(v, name);
        }
    }
    let value = c.bound[&d.output].clone();
    if d.is_jacobian() {
        // What the backward pass reads of the forward values is computed once, before the rows.
        for &n in &c.needed(&backward) {
            if n <= d.output && !c.bound.contains_key(&n) && !cheap(g, n) {
                c.bind(n, format_ident!("t{}", n));
            }
        }
    }
    let forward_stmts = std::mem::take(&mut c.stmts);

    // Backward: ∂f/∂v for every named value, from the result back.
    let mut grads = backward_pass(&mut c, d);
    let backward_stmts = std::mem::take(&mut c.stmts);
    let s = scalar.tokens();
    let na = quote!(::mlp::__private::nalgebra);
    let zero_value = |a: &super::Arg| -> TokenStream {
        if a.shape.is_scalar() {
            quote!(#na::zero::<#s>())
        } else {
            let (r, k) = (lit(a.shape.rows), lit(a.shape.cols));
            quote!(#na::SMatrix::<#s, #r, #k>::zeros())
        }
    };
    let mut constants = TokenStream::new();
    if c.zero {
        constants.extend(quote!(let zero = #na::zero::<#s>();));
    }
    if c.one || d.is_jacobian() {
        constants.extend(quote!(let one = #na::one::<#s>();));
    }
    let values: HashMap<Id, TokenStream> = d
        .grads
        .iter()
        .filter_map(|&(v, _)| c.bound.get(&v).map(|b| (v, b.clone())))
        .chain([(d.output, value.clone())])
        .collect();
    if !d.is_jacobian() {
        let results: Vec<TokenStream> = d
            .args
            .iter()
            .map(|a| grads.get(&a.leaf).cloned().unwrap_or_else(|| zero_value(a)))
            .collect();
        for (a, r) in d.args.iter().zip(&results) {
            grads.insert(a.leaf, r.clone());
        }
        let one = quote!(#na::one::<#s>());
        grads.insert(d.output, one);
        return Body {
            stmts: quote! {
                #(#prelude)*
                #constants
                #(#forward_stmts)*
                #(#backward_stmts)*
            },
            result: quote!((#value, (#(#results,)*))),
            values,
            grads,
        };
    }
    let m = lit(g.shape(d.output).rows);
    let (declare, store, result) = jacobian_rows(d, &grads, &s);
    let jacobians = d
        .args
        .iter()
        .zip(&result)
        .map(|(a, j)| (a.leaf, j.clone()))
        .collect();
    Body {
        stmts: quote! {
            #(#prelude)*
            #constants
            #(#forward_stmts)*
            #(#declare)*
            for i in 0..#m {
                let e_i = #na::SVector::<#s, #m>::ith(i, one);
                #(#backward_stmts)*
                #(#store)*
            }
        },
        result: quote!((#value, (#(#result,)*))),
        values,
        grads: jacobians,
    }
}

/// The backward statements into `c`: `let d_v = ...;` for every named value, from the result
/// back (a gradient equal to an earlier one is a copy of it); each value's gradient name.
fn backward_pass(c: &mut Code, d: &Differentiated) -> HashMap<Id, TokenStream> {
    let g = &d.graph;
    let mut alias: HashMap<Id, Ident> = HashMap::new();
    let mut grads: HashMap<Id, TokenStream> = HashMap::new();
    for &(v, gr) in &d.grads {
        // ∂f/∂f is the seed; it is a gradient to return only when f is an argument itself.
        if v == d.output && !d.args.iter().any(|a| a.leaf == v) {
            continue;
        }
        let name = format_ident!("d_{}", rust_ident(g, v));
        if let Some(first) = alias.get(&gr) {
            c.stmts.push(quote!(let #name = #first;));
        } else if let Some(b) = c.bound.get(&gr).cloned() {
            c.stmts.push(quote!(let #name = #b;));
            alias.insert(gr, name.clone());
        } else {
            c.bind(gr, name.clone());
            alias.insert(gr, name.clone());
        }
        grads.insert(v, quote!(#name));
    }
    grads
}

/// For a vector result: each argument's Jacobian declared, its row `i` stored from the
/// gradient of `fᵢ`, and the Jacobians' names.
fn jacobian_rows(
    d: &Differentiated,
    grads: &HashMap<Id, TokenStream>,
    s: &TokenStream,
) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>) {
    let na = quote!(::mlp::__private::nalgebra);
    let m = lit(d.graph.shape(d.output).rows);
    let mut declare = Vec::new();
    let mut store = Vec::new();
    let mut result = Vec::new();
    for a in &d.args {
        let j = format_ident!("jacobian_{}", a.ident);
        let k = lit(a.shape.rows * a.shape.cols);
        declare.push(quote!(let mut #j = #na::SMatrix::<#s, #m, #k>::zeros();));
        if let Some(gr) = grads.get(&a.leaf) {
            store.push(if a.shape.is_scalar() {
                quote!(#j[(i, 0)] = #gr;)
            } else if a.shape.cols == 1 {
                quote!(#j.set_row(i, &#gr.transpose());)
            } else {
                quote! {
                    for (k, v) in #gr.iter().enumerate() {
                        #j[(i, k)] = *v;
                    }
                }
            });
        }
        result.push(quote!(#j));
    }
    (declare, store, result)
}

/// The body of `NAME_trace`: the same computation, then every line of the derivation with its
/// number (`q = x + y = 3`, `∂f/∂q = ∂f/∂f · z = z = -4`) written to `out`.
pub fn trace(d: &Differentiated, body: &Body, passes: &super::text::Passes) -> TokenStream {
    let show = |g: &Graph, v: Id, value: &TokenStream| -> TokenStream {
        if g.shape(v).is_scalar() {
            quote!(#value)
        } else {
            quote!(::mlp::__private::Compact(&#value))
        }
    };
    let g = &d.graph;
    let mut writes = Vec::new();
    // The value's name and its equations (`q = x + y`); a shape or `: argument` column is left
    // out, the number shows it.
    let line = |cells: &[String]| -> String {
        let equations = cells.iter().skip(1).filter(|c| c.starts_with('='));
        let kept: Vec<&str> = cells[..1]
            .iter()
            .chain(equations)
            .map(String::as_str)
            .collect();
        format!("  {}", kept.join(" "))
    };
    writes.push(quote!(::core::write!(out, "Forward pass\n")?;));
    for (v, cells) in &passes.forward {
        let Some(value) = body.values.get(v).cloned().or_else(|| {
            d.args.iter().find(|a| a.leaf == *v).map(|a| {
                let i = &a.ident;
                quote!(#i)
            })
        }) else {
            continue;
        };
        let text = line(cells);
        let shown = show(g, *v, &value);
        writes.push(quote!(::core::write!(out, "{} = {}\n", #text, #shown)?;));
    }
    if d.is_jacobian() {
        writes.push(quote!(::core::write!(out, "Jacobians\n")?;));
        for a in &d.args {
            let j = &body.grads[&a.leaf];
            let text = format!("  ∂{}/∂{}", d.name, a.ident);
            writes.push(quote! {
                ::core::write!(out, "{} = {}\n", #text, ::mlp::__private::Compact(&#j))?;
            });
        }
    } else {
        writes.push(quote!(::core::write!(out, "Backward pass\n")?;));
        for (v, cells) in &passes.backward {
            if *v == d.output {
                let text = line(cells);
                writes.push(quote!(::core::write!(out, "{}\n", #text)?;));
                continue;
            }
            let Some(value) = body.grads.get(v) else {
                continue;
            };
            let text = line(cells);
            let shown = show(g, *v, value);
            writes.push(quote!(::core::write!(out, "{} = {}\n", #text, #shown)?;));
        }
    }
    let stmts = &body.stmts;
    quote! {
        #stmts
        #(#writes)*
        ::core::result::Result::Ok(())
    }
}

/// Constants and leaves: written where they are used, never bound.
fn cheap(g: &Graph, n: Id) -> bool {
    matches!(
        g.op(n),
        Op::Leaf(_) | Op::Fill(..) | Op::Identity(1) | Op::Ones(1)
    )
}

fn rust_ident(g: &Graph, v: Id) -> Ident {
    let name = g
        .name(v)
        .map_or_else(|| format!("t{v}"), |n| n.rust.clone());
    Ident::new(&name, Span::call_site())
}

impl Code<'_> {
    fn count(&mut self, roots: &[Id]) {
        for n in self.needed(roots) {
            for c in self.g.op(n).children() {
                *self.uses.entry(c).or_default() += 1;
            }
        }
        for &r in roots {
            *self.uses.entry(r).or_default() += 1;
        }
    }

    fn needed(&self, roots: &[Id]) -> Vec<Id> {
        let leaves: HashSet<Id> = self.bound.keys().copied().collect();
        self.g.reachable(roots, |n| leaves.contains(&n))
    }

    fn is_scalar(&self, n: Id) -> bool {
        self.g.shape(n).is_scalar()
    }

    fn bind(&mut self, n: Id, name: Ident) {
        let e = self.expr(n);
        self.stmts.push(quote!(let #name = #e;));
        self.bound.insert(n, quote!(#name));
    }

    /// The node as an operand: a name, a constant, or a parenthesized expression.
    fn value(&mut self, n: Id) -> TokenStream {
        if let Some(b) = self.bound.get(&n) {
            return b.clone();
        }
        // A condition on numbers is written where it is used, never bound.
        if self.is_condition(n) && self.is_scalar(n) {
            let (c, one, zero) = (self.condition(n), self.one(), self.zero());
            return quote!((if #c { #one } else { #zero }));
        }
        if self.uses.get(&n).copied().unwrap_or(0) > 1 && !cheap(self.g, n) {
            let name = format_ident!("t{}", n);
            self.bind(n, name);
            return self.bound[&n].clone();
        }
        let e = self.expr(n);
        if cheap(self.g, n) {
            e
        } else {
            quote!((#e))
        }
    }

    fn expr(&mut self, n: Id) -> TokenStream {
        let g = self.g;
        let s = self.scalar.tokens();
        let na = quote!(::mlp::__private::nalgebra);
        let scalar = self.is_scalar(n);
        match *g.op(n) {
            Op::Leaf(_) => internal_error("grad", "a leaf without a value"),
            Op::Fill(c, rows, cols) => {
                let v = self.number(c.value());
                if rows == 1 && cols == 1 {
                    v
                } else {
                    let (r, k) = (lit(rows), lit(cols));
                    quote!(#na::SMatrix::<#s, #r, #k>::repeat(#v))
                }
            }
            Op::Identity(1) | Op::Ones(1) => self.one(),
            Op::Basis(rows, 1, k) => {
                let (r, k, one) = (lit(rows), lit(k), self.one());
                quote!(#na::SVector::<#s, #r>::ith(#k, #one))
            }
            Op::Basis(rows, cols, k) => {
                let (r, c, one, zero) = (lit(rows), lit(cols), self.one(), self.zero());
                let (i, j) = (lit(k % rows), lit(k / rows));
                quote!(#na::SMatrix::<#s, #r, #c>::from_fn(|i, j| if (i, j) == (#i, #j) { #one } else { #zero }))
            }
            // An element read by index: `v[k]`, `m[(i, j)]`.
            Op::Dot(..) | Op::Sum(_) if element(g, n).is_some() => {
                let Some((m, k)) = element(g, n) else {
                    return internal_error("grad", "an element");
                };
                let (rows, vector) = (g.shape(m).rows, g.shape(m).cols == 1);
                let m = self.value(m);
                if vector {
                    let k = lit(k);
                    quote!(#m[#k])
                } else {
                    let (i, j) = (lit(k % rows), lit(k / rows));
                    quote!(#m[(#i, #j)])
                }
            }
            Op::Identity(k) => {
                let k = lit(k);
                quote!(#na::SMatrix::<#s, #k, #k>::identity())
            }
            Op::Ones(k) => {
                let (k, one) = (lit(k), self.one());
                quote!(#na::SVector::<#s, #k>::repeat(#one))
            }
            Op::Add(..) | Op::Sub(..) | Op::Neg(_) | Op::Scale(..) => {
                let op = g.op(n).clone();
                arithmetic(self, &op, |c, v, _| c.value(v))
                    .unwrap_or_else(|| internal_error("grad", "arithmetic"))
            }
            Op::Hadamard(a, b) if scalar => {
                let (a, b) = (self.value(a), self.value(b));
                quote!(#a * #b)
            }
            Op::Hadamard(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                quote!(#a.component_mul(&#b))
            }
            Op::Div(a, b) if scalar => {
                let (a, b) = (self.value(a), self.value(b));
                quote!(#a / #b)
            }
            Op::Div(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                quote!(#a.component_div(&#b))
            }
            Op::MatMul(a, b) => {
                let (sa, sb) = (g.shape(a), g.shape(b));
                if sa.is_scalar() && sb.is_scalar() {
                    let (a, b) = (self.value(a), self.value(b));
                    return quote!(#a * #b);
                }
                if sa.is_scalar() {
                    let (a, b) = (self.value(a), self.value(b));
                    return quote!(#b * #a);
                }
                if sb.is_scalar() {
                    let (a, b) = (self.value(a), self.value(b));
                    return quote!(#a * #b);
                }
                // aᵀ·b: `tr_mul` without a transposed copy; a number when the result is 1×1.
                if let Op::Transpose(a0) = *g.op(a) {
                    if !self.bound.contains_key(&a) {
                        let (a0, b) = (self.value(a0), self.value(b));
                        if scalar && sb.cols == 1 {
                            return quote!(#a0.dot(&#b));
                        }
                        return quote!(#a0.tr_mul(&#b));
                    }
                }
                let (a, b) = (self.value(a), self.value(b));
                if scalar {
                    quote!((#a * #b)[(0, 0)])
                } else {
                    quote!(#a * #b)
                }
            }
            Op::Transpose(a) if scalar => self.value(a),
            Op::Transpose(a) => {
                let a = self.value(a);
                quote!(#a.transpose())
            }
            Op::Dot(a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                quote!(#a.dot(&#b))
            }
            Op::Sum(a) => {
                let a = self.value(a);
                quote!(#a.sum())
            }
            Op::Diag(v) => {
                let k = lit(g.shape(n).rows);
                let v = self.value(v);
                quote!(#na::SMatrix::<#s, #k, #k>::from_diagonal(&#v))
            }
            // Another `#[mlp::grad]` function: `g(a, b)`, `g_grad(a, b).1.k`,
            // `g_hessian(a, b).2.k.l`.
            Op::Call(ref name, ref args)
            | Op::CallGrad(ref name, _, ref args)
            | Op::CallHessian(ref name, _, _, ref args) => {
                let (name, args) = (name.clone(), args.clone());
                let args: Vec<TokenStream> = args.iter().map(|&a| self.value(a)).collect();
                let Ok(mut path) = syn::parse_str::<syn::Path>(&name) else {
                    return internal_error("grad", "a called function's path");
                };
                let (suffix, index) = match *g.op(n) {
                    Op::Call(..) => ("", quote!()),
                    Op::CallGrad(_, k, _) => {
                        let k = syn::Index::from(k);
                        ("_grad", quote!(.1 .#k))
                    }
                    Op::CallHessian(_, k, l, _) => {
                        let (k, l) = (syn::Index::from(k), syn::Index::from(l));
                        ("_hessian", quote!(.2 .#k .#l))
                    }
                    _ => ("", quote!()),
                };
                let span = g.call_spans.get(&name).copied();
                if let Some(last) = path.segments.last_mut() {
                    let ident = format!("{}{}", last.ident, suffix);
                    last.ident = Ident::new(&ident, span.unwrap_or_else(|| last.ident.span()));
                }
                quote!(#path(#(#args),*)#index)
            }
            // `if c { a } else { b }`: both branches are computed, the one taken is the value.
            Op::Select(c, a, b) if scalar => {
                let (c, a, b) = (self.condition(c), self.value(a), self.value(b));
                quote!(if #c { #a } else { #b })
            }
            Op::Select(c, a, b) => {
                let (c, a, b, zero) = (self.value(c), self.value(a), self.value(b), self.zero());
                quote!(#c.zip_zip_map(&#a, &#b, |c, a, b| if c != #zero { a } else { b }))
            }
            Op::Compare(..) | Op::Logic(..) | Op::Not(_) if scalar => {
                let (c, one, zero) = (self.condition(n), self.one(), self.zero());
                quote!(if #c { #one } else { #zero })
            }
            Op::Compare(..) | Op::Logic(..) => {
                let (zero, one) = (self.zero(), self.one());
                let Some([a, b]) = <[Id; 2]>::try_from(g.op(n).children()).ok() else {
                    return internal_error("grad", "a condition's operands");
                };
                let (a, b) = (self.value(a), self.value(b));
                let holds = match *g.op(n) {
                    Op::Compare(cmp, ..) => compare(cmp, &quote!(u), &quote!(v)),
                    Op::Logic(Logic::And, ..) => quote!(u != #zero && v != #zero),
                    _ => quote!(u != #zero || v != #zero),
                };
                quote!(#a.zip_map(&#b, |u, v| if #holds { #one } else { #zero }))
            }
            Op::Not(a) => {
                let (a, one) = (self.value(a), self.one());
                quote!(#a.map(|u| #one - u))
            }
            Op::Binary(f, a, b) if scalar => {
                let (a, b) = (self.value(a), self.value(b));
                scalar::binary(f, &a, &b, Call::Trait, self).0
            }
            Op::Binary(f, a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                let body = scalar::binary(f, &quote!(u), &quote!(v), Call::Trait, self).0;
                quote!(#a.zip_map(&#b, |u, v| #body))
            }
            // Through nalgebra's traits, not `f32`'s methods: those exist only with `std`.
            Op::Map(f, a) if scalar => {
                let a = self.value(a);
                scalar::function(f, &a, Call::Trait, self).0
            }
            Op::Map(f, a) => {
                let a = self.value(a);
                let body = scalar::function(f, &quote!(v), Call::Trait, self).0;
                quote!(#a.map(|v| #body))
            }
            _ => internal_error("grad", "an operation `#[mlp::grad]` does not write"),
        }
    }
}

impl Code<'_> {
    /// Whether `n` is a condition: a comparison, a connective, a negation.
    fn is_condition(&self, n: Id) -> bool {
        matches!(self.g.op(n), Op::Compare(..) | Op::Logic(..) | Op::Not(_))
    }

    /// A scalar condition as a Rust `bool` (`x > y`, `a && b`, `!(c)`).
    fn condition(&mut self, n: Id) -> TokenStream {
        if let Some(b) = self.bound.get(&n).cloned() {
            let zero = self.zero();
            return quote!((#b != #zero));
        }
        match *self.g.op(n) {
            Op::Compare(cmp, a, b) => {
                let (a, b) = (self.value(a), self.value(b));
                compare(cmp, &a, &b)
            }
            Op::Logic(l, a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                match l {
                    Logic::And => quote!((#a && #b)),
                    Logic::Or => quote!((#a || #b)),
                }
            }
            Op::Not(a) => {
                let a = self.condition(a);
                quote!(!(#a))
            }
            Op::Fill(v, ..) => {
                let holds = v.value() != 0.0;
                quote!(#holds)
            }
            _ => {
                let (v, zero) = (self.value(n), self.zero());
                quote!((#v != #zero))
            }
        }
    }
}

/// `a < b`, ... for two numbers.
fn compare(cmp: Cmp, a: &TokenStream, b: &TokenStream) -> TokenStream {
    match cmp {
        Cmp::Lt => quote!(#a < #b),
        Cmp::Le => quote!(#a <= #b),
        Cmp::Gt => quote!(#a > #b),
        Cmp::Ge => quote!(#a >= #b),
        Cmp::Eq => quote!(#a == #b),
        Cmp::Ne => quote!(#a != #b),
    }
}

impl Scalars for Code<'_> {
    fn number(&mut self, v: f64) -> TokenStream {
        match self.scalar {
            Scalar::Concrete(_) => {
                let l = proc_macro2::Literal::f64_unsuffixed(v.abs());
                if v < 0.0 {
                    quote!((-#l))
                } else {
                    quote!(#l)
                }
            }
            Scalar::Generic(t) => {
                quote!(::mlp::__private::nalgebra::convert::<f64, #t>(#v))
            }
        }
    }

    fn one(&mut self) -> TokenStream {
        self.one = true;
        quote!(one)
    }

    fn zero(&mut self) -> TokenStream {
        self.zero = true;
        quote!(zero)
    }
}

// ---- forward mode and second derivatives ---------------------------------------------------

/// The code's state for one of the second-order functions: the arguments bound (cloned when
/// taken by reference), `more` bound too (tangents, seeds), the uses below `roots` counted.
fn start<'a>(
    d: &'a Differentiated,
    scalar: &'a Scalar,
    more: &[(Id, TokenStream)],
    roots: &[Id],
) -> (Code<'a>, Vec<TokenStream>) {
    let mut c = Code {
        g: &d.graph,
        scalar,
        bound: HashMap::new(),
        uses: HashMap::new(),
        stmts: Vec::new(),
        zero: false,
        one: false,
    };
    let mut prelude = Vec::new();
    for a in &d.args {
        let i = &a.ident;
        if a.by_ref {
            prelude.push(quote!(let #i = ::core::clone::Clone::clone(#i);));
        }
        c.bound.insert(a.leaf, quote!(#i));
    }
    for (id, name) in more {
        c.bound.insert(*id, name.clone());
    }
    c.count(roots);
    (c, prelude)
}

/// The forward pass: every named value of `d` and the result, in order; the result's name.
fn forward_values(c: &mut Code, d: &Differentiated) -> TokenStream {
    let g = c.g;
    let mut order: Vec<Id> = d
        .grads
        .iter()
        .map(|&(v, _)| v)
        .filter(|&v| !matches!(g.op(v), Op::Leaf(_)))
        .chain([d.output])
        .collect();
    order.sort_unstable();
    order.dedup();
    for &v in &order {
        if !c.bound.contains_key(&v) {
            let name = rust_ident(g, v);
            c.bind(v, name);
        }
    }
    c.value(d.output)
}

/// `let zero = ...; let one = ...;` as the statements used them.
fn constants(c: &Code, s: &TokenStream) -> TokenStream {
    let na = quote!(::mlp::__private::nalgebra);
    let mut constants = TokenStream::new();
    if c.zero {
        constants.extend(quote!(let zero = #na::zero::<#s>();));
    }
    if c.one {
        constants.extend(quote!(let one = #na::one::<#s>();));
    }
    constants
}

/// Zero in a value's shape.
fn zeros(shape: mlp_symbolic::ir::Shape, s: &TokenStream) -> TokenStream {
    let na = quote!(::mlp::__private::nalgebra);
    if shape.is_scalar() {
        quote!(#na::zero::<#s>())
    } else {
        let (r, k) = (lit(shape.rows), lit(shape.cols));
        quote!(#na::SMatrix::<#s, #r, #k>::zeros())
    }
}

/// The body of `NAME_jvp`: the forward pass, then `let d_v = ...;` for every named value's
/// tangent in the same order (a tangent equal to an earlier one is a copy of it), and
/// `(value, d_f)`.
pub fn jvp(d: &Differentiated, scalar: &Scalar) -> TokenStream {
    let g = &d.graph;
    let tangents: Vec<(Id, TokenStream)> = d
        .args
        .iter()
        .zip(&d.jvp.seeds)
        .map(|(a, &t)| {
            let name = format_ident!("d_{}", a.ident);
            (t, quote!(#name))
        })
        .collect();
    let mut roots: Vec<Id> = d.grads.iter().map(|&(v, _)| v).collect();
    roots.push(d.output);
    roots.extend(d.jvp.tangents.iter().map(|&(_, t)| t));
    let (mut c, mut prelude) = start(d, scalar, &tangents, &roots);
    for a in &d.args {
        let name = format_ident!("d_{}", a.ident);
        if a.by_ref {
            prelude.push(quote!(let #name = ::core::clone::Clone::clone(#name);));
        }
    }
    let value = forward_values(&mut c, d);
    let mut result = None;
    for &(v, t) in &d.jvp.tangents {
        let name = format_ident!("d_{}", rust_ident(g, v));
        if let Some(b) = c.bound.get(&t).cloned() {
            c.stmts.push(quote!(let #name = #b;));
        } else {
            c.bind(t, name.clone());
        }
        if v == d.output {
            result = Some(quote!(#name));
        }
    }
    let s = scalar.tokens();
    let tangent = result.unwrap_or_else(|| zeros(g.shape(d.output), &s));
    let stmts = std::mem::take(&mut c.stmts);
    let constants = constants(&c, &s);
    quote! {
        #(#prelude)*
        #constants
        #(#stmts)*
        (#value, #tangent)
    }
}

/// The body of `NAME_hessian`: the forward and backward passes of `NAME_grad`, then for each
/// argument `xⱼ` the tangents of the gradients along it: straight-line for a scalar, in a loop
/// over the unit vectors `e_i` for a vector, storing column `i` of each block
/// `jacobian_i_j` (the Jacobian of `∂f/∂xᵢ` by `xⱼ`, the Hessian's block `(i, j)`).
pub fn hessian(d: &Differentiated, scalar: &Scalar) -> TokenStream {
    let Some(h) = &d.hessian else {
        return internal_error("grad", "a Hessian without its derivation");
    };
    let g = &d.graph;
    let s = scalar.tokens();
    let na = quote!(::mlp::__private::nalgebra);
    let seeds: Vec<(Id, TokenStream)> = d
        .args
        .iter()
        .zip(&h.seeds)
        .filter(|(a, _)| !a.shape.is_scalar())
        .map(|(_, &e)| (e, quote!(e_i)))
        .collect();
    let mut roots: Vec<Id> = d.grads.iter().map(|&(v, _)| v).collect();
    roots.push(d.output);
    roots.extend(d.grads.iter().map(|&(_, gr)| gr));
    roots.extend(h.blocks.iter().flatten().flatten());
    let (mut c, prelude) = start(d, scalar, &seeds, &roots);
    let value = forward_values(&mut c, d);
    let forward_stmts = std::mem::take(&mut c.stmts);
    let grads = backward_pass(&mut c, d);
    let gradients: Vec<TokenStream> = d
        .args
        .iter()
        .map(|a| {
            grads
                .get(&a.leaf)
                .cloned()
                .unwrap_or_else(|| zeros(a.shape, &s))
        })
        .collect();
    let backward_stmts = std::mem::take(&mut c.stmts);
    let mut second = Vec::new();
    let block = |i: usize, j: usize| format_ident!("jacobian_{}_{}", i, j);
    for (j, a) in d.args.iter().enumerate() {
        let column: Vec<(usize, Id)> = h
            .blocks
            .iter()
            .enumerate()
            .filter_map(|(i, row)| row[j].map(|b| (i, b)))
            .collect();
        if a.shape.is_scalar() {
            // Along the number 1: each block is a value of its own.
            for (i, row) in h.blocks.iter().enumerate() {
                let name = block(i, j);
                match row[j] {
                    Some(b) => {
                        let e = c.value(b);
                        second.append(&mut c.stmts);
                        second.push(quote!(let #name = #e;));
                    }
                    None => {
                        let zero = zeros(d.args[i].shape, &s);
                        second.push(quote!(let #name = #zero;));
                    }
                }
            }
            second.append(&mut c.stmts);
            continue;
        }
        // Along e_i for each i: what does not depend on e_i is computed once, before the loop.
        let tangents: Vec<Id> = column.iter().map(|&(_, b)| b).collect();
        let needed = c.needed(&tangents);
        let mut varies = HashSet::from([h.seeds[j]]);
        for &n in &needed {
            if g.op(n).children().iter().any(|ch| varies.contains(ch)) {
                varies.insert(n);
            }
        }
        for &n in &needed {
            if !varies.contains(&n) {
                continue;
            }
            for ch in g.op(n).children() {
                if !varies.contains(&ch) && !c.bound.contains_key(&ch) && !cheap(g, ch) {
                    c.bind(ch, format_ident!("t{}", ch));
                }
            }
        }
        second.append(&mut c.stmts);
        let outside = c.bound.clone();
        let m = lit(a.shape.rows);
        let mut store = Vec::new();
        for (i, row) in h.blocks.iter().enumerate() {
            let name = block(i, j);
            let rows = d.args[i].shape.rows;
            if rows == 1 {
                second.push(quote!(let mut #name = #na::SVector::<#s, #m>::zeros();));
            } else {
                let n = lit(rows);
                second.push(quote!(let mut #name = #na::SMatrix::<#s, #n, #m>::zeros();));
            }
            if let Some(b) = row[j] {
                let e = c.value(b);
                store.push(if rows == 1 {
                    quote!(#name[i] = #e;)
                } else {
                    quote!(#name.set_column(i, &#e);)
                });
            }
        }
        let inside = std::mem::take(&mut c.stmts);
        c.bound = outside;
        let one = c.one();
        second.push(quote! {
            for i in 0..#m {
                let e_i = #na::SVector::<#s, #m>::ith(i, #one);
                #(#inside)*
                #(#store)*
            }
        });
    }
    let rows = (0..d.args.len()).map(|i| {
        let row = (0..d.args.len()).map(|j| block(i, j));
        quote!((#(#row,)*))
    });
    let constants = constants(&c, &s);
    quote! {
        #(#prelude)*
        #constants
        #(#forward_stmts)*
        #(#backward_stmts)*
        #(#second)*
        (#value, (#(#gradients,)*), (#(#rows,)*))
    }
}

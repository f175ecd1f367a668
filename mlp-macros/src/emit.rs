//! Stage 6b, expressions: simplified IR → Rust statements over statically sized nalgebra values.
//!
//! One `let` per named value (`z`, `h`, `d_theta`), named after the math. Unnamed single-use
//! nodes are folded into their consumer: elementwise chains into one `map`/`zip_map` closure
//! (one pass, no temporaries), products and sums into nalgebra's operators, `Wᵀ·g` into
//! `tr_mul` (no transposed copy). Nothing here allocates: every value is a stack matrix.

use mlp_symbolic::ir::{Func, Graph, Id, Num, Op, Ratio};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::{HashMap, HashSet};

/// How a node is written in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Elementwise, inside a per-element closure.
    Closure,
    /// nalgebra's operators and methods (`&w * &x + &b`).
    Operator,
    /// A function call on whole values (`softmax(&theta)`).
    Call,
}

struct Emitter<'g> {
    g: &'g Graph,
    /// Values that already exist: parameters (`self.w`), the input, the target, tape fields.
    places: HashMap<Id, TokenStream>,
    /// Let names of named nodes (`z`, `d_theta`).
    names: &'g HashMap<Id, String>,
    bound: HashMap<Id, TokenStream>,
    inline: HashSet<Id>,
    form: HashMap<Id, Form>,
    stmts: Vec<TokenStream>,
    /// Every node the body computes.
    needed: HashSet<Id>,
    zero: bool,
    one: bool,
    /// Batched code: values have a column per sample.
    batch: bool,
    /// Roots computed straight into a destination.
    sinks: HashMap<Id, TokenStream>,
}

/// The statements computing `roots`, and an expression for each root.
pub struct Body {
    pub stmts: TokenStream,
    pub roots: Vec<TokenStream>,
}

pub fn emit(
    g: &Graph,
    names: &HashMap<Id, String>,
    places: HashMap<Id, TokenStream>,
    roots: &[Id],
) -> Body {
    emit_with(g, names, places, roots, Mode::default())
}

/// How [`emit_with`] writes the body.
#[derive(Default)]
pub struct Mode {
    /// A batched graph: every per-sample value has a column per sample, `B` of them.
    pub batch: bool,
    /// Roots computed straight into a destination (`grads.w`): an outer product `a·bᵀ` by a
    /// kernel that writes every element once, anything else by assignment. The roots'
    /// expressions are then the destinations.
    pub sinks: HashMap<Id, TokenStream>,
}

/// [`emit`] in another [`Mode`].
pub fn emit_with(
    g: &Graph,
    names: &HashMap<Id, String>,
    places: HashMap<Id, TokenStream>,
    roots: &[Id],
    mode: Mode,
) -> Body {
    let Mode { batch, sinks } = mode;
    let needed: Vec<Id> = g
        .reachable(roots, |n| places.contains_key(&n))
        .into_iter()
        .filter(|n| !places.contains_key(n))
        .collect();
    let mut e = Emitter {
        g,
        places,
        names,
        bound: HashMap::new(),
        inline: HashSet::new(),
        form: HashMap::new(),
        stmts: Vec::new(),
        needed: needed.iter().copied().collect(),
        zero: false,
        one: false,
        batch,
        sinks,
    };
    e.plan(&needed, roots);
    for &n in &needed {
        if !e.inline.contains(&n) && !e.bound.contains_key(&n) {
            e.bind(n);
        }
    }
    let roots = roots.iter().map(|&r| e.value(r)).collect();
    let mut stmts = TokenStream::new();
    if e.zero {
        stmts.extend(quote!(let zero = ::mlp::__private::nalgebra::zero::<T>();));
    }
    if e.one {
        stmts.extend(quote!(let one = ::mlp::__private::nalgebra::one::<T>();));
    }
    stmts.extend(e.stmts);
    Body { stmts, roots }
}

impl Emitter<'_> {
    /// Whether the node is a plain `T` in the generated code (a loss, an inner product, and
    /// arithmetic on those). A 1×1 *vector* (the output of `Linear(8, 1)`) is an
    /// `SMatrix<T, 1, 1>`, not a `T`: the shape alone cannot tell them apart.
    fn is_t(&self, n: Id) -> bool {
        if self.batch {
            return self.is_t_batch(n);
        }
        match *self.g.op(n) {
            Op::Dot(..)
            | Op::LogSumExp(_)
            | Op::CrossEntropy(..)
            | Op::Mse(..)
            | Op::Bce(..)
            | Op::BceLogits(..)
            | Op::Max(_)
            | Op::ExpSum(_) => true,
            Op::Log(a) => self.is_t(a),
            Op::Add(a, b) | Op::Sub(a, b) => self.is_t(a) && self.is_t(b),
            Op::Neg(a) | Op::Scale(_, a) => self.is_t(a),
            _ => false,
        }
    }

    /// In a batch, a per-sample number is a row (`SMatrix<T, 1, B>`); a `T` is only what sums
    /// over the batch, and the constant `1/B`.
    fn is_t_batch(&self, n: Id) -> bool {
        match *self.g.op(n) {
            Op::Leaf(_) => matches!(
                self.g.leaf_of(n).map(|l| l.kind),
                Some(mlp_symbolic::ir::LeafKind::Constant)
            ),
            Op::RowSum(a) => self.is_row(a),
            Op::MatMul(a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Hadamard(a, b) => {
                self.is_t(a) && self.is_t(b)
            }
            Op::Neg(a) | Op::Scale(_, a) => self.is_t(a),
            _ => false,
        }
    }

    /// A row of per-sample numbers in a batch: what is a `T` for one sample.
    fn is_row(&self, n: Id) -> bool {
        match *self.g.op(n) {
            Op::Dot(..)
            | Op::LogSumExp(_)
            | Op::CrossEntropy(..)
            | Op::Mse(..)
            | Op::Bce(..)
            | Op::BceLogits(..)
            | Op::Max(_)
            | Op::ExpSum(_) => true,
            Op::Log(a) | Op::Neg(a) | Op::Scale(_, a) => self.is_row(a),
            Op::Add(a, b) | Op::Sub(a, b) => self.is_row(a) && self.is_row(b),
            _ => false,
        }
    }

    /// Decides each node's form and which nodes fold into their consumer.
    fn plan(&mut self, needed: &[Id], roots: &[Id]) {
        let set: HashSet<Id> = needed.iter().copied().collect();
        let mut uses: HashMap<Id, usize> = HashMap::new();
        let mut consumer: HashMap<Id, Id> = HashMap::new();
        for &n in needed {
            for c in self.g.op(n).children() {
                *uses.entry(c).or_default() += 1;
                consumer.insert(c, n);
            }
        }
        for &r in roots {
            *uses.entry(r).or_default() += 1;
        }
        let candidate = |e: &Self, n: Id| {
            set.contains(&n)
                && uses.get(&n) == Some(&1)
                && !e.names.contains_key(&n)
                && !e.sinks.contains_key(&n)
        };
        for &n in needed {
            let form = match self.g.op(n) {
                Op::Hadamard(..)
                | Op::Div(..)
                | Op::Map(..)
                | Op::SubScalar(..)
                | Op::Ones(_)
                | Op::Broadcast(..) => Form::Closure,
                Op::MatMul(..) | Op::Transpose(_) => Form::Operator,
                Op::Add(p, b)
                    if matches!(self.g.op(*p), Op::MatMul(..))
                        && matches!(self.g.op(*b), Op::Broadcast(..)) =>
                {
                    Form::Operator
                }
                Op::Add(..) | Op::Sub(..) | Op::Neg(_) | Op::Scale(..) => {
                    let closure_child = self.g.op(n).children().into_iter().any(|c| {
                        self.g.is_class_target(c)
                            || (candidate(self, c) && self.form.get(&c) == Some(&Form::Closure))
                    });
                    if closure_child && !self.is_t(n) && !self.is_row(n) {
                        Form::Closure
                    } else {
                        Form::Operator
                    }
                }
                _ => Form::Call,
            };
            self.form.insert(n, form);
        }
        for &n in needed {
            if !candidate(self, n) {
                continue;
            }
            let Some(&parent) = consumer.get(&n) else {
                continue;
            };
            // An update is a statement among others that change parameters: what it reads is
            // computed before any of them runs.
            if matches!(self.g.op(parent), Op::Step(..) | Op::OuterStep(..)) {
                continue;
            }
            let (mine, theirs) = (self.form[&n], self.form[&parent]);
            let absorbed_transpose = matches!(self.g.op(n), Op::Transpose(_))
                && matches!(self.g.op(parent), Op::MatMul(..));
            // `W·X + b·1ᵀ`: the bias is read by the affine kernel, never repeated into a matrix.
            let absorbed_bias = matches!(self.g.op(n), Op::Broadcast(..))
                && matches!(*self.g.op(parent), Op::Add(p, _) if matches!(self.g.op(p), Op::MatMul(..)));
            // A whole-value call folded into a closure would run once per element: never.
            let fold = matches!(
                (mine, theirs),
                (Form::Closure, Form::Closure)
                    | (Form::Operator | Form::Call, Form::Operator | Form::Call)
            );
            if fold || absorbed_transpose || absorbed_bias {
                self.inline.insert(n);
            }
        }
    }

    /// `let name = expr;`
    fn bind(&mut self, n: Id) {
        let name = match self.names.get(&n) {
            Some(s) => Ident::new(s, Span::call_site()),
            None => format_ident!("t{}", n),
        };
        // ŷ = softmax(θ) whose max and sum the loss shares (`lse_from_softmax`): all three from
        // one pass.
        if let Op::Softmax(t) = *self.g.op(n) {
            let parts = [Op::Max(t), Op::ExpSum(t)]
                .map(|op| self.g.find(&op).filter(|p| self.needed.contains(p)));
            if let [Some(max), Some(sum)] = parts {
                let (m, s) = (format_ident!("{}_max", name), format_ident!("{}_sum", name));
                let t = self.borrow(t);
                let kernel = if self.batch {
                    quote!(::mlp::__private::softmax_parts_columns)
                } else {
                    quote!(::mlp::__private::softmax_parts)
                };
                self.stmts.push(quote!(let (#name, #m, #s) = #kernel(#t);));
                self.bound.insert(n, quote!(#name));
                self.bound.insert(max, quote!(#m));
                self.bound.insert(sum, quote!(#s));
                return;
            }
        }
        if let Some(statement) = self.update(n) {
            self.stmts.push(statement);
            return;
        }
        if let Some(dest) = self.sinks.get(&n).cloned() {
            if let Some(statement) = self.class_difference(n, quote!(#dest), false) {
                self.stmts.push(statement);
                self.bound.insert(n, dest);
                return;
            }
            let statement = match *self.g.op(n) {
                Op::MatMul(a, bt) if !self.batch && matches!(self.g.op(bt), Op::Transpose(_)) => {
                    let Op::Transpose(b) = *self.g.op(bt) else {
                        return;
                    };
                    let (a, b) = (self.borrow(a), self.borrow(b));
                    quote!(::mlp::__private::set_outer(&mut #dest, #a, #b);)
                }
                _ => {
                    let expr = self.expr(n);
                    quote!(#dest = #expr;)
                }
            };
            self.stmts.push(statement);
            self.bound.insert(n, dest);
            return;
        }
        if let Some(statement) = self.class_difference(n, quote!(#name), true) {
            self.stmts.push(statement);
            self.bound.insert(n, quote!(#name));
            return;
        }
        let expr = self.expr(n);
        self.stmts.push(quote!(let #name = #expr;));
        self.bound.insert(n, quote!(#name));
    }

    /// `ŷ − y` for a class index into `place` (a new `let mut` when `declare`): copy ŷ and
    /// subtract one at the class of each sample, with no one-hot vector.
    fn class_difference(
        &mut self,
        n: Id,
        place: TokenStream,
        declare: bool,
    ) -> Option<TokenStream> {
        let Op::Sub(a, y) = *self.g.op(n) else {
            return None;
        };
        if !self.g.is_class_target(y) || self.inline.contains(&a) {
            return None;
        }
        let (a, y) = (self.value(a), self.value(y));
        self.one = true;
        let init = if declare {
            quote!(let mut #place = #a;)
        } else {
            quote!(#place = #a;)
        };
        Some(if self.batch {
            quote! {
                #init
                for (j, &class) in #y.iter().enumerate() {
                    #place[(class, j)] -= one;
                }
            }
        } else {
            quote! {
                #init
                #place[#y] -= one;
            }
        })
    }

    /// An update of training as a statement on the parameter's place.
    fn update(&mut self, n: Id) -> Option<TokenStream> {
        match *self.g.op(n) {
            Op::Step(p, d) => {
                let (p, d) = (self.value(p), self.borrow(d));
                Some(quote!(::mlp::__private::sgd_update(&mut #p, #d, learning_rate);))
            }
            Op::OuterStep(p, a, b, scale) => {
                let (p, a, b) = (self.value(p), self.borrow(a), self.borrow(b));
                let rate = match scale {
                    Some(s) => {
                        let s = self.value(s);
                        quote!(learning_rate * #s)
                    }
                    None => quote!(learning_rate),
                };
                Some(quote!(::mlp::__private::sub_outer(&mut #p, #rate, #a, #b);))
            }
            _ => None,
        }
    }

    /// The node as a place, a let, or a parenthesized expression (usable as a receiver).
    fn value(&mut self, n: Id) -> TokenStream {
        if let Some(p) = self.places.get(&n) {
            return p.clone();
        }
        if let Some(b) = self.bound.get(&n) {
            return b.clone();
        }
        let e = self.expr(n);
        if self.form.get(&n) == Some(&Form::Operator) {
            quote!((#e))
        } else {
            e
        }
    }

    /// A borrowed operand: `&name` or `&(expr)`; a place that is a reference already (`(*x)`)
    /// is passed as it is (`x`).
    fn borrow(&mut self, n: Id) -> TokenStream {
        let v = self.value(n);
        let mut tokens = v.clone().into_iter();
        if let (Some(proc_macro2::TokenTree::Group(group)), None) = (tokens.next(), tokens.next()) {
            let inner: Vec<proc_macro2::TokenTree> = group.stream().into_iter().collect();
            if let [proc_macro2::TokenTree::Punct(star), ident @ proc_macro2::TokenTree::Ident(_)] =
                inner.as_slice()
            {
                if star.as_char() == '*' && group.delimiter() == proc_macro2::Delimiter::Parenthesis
                {
                    return quote!(#ident);
                }
            }
        }
        quote!(&#v)
    }

    /// An operand of an operator: scalars by value, matrices borrowed unless freshly computed.
    fn operand(&mut self, n: Id) -> TokenStream {
        if self.is_t(n) || self.inline.contains(&n) {
            return self.value(n);
        }
        self.borrow(n)
    }

    /// An operand of `+` or `−`: a folded product needs no parentheses (`&w * &x + &b`).
    fn summand(&mut self, n: Id) -> TokenStream {
        let product = matches!(self.g.op(n), Op::MatMul(..) | Op::Scale(..));
        if product && self.inline.contains(&n) && !self.is_t(n) {
            return self.expr(n);
        }
        self.operand(n)
    }

    fn expr(&mut self, n: Id) -> TokenStream {
        match self.form.get(&n).copied().unwrap_or(Form::Call) {
            Form::Closure => self.closure(n),
            Form::Operator => self.operator(n),
            Form::Call => self.call(n),
        }
    }

    fn operator(&mut self, n: Id) -> TokenStream {
        let g = self.g;
        match *g.op(n) {
            // Products of matrices go to the register-blocked kernels (`mlp::kernels::mul`);
            // a transpose folds into the kernel instead of being copied.
            Op::MatMul(a, b) => {
                if let (Op::Transpose(a0), true) = (g.op(a), self.inline.contains(&a)) {
                    let (a0, b) = (self.value(*a0), self.borrow(b));
                    return if self.batch {
                        quote!(::mlp::__private::tr_mul(&#a0, #b))
                    } else {
                        quote!(#a0.tr_mul(#b))
                    };
                }
                if let (Op::Transpose(b0), true) = (g.op(b), self.inline.contains(&b)) {
                    let (a, b0) = (self.borrow(a), self.borrow(*b0));
                    return quote!(::mlp::__private::mul_tr(#a, #b0));
                }
                if self.is_t(a) {
                    let (a, b) = (self.operand(a), self.operand(b));
                    return quote!(#b * #a);
                }
                if self.is_t(b) {
                    let (a, b) = (self.operand(a), self.operand(b));
                    return quote!(#a * #b);
                }
                let (a, b) = (self.borrow(a), self.borrow(b));
                if self.batch {
                    quote!(::mlp::__private::mul(#a, #b))
                } else {
                    quote!((#a * #b))
                }
            }
            // W·x + b: the product accumulated onto the bias, one pass (BLAS's gemv with β = 1).
            Op::Add(p, b) if self.affine(p).is_some() => {
                let (w, x) = self.affine(p).unwrap_or((p, b));
                let (w, x) = (self.borrow(w), self.borrow(x));
                if let Op::Broadcast(b0, _) = *g.op(b) {
                    let b0 = self.borrow(b0);
                    return quote!(::mlp::__private::affine_columns(#w, #x, #b0));
                }
                let b = self.borrow(b);
                quote!(::mlp::__private::affine(#w, #x, #b))
            }
            Op::Transpose(a) => {
                let a = self.value(a);
                quote!(#a.transpose())
            }
            Op::Add(a, b) => {
                let (a, b) = (self.summand(a), self.summand(b));
                quote!(#a + #b)
            }
            Op::Sub(a, b) => {
                let (a, b) = (self.summand(a), self.summand(b));
                quote!(#a - #b)
            }
            Op::Neg(a) => {
                let a = self.operand(a);
                quote!(-#a)
            }
            Op::Scale(r, a) => {
                let (a, c) = (self.operand(a), ratio(r));
                quote!(#a * #c)
            }
            _ => self.call(n),
        }
    }

    /// `(W, x)` when `p` is the product `W·x` of an affine layer, folded into its `+ b`.
    fn affine(&self, p: Id) -> Option<(Id, Id)> {
        match *self.g.op(p) {
            Op::MatMul(w, x)
                if self.inline.contains(&p)
                    && !self.is_t(w)
                    && !self.is_t(x)
                    && !matches!(self.g.op(w), Op::Transpose(_))
                    && !matches!(self.g.op(x), Op::Transpose(_)) =>
            {
                Some((w, x))
            }
            _ => None,
        }
    }

    /// The batch form of a column-by-column operation: the kernel applied to every sample.
    fn call_batch(&mut self, n: Id) -> Option<TokenStream> {
        let g = self.g;
        let kernel = |name: &str| {
            let ident = format_ident!("{}", name);
            quote!(::mlp::__private::#ident)
        };
        let out = match *g.op(n) {
            Op::Softmax(a) => {
                let a = self.borrow(a);
                quote!(::mlp::__private::softmax_columns(#a))
            }
            Op::LogSumExp(a) | Op::Max(a) | Op::ExpSum(a) => {
                let name = match g.op(n) {
                    Op::LogSumExp(_) => "log_sum_exp_columns",
                    Op::Max(_) => "max_columns",
                    _ => "exp_sum_columns",
                };
                let (f, a) = (kernel(name), self.borrow(a));
                quote!(#f(#a))
            }
            Op::Log(a) => {
                let a = self.value(a);
                quote!(#a.map(|v| v.ln()))
            }
            Op::Dot(a, b) if g.is_class_target(a) || g.is_class_target(b) => {
                let (y, v) = if g.is_class_target(a) { (a, b) } else { (b, a) };
                let (y, v) = (self.value(y), self.value(v));
                quote!(::mlp::__private::nalgebra::SMatrix::<T, 1, B>::from_fn(|_, j| #v[(#y[j], j)]))
            }
            Op::Dot(a, b) => {
                let (a, b) = (self.borrow(a), self.borrow(b));
                quote!(::mlp::__private::dot_columns(#a, #b))
            }
            Op::Mse(a, y) => {
                let (a, y) = (self.borrow(a), self.borrow(y));
                quote!(::mlp::__private::mse_columns(#a, #y))
            }
            Op::BceLogits(t, y) => {
                let (t, y) = (self.borrow(t), self.borrow(y));
                quote!(::mlp::__private::bce_with_logits_columns(#t, #y))
            }
            Op::Maxout(_, t) => {
                let (units, pieces) = (lit(g.shape(n).rows), lit(g.shape(t).rows));
                let t = self.borrow(t);
                quote!(::mlp::__private::maxout_columns::<T, #units, #pieces, B>(#t))
            }
            Op::MaxoutRoute(_, t, up) => {
                let (units, pieces) = (lit(g.shape(up).rows), lit(g.shape(t).rows));
                let (t, up) = (self.borrow(t), self.borrow(up));
                quote!(::mlp::__private::maxout_route_columns::<T, #units, #pieces, B>(#t, #up))
            }
            Op::RowSum(a) if self.is_t(n) => {
                let a = self.value(a);
                quote!(#a.sum())
            }
            Op::RowSum(a) => {
                let a = self.value(a);
                quote!(#a.column_sum())
            }
            _ => return None,
        };
        Some(out)
    }

    fn call(&mut self, n: Id) -> TokenStream {
        let g = self.g;
        if self.batch {
            if let Some(out) = self.call_batch(n) {
                return out;
            }
        }
        match *g.op(n) {
            Op::Softmax(a) => {
                let a = self.borrow(a);
                quote!(::mlp::__private::softmax(#a))
            }
            Op::LogSumExp(a) => {
                let a = self.borrow(a);
                quote!(::mlp::__private::log_sum_exp(#a))
            }
            Op::Dot(a, b) if g.is_class_target(a) || g.is_class_target(b) => {
                let (y, v) = if g.is_class_target(a) { (a, b) } else { (b, a) };
                let (y, v) = (self.value(y), self.value(v));
                quote!(#v[#y])
            }
            Op::Dot(a, b) => {
                let (a, b) = (self.value(a), self.borrow(b));
                quote!(#a.dot(#b))
            }
            Op::CrossEntropy(p, y) if g.is_class_target(y) => {
                let (p, y) = (self.value(p), self.value(y));
                quote!((-#p[#y].ln()))
            }
            Op::CrossEntropy(p, y) => {
                let (p, y) = (self.value(p), self.value(y));
                quote!((-#y.dot(&#p.map(|p| p.ln()))))
            }
            Op::Mse(a, y) => {
                let mean = ratio(Ratio::new(1, g.shape(a).rows as i64));
                let (a, y) = (self.borrow(a), self.borrow(y));
                quote!((#a - #y).norm_squared() * #mean)
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
            Op::BceLogits(t, y) => {
                let (t, y) = (self.borrow(t), self.borrow(y));
                quote!(::mlp::__private::bce_with_logits(#t, #y))
            }
            Op::Maxout(_, t) => {
                let (units, pieces) = (lit(g.shape(n).rows), lit(g.shape(t).rows));
                let t = self.borrow(t);
                quote!(::mlp::__private::maxout::<T, #units, #pieces>(#t))
            }
            Op::MaxoutSelect(_, t) => {
                let (units, pieces) = (lit(g.shape(n).rows), lit(g.shape(t).rows));
                let t = self.borrow(t);
                quote!(::mlp::__private::maxout_selection::<T, #units, #pieces>(#t))
            }
            Op::MaxoutRoute(_, t, up) => {
                let (units, pieces) = (lit(g.shape(up).rows), lit(g.shape(t).rows));
                let (t, up) = (self.borrow(t), self.borrow(up));
                quote!(::mlp::__private::maxout_route::<T, #units, #pieces>(#t, #up))
            }
            Op::Max(a) => {
                let a = self.value(a);
                quote!(#a.max())
            }
            Op::Log(a) => {
                let a = self.value(a);
                quote!(#a.ln())
            }
            Op::ExpSum(a) => {
                let a = self.borrow(a);
                quote!(::mlp::__private::exp_sum(#a))
            }
            Op::Leaf(_) => internal_error("a leaf without a value"),
            _ => self.closure(n),
        }
    }

    /// An elementwise expression tree as one pass over the elements.
    fn closure(&mut self, n: Id) -> TokenStream {
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
    fn leaf_ident(&self, l: Id) -> Ident {
        Ident::new(&rust_name(self.g, self.names, l), Span::call_site())
    }

    fn collect_leaves(&self, n: Id, leaves: &mut Vec<Id>, indexed: &mut bool) {
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
    fn folded_step(&self, s: Id) -> Option<(Id, Option<Num>)> {
        match *self.g.op(s) {
            Op::Map(Func::Step, z) if self.inline.contains(&s) => Some((z, None)),
            Op::Map(Func::LeakyStep(a), z) if self.inline.contains(&s) => Some((z, Some(a))),
            _ => None,
        }
    }

    /// One element of `n`; the bool says whether it is atomic (needs no parentheses).
    fn element(&mut self, n: Id, access: &HashMap<Id, TokenStream>) -> (TokenStream, bool) {
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
                        let slope = number(slope);
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
                let (a, c) = (sub(self, a), ratio(r));
                quote!(#a * #c)
            }
            Op::Ones(_) => {
                self.one = true;
                return (quote!(one), true);
            }
            Op::Broadcast(a, _) => return self.element(a, access),
            Op::Fill(c, ..) => return (number(c), true),
            Op::Map(f, a) => {
                // A compound operand used twice is bound once: `{ let v = ..; .. }`.
                let simple = access.contains_key(&a);
                let operand = sub(self, a);
                let a = if simple { operand.clone() } else { quote!(v) };
                let bind = |body: TokenStream| -> TokenStream {
                    if simple {
                        body
                    } else {
                        quote!({ let v = #operand; #body })
                    }
                };
                match f {
                    // `z < 0 ? 0 : z`, not `z > 0 ? z : 0`: a NaN passes through, as in
                    // PyTorch, instead of silently becoming 0.
                    Func::Relu => {
                        self.zero = true;
                        return (bind(quote!(if #a < zero { zero } else { #a })), !simple);
                    }
                    Func::LeakyRelu(slope) => {
                        self.zero = true;
                        let slope = number(slope);
                        return (
                            bind(quote!(if #a > zero { #a } else { #a * #slope })),
                            !simple,
                        );
                    }
                    Func::LeakyStep(slope) => {
                        self.zero = true;
                        self.one = true;
                        let slope = number(slope);
                        return (bind(quote!(if #a > zero { one } else { #slope })), !simple);
                    }
                    Func::Elu(alpha) => {
                        self.zero = true;
                        self.one = true;
                        let alpha = number(alpha);
                        return (
                            bind(quote!(if #a >= zero { #a } else { (#a.exp() - one) * #alpha })),
                            !simple,
                        );
                    }
                    Func::EluPrime(alpha) => {
                        self.zero = true;
                        self.one = true;
                        let alpha = number(alpha);
                        return (
                            bind(quote!(if #a >= zero { one } else { #a.exp() * #alpha })),
                            !simple,
                        );
                    }
                    Func::Step => {
                        self.zero = true;
                        self.one = true;
                        return (bind(quote!(if #a > zero { one } else { zero })), !simple);
                    }
                    Func::Sigmoid => {
                        self.one = true;
                        return (bind(quote!(one / (one + (-#a).exp()))), !simple);
                    }
                    Func::Tanh => return (bind(quote!(#a.tanh())), true),
                    Func::Square => return (bind(quote!(#a * #a)), !simple),
                    Func::Exp => return (bind(quote!(#a.exp())), true),
                    Func::Ln => return (bind(quote!(#a.ln())), true),
                    Func::Sqrt => return (bind(quote!(#a.sqrt())), true),
                    Func::Powi(k) => return (bind(quote!(#a.powi(#k))), true),
                    Func::Recip => {
                        self.one = true;
                        return (bind(quote!(one / #a)), !simple);
                    }
                }
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
                None => internal_error("an elementwise operand without a value"),
            },
        };
        (t, false)
    }
}

/// A node's Rust name: its let name (`d_theta`), else its value's name (`z`, `b1`), else `t7`.
pub fn rust_name(g: &Graph, names: &HashMap<Id, String>, n: Id) -> String {
    names
        .get(&n)
        .cloned()
        .or_else(|| g.name(n).map(|x| x.rust.clone()))
        .unwrap_or_else(|| format!("t{n}"))
}

/// A bug in this crate, reported as a compile error rather than a panic or a hang.
fn internal_error(what: &str) -> TokenStream {
    let message = format!("internal error in #[mlp::network]: {what}; please report it");
    quote!(::core::compile_error!(#message))
}

/// A constant as a `T`.
fn number(n: Num) -> TokenStream {
    let value = n.value();
    quote!(::mlp::__private::nalgebra::convert::<f64, T>(#value))
}

/// A rational constant as a `T`.
fn ratio(r: Ratio) -> TokenStream {
    let convert = quote!(::mlp::__private::nalgebra::convert::<f64, T>);
    let num = r.num as f64;
    if r.den == 1 {
        quote!(#convert(#num))
    } else {
        let den = r.den as f64;
        quote!((#convert(#num) / #convert(#den)))
    }
}

/// A dimension: a literal, or the batch size `B`.
pub fn dim(n: usize) -> TokenStream {
    if n == mlp_symbolic::ir::BATCH {
        quote!(B)
    } else {
        let n = lit(n);
        quote!(#n)
    }
}

/// A size as an unsuffixed literal (`16`, not `16usize`).
pub fn lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

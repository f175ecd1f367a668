//! Simplified IR → Rust statements over statically sized nalgebra values.
//!
//! One `let` per named value (`z`, `h`, `d_theta`), named after the math. Unnamed single-use
//! nodes are folded into their consumer: elementwise chains into one `map`/`zip_map` closure
//! (one pass, no temporaries), products and sums into nalgebra's operators, `Wᵀ·g` into
//! `tr_mul` (no transposed copy). Nothing here allocates: every value is a stack matrix.
//!
//! The [`Emitter`] is one pass in steps, one file each: [`typing`] (what a value is in Rust),
//! [`plan`] (each node's form, what folds into its consumer), [`statements`] (the `let`s and
//! updates), [`operands`], [`operators`] (nalgebra's operators), [`kernels`] (calls on whole
//! values, per sample and batched from one table) and [`closures`] (elementwise trees); the
//! scalar functions ([`scalar`]) and the arithmetic ([`arithmetic`]) are shared with
//! `#[mlp::grad]`'s code.

pub mod arithmetic;
mod closures;
mod kernels;
mod operands;
mod operators;
mod plan;
pub mod scalar;
mod statements;
mod typing;

use mlp_symbolic::ir::{Graph, Id};
use plan::Form;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::{HashMap, HashSet};

/// The state of one body being written.
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

/// A node's Rust name: its let name (`d_theta`), else its value's name (`z`, `b1`), else `t7`.
pub fn rust_name(g: &Graph, names: &HashMap<Id, String>, n: Id) -> String {
    names
        .get(&n)
        .cloned()
        .or_else(|| g.name(n).map(|x| x.rust.clone()))
        .unwrap_or_else(|| format!("t{n}"))
}

/// A bug in this crate, reported as a compile error rather than a panic or a hang.
pub fn internal_error(attribute: &str, what: &str) -> TokenStream {
    let message = format!("internal error in #[mlp::{attribute}]: {what}; please report it");
    quote!(::core::compile_error!(#message))
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

impl scalar::Scalars for Emitter<'_> {
    fn zero(&mut self) -> TokenStream {
        self.zero = true;
        quote!(zero)
    }

    fn one(&mut self) -> TokenStream {
        self.one = true;
        quote!(one)
    }

    fn number(&mut self, v: f64) -> TokenStream {
        quote!(::mlp::__private::nalgebra::convert::<f64, T>(#v))
    }
}

/// A size as an unsuffixed literal (`16`, not `16usize`).
pub fn lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

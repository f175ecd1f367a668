//! Stage 6c, items: the network struct, its tape and gradients, and the `mlp::Network` impl,
//! one module per generated part: [`types`] (the structs, their constants and visitors),
//! [`network`] (the per-sample methods), [`train`] (the fused step), [`batch`] (the batch
//! methods) and [`soft`] (soft targets).
//!
//! Every method body comes from the same simplified IR through [`emit`]: only the roots differ
//! (`forward` asks for ŷ, `backward` for the parameter gradients, `loss` for J).

mod batch;
mod int8;
mod network;
mod soft;
mod train;
mod types;

use crate::backprop::Backprop;
use crate::check::Loss;
use crate::emit::{emit, lit, rust_name, Body};
use mlp_symbolic::ir::{Graph, Id, Name, Shape};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::HashMap;
use syn::{Attribute, Visibility};

/// Traits the generated struct already has (derived or implemented): a user's `#[derive]` of
/// one of them would conflict, so it is dropped from the user's list; other derives stay.
const PROVIDED: &[&str] = &["Clone", "Copy", "Debug", "PartialEq", "Default"];

/// The user's attributes, minus derives of traits the generated code already provides.
fn user_attributes(attrs: &[Attribute]) -> Vec<TokenStream> {
    use syn::punctuated::Punctuated;
    attrs
        .iter()
        .filter_map(|attr| {
            if !attr.path().is_ident("derive") {
                return Some(quote!(#attr));
            }
            let Ok(paths) =
                attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                return Some(quote!(#attr));
            };
            let kept: Vec<&syn::Path> = paths
                .iter()
                .filter(|p| !PROVIDED.iter().any(|t| p.is_ident(t)))
                .collect();
            (!kept.is_empty()).then(|| quote!(#[derive(#(#kept),*)]))
        })
        .collect()
}

/// What the user wrote on the struct.
pub struct Item {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
}

fn ty(shape: Shape) -> TokenStream {
    let (r, c) = (lit(shape.rows), lit(shape.cols));
    quote!(::mlp::__private::nalgebra::SMatrix<T, #r, #c>)
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Let names: the `values` by their own names, the loss `j`, gradients `d_` + name, and values
/// inside a layer that have a name of their own (an `Elementwise` activation's σ(z)).
fn let_names(
    g: &Graph,
    values: &[Id],
    loss: Id,
    grad_names: &HashMap<Id, Name>,
) -> HashMap<Id, String> {
    let mut names: HashMap<Id, String> = HashMap::new();
    for &v in values {
        if let Some(n) = g.name(v) {
            names.insert(v, n.rust.clone());
        }
    }
    names.insert(loss, "j".into());
    for (&node, n) in grad_names {
        names.entry(node).or_insert_with(|| n.rust.clone());
    }
    for id in 0..g.len() {
        if let (Some(n), None) = (g.name(id), names.get(&id)) {
            if g.leaf_of(id).is_none() {
                names.insert(id, n.rust.clone());
            }
        }
    }
    names
}

/// [`let_names`] of a network: its layers' values.
fn network_let_names(d: &Backprop) -> HashMap<Id, String> {
    let values: Vec<Id> = d.model.layers.iter().map(|l| l.value).collect();
    let_names(&d.model.graph, &values, d.loss, &d.grad_names)
}

/// Each gradient computed straight into its field of `grads`; a gradient that two parameters
/// share is computed into the first and copied to the others.
fn gradient_sinks(nodes: &[Id], fields: &[Ident]) -> (HashMap<Id, TokenStream>, Vec<TokenStream>) {
    let mut sinks: HashMap<Id, TokenStream> = HashMap::new();
    let mut copies = Vec::new();
    for (&node, field) in nodes.iter().zip(fields) {
        match sinks.get(&node) {
            Some(first) => copies.push(quote!(grads.#field = #first;)),
            None => {
                sinks.insert(node, quote!(grads.#field));
            }
        }
    }
    (sinks, copies)
}

/// The network's items. `soft`: for `CE`, the same network derived for probability-vector
/// targets, which adds the `soft_*` methods.
/// What every generated part shares: names, types, and the places a body reads.
pub struct Parts<'a> {
    pub d: &'a Backprop,
    /// Let names of the named nodes.
    pub names: HashMap<Id, String>,
    pub name: &'a Ident,
    pub tape_name: Ident,
    pub grads_name: Ident,
    /// `T: RealField + Copy`.
    pub bound: TokenStream,
    pub param_idents: Vec<Ident>,
    /// The input's Rust name (`x`).
    pub x: Ident,
    pub input_ty: TokenStream,
    pub output_ty: TokenStream,
    pub target_ty: TokenStream,
    pub inputs: usize,
    pub outputs: usize,
    /// Parameters as `self.w`.
    pub base: HashMap<Id, TokenStream>,
    /// The tape: the forward values the backward pass reads, no more.
    pub tape_nodes: Vec<Id>,
    pub tape_fields: Vec<Ident>,
    /// The chain as written in the attribute.
    pub chain: &'a str,
}

impl<'a> Parts<'a> {
    fn new(d: &'a Backprop, item: &'a Item, chain: &'a str) -> Parts<'a> {
        let m = &d.model;
        let g = &m.graph;
        let names = network_let_names(d);
        let param_idents: Vec<Ident> = m.params.iter().map(|p| ident(&p.name.rust)).collect();
        let output_ty = ty(g.shape(m.output));
        let target_ty = match m.loss_kind {
            Loss::CrossEntropy => quote!(usize),
            Loss::BinaryCrossEntropy => quote!(T),
            Loss::Mse => output_ty.clone(),
        };
        let mut base: HashMap<Id, TokenStream> = HashMap::new();
        for (p, id) in m.params.iter().zip(&param_idents) {
            base.insert(p.leaf, quote!(self.#id));
        }
        let tape_nodes = tape_nodes(d);
        let tape_fields: Vec<Ident> = tape_nodes
            .iter()
            .map(|&n| ident(&rust_name(g, &names, n)))
            .collect();
        Parts {
            d,
            names,
            name: &item.ident,
            tape_name: format_ident!("{}Tape", item.ident),
            grads_name: format_ident!("{}Gradients", item.ident),
            bound: quote!(T: ::mlp::__private::RealField + ::core::marker::Copy),
            param_idents,
            x: ident(&g.name(m.input).map_or("x".into(), |n| n.rust.clone())),
            input_ty: ty(g.shape(m.input)),
            output_ty,
            target_ty,
            inputs: g.shape(m.input).rows,
            outputs: g.shape(m.output).rows,
            base,
            tape_nodes,
            tape_fields,
            chain,
        }
    }

    /// The parameters, the input and the target.
    fn with_xy(&self) -> HashMap<Id, TokenStream> {
        let (m, x) = (&self.d.model, &self.x);
        let mut places = self.base.clone();
        places.insert(m.input, quote!((*#x)));
        places.insert(m.target, quote!(y));
        places
    }

    /// The parameters, the tape's values and the target.
    fn tape_places(&self) -> HashMap<Id, TokenStream> {
        let mut places = self.base.clone();
        for (&n, f) in self.tape_nodes.iter().zip(&self.tape_fields) {
            places.insert(n, quote!(tape.#f));
        }
        places.insert(self.d.model.target, quote!(y));
        places
    }

    /// The statements computing `roots` from `places`.
    fn emit(&self, places: HashMap<Id, TokenStream>, roots: &[Id]) -> Body {
        emit(&self.d.model.graph, &self.names, places, roots)
    }

    /// Binds the target as the body reads it: `y`, a class index checked against the outputs.
    fn target_binding(&self) -> TokenStream {
        let outputs = lit(self.outputs);
        match self.d.model.loss_kind {
            Loss::CrossEntropy => quote! {
                let y: usize = *target;
                assert!(y < #outputs, "class index out of range: the network has {} classes", #outputs);
            },
            Loss::BinaryCrossEntropy => {
                quote!(let y = ::mlp::__private::nalgebra::SMatrix::<T, 1, 1>::new(*target);)
            }
            Loss::Mse => quote!(let y = *target;),
        }
    }
}

/// The tape: the forward values the backward pass reads, no more.
pub fn tape_nodes(d: &Backprop) -> Vec<Id> {
    let m = &d.model;
    let g = &m.graph;
    let forward_nodes: Vec<Id> = g.reachable(&[m.output], |_| false);
    let is_forward = |n: Id| forward_nodes.binary_search(&n).is_ok();
    g.reachable(&all_grads(d), |n| is_forward(n) || n == m.target)
        .into_iter()
        .filter(|&n| is_forward(n) && !m.params.iter().any(|p| p.leaf == n))
        .collect()
}

/// Scalars in the parameters and in the tape.
pub fn scalar_counts(d: &Backprop) -> (usize, usize) {
    let m = &d.model;
    let params = m.params.iter().map(|p| p.shape.rows * p.shape.cols).sum();
    let tape = tape_nodes(d)
        .iter()
        .map(|&n| {
            let s = m.graph.shape(n);
            s.rows * s.cols
        })
        .sum();
    (params, tape)
}

/// Every parameter's gradient, then the input's.
fn all_grads(d: &Backprop) -> Vec<Id> {
    let m = &d.model;
    let mut grads: Vec<Id> = m.params.iter().map(|p| d.grad[&p.leaf]).collect();
    grads.push(d.grad[&m.input]);
    grads
}

/// The network's items. `soft`: for `CE`, the same network derived for probability-vector
/// targets, which adds the `soft_*` methods; `batched`: the derivation over a batch.
/// The texts the items carry: the chain as written and its derivation.
pub struct Text<'a> {
    pub chain: &'a str,
    pub derivation: &'a str,
    /// The computational graph in Graphviz DOT.
    pub graph: &'a str,
}

pub fn items(
    d: &Backprop,
    soft: Option<&Backprop>,
    batched: Option<&crate::batch::Batched>,
    twin: &crate::int8::Twin,
    item: &Item,
    text: &Text,
) -> TokenStream {
    let parts = Parts::new(d, item, text.chain);
    let twin = int8::twin(&parts, twin, item);
    let types = types::items(&parts, item, text.derivation, text.graph);
    let soft = soft.map(|s| soft::methods(&parts, s));
    let train = train::method(&parts);
    let batch = batch::methods(&parts, batched);
    let network = network::implementation(&parts, &train, &batch);
    quote! {
        #types
        #soft
        #network
        #twin
    }
}

/// `field: value`, or the shorthand `field` when the value is a variable of the same name.
fn field_inits(fields: &[Ident], values: &[TokenStream]) -> Vec<TokenStream> {
    fields
        .iter()
        .zip(values)
        .map(|(f, v)| {
            if *f == v.to_string() {
                quote!(#f)
            } else {
                quote!(#f: #v)
            }
        })
        .collect()
}

/// On an error, still define the struct, so one mistake does not cascade into "cannot find
/// type" errors wherever it is used.
pub fn fallback(item: &Item) -> TokenStream {
    let Item {
        attrs,
        vis,
        ident: name,
    } = item;
    quote! {
        #(#attrs)*
        #vis struct #name<T = f32>(::core::marker::PhantomData<T>);
    }
}

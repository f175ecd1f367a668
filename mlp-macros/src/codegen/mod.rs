//! Stage 6c, items: the network struct, its tape and gradients, and the `mlp::Network` impl.
//!
//! Every method body comes from the same simplified IR through [`emit`]: only the roots differ
//! (`forward` asks for ŷ, `backward` for the parameter gradients, `loss` for J).

mod batch;

use crate::check::Loss;
use crate::derive::Derived;
use crate::emit::{emit, lit, rust_name};
use crate::ir::{Id, Shape};
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

/// Let names: forward values by their own names, the loss `j`, gradients `d_` + name.
fn let_names(d: &Derived) -> HashMap<Id, String> {
    let g = &d.model.graph;
    let mut names: HashMap<Id, String> = HashMap::new();
    for step in &d.model.steps {
        if let Some(n) = g.name(step.value) {
            names.insert(step.value, n.rust.clone());
        }
    }
    names.insert(d.loss, "j".into());
    for (&node, n) in &d.grad_names {
        names.entry(node).or_insert_with(|| n.rust.clone());
    }
    names
}

/// The network's items. `soft`: for `CE`, the same network derived for probability-vector
/// targets, which adds the `soft_*` methods.
pub fn items(
    d: &Derived,
    soft: Option<&Derived>,
    batched: Option<&crate::batch::Batched>,
    item: &Item,
    derivation: &str,
) -> TokenStream {
    let m = &d.model;
    let g = &m.graph;
    let Item {
        attrs,
        vis,
        ident: name,
    } = item;
    let tape_name = format_ident!("{}Tape", name);
    let grads_name = format_ident!("{}Gradients", name);
    let bound = quote!(T: ::mlp::__private::RealField + ::core::marker::Copy);

    let names = let_names(d);
    let attrs = user_attributes(attrs);

    let param_idents: Vec<Ident> = m.params.iter().map(|p| ident(&p.name.rust)).collect();
    let param_types: Vec<TokenStream> = m.params.iter().map(|p| ty(p.shape)).collect();
    let param_keys: Vec<&str> = m.params.iter().map(|p| p.key.as_str()).collect();
    let param_docs: Vec<String> = m
        .params
        .iter()
        .map(|p| format!("`{}`: {} {}", p.key, p.name.math, p.shape.text()))
        .collect();
    let grad_docs: Vec<String> = m
        .params
        .iter()
        .map(|p| format!("`{}`: ∂J/∂{} {}", p.key, p.name.math, p.shape.text()))
        .collect();
    let num_params = lit(m.params.iter().map(|p| p.shape.rows * p.shape.cols).sum());

    let input_ty = ty(g.shape(m.input));
    let output_ty = ty(g.shape(m.output));
    let (inputs, outputs) = (lit(g.shape(m.input).rows), lit(g.shape(m.output).rows));
    let target_ty = match m.loss_kind {
        Loss::CrossEntropy => quote!(usize),
        Loss::BinaryCrossEntropy => quote!(T),
        Loss::Mse => output_ty.clone(),
    };

    // Places every body can read.
    let x = ident(&g.name(m.input).map_or("x".into(), |n| n.rust.clone()));
    let mut base: HashMap<Id, TokenStream> = HashMap::new();
    for (p, id) in m.params.iter().zip(&param_idents) {
        base.insert(p.leaf, quote!(self.#id));
    }
    let with_x = |mut places: HashMap<Id, TokenStream>| {
        places.insert(m.input, quote!(#x));
        places
    };
    let with_y = |mut places: HashMap<Id, TokenStream>| {
        places.insert(m.target, quote!(y));
        places
    };

    // The tape: the forward values the backward pass reads, no more.
    let forward_nodes: Vec<Id> = g.reachable(&[m.output], |_| false);
    let param_grads: Vec<Id> = m.params.iter().map(|p| d.grad[&p.leaf]).collect();
    let input_grad = d.grad[&m.input];
    let mut all_grads = param_grads.clone();
    all_grads.push(input_grad);
    let is_forward = |n: Id| forward_nodes.binary_search(&n).is_ok();
    let tape_nodes: Vec<Id> = g
        .reachable(&all_grads, |n| is_forward(n) || n == m.target)
        .into_iter()
        .filter(|&n| is_forward(n) && !m.params.iter().any(|p| p.leaf == n))
        .collect();
    let tape_fields: Vec<Ident> = tape_nodes
        .iter()
        .map(|&n| ident(&rust_name(g, &names, n)))
        .collect();
    let tape_types: Vec<TokenStream> = tape_nodes.iter().map(|&n| ty(g.shape(n))).collect();
    let tape_docs: Vec<String> = tape_nodes
        .iter()
        .map(|&n| {
            let math = g.name(n).map_or("?".into(), |x| x.math.clone());
            format!("{math} {}", g.shape(n).text())
        })
        .collect();
    let mut from_tape = base.clone();
    for (&n, f) in tape_nodes.iter().zip(&tape_fields) {
        from_tape.insert(n, quote!(tape.#f));
    }

    let forward = emit(g, &names, with_x(base.clone()), &[m.output]);
    let mut cached_roots = vec![m.output];
    cached_roots.extend(&tape_nodes);
    let cached = emit(g, &names, with_x(base.clone()), &cached_roots);
    let backward = emit(g, &names, with_y(from_tape.clone()), &param_grads);
    let backward_x = emit(g, &names, with_y(from_tape), &all_grads);
    let loss = emit(g, &names, with_y(with_x(base.clone())), &[d.loss]);
    let mut lg_roots = vec![d.loss];
    lg_roots.extend(&param_grads);
    let loss_grads = emit(g, &names, with_y(with_x(base.clone())), &lg_roots);

    let cached_tape_fields = field_inits(&tape_fields, &cached.roots[1..]);
    let bwd_fields = field_inits(&param_idents, &backward.roots);
    let bwdx_fields = field_inits(&param_idents, &backward_x.roots[..param_grads.len()]);
    let lg_fields = field_inits(&param_idents, &loss_grads.roots[1..]);
    let (fwd_stmts, fwd_out) = (&forward.stmts, &forward.roots[0]);
    let (cached_stmts, cached_out) = (&cached.stmts, &cached.roots[0]);
    let bwd_stmts = &backward.stmts;
    let (bwdx_stmts, bwdx_input) = (&backward_x.stmts, &backward_x.roots[param_grads.len()]);
    let (loss_stmts, loss_out) = (&loss.stmts, &loss.roots[0]);
    let (lg_stmts, lg_loss) = (&loss_grads.stmts, &loss_grads.roots[0]);
    // The fused step: the loss, then each parameter's update as the update rules left it.
    let mut step_roots = vec![d.loss];
    step_roots.extend(&d.updates);
    let train = emit(g, &names, with_y(with_x(base.clone())), &step_roots);
    let (train_stmts, train_loss) = (&train.stmts, &train.roots[0]);

    // Shared by the network and its gradients: same fields, names and order.
    let zeros = quote!(Self { #( #param_idents: ::mlp::__private::nalgebra::zero(), )* });
    let visit = quote!( #( f(#param_keys, self.#param_idents.as_slice()); )* );
    let visit_mut = quote!( #( f(#param_keys, self.#param_idents.as_mut_slice()); )* );
    let tensor_count = lit(param_idents.len());
    let indices: Vec<proc_macro2::Literal> = (0..param_idents.len()).map(lit).collect();
    // `Parameters` for the network and for its gradients: the same tensors, the same order.
    let parameters_impl = |ty: &Ident| {
        quote! {
            #[automatically_derived]
            impl<#bound> ::mlp::Parameters<T> for #ty<T> {
                fn visit_params(&self, f: impl FnMut(&str, &[T])) {
                    #ty::visit_params(self, f)
                }

                fn visit_params_mut(&mut self, f: impl FnMut(&str, &mut [T])) {
                    #ty::visit_params_mut(self, f)
                }

                fn tensor_count(&self) -> usize {
                    #tensor_count
                }

                fn tensor(&self, k: usize) -> &[T] {
                    match k {
                        #( #indices => self.#param_idents.as_slice(), )*
                        _ => &[],
                    }
                }

                fn tensor_mut(&mut self, k: usize) -> &mut [T] {
                    match k {
                        #( #indices => self.#param_idents.as_mut_slice(), )*
                        _ => &mut [],
                    }
                }
            }
        }
    };
    let net_parameters = parameters_impl(name);
    let grads_parameters = parameters_impl(&grads_name);

    let target_binding = match m.loss_kind {
        Loss::CrossEntropy => quote! {
            let y: usize = *target;
            assert!(y < #outputs, "class index out of range: the network has {} classes", #outputs);
        },
        Loss::BinaryCrossEntropy => {
            quote!(let y = ::mlp::__private::nalgebra::SMatrix::<T, 1, 1>::new(*target);)
        }
        Loss::Mse => quote!(let y = *target;),
    };

    let prediction_correct = match m.loss_kind {
        Loss::CrossEntropy => quote! {
            fn prediction_correct(&self, output: &#output_ty, target: &usize) -> Option<bool> {
                Some(output.imax() == *target)
            }
        },
        Loss::BinaryCrossEntropy => quote! {
            fn prediction_correct(&self, output: &#output_ty, target: &T) -> Option<bool> {
                let half = ::mlp::__private::nalgebra::convert::<f64, T>(0.5);
                Some((output[0] > half) == (*target > half))
            }
        },
        Loss::Mse => quote!(),
    };

    let soft_methods = soft.map(|s| {
        // The soft derivation builds the same forward graph in the same order, so its forward
        // nodes have the same ids and the same tape serves both.
        let same_forward = s.model.output == m.output
            && tape_nodes
                .iter()
                .all(|&n| s.model.graph.name(n) == g.name(n) && s.model.graph.shape(n) == g.shape(n));
        if !same_forward {
            return quote!(::core::compile_error!("internal error in #[mlp::network]: soft targets see another forward graph"););
        }
        let names = let_names(s);
        let grads: Vec<Id> = s.model.params.iter().map(|p| s.grad[&p.leaf]).collect();
        let sg = &s.model.graph;
        let mut base: HashMap<Id, TokenStream> = HashMap::new();
        for (p, id) in s.model.params.iter().zip(&param_idents) {
            base.insert(p.leaf, quote!(self.#id));
        }
        let mut tape_places = base.clone();
        for (&n, f) in tape_nodes.iter().zip(&tape_fields) {
            tape_places.insert(n, quote!(tape.#f));
        }
        let target = s.model.target;
        let mut with_xy = base;
        with_xy.insert(s.model.input, quote!(#x));
        with_xy.insert(target, quote!(y));
        tape_places.insert(target, quote!(y));
        let backward = emit(sg, &names, tape_places, &grads);
        let loss = emit(sg, &names, with_xy.clone(), &[s.loss]);
        let mut roots = vec![s.loss];
        roots.extend(&grads);
        let both = emit(sg, &names, with_xy, &roots);
        let (bwd_stmts, bwd_fields) = (&backward.stmts, field_inits(&param_idents, &backward.roots));
        let (loss_stmts, loss_out) = (&loss.stmts, &loss.roots[0]);
        let (both_stmts, both_loss) = (&both.stmts, &both.roots[0]);
        let both_fields = field_inits(&param_idents, &both.roots[1..]);
        quote! {
            impl<#bound> #name<T> {
                /// The loss for a probability-vector target `y` (soft labels; one-hot `y` gives
                /// the class-index loss): `J = −Σᵢ yᵢ·log ŷᵢ`, computed stably. `y` must sum to 1,
                /// which the derivation's `ŷ − y` relies on.
                pub fn soft_loss(&self, #x: &#input_ty, target: &#output_ty) -> T {
                    let #x = *#x;
                    let y = *target;
                    #loss_stmts
                    #loss_out
                }

                /// The loss and all parameter gradients for a probability-vector target (see
                /// [`Self::soft_loss`]).
                pub fn soft_loss_and_gradients(&self, #x: &#input_ty, target: &#output_ty) -> (T, #grads_name<T>) {
                    let #x = *#x;
                    let y = *target;
                    #both_stmts
                    (#both_loss, #grads_name { #(#both_fields),* })
                }

                /// The backward pass for a probability-vector target (see [`Self::soft_loss`]).
                pub fn soft_backward(&self, tape: &#tape_name<T>, target: &#output_ty) -> #grads_name<T> {
                    let y = *target;
                    #bwd_stmts
                    #grads_name { #(#bwd_fields),* }
                }
            }
        }
    });

    let batch_methods = batch::methods(
        &batch::Context {
            derived: d,
            param_idents: &param_idents,
            grads_name: &grads_name,
            inputs: g.shape(m.input).rows,
            outputs: g.shape(m.output).rows,
        },
        batched,
    );

    let derivation_doc = format!("\n# Derivation\n\n```text\n{derivation}```\n");
    let tape_doc = format!(
        "What [`{name}`]'s forward pass keeps for its backward pass: exactly the forward values the derived backward pass reads."
    );
    let grads_doc = format!(
        "∂J/∂θ for every parameter θ of [`{name}`], with the same field names, shapes and visiting order."
    );
    let derivation_const_doc =
        format!("The derivation of [`{name}`]'s backward pass, as its rustdoc shows it.");

    quote! {
        #(#attrs)*
        #[doc = #derivation_doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        #vis struct #name<#bound = f32> {
            #( #[doc = #param_docs] pub #param_idents: #param_types, )*
        }

        #[doc = #tape_doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        #vis struct #tape_name<#bound = f32> {
            #( #[doc = #tape_docs] pub #tape_fields: #tape_types, )*
        }

        #[doc = #grads_doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        #vis struct #grads_name<#bound = f32> {
            #( #[doc = #grad_docs] pub #param_idents: #param_types, )*
        }

        impl<#bound> #name<T> {
            #[doc = #derivation_const_doc]
            pub const DERIVATION: &'static str = #derivation;
            /// The size of the input `x`.
            pub const INPUTS: usize = #inputs;
            /// The size of the output `ŷ`.
            pub const OUTPUTS: usize = #outputs;
            /// The number of trainable scalars.
            pub const NUM_PARAMS: usize = #num_params;

            /// Every parameter zero.
            pub fn zeros() -> Self {
                #zeros
            }

            /// Visits every parameter once, in chain order, named like PyTorch's state dict
            /// (`"0.weight"`), values in nalgebra's column-major order.
            pub fn visit_params(&self, mut f: impl FnMut(&str, &[T])) {
                #visit
            }

            /// Like [`Self::visit_params`], with mutable access.
            pub fn visit_params_mut(&mut self, mut f: impl FnMut(&str, &mut [T])) {
                #visit_mut
            }
        }

                #soft_methods

        impl<#bound> ::core::default::Default for #name<T> {
            fn default() -> Self {
                Self::zeros()
            }
        }

        impl<#bound> #grads_name<T> {
            /// Every gradient zero (a start for summing over a batch).
            pub fn zeros() -> Self {
                #zeros
            }

            /// Visits every gradient once, with its parameter's name, in the network's order.
            pub fn visit_params(&self, mut f: impl FnMut(&str, &[T])) {
                #visit
            }

            /// Like [`Self::visit_params`], with mutable access.
            pub fn visit_params_mut(&mut self, mut f: impl FnMut(&str, &mut [T])) {
                #visit_mut
            }
        }

        #net_parameters
        #grads_parameters

        impl<#bound> ::core::default::Default for #grads_name<T> {
            fn default() -> Self {
                Self::zeros()
            }
        }

        #[automatically_derived]
        impl<#bound> ::mlp::Network<T> for #name<T> {
            type Input = #input_ty;
            type Output = #output_ty;
            type Target = #target_ty;
            type Tape = #tape_name<T>;
            type Gradients = #grads_name<T>;
            type InputBatch<const B: usize> = ::mlp::__private::nalgebra::SMatrix<T, #inputs, B>;
            type OutputBatch<const B: usize> = ::mlp::__private::nalgebra::SMatrix<T, #outputs, B>;

            #batch_methods

            fn forward(&self, #x: &#input_ty) -> #output_ty {
                let #x = *#x;
                #fwd_stmts
                #fwd_out
            }

            fn forward_cached(&self, #x: &#input_ty) -> (#output_ty, #tape_name<T>) {
                let #x = *#x;
                #cached_stmts
                (#cached_out, #tape_name { #(#cached_tape_fields),* })
            }

            fn backward(&self, tape: &#tape_name<T>, target: &#target_ty) -> #grads_name<T> {
                #target_binding
                #bwd_stmts
                #grads_name { #(#bwd_fields),* }
            }

            fn backward_with_input(
                &self,
                tape: &#tape_name<T>,
                target: &#target_ty,
            ) -> (#grads_name<T>, #input_ty) {
                #target_binding
                #bwdx_stmts
                (#grads_name { #(#bwdx_fields),* }, #bwdx_input)
            }

            fn loss(&self, #x: &#input_ty, target: &#target_ty) -> T {
                let #x = *#x;
                #target_binding
                #loss_stmts
                #loss_out
            }

            fn loss_and_gradients(&self, #x: &#input_ty, target: &#target_ty) -> (T, #grads_name<T>) {
                let #x = *#x;
                #target_binding
                #lg_stmts
                (#lg_loss, #grads_name { #(#lg_fields),* })
            }

            fn train_step(&mut self, #x: &#input_ty, target: &#target_ty, learning_rate: T) -> T {
                let #x = *#x;
                #target_binding
                #train_stmts
                #train_loss
            }

            #prediction_correct

            fn visit_params(&self, f: impl FnMut(&str, &[T])) {
                #name::visit_params(self, f)
            }

            fn visit_params_mut(&mut self, f: impl FnMut(&str, &mut [T])) {
                #name::visit_params_mut(self, f)
            }

            fn sgd_step(&mut self, grads: &#grads_name<T>, learning_rate: T) {
                #( ::mlp::__private::sgd_update(&mut self.#param_idents, &grads.#param_idents, learning_rate); )*
            }
        }
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

//! The generated types: the network, its tape and its gradients, their constants, `zeros`,
//! visitors, `Default` and `mlp::Parameters`.

use super::{lit, ty, user_attributes, Item, Parts};
use mlp_symbolic::ir::Id;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub fn items(p: &Parts, item: &Item, derivation: &str, graph: &str) -> TokenStream {
    let m = &p.d.model;
    let g = &m.graph;
    let Item { attrs, vis, .. } = item;
    let (name, tape_name, grads_name, bound) = (p.name, &p.tape_name, &p.grads_name, &p.bound);
    let attrs = user_attributes(attrs);
    let param_idents = &p.param_idents;
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
    let (param_count, tape_count) = super::scalar_counts(p.d);
    let num_params = lit(param_count);
    let tape_scalars = lit(tape_count);
    let (inputs, outputs) = (lit(p.inputs), lit(p.outputs));

    let tape_fields = &p.tape_fields;
    let tape_types: Vec<TokenStream> = p.tape_nodes.iter().map(|&n| ty(g.shape(n))).collect();
    let tape_docs: Vec<String> = p
        .tape_nodes
        .iter()
        .map(|&n: &Id| {
            let math = g.name(n).map_or("?".into(), |x| x.math.clone());
            format!("{math} {}", g.shape(n).text())
        })
        .collect();

    // Shared by the network and its gradients: same fields, names and order.
    let zeros = quote!(Self { #( #param_idents: ::mlp::__private::nalgebra::zero(), )* });
    let visit = quote!( #( f(#param_keys, self.#param_idents.as_slice()); )* );
    let visit_mut = quote!( #( f(#param_keys, self.#param_idents.as_mut_slice()); )* );
    let net_parameters = parameters_impl(p, name);
    let zero_of = |scalar: TokenStream| -> Vec<TokenStream> {
        m.params
            .iter()
            .map(|q| {
                let (r, c) = (lit(q.shape.rows), lit(q.shape.cols));
                quote!(::mlp::__private::nalgebra::SMatrix::<#scalar, #r, #c>::from_array_storage(
                    ::mlp::__private::nalgebra::ArrayStorage([[0.0; #r]; #c])
                ))
            })
            .collect()
    };
    let zero_constants: TokenStream = [quote!(f32), quote!(f64)]
        .into_iter()
        .map(|scalar| {
            let fields = zero_of(scalar.clone());
            quote! {
                impl #name<#scalar> {
                    /// Every parameter zero, as a constant: a `static` network of this type
                    /// lives in `.bss`, with nothing on the stack or the heap.
                    pub const ZERO: Self = Self { #( #param_idents: #fields, )* };
                }
            }
        })
        .collect();
    let grads_parameters = parameters_impl(p, grads_name);

    let derivation_doc = format!("\n# Derivation\n\n```text\n{derivation}```\n");
    let tape_doc = format!(
        "What [`{name}`]'s forward pass keeps for its backward pass: exactly the forward values the derived backward pass reads."
    );
    let grads_doc = format!(
        "∂J/∂θ for every parameter θ of [`{name}`], with the same field names, shapes and visiting order."
    );
    let graph_doc = format!(
        "[`{name}`]'s computational graph in Graphviz DOT, from the same IR as the derivation: the forward values, each edge's local Jacobian, each value's gradient. `mlp::graph::svg` draws it."
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
            #[doc = #graph_doc]
            pub const GRAPH_DOT: &'static str = #graph;
            /// The size of the input `x`.
            pub const INPUTS: usize = #inputs;
            /// The size of the output `ŷ`.
            pub const OUTPUTS: usize = #outputs;
            /// The number of trainable scalars.
            pub const NUM_PARAMS: usize = #num_params;
            /// Bytes of the parameters (the network itself): `NUM_PARAMS` scalars.
            pub const PARAM_BYTES: usize = #num_params * ::core::mem::size_of::<T>();
            /// Bytes of the tape `forward_cached` returns: the forward values the backward pass reads.
            pub const TAPE_BYTES: usize = #tape_scalars * ::core::mem::size_of::<T>();
            /// Bytes of the gradients (one per parameter).
            pub const GRADIENT_BYTES: usize = #num_params * ::core::mem::size_of::<T>();
            /// Bytes of an `mlp::optim::Sgd` for this network: its velocity (one scalar per
            /// parameter, used with momentum) and its settings.
            pub const SGD_BYTES: usize = ::core::mem::size_of::<::mlp::optim::Sgd<T, Self>>();
            /// Bytes of an `mlp::optim::Adam` for this network: two moments per parameter and
            /// its settings.
            pub const ADAM_BYTES: usize = ::core::mem::size_of::<::mlp::optim::Adam<T, Self>>();

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

        #zero_constants

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

        impl<#bound> ::mlp::export::RustConst for #name<T> {
            fn write_rust_const(&self, out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                ::mlp::export::write_network::<T, Self>(self, out)
            }
        }
    }
}

/// `Parameters` for the network or its gradients: the same tensors, the same order.
fn parameters_impl(p: &Parts, ty: &Ident) -> TokenStream {
    let (bound, param_idents) = (&p.bound, &p.param_idents);
    let tensor_count = lit(param_idents.len());
    let indices: Vec<proc_macro2::Literal> = (0..param_idents.len()).map(lit).collect();
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
}

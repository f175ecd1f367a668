//! `soft_loss`, `soft_loss_and_gradients`, `soft_backward`: `CE` with a probability-vector
//! target, from the network derived once more for such targets.

use super::{field_inits, network_let_names, Parts};
use crate::backprop::Backprop;
use crate::emit::emit;
use mlp_symbolic::ir::Id;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;

pub fn methods(p: &Parts, s: &Backprop) -> TokenStream {
    let m = &p.d.model;
    let g = &m.graph;
    let (name, tape_name, grads_name, bound) = (p.name, &p.tape_name, &p.grads_name, &p.bound);
    let (x, input_ty, output_ty) = (&p.x, &p.input_ty, &p.output_ty);
    let param_idents = &p.param_idents;
    // The soft derivation builds the same forward graph in the same order, so its forward
    // nodes have the same ids and the same tape serves both.
    let same_forward = s.model.output == m.output
        && p.tape_nodes
            .iter()
            .all(|&n| s.model.graph.name(n) == g.name(n) && s.model.graph.shape(n) == g.shape(n));
    if !same_forward {
        return quote!(::core::compile_error!("internal error in #[mlp::network]: soft targets see another forward graph"););
    }
    let names = network_let_names(s);
    let grads: Vec<Id> = s.model.params.iter().map(|q| s.grad[&q.leaf]).collect();
    let sg = &s.model.graph;
    let mut base: HashMap<Id, TokenStream> = HashMap::new();
    for (q, id) in s.model.params.iter().zip(param_idents) {
        base.insert(q.leaf, quote!(self.#id));
    }
    let mut tape_places = base.clone();
    for (&n, f) in p.tape_nodes.iter().zip(&p.tape_fields) {
        tape_places.insert(n, quote!(tape.#f));
    }
    let target = s.model.target;
    let mut with_xy = base;
    with_xy.insert(s.model.input, quote!((*#x)));
    with_xy.insert(target, quote!(y));
    tape_places.insert(target, quote!(y));
    let backward = emit(sg, &names, tape_places, &grads);
    let loss = emit(sg, &names, with_xy.clone(), &[s.loss]);
    let mut roots = vec![s.loss];
    roots.extend(&grads);
    let both = emit(sg, &names, with_xy, &roots);
    let (bwd_stmts, bwd_fields) = (&backward.stmts, field_inits(param_idents, &backward.roots));
    let (loss_stmts, loss_out) = (&loss.stmts, &loss.roots[0]);
    let (both_stmts, both_loss) = (&both.stmts, &both.roots[0]);
    let both_fields = field_inits(param_idents, &both.roots[1..]);
    quote! {
        impl<#bound> #name<T> {
            /// The loss for a probability-vector target `y` (soft labels; one-hot `y` gives
            /// the class-index loss): `J = −Σᵢ yᵢ·log ŷᵢ`, computed stably. `y` must sum to 1,
            /// which the derivation's `ŷ − y` relies on.
            pub fn soft_loss(&self, #x: &#input_ty, target: &#output_ty) -> T {
                let y = *target;
                #loss_stmts
                #loss_out
            }

            /// The loss and all parameter gradients for a probability-vector target (see
            /// [`Self::soft_loss`]).
            pub fn soft_loss_and_gradients(&self, #x: &#input_ty, target: &#output_ty) -> (T, #grads_name<T>) {
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
}

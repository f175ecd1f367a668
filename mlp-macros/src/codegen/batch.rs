//! The batch methods of the `Network` impl: `forward_batch`, `loss_and_gradients_batch`,
//! `train_step_batch`, from the batched derivation ([`crate::batch`]); a network without one
//! (`jacobians = full`) loops over its samples.

use super::{gradient_sinks, let_names, Parts};
use crate::batch::Batched;
use crate::check::Loss;
use crate::emit::{emit_with, lit, Mode};
use mlp_symbolic::ir::Id;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;

/// The batch methods, for inside `impl Network<T> for Name<T>`.
pub fn methods(cx: &Parts, batched: Option<&Batched>) -> TokenStream {
    let (inputs, outputs) = (lit(cx.inputs), lit(cx.outputs));
    let target_ty = match cx.d.model.loss_kind {
        Loss::CrossEntropy => quote!(usize),
        Loss::BinaryCrossEntropy => quote!(T),
        Loss::Mse => quote!(::mlp::__private::nalgebra::SMatrix<T, #outputs, 1>),
    };
    let x_ty = quote!(::mlp::__private::nalgebra::SMatrix<T, #inputs, B>);
    let out_ty = quote!(::mlp::__private::nalgebra::SMatrix<T, #outputs, B>);
    let inv_b = quote! {
        let inv_b = if B == 0 {
            ::mlp::__private::nalgebra::zero::<T>()
        } else {
            ::mlp::__private::nalgebra::one::<T>() / ::mlp::__private::nalgebra::convert::<f64, T>(B as f64)
        };
    };
    let check_targets = match cx.d.model.loss_kind {
        Loss::CrossEntropy => quote! {
            for &class in targets.iter() {
                assert!(class < #outputs, "class index out of range: the network has {} classes", #outputs);
            }
        },
        _ => quote!(),
    };
    let params = &cx.param_idents;
    let grads_name = &cx.grads_name;
    let common = quote! {
        fn input_batch<const B: usize>(columns: &[&::mlp::__private::nalgebra::SMatrix<T, #inputs, 1>; B]) -> #x_ty {
            ::mlp::__private::nalgebra::SMatrix::<T, #inputs, B>::from_fn(|i, j| columns[j][i])
        }
    };
    let Some(b) = batched else {
        // No batched form: the per-sample code, column by column.
        return quote! {
            #common

            fn forward_batch<const B: usize>(&self, x: &#x_ty) -> #out_ty {
                let mut out = ::mlp::__private::nalgebra::SMatrix::<T, #outputs, B>::zeros();
                for j in 0..B {
                    let column = self.forward(&x.column(j).into_owned());
                    out.set_column(j, &column);
                }
                out
            }

            fn loss_and_gradients_batch<const B: usize>(&self, x: &#x_ty, targets: &[#target_ty; B]) -> (T, #grads_name<T>) {
                #check_targets
                #inv_b
                let mut loss = ::mlp::__private::nalgebra::zero::<T>();
                let mut sum = #grads_name::<T>::zeros();
                for (j, target) in targets.iter().enumerate() {
                    let (l, g) = self.loss_and_gradients(&x.column(j).into_owned(), target);
                    loss += l;
                    #( sum.#params += g.#params; )*
                }
                #( sum.#params *= inv_b; )*
                (loss * inv_b, sum)
            }

            fn train_step_batch<const B: usize>(&mut self, x: &#x_ty, targets: &[#target_ty; B], learning_rate: T) -> T {
                let (loss, grads) = self.loss_and_gradients_batch(x, targets);
                self.sgd_step(&grads, learning_rate);
                loss
            }
        };
    };

    let g = &b.graph;
    let names = let_names(g, &[b.output], b.loss, &b.grad_names);
    let mut base: HashMap<Id, TokenStream> = HashMap::new();
    for (&leaf, ident) in b.params.iter().zip(params) {
        base.insert(leaf, quote!(self.#ident));
    }
    base.insert(b.input, quote!((*x)));
    base.insert(b.inv_b, quote!(inv_b));
    let mut with_y = base.clone();
    with_y.insert(b.target, quote!(y));

    let target_binding = match cx.d.model.loss_kind {
        Loss::CrossEntropy => quote!(let y: &[usize; B] = targets;),
        Loss::BinaryCrossEntropy => quote! {
            let y = ::mlp::__private::nalgebra::SMatrix::<T, 1, B>::from_fn(|_, j| targets[j]);
        },
        Loss::Mse => quote! {
            let y = ::mlp::__private::nalgebra::SMatrix::<T, #outputs, B>::from_fn(|i, j| targets[j][i]);
        },
    };

    let batch = |places, roots: &[Id], sinks| {
        let mode = Mode { batch: true, sinks };
        emit_with(g, &names, places, roots, mode)
    };
    let forward = batch(base.clone(), &[b.output], HashMap::new());
    let mut lg_roots = vec![b.loss];
    lg_roots.extend(&b.grads);
    let lg = batch(with_y.clone(), &lg_roots, HashMap::new());
    let (sinks, copies) = gradient_sinks(&b.grads, params);
    let lg_into = batch(with_y.clone(), &lg_roots, sinks);
    let (lg_into_stmts, lg_into_loss) = (&lg_into.stmts, &lg_into.roots[0]);
    let mut step_roots = vec![b.loss];
    step_roots.extend(&b.updates);
    let step = batch(with_y, &step_roots, HashMap::new());

    let (fwd_stmts, fwd_out) = (&forward.stmts, &forward.roots[0]);
    let (lg_stmts, lg_loss, lg_grads) = (&lg.stmts, &lg.roots[0], &lg.roots[1..]);
    let (step_stmts, step_loss) = (&step.stmts, &step.roots[0]);
    quote! {
        #common

        fn forward_batch<const B: usize>(&self, x: &#x_ty) -> #out_ty {
            #fwd_stmts
            #fwd_out
        }

        fn loss_and_gradients_batch<const B: usize>(&self, x: &#x_ty, targets: &[#target_ty; B]) -> (T, #grads_name<T>) {
            #check_targets
            #inv_b
            #target_binding
            #lg_stmts
            (#lg_loss, #grads_name { #( #params: #lg_grads ),* })
        }

        fn loss_and_gradients_batch_into<const B: usize>(
            &self,
            x: &#x_ty,
            targets: &[#target_ty; B],
            grads: &mut #grads_name<T>,
        ) -> T {
            #check_targets
            #inv_b
            #target_binding
            #lg_into_stmts
            #(#copies)*
            #lg_into_loss
        }

        fn train_step_batch<const B: usize>(&mut self, x: &#x_ty, targets: &[#target_ty; B], learning_rate: T) -> T {
            #check_targets
            #inv_b
            #target_binding
            #step_stmts
            #step_loss
        }
    }
}

//! The `mlp::Network` impl: the per-sample methods (`forward`, `forward_cached`, `backward`,
//! `backward_with_input`, `loss`, `loss_and_gradients`, `sgd_step`, ...), with the fused step
//! and the batch methods from their own modules.

use super::{all_grads, field_inits, gradient_sinks, lit, Parts};
use crate::check::Loss;
use crate::emit::{emit_with, Mode};
use mlp_symbolic::ir::Id;
use proc_macro2::TokenStream;
use quote::quote;

pub fn implementation(p: &Parts, train: &TokenStream, batch: &TokenStream) -> TokenStream {
    let d = p.d;
    let m = &d.model;
    let (name, tape_name, grads_name, bound) = (p.name, &p.tape_name, &p.grads_name, &p.bound);
    let (x, input_ty, output_ty, target_ty) = (&p.x, &p.input_ty, &p.output_ty, &p.target_ty);
    let (inputs, outputs) = (lit(p.inputs), lit(p.outputs));
    let param_idents = &p.param_idents;
    let param_grads: Vec<Id> = m.params.iter().map(|q| d.grad[&q.leaf]).collect();

    let mut with_x = p.base.clone();
    with_x.insert(m.input, quote!((*#x)));
    let forward = p.emit(with_x.clone(), &[m.output]);
    let mut cached_roots = vec![m.output];
    cached_roots.extend(&p.tape_nodes);
    let cached = p.emit(with_x, &cached_roots);
    let backward = p.emit(p.tape_places(), &param_grads);
    let backward_x = p.emit(p.tape_places(), &all_grads(d));
    let loss = p.emit(p.with_xy(), &[d.loss]);
    let mut lg_roots = vec![d.loss];
    lg_roots.extend(&param_grads);

    let cached_tape_fields = field_inits(&p.tape_fields, &cached.roots[1..]);
    let bwd_fields = field_inits(param_idents, &backward.roots);
    let bwdx_fields = field_inits(param_idents, &backward_x.roots[..param_grads.len()]);
    let (fwd_stmts, fwd_out) = (&forward.stmts, &forward.roots[0]);
    let (cached_stmts, cached_out) = (&cached.stmts, &cached.roots[0]);
    let bwd_stmts = &backward.stmts;
    let (bwdx_stmts, bwdx_input) = (&backward_x.stmts, &backward_x.roots[param_grads.len()]);
    let (loss_stmts, loss_out) = (&loss.stmts, &loss.roots[0]);
    let target_binding = p.target_binding();

    // The same bodies, each parameter's gradient computed straight into `grads`.
    let (sinks, copies) = gradient_sinks(&param_grads, param_idents);
    let into = |places, roots: &[Id], sinks| {
        let mode = Mode {
            batch: false,
            sinks,
        };
        emit_with(&m.graph, &p.names, places, roots, mode)
    };
    let lg_into = into(p.with_xy(), &lg_roots, sinks.clone());
    let bwd_into = into(p.tape_places(), &param_grads, sinks);
    let (lg_into_stmts, lg_into_loss) = (&lg_into.stmts, &lg_into.roots[0]);
    let bwd_into_stmts = &bwd_into.stmts;

    let check_sample = check_sample(p);
    let prediction_correct = prediction_correct(p);

    let layout_name = name.to_string();
    let chain = p.chain;
    let layouts = m.params.iter().zip(param_idents).map(|(q, field)| {
        let (field, key) = (field.to_string(), &q.key);
        let (rows, cols) = (lit(q.shape.rows), lit(q.shape.cols));
        quote!(::mlp::ParamLayout { field: #field, key: #key, rows: #rows, cols: #cols })
    });

    quote! {
        #[automatically_derived]
        impl<#bound> ::mlp::Network<T> for #name<T> {
            const LAYOUT: ::mlp::Layout = ::mlp::Layout {
                name: #layout_name,
                chain: #chain,
                params: &[#(#layouts),*],
            };

            type Input = #input_ty;
            type Output = #output_ty;
            type Target = #target_ty;
            type Tape = #tape_name<T>;
            type Gradients = #grads_name<T>;
            type InputBatch<const B: usize> = ::mlp::__private::nalgebra::SMatrix<T, #inputs, B>;
            type OutputBatch<const B: usize> = ::mlp::__private::nalgebra::SMatrix<T, #outputs, B>;

            fn forward(&self, #x: &#input_ty) -> #output_ty {
                #fwd_stmts
                #fwd_out
            }

            fn forward_cached(&self, #x: &#input_ty) -> (#output_ty, #tape_name<T>) {
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
                #target_binding
                #loss_stmts
                #loss_out
            }

            // The `_into` form over a local, inlined into the caller: each gradient is computed
            // straight into that local. A body of its own built every gradient in a local of its
            // own and copied them all into the returned value, which the caller's
            // `let (loss, grads) = ...` then copies again; that last copy stays (rustc and LLVM
            // do not elide a move out of a returned tuple), the first is gone. The card's network
            // with Adam on a Cortex-M4F (`firmware/report.sh`): 368 B of stack more than with
            // `loss_and_gradients_into`, one gradients value (396 B); 656 B before.
            #[inline(always)]
            fn loss_and_gradients(&self, #x: &#input_ty, target: &#target_ty) -> (T, #grads_name<T>) {
                let mut grads = #grads_name::zeros();
                let loss = ::mlp::Network::loss_and_gradients_into(self, #x, target, &mut grads);
                (loss, grads)
            }

            fn loss_and_gradients_into(
                &self,
                #x: &#input_ty,
                target: &#target_ty,
                grads: &mut #grads_name<T>,
            ) -> T {
                #target_binding
                #lg_into_stmts
                #(#copies)*
                #lg_into_loss
            }

            fn backward_into(&self, tape: &#tape_name<T>, target: &#target_ty, grads: &mut #grads_name<T>) {
                #target_binding
                #bwd_into_stmts
                #(#copies)*
            }

            #train

            #batch

            #check_sample

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

/// `check_sample`: a non-finite feature, or a target outside what the loss takes.
fn check_sample(p: &Parts) -> TokenStream {
    let (x, input_ty, target_ty) = (&p.x, &p.input_ty, &p.target_ty);
    let outputs = lit(p.outputs);
    let check_target = match p.d.model.loss_kind {
        Loss::CrossEntropy => quote! {
            if *target >= #outputs {
                return Err(::mlp::SampleProblem::ClassOutOfRange { class: *target, classes: #outputs });
            }
        },
        Loss::BinaryCrossEntropy => quote! {
            if !(*target >= T::zero() && *target <= T::one()) {
                let value = ::mlp::__private::nalgebra::try_convert::<T, f64>(*target).unwrap_or(f64::NAN);
                return Err(::mlp::SampleProblem::ProbabilityOutOfRange { value });
            }
        },
        Loss::Mse => quote! {
            if let Some(element) = target.iter().position(|v| !v.is_finite()) {
                return Err(::mlp::SampleProblem::NonFiniteTarget { element });
            }
        },
    };
    quote! {
        fn check_sample(&self, #x: &#input_ty, target: &#target_ty) -> Result<(), ::mlp::SampleProblem> {
            if let Some(feature) = #x.iter().position(|v| !v.is_finite()) {
                return Err(::mlp::SampleProblem::NonFiniteFeature { feature });
            }
            #check_target
            Ok(())
        }
    }
}

/// `prediction_correct`: the class with the highest probability, or the side of ½; nothing for
/// a regression.
fn prediction_correct(p: &Parts) -> TokenStream {
    let output_ty = &p.output_ty;
    match p.d.model.loss_kind {
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
    }
}

//! `train_step`: the loss, then each parameter's update as the update rules left it (a weight's
//! an in-place rank-1 update, `outer_update`), with no gradients value in between.

use super::Parts;
use proc_macro2::TokenStream;
use quote::quote;

pub fn method(p: &Parts) -> TokenStream {
    let d = p.d;
    let mut roots = vec![d.loss];
    roots.extend(&d.updates);
    let body = p.emit(p.with_xy(), &roots);
    let (stmts, loss) = (&body.stmts, &body.roots[0]);
    let (x, input_ty, target_ty) = (&p.x, &p.input_ty, &p.target_ty);
    let target_binding = p.target_binding();
    quote! {
        fn train_step(&mut self, #x: &#input_ty, target: &#target_ty, learning_rate: T) -> T {
            #target_binding
            #stmts
            #loss
        }
    }
}

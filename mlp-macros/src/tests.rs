//! Tests of the whole pipeline through [`crate::expand::expand`]: expansion snapshots, error
//! messages, and the never-panic property.

use crate::expand::expand;
use proc_macro2::TokenStream;
use quote::quote;

/// The expansion, formatted as a file by prettyplease.
pub fn pretty(attr: TokenStream, item: TokenStream) -> String {
    let out = expand(attr, item);
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => panic!("expansion is not valid Rust ({e}):\n{out}"),
    }
}

#[test]
fn print_card() {
    println!(
        "{}",
        pretty(
            quote!(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE),
            quote!(
                pub struct Classifier;
            )
        )
    );
}

//! The pipeline, one pure function: attribute and item tokens in, tokens out.

use crate::codegen::{self, Item};
use crate::model::{self, Model};
use crate::{backprop, batch, check, derivation, int8, parse};
use proc_macro2::TokenStream;
use syn::{Data, DeriveInput, Fields};

/// Expands `#[mlp::network(attr)] item`. Never panics: every problem becomes a
/// `compile_error!` spanned on the token at fault, next to a fallback struct.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item.clone()) {
        Ok(input) => input,
        Err(_) => {
            let error = syn::Error::new(
                mlp_symbolic::lower::first_span(&item),
                "`#[mlp::network(...)]` goes on a unit struct, like `pub struct Classifier;`",
            );
            let mut out = error.into_compile_error();
            out.extend(item);
            return out;
        }
    };
    let item = Item {
        attrs: input.attrs.clone(),
        vis: input.vis.clone(),
        ident: input.ident.clone(),
    };
    match derive_items(attr, &input, &item) {
        Ok(tokens) => tokens,
        Err(error) => {
            let mut out = error.into_compile_error();
            out.extend(codegen::fallback(&item));
            out
        }
    }
}

/// The whole pipeline, errors as `syn::Error` (all of them, combined).
pub fn derive_items(
    attr: TokenStream,
    input: &DeriveInput,
    item: &Item,
) -> syn::Result<TokenStream> {
    let item_check = check_item(input);
    let network = parse::parse(attr).and_then(|chain| check::check(&chain));
    let network = match (item_check, network) {
        (Ok(()), Ok(network)) => network,
        (Err(e), Ok(_)) | (Ok(()), Err(e)) => return Err(e),
        (Err(mut all), Err(e)) => {
            all.combine(e);
            return Err(all);
        }
    };
    let model = model::build(&network, false)?;
    check_input_name(&network.input, &model)?;
    let twin = int8::plan(&network, &model)?;
    let mut derived = backprop::backprop(model, network.jacobians);
    let soft = match network.loss {
        check::Loss::CrossEntropy => Some(backprop::backprop(
            model::build(&network, true)?,
            network.jacobians,
        )),
        _ => None,
    };
    if let Some(budget) = network.ram_budget {
        check_budget(&derived, budget)?;
    }
    let batched = batch::lift(&derived);
    let text = derivation::render(
        &mut derived,
        batched.as_ref(),
        twin.plan(),
        &format!("{}: {}", item.ident, network.source),
    );
    let graph = derivation::graph_dot(&mut derived, &item.ident.to_string());
    if let Some(message) = derived.model.graph.error.clone() {
        return Err(syn::Error::new(network.input.span(), message));
    }
    if let Some(message) = soft.as_ref().and_then(|s| s.model.graph.error.clone()) {
        return Err(syn::Error::new(network.input.span(), message));
    }
    Ok(codegen::items(
        &derived,
        soft.as_ref(),
        batched.as_ref(),
        &twin,
        item,
        &codegen::Text {
            chain: &network.source,
            derivation: &text,
            graph: &graph,
        },
    ))
}

/// `ram_budget = bytes`: the parameters, the tape and the gradients (in `f32`, the default
/// scalar) must fit.
fn check_budget(d: &backprop::Backprop, budget: check::Budget) -> syn::Result<()> {
    let (params, tape) = codegen::scalar_counts(d);
    let bytes = |n: usize| n * std::mem::size_of::<f32>();
    let total = 2 * bytes(params) + bytes(tape);
    if total <= budget.bytes {
        return Ok(());
    }
    Err(syn::Error::new(
        budget.span,
        format!(
            "this network needs {} B, more than `ram_budget = {}`: parameters {} B + tape {} B + gradients {} B (f32)",
            total,
            budget.bytes,
            bytes(params),
            bytes(tape),
            bytes(params)
        ),
    ))
}

/// The item is a unit struct with no generics: the macro writes the fields and the scalar `T`.
fn check_item(input: &DeriveInput) -> syn::Result<()> {
    let mut errors: Vec<syn::Error> = Vec::new();
    match &input.data {
        Data::Struct(s) => {
            if !matches!(s.fields, Fields::Unit) {
                errors.push(syn::Error::new_spanned(
                    &s.fields,
                    "`#[mlp::network]` writes the fields itself: declare a unit struct, like `pub struct Classifier;`",
                ));
            }
        }
        Data::Enum(e) => errors.push(syn::Error::new_spanned(
            e.enum_token,
            "`#[mlp::network(...)]` goes on a unit struct, found an enum",
        )),
        Data::Union(u) => errors.push(syn::Error::new_spanned(
            u.union_token,
            "`#[mlp::network(...)]` goes on a unit struct, found a union",
        )),
    }
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(syn::Error::new_spanned(
            &input.generics,
            "`#[mlp::network]` adds the scalar parameter `T` itself (`Classifier<T = f32>`): remove these generics",
        ));
    }
    let mut iter = errors.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(mut first) => {
            iter.for_each(|e| first.combine(e));
            Err(first)
        }
    }
}

/// The input's name becomes a Rust variable next to the ones the model generates: it may not be
/// one of them (`z`, `theta`, `d_x`, a temporary `t7`), nor a keyword.
fn check_input_name(input: &syn::Ident, model: &Model) -> syn::Result<()> {
    let name = input.to_string();
    let g = &model.graph;
    let generated = model
        .params
        .iter()
        .map(|p| p.name.rust.as_str())
        .chain(
            model
                .layers
                .iter()
                .filter_map(|s| g.name(s.value).map(|n| n.rust.as_str())),
        )
        .chain(model::RESERVED.iter().copied());
    let temporary = name
        .strip_prefix('t')
        .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()));
    let taken = temporary || name.starts_with("d_") || generated.into_iter().any(|n| n == name);
    if taken || syn::parse_str::<syn::Ident>(&name).is_err() {
        return Err(syn::Error::new(
            input.span(),
            format!("the input cannot be called `{name}`: the generated code uses that name; call it `x`, as the lecture does"),
        ));
    }
    Ok(())
}

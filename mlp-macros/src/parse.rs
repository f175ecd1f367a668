//! Stage 1: tokens → [`Chain`]. Only the grammar is checked here; meaning (which words exist,
//! how many arguments, shapes) is the check stage's.

use crate::ast::{Arg, Args, Chain, Element};
use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Token};

const EXAMPLE: &str = "x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE";

pub fn parse(attr: TokenStream) -> syn::Result<Chain> {
    if attr.is_empty() {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            format!("expected a chain like `{EXAMPLE}`, found nothing"),
        ));
    }
    parse_chain.parse2(attr)
}

fn parse_chain(input: ParseStream) -> syn::Result<Chain> {
    let first: TokenTree = input.parse()?;
    let TokenTree::Ident(name) = first else {
        return Err(syn::Error::new(
            first.span(),
            format!("expected the input's name, like `x` in `{EXAMPLE}`, found `{first}`"),
        ));
    };
    let input_name: Ident = name;
    let mut elements = Vec::new();
    loop {
        if input.is_empty() || input.peek(Token![,]) {
            break;
        }
        let arrow: Token![->] = match input.parse() {
            Ok(arrow) => arrow,
            Err(_) => {
                let found: TokenTree = input.parse()?;
                return Err(syn::Error::new(
                    found.span(),
                    format!("expected `->` between the elements of the chain, found `{found}`"),
                ));
            }
        };
        if input.is_empty() {
            return Err(syn::Error::new_spanned(
                arrow,
                "expected a layer or a loss after `->`, found the end of the chain",
            ));
        }
        let tree: TokenTree = input.parse()?;
        let TokenTree::Ident(name) = tree else {
            return Err(syn::Error::new(
                tree.span(),
                format!("expected a layer or a loss after `->`, found `{tree}`"),
            ));
        };
        let args = if input.peek(syn::token::Paren) {
            let TokenTree::Group(group) = input.parse::<TokenTree>()? else {
                unreachable_group()?
            };
            Some(parse_args(group.stream(), group.span())?)
        } else {
            None
        };
        elements.push(Element { name, args });
    }
    if elements.is_empty() {
        return Err(syn::Error::new(
            input_name.span(),
            format!(
                "expected `->` and the layers after the input `{input_name}`, like `{EXAMPLE}`"
            ),
        ));
    }
    let mut options = Vec::new();
    while input.peek(Token![,]) {
        let _: Token![,] = input.parse()?;
        if input.is_empty() {
            break;
        }
        let key: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected an option after the chain, like `jacobians = full`",
            )
        })?;
        let _: Token![=] = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `=` after `{key}`, like `{key} = full`"),
            )
        })?;
        let value: proc_macro2::TokenTree = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected a value for `{key}`, like `{key} = full`"),
            )
        })?;
        options.push((key, value));
    }
    Ok(Chain {
        input: input_name,
        elements,
        options,
    })
}

/// `peek(Paren)` promised a group; say so instead of panicking if that ever changes.
fn unreachable_group<T>() -> syn::Result<T> {
    Err(syn::Error::new(
        proc_macro2::Span::call_site(),
        "internal error: expected a parenthesized group",
    ))
}

/// Splits `(a, b, ...)` at top-level commas; each piece keeps its tokens for spans. A trailing
/// comma is accepted, as Rust accepts one.
fn parse_args(stream: TokenStream, span: proc_macro2::Span) -> syn::Result<Args> {
    let mut items = Vec::new();
    let mut current = TokenStream::new();
    for tree in stream {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if current.is_empty() {
                    return Err(syn::Error::new(
                        p.span(),
                        "expected an argument before `,`, found nothing",
                    ));
                }
                items.push(arg(std::mem::take(&mut current)));
            }
            _ => current.extend([tree]),
        }
    }
    if !current.is_empty() {
        items.push(arg(current));
    }
    Ok(Args { span, items })
}

/// One argument; `int` is set only for a lone whole-number literal (no suffix but `usize`),
/// `number` for a lone finite number literal.
fn arg(tokens: TokenStream) -> Arg {
    let mut iter = tokens.clone().into_iter();
    let (int, number) = match (iter.next(), iter.next()) {
        (Some(TokenTree::Literal(lit)), None) => match syn::Lit::new(lit) {
            syn::Lit::Int(int) if int.suffix().is_empty() || int.suffix() == "usize" => (
                int.base10_parse::<usize>().ok(),
                int.base10_parse::<f64>().ok(),
            ),
            syn::Lit::Float(float) if float.suffix().is_empty() => (
                None,
                float.base10_parse::<f64>().ok().filter(|v| v.is_finite()),
            ),
            _ => (None, None),
        },
        _ => (None, None),
    };
    Arg {
        tokens,
        int,
        number,
    }
}

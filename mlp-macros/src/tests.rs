//! Tests of the whole pipeline through [`crate::expand::expand`]: the expansion snapshot, every
//! error with the exact token it points at, and the never-panic property.

use crate::codegen::Item;
use crate::expand::{derive_items, expand};
use proc_macro2::TokenStream;
use std::str::FromStr;

const CARD: &str = "x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE";

fn tokens(src: &str) -> TokenStream {
    TokenStream::from_str(src).expect("test input lexes")
}

/// The expansion, formatted as a file by prettyplease.
fn pretty(attr: &str, item: &str) -> String {
    let out = expand(tokens(attr), tokens(item));
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => panic!("expansion is not valid Rust ({e}):\n{out}"),
    }
}

/// Every error of `attr` on `pub struct N;`, as (message, the source text it points at).
fn errors(attr: &str) -> Vec<(String, String)> {
    errors_on(attr, "pub struct N;")
}

fn errors_on(attr: &str, item: &str) -> Vec<(String, String)> {
    // The item is lexed on line 2, below the attribute, as `source` shows them.
    let input: syn::DeriveInput = syn::parse2(tokens(&format!("\n{item}"))).expect("item parses");
    let it = Item {
        attrs: input.attrs.clone(),
        vis: input.vis.clone(),
        ident: input.ident.clone(),
    };
    let Err(error) = derive_items(tokens(attr), &input, &it) else {
        panic!("`{attr}` expanded without error");
    };
    let source = format!("{attr}\n{item}");
    error
        .into_iter()
        .map(|e| {
            let span = e.span();
            let (start, end) = (span.start(), span.end());
            let text = if start.line == end.line && start.line >= 1 {
                let line = source.lines().nth(start.line - 1).unwrap_or("");
                line.chars()
                    .skip(start.column)
                    .take(end.column - start.column)
                    .collect()
            } else {
                format!("<lines {}..{}>", start.line, end.line)
            };
            (e.to_string(), text)
        })
        .collect()
}

#[test]
fn card_expansion() {
    insta::assert_snapshot!(pretty(
        CARD,
        "/// Two-layer classifier for points in the plane.\npub struct Classifier;"
    ));
}

#[test]
fn accepted_with_or_without_spaces() {
    let spaced = pretty(CARD, "pub struct Classifier;");
    let tight = pretty(
        "x->Linear(2,16)->ReLU->Linear(16,3)->Softmax->CE",
        "pub struct Classifier;",
    );
    assert_eq!(spaced, tight);
    assert!(!spaced.contains("compile_error"));
}

#[test]
fn shape_mismatch_points_at_the_input_size() {
    let e = errors("x -> Linear(2, 8) -> ReLU -> Linear(16, 3) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "`Linear(16, 3)` expects 16 inputs, but the previous layer produces 8".into(),
            "16".into()
        )]
    );
}

#[test]
fn unknown_layer_suggests() {
    let e = errors("x -> Linear(2, 8) -> Relu -> Linear(8, 3) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "unknown layer `Relu`: did you mean `ReLU`?".into(),
            "Relu".into()
        )]
    );
    let e = errors("x -> Linear(2, 8) -> Conv -> Linear(8, 3) -> Softmax -> CE");
    assert_eq!(e[0].1, "Conv");
    assert!(
        e[0].0
            .starts_with("unknown layer `Conv`: expected one of `Linear`, `Maxout`, `ReLU`"),
        "{e:?}"
    );
}

#[test]
fn loss_not_last() {
    let e = errors("x -> Linear(2, 3) -> Softmax -> CE -> ReLU -> MSE");
    assert_eq!(
        e,
        [(
            "`CE` is a loss and must end the chain, but `ReLU` follows it".into(),
            "CE".into()
        )]
    );
}

#[test]
fn missing_loss() {
    let e = errors("x -> Linear(2, 3) -> Softmax");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].1, "Softmax");
    assert!(
        e[0].0.starts_with("the chain must end with a loss"),
        "{e:?}"
    );
}

#[test]
fn zero_size() {
    let e = errors("x -> Linear(2, 0) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "a layer size must be at least 1, found 0".into(),
            "0".into()
        )]
    );
}

#[test]
fn ce_needs_softmax() {
    let e = errors("x -> Linear(2, 3) -> ReLU -> CE");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].1, "CE");
    assert_eq!(
        e[0].0,
        "`CE` expects probabilities from a `Softmax` right before it, found `ReLU`; write `-> Softmax -> CE`"
    );
}

#[test]
fn empty_and_truncated_chains() {
    let out = expand(TokenStream::new(), tokens("pub struct N;")).to_string();
    assert!(out.contains("expected a chain like"), "{out}");
    assert!(
        out.contains("struct N"),
        "the fallback struct is still emitted: {out}"
    );
    let e = errors("x");
    assert_eq!(e[0].1, "x");
    assert!(e[0]
        .0
        .starts_with("expected `->` and the layers after the input `x`"));
    let e = errors("x -> Linear(2, 3) -> Softmax -> CE ->");
    assert_eq!(
        e,
        [(
            "expected a layer or a loss after `->`, found the end of the chain".into(),
            "->".into()
        )]
    );
    let e = errors("x -> Linear(2, 3) Softmax -> CE");
    assert_eq!(
        e,
        [(
            "expected `->` between the elements of the chain, found `Softmax`".into(),
            "Softmax".into()
        )]
    );
}

#[test]
fn arguments_of_the_wrong_kind_or_count() {
    let e = errors("x -> Linear(2.5, 3) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "expected a size (a whole number of at least 1), found `2.5`".into(),
            "2.5".into()
        )]
    );
    let e = errors("x -> Linear(n, 3) -> Softmax -> CE");
    assert_eq!(e[0].1, "n");
    let e = errors("x -> Linear(2) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "`Linear` takes 2 sizes (inputs, outputs), found 1 argument".into(),
            "(2)".into()
        )]
    );
    let e = errors("x -> Linear(2, 3, 4) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "`Linear` takes 2 sizes (inputs, outputs), found 3 arguments".into(),
            "4".into()
        )]
    );
    let e = errors("x -> Linear -> Softmax -> CE");
    assert_eq!(e[0].1, "Linear");
    let e = errors("x -> Linear(2, 3) -> ReLU(3) -> Softmax -> CE");
    assert_eq!(
        e,
        [(
            "`ReLU` takes no arguments, found 1 argument; write `ReLU` alone".into(),
            "(3)".into()
        )]
    );
}

#[test]
fn first_layer_must_fix_the_input_size() {
    let e = errors("x -> ReLU -> Linear(2, 3) -> Softmax -> CE");
    assert_eq!(e[0].1, "ReLU");
    assert!(e[0]
        .0
        .starts_with("the chain must start with `Linear(inputs, outputs)`"));
}

#[test]
fn every_error_in_one_build() {
    let e = errors("x -> Linear(2, 8) -> Relu -> Linear(16, 0) -> Sofmax -> CE");
    let pointed: Vec<&str> = e.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(pointed, ["Relu", "Sofmax", "0", "16"], "{e:?}");
}

#[test]
fn item_must_be_a_plain_unit_struct() {
    let e = errors_on(CARD, "pub struct N { a: u8 }");
    assert_eq!(e[0].1, "{ a: u8 }");
    let e = errors_on(CARD, "pub struct N<T>;");
    assert_eq!(e[0].1, "<T>");
    let e = errors_on(CARD, "enum N { A }");
    assert_eq!(e[0].1, "enum");
    let out = expand(tokens(CARD), tokens("fn f() {}")).to_string();
    assert!(out.contains("goes on a unit struct"), "{out}");
}

#[test]
fn input_names_that_would_clash() {
    for name in [
        "z", "h", "theta", "u", "b1", "y", "y_hat", "self", "d_x", "t3", "fn",
    ] {
        let attr = format!("{name} -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE");
        let Ok(attr_tokens) = TokenStream::from_str(&attr) else {
            continue;
        };
        let out = expand(attr_tokens, tokens("pub struct N;")).to_string();
        assert!(
            out.contains("compile_error"),
            "`{name}` should be refused: {out}"
        );
    }
    assert!(
        !pretty("input -> Linear(2, 3) -> Softmax -> CE", "pub struct N;")
            .contains("compile_error")
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Tokens that make chains, near-chains and nonsense.
    const VOCABULARY: &[&str] = &[
        "x",
        "->",
        "->",
        "->",
        "Linear",
        "Linear",
        "(",
        ")",
        "2",
        "3",
        "16",
        "0",
        ",",
        ",",
        "ReLU",
        "Relu",
        "Sigmoid",
        "Tanh",
        "Softmax",
        "CE",
        "MSE",
        "-",
        ">",
        "2.5",
        "\"s\"",
        "[",
        "]",
        "Dense",
        "y",
        "self",
        "99999999999999999999999",
        "1usize",
        "1u8",
        "=",
        ";",
        "#",
        "'a",
        "jacobians",
        "full",
        "::",
        "<",
        "z",
        "_",
        "Elementwise",
        "Elementwise(z * sigmoid(z))",
        "Elementwise(z.exp())",
        "Elementwise(x)",
        "*",
        "sigmoid",
        ".",
        "powi",
    ];

    const ITEMS: &[&str] = &[
        "pub struct N;",
        "struct N;",
        "#[derive(Clone)] pub(crate) struct N;",
        "struct N { a: u8 }",
        "struct N(u8);",
        "struct N<T>;",
        "enum N { A }",
        "fn f() {}",
        "",
        "union U { a: u8 }",
    ];

    fn chain_like() -> impl Strategy<Value = String> {
        let layer = prop_oneof![
            (1usize..20, 1usize..20).prop_map(|(a, b)| format!("Linear({a}, {b})")),
            Just("ReLU".to_string()),
            Just("Sigmoid".to_string()),
            Just("Tanh".to_string()),
            Just("Softmax".to_string()),
            Just("CE".to_string()),
            Just("MSE".to_string()),
            Just("Linear(0, 2)".to_string()),
            Just("Linear(2)".to_string()),
            Just("Elementwise(z * sigmoid(z))".to_string()),
            Just("Elementwise(z.powi(2) - z)".to_string()),
            Just("Elementwise()".to_string()),
            Just("Elementwise(z, z)".to_string()),
            Just("Elementwise(z.dot(&z))".to_string()),
            Just("Elementwise(1.0)".to_string()),
            Just("Elementwise(z)".to_string()),
            Just("Elementwise(z / 0.0)".to_string()),
        ];
        proptest::collection::vec(layer, 0..8).prop_map(|layers| {
            let mut s = "x".to_string();
            for l in layers {
                s.push_str(" -> ");
                s.push_str(&l);
            }
            s
        })
    }

    /// Networks whose sizes fit, every layer and loss, either mode: each must expand to a
    /// network, never an error.
    fn valid_chain() -> impl Strategy<Value = String> {
        let hidden = proptest::collection::vec(
            (
                1usize..6,
                0usize..4,
                proptest::collection::vec(0usize..11, 0..3),
            ),
            1..5,
        );
        (1usize..5, hidden, 0usize..5, proptest::bool::ANY).prop_map(
            |(inputs, hidden, ending, full)| {
                const ACTIVATIONS: [&str; 11] = [
                    "ReLU",
                    "Sigmoid",
                    "Tanh",
                    "Softmax",
                    "LeakyReLU",
                    "ELU(0.5)",
                    "Identity",
                    "LeakyReLU(0.3)",
                    "Elementwise(z * sigmoid(z))",
                    "Elementwise((1.0 + z.exp()).ln())",
                    "Elementwise(0.5 * z * (1.0 + (0.79788456 * (z + 0.044715 * z.powi(3))).tanh()))",
                ];
                let mut s = "x".to_string();
                let mut size = inputs;
                for (outputs, pieces, activations) in hidden {
                    if pieces >= 2 {
                        s.push_str(&format!(" -> Maxout({size}, {outputs}, {pieces})"));
                    } else {
                        s.push_str(&format!(" -> Linear({size}, {outputs})"));
                    }
                    size = outputs;
                    for a in activations {
                        s.push_str(" -> ");
                        s.push_str(ACTIVATIONS[a]);
                    }
                }
                match ending {
                    0 => s.push_str(" -> Softmax -> CE"),
                    1 => s.push_str(" -> MSE"),
                    2 => s.push_str(" -> Sigmoid -> MSE"),
                    3 => s.push_str(&format!(" -> Linear({size}, 1) -> Sigmoid -> BCE")),
                    _ => s.push_str(&format!(" -> Linear({size}, 1) -> MSE")),
                }
                if full {
                    s.push_str(", jacobians = full");
                }
                s
            },
        )
    }

    fn soup() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(VOCABULARY), 0..16)
            .prop_map(|words| words.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4_500, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn near_chains(attr in chain_like(), item in proptest::sample::select(ITEMS)) {
            check(&attr, item)?;
        }

        #[test]
        fn token_soup(attr in soup(), item in proptest::sample::select(ITEMS)) {
            check(&attr, item)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn valid_networks(attr in valid_chain()) {
            let out = expand(tokens(&attr), tokens("pub struct N;"));
            let text = out.to_string();
            prop_assert!(!text.contains("compile_error"), "`{}` was refused: {}", attr, text);
            prop_assert!(syn::parse2::<syn::File>(out).is_ok(), "not valid Rust: {}", text);
        }

    }

    /// The expansion returns (no panic), is valid Rust, and is either a network or an error.
    fn check(attr: &str, item: &str) -> Result<(), TestCaseError> {
        // Unbalanced delimiters do not lex; rustc would reject them before the macro runs.
        let (Ok(attr), Ok(item)) = (TokenStream::from_str(attr), TokenStream::from_str(item))
        else {
            return Ok(());
        };
        let out = std::panic::catch_unwind(|| expand(attr, item))
            .map_err(|_| TestCaseError::fail("expand panicked"))?;
        let text = out.to_string();
        let file = syn::parse2::<syn::File>(out);
        prop_assert!(file.is_ok(), "not valid Rust: {}", text);
        prop_assert!(
            text.contains("compile_error")
                || text.contains("impl < T : :: mlp :: __private :: RealField"),
            "neither an error nor a network: {}",
            text
        );
        Ok(())
    }
}

/// Not a test: measures how long `expand` takes (the closing note's numbers). Run with
/// `cargo test -p mlp-macros --release -- --ignored --nocapture expansion_time`.
#[test]
#[ignore = "a measurement, not a test"]
fn expansion_time() {
    let ten = "x -> Linear(64, 64) -> ReLU -> Linear(64, 64) -> Tanh -> Linear(64, 64) -> Sigmoid \
               -> Linear(64, 64) -> ReLU -> Linear(64, 64) -> Tanh -> Linear(64, 64) -> Sigmoid \
               -> Linear(64, 64) -> ReLU -> Linear(64, 64) -> Tanh -> Linear(64, 32) -> ReLU \
               -> Linear(32, 10) -> Softmax -> CE";
    for (name, attr) in [("card", CARD), ("10 Linear layers", ten)] {
        let (attr, item) = (tokens(attr), tokens("pub struct N;"));
        let runs = 200;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            std::hint::black_box(expand(attr.clone(), item.clone()));
        }
        let each = start.elapsed() / runs;
        println!("{name}: {each:?} per expansion (mean of {runs})");
    }
}

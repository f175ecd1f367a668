//! `#[mlp::grad]` through [`super::expand`]: the expansion of the lecture's example, every
//! error with the token it points at, and the never-panic property.

use super::expand;
use proc_macro2::TokenStream;
use std::str::FromStr;

fn tokens(src: &str) -> TokenStream {
    TokenStream::from_str(src).expect("test input lexes")
}

/// The expansion, formatted by prettyplease.
fn pretty(item: &str) -> String {
    let out = expand(TokenStream::new(), tokens(item));
    match syn::parse2::<syn::File>(out.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => panic!("expansion is not valid Rust ({e}):\n{out}"),
    }
}

/// Every error of `item`, as (message, the source text it points at).
fn errors(item: &str) -> Vec<(String, String)> {
    errors_with("", item)
}

fn errors_with(attr: &str, item: &str) -> Vec<(String, String)> {
    let out = expand(tokens(attr), tokens(item));
    let file: syn::File = syn::parse2(out).expect("the expansion parses");
    let mut found = Vec::new();
    for it in &file.items {
        let syn::Item::Macro(m) = it else { continue };
        if m.mac.path.segments.last().map(|s| s.ident.to_string()) != Some("compile_error".into()) {
            continue;
        }
        let message: syn::LitStr = m.mac.parse_body().expect("a message");
        found.push(message.value());
    }
    // Spans: from the errors themselves, computed again.
    let spans = match syn::parse2::<syn::ItemFn>(tokens(item)) {
        Ok(f) if attr.is_empty() => match super::differentiate(&f) {
            Err(e) => e.into_iter().map(|e| text_at(item, e.span())).collect(),
            Ok(_) => Vec::new(),
        },
        _ => vec![String::new(); found.len()],
    };
    found.into_iter().zip(spans).collect()
}

fn text_at(source: &str, span: proc_macro2::Span) -> String {
    let (start, end) = (span.start(), span.end());
    if start.line != end.line {
        return format!("<lines {}..{}>", start.line, end.line);
    }
    let line = source.lines().nth(start.line - 1).unwrap_or("");
    line.chars()
        .skip(start.column)
        .take(end.column - start.column)
        .collect()
}

const LECTURE: &str = "fn f(x: f64, y: f64, z: f64) -> f64 {\n    let q = x + y;\n    q * z\n}";

/// The lecture's backward pass, as code: q and f forward, then ∂f/∂q = z, ∂f/∂z = q,
/// ∂f/∂x = ∂f/∂y = ∂f/∂q.
#[test]
fn lecture_expansion() {
    insta::assert_snapshot!(pretty(LECTURE));
}

#[test]
fn lecture_derivation() {
    let f: syn::ItemFn = syn::parse2(tokens(LECTURE)).expect("parses");
    let (d, _) = super::differentiate(&f).expect("derives");
    let text = super::text::derivation(&d, &super::text::passes(&d), "f(x, y, z)");
    insta::assert_snapshot!(text);
}

#[test]
fn calls_of_other_functions_take_numbers() {
    // A call of another function is a call of a `#[mlp::grad]` function: its `foo_grad` gives
    // the local derivative (rustc says so if `foo` has none).
    assert!(errors("fn f(x: f64) -> f64 { foo(x) * 2.0 }").is_empty());
    let out = expand(
        TokenStream::new(),
        tokens("fn f(x: f64) -> f64 { foo(x) * 2.0 }"),
    )
    .to_string();
    assert!(out.contains("foo_grad (x)"), "{out}");
    let e = errors("fn f(v: SVector<f64, 3>) -> f64 { foo(v) * 2.0 }");
    assert!(e[0].0.contains("takes numbers, found [3×1]"), "{e:?}");
    assert_eq!(e[0].1, "v");
    let e = errors("fn f(x: f64) -> f64 { foo::<f64>(x) }");
    assert!(e[0].0.contains("without generic arguments"), "{e:?}");
    let e = errors("fn f(x: f64) -> f64 { (|t: f64| t)(x) }");
    assert!(e[0].0.contains("cannot be differentiated"), "{e:?}");
}

#[test]
fn unknown_name_points_at_it() {
    let e = errors("fn f(x: f64) -> f64 { let q = x * 2.0; q + w }");
    assert_eq!(e.len(), 1);
    assert!(e[0].0.contains("`w` is not an argument"), "{e:?}");
    assert_eq!(e[0].1, "w");
}

#[test]
fn shape_mismatch_points_at_the_operator() {
    let e = errors("fn f(a: SVector<f64, 3>, b: SVector<f64, 2>) -> f64 { (a + b).sum() }");
    assert!(
        e[0].0.contains("need equal shapes ([3×1] + [2×1])"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "+");
    let e = errors("fn f(w: SMatrix<f64, 3, 2>, x: SVector<f64, 3>) -> f64 { (w * x).sum() }");
    assert!(
        e[0].0.contains("columns to equal the right's rows"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "*");
}

#[test]
fn vector_exp_is_not_elementwise() {
    let e = errors("fn f(v: SVector<f64, 3>) -> f64 { v.exp().sum() }");
    assert!(e[0].0.contains("write `.map(|t| t.exp())`"), "{e:?}");
    assert_eq!(e[0].1, "exp");
}

#[test]
fn bad_types_point_at_them() {
    let e = errors("fn f(x: i32) -> f64 { 1.0 }");
    assert!(e[0].0.contains("expected `f32`, `f64`"), "{e:?}");
    assert_eq!(e[0].1, "i32");
    let e = errors("fn f(x: f64, y: f32) -> f64 { x }");
    assert!(
        e[0].0
            .contains("same scalar type: expected `f64`, found `f32`"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "f32");
    let e = errors("fn f(x: SVector<f64, N>) -> f64 { x.sum() }");
    assert!(e[0].0.contains("a size as a number literal"), "{e:?}");
    assert_eq!(e[0].1, "N");
}

#[test]
fn statements_and_loops_are_refused() {
    assert!(errors("fn f(x: f64) -> f64 { let mut s = x; s += 1.0; s }").is_empty());
    assert!(
        errors("fn f(x: f64) -> f64 { let mut s = x; for _ in 0..3 { s *= x; } s }").is_empty()
    );
    let e = errors("fn f(x: f64) -> f64 { let mut s = x; while s < 9.0 { s *= 2.0; } s }");
    assert!(
        e[0].0
            .contains("`while` and `loop` run a number of times known only at run time"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "while");
    let e = errors("fn f(x: f64) -> f64 { let s = x; s += 1.0; s }");
    assert!(e[0].0.contains("`s` is not a `let mut`"), "{e:?}");
    assert_eq!(e[0].1, "s");
    let e = errors("fn f(x: f64, n: f64) -> f64 { let mut s = x; for i in 0..n { s += x; } s }");
    assert!(
        e[0].0
            .contains("a loop bound must be known when the function is compiled"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "n");
    let e = errors("fn f(v: SVector<f64, 3>) -> f64 { v[3] }");
    assert!(
        e[0].0.contains("index 3 is outside the [3×1] value"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "3");
    let e = errors("fn f(x: f64) -> f64 { let mut s = x; for _ in 0..5000 { s += x; } s }");
    assert!(e[0].0.contains("at most 4096 iterations"), "{e:?}");
    assert_eq!(e[0].1, "0..5000");
    let e = errors("fn f(x: f64) -> f64 { let mut s = x; for i in 0..3 { s += x; break; } s }");
    assert!(
        e[0].0
            .contains("`break` makes the number of iterations depend"),
        "{e:?}"
    );
}

#[test]
fn branches_without_a_value_or_with_two_shapes_point_at_them() {
    assert!(errors("fn f(x: f64) -> f64 { if x > 0.0 { x } else { 0.0 } }").is_empty());
    let e = errors("fn f(x: f64) -> f64 { let y = if x > 0.0 { x }; y }");
    assert!(
        e[0].0.contains("an `if` without `else` has no value"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "if");
    let e = errors("fn f(x: f64, v: SVector<f64, 2>) -> f64 { if x > 0.0 { x } else { v } }");
    assert!(
        e[0].0.contains("need one shape, found [1×1] and [2×1]"),
        "{e:?}"
    );
    let e = errors("fn f(x: f64, v: SVector<f64, 2>) -> f64 { if v > x { x } else { x } }");
    assert!(e[0].0.contains("the two sides need one shape"), "{e:?}");
    assert_eq!(e[0].1, ">");
    let e = errors("fn f(x: f64) -> f64 { match x { _ => x } }");
    assert!(
        e[0].0.contains("write it as `if`/`else if`/`else`"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "match");
    let e = errors("fn f(x: f64) -> f64 { if x { x } else { 1.0 } }");
    assert!(e[0].0.contains("expected a condition"), "{e:?}");
    assert_eq!(e[0].1, "x");
}

#[test]
fn methods_with_the_wrong_arguments_point_at_them() {
    // A method that is no differentiable function: on its name, listing what is.
    let e = errors("fn f(x: f64) -> f64 { x.floor() }");
    assert!(
        e[0].0
            .contains("`x.floor()` cannot be differentiated: supported:"),
        "{e:?}"
    );
    assert!(e[0].0.contains("atan2"), "{e:?}");
    assert_eq!(e[0].1, "floor");
    // A supported method with a wrong count: the count it takes.
    let e = errors("fn f(x: f64) -> f64 { x.powf(2.0, 3.0) }");
    assert!(
        e[0].0.contains("`.powf` takes 1 argument(s), found 2"),
        "{e:?}"
    );
    let e = errors("fn f(x: f64, y: f64) -> f64 { x.atan2() + y }");
    assert!(
        e[0].0.contains("`.atan2` takes 1 argument(s), found 0"),
        "{e:?}"
    );
    // An argument of another shape: on the argument.
    let e = errors("fn f(x: f64, v: SVector<f64, 2>) -> f64 { x.max(v) }");
    assert!(
        e[0].0.contains("receiver's shape [1×1], found [2×1]"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "v");
    // A vector's `.max(w)` is not elementwise in nalgebra.
    let e = errors("fn f(v: SVector<f64, 2>, w: SVector<f64, 2>) -> f64 { v.max(w).sum() }");
    assert!(e[0].0.contains("not elementwise in nalgebra"), "{e:?}");
}

#[test]
fn matrix_results_and_missing_results_are_refused() {
    let e = errors("fn f(w: SMatrix<f64, 2, 2>) -> SMatrix<f64, 2, 2> { w * w }");
    assert!(e[0].0.contains("the result is a [2×2] matrix"), "{e:?}");
    let e = errors("fn f(x: f64) { }");
    assert!(e[0].0.contains("expected a result"), "{e:?}");
    let e = errors("fn f() -> f64 { 1.0 }");
    assert!(e[0].0.contains("at least one argument"), "{e:?}");
}

#[test]
fn names_the_generated_code_uses_are_refused() {
    let e = errors("fn f(one: f64) -> f64 { one * 2.0 }");
    assert!(
        e[0].0.contains("`one` is a name the generated code uses"),
        "{e:?}"
    );
    assert_eq!(e[0].1, "one");
    let e = errors("fn f(x: f64) -> f64 { let d_x = x * x; d_x + 1.0 }");
    assert!(e[0].0.contains("`d_x` is a name"), "{e:?}");
    assert_eq!(e[0].1, "d_x");
    let e = errors("fn f(t7: f64, i: f64) -> f64 { t7 * i }");
    assert!(e[0].0.contains("`t7` is a name"), "{e:?}");
    assert!(errors("fn f(t: f64, theta: f64) -> f64 { t * theta }").is_empty());
}

#[test]
fn not_a_function_or_arguments_given() {
    let out = expand(TokenStream::new(), tokens("struct S;")).to_string();
    assert!(out.contains("goes on a function"), "{out}");
    let e = errors_with("x", "fn f(x: f64) -> f64 { x }");
    assert!(e[0].0.contains("takes no arguments"), "{e:?}");
}

mod never_panics {
    //! Any item at all: the expansion is valid Rust, the function as written plus either the
    //! generated items or a `compile_error!`.
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "x",
        "y",
        "v",
        "w",
        "m",
        "q",
        "1.0",
        "0.0",
        "2",
        "-",
        "+",
        "*",
        "/",
        "(",
        ")",
        ".",
        "exp()",
        "ln()",
        "sqrt()",
        "tanh()",
        "powi(3)",
        "powi(",
        "sum()",
        "transpose()",
        "dot(&v)",
        "dot(&w)",
        "component_mul(&v)",
        "max(0.0)",
        "map(|t| t * t)",
        "sigmoid(",
        "relu(",
        "foo(",
        ",",
        ";",
        "let q =",
        "{",
        "}",
        "&",
        "!",
        "%",
        "as",
        "[0]",
        "x.",
        "m *",
        "norm_squared()",
        "component_div(&w)",
        "sin()",
        "acosh()",
        "log(",
        "atan2(",
        "atan2(y)",
        "powf(x)",
        "hypot(",
        "mul_add(x, y)",
        "clamp(-1.0, 1.0)",
        "clamp(",
        "min(x)",
        "max(y)",
        "abs()",
        "signum()",
        "floor()",
        "map(|t| t.sin().max(0.5))",
        "if",
        "else",
        "x > y",
        "&&",
        "||",
        "<=",
        "==",
        "match",
        "while",
        "for i in 0..3",
        "let mut",
        "+=",
        "v[0]",
        "v[i]",
        "[(0, 1)]",
        "Vector3::new(",
        "true",
    ];

    const SIGNATURES: &[&str] = &[
        "fn f(x: f64, y: f64) -> f64",
        "fn f(v: SVector<f64, 3>, w: SVector<f64, 3>, x: f64) -> f64",
        "fn f<T: RealField + Copy>(v: &SVector<T, 3>, m: SMatrix<T, 3, 3>) -> T",
        "fn f(v: SVector<f32, 3>, m: Matrix3<f32>) -> SVector<f32, 3>",
        "fn f(x: f64, m: SMatrix<f64, 2, 3>) -> f64",
        "fn f(x: u8)",
        "fn f(&self, x: f64) -> f64",
    ];

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..14).prop_map(|p| p.join(" "))
    }

    /// Well-formed expressions over the arguments of the second signature.
    fn valid() -> impl Strategy<Value = String> {
        let leaf = proptest::sample::select(vec![
            "x".to_string(),
            "v.dot(&w)".into(),
            "v.sum()".into(),
            "w.norm_squared()".into(),
            "1.5".into(),
        ]);
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
                inner.clone().prop_map(|a| format!("({a}).tanh()")),
                inner.clone().prop_map(|a| format!("sigmoid({a})")),
                inner.clone().prop_map(|a| format!("({a}).powi(2)")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(if {a} > {b} {{ {a} }} else {{ {b} * 2.0 }})")),
                inner.clone().prop_map(|a| format!("({{ let mut s = x; for i in 0..v.len() {{ s += v[i] * {a}; }} s }})")),
                inner.clone().prop_map(|a| format!("Vector3::new({a}, x, 1.0).dot(&w)")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(if !({a} <= x) && x != 1.0 {{ {a} }} else if x > 0.0 || {b} < 0.0 {{ {b} }} else {{ x }})")),
                inner.clone().prop_map(|a| format!("({a}).sin().abs()")),
                inner.clone().prop_map(|a| format!("({a}).atan().exp2()")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).atan2({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).max({b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}).hypot({b})")),
                inner
                    .clone()
                    .prop_map(|a| format!("({a}).clamp(-2.0, 2.0)")),
                inner.clone().prop_map(|a| format!("({a}).mul_add(x, 1.0)")),
                inner
                    .clone()
                    .prop_map(|a| format!("(v.map(|t| t.cosh().min(t * 2.0 + 0.5)).sum() * {a})")),
                inner.prop_map(|a| format!("(v * {a}).dot(&w)")),
            ]
        })
    }

    /// An item that is a function expands to valid Rust; anything else to a `compile_error!`
    /// before the tokens as they were.
    fn check(item: &str) {
        let out = expand(TokenStream::new(), tokens(item));
        if syn::parse2::<syn::ItemFn>(tokens(item)).is_ok() {
            assert!(
                syn::parse2::<syn::File>(out).is_ok(),
                "not valid Rust for {item}"
            );
        } else {
            assert!(out.to_string().contains("compile_error"), "{item}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn token_soups(sig in proptest::sample::select(SIGNATURES), body in body()) {
            let item = format!("{sig} {{ {body} }}");
            if TokenStream::from_str(&item).is_ok() {
                check(&item);
            }
        }

        #[test]
        fn valid_expressions(e in valid()) {
            let item = format!("{} {{ {e} }}", SIGNATURES[1]);
            let out = expand(TokenStream::new(), tokens(&item)).to_string();
            prop_assert!(!out.contains("compile_error"), "{item}: {out}");
            check(&item);
        }
    }
}

//! `#[mlp::grad]`: the chain rule for a function's expression.
//!
//! The same pipeline as the networks, over a function body instead of a chain of layers:
//! parse the signature (every argument a scalar, an `SVector` or an `SMatrix`) → lower the body
//! to the IR ([`lower`]) → the chain rule from the result back ([`mlp_symbolic::chain`]) → the named
//! rewrite rules ([`mlp_symbolic::simplify`]) → the derivation's text ([`text`]) and Rust ([`code`]).

mod code;
mod second;
mod text;

#[cfg(test)]
mod tests;

use mlp_symbolic::ir::{Graph, Id, LeafKind, Name, Op, Shape};
use mlp_symbolic::simplify::{self, Rewrite};
use mlp_symbolic::{chain, lower};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::spanned::Spanned;

/// One argument of the function.
pub struct Arg {
    pub ident: syn::Ident,
    /// The type as written (`&SVector<f64, 3>`), for the generated signatures.
    pub ty: syn::Type,
    /// The type without a reference: the gradient's type.
    pub owned: syn::Type,
    pub by_ref: bool,
    pub shape: Shape,
    pub leaf: Id,
}

/// What the expression's derivation is: the forward graph, the chain rule, its simplification.
pub struct Differentiated {
    pub graph: Graph,
    pub args: Vec<Arg>,
    /// The function's result.
    pub output: Id,
    /// The seed of the backward pass: `1` for a scalar result, `eᵢ` for a vector's row `i`.
    pub seed: Id,
    /// Every named value (arguments, `let`s, the result) in backward order, with its simplified
    /// gradient (∂f/∂v, or ∂fᵢ/∂v for a vector result).
    pub grads: Vec<(Id, Id)>,
    pub rewrites: Vec<Rewrite>,
    /// The result's name (`f`).
    pub name: String,
    /// Forward mode: every named value's tangent (`NAME_jvp`).
    pub jvp: second::Jvp,
    /// The Hessian's blocks, forward over reverse (`NAME_hessian`), for a scalar result of
    /// scalar and column-vector arguments.
    pub hessian: Option<second::Hessian>,
}

impl Differentiated {
    pub fn is_jacobian(&self) -> bool {
        !self.graph.shape(self.output).is_scalar()
    }

    /// The gradient of a value (the simplified node), if it has one.
    pub fn grad(&self, v: Id) -> Option<Id> {
        self.grads.iter().find(|(x, _)| *x == v).map(|&(_, g)| g)
    }

    /// `f`, or `fᵢ` for a vector result.
    pub fn f(&self) -> String {
        if self.is_jacobian() {
            format!("{}ᵢ", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// Expands `#[mlp::grad] fn ...`: the function as written, then its generated companions.
/// Never panics: a problem is a `compile_error!` beside the unchanged function.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new(
                lower::first_span(&item),
                "`#[mlp::grad]` goes on a function, like `fn f(x: f64, y: f64) -> f64 { x * y }`",
            );
            let mut out = e.into_compile_error();
            out.extend(item);
            return out;
        }
    };
    let mut out = function.to_token_stream();
    if !attr.is_empty() {
        let e = syn::Error::new(
            lower::first_span(&attr),
            "`#[mlp::grad]` takes no arguments",
        );
        out.extend(e.into_compile_error());
        return out;
    }
    match generate(&function) {
        Ok(tokens) => out.extend(tokens),
        Err(e) => out.extend(e.into_compile_error()),
    }
    out
}

/// The derivation of a function: parse, lower, chain rule, simplify.
pub fn differentiate(function: &syn::ItemFn) -> syn::Result<(Differentiated, Scalar)> {
    let sig = &function.sig;
    let generics = check_signature(sig)?;
    let mut graph = Graph::new();
    let (args, scalar) = arguments(sig, &generics, &mut graph)?;
    if matches!(sig.output, syn::ReturnType::Default) {
        return Err(syn::Error::new(
            sig.ident.span(),
            "expected a result to differentiate: `-> f64`, `-> T` or `-> SVector<T, N>`",
        ));
    }
    let output = {
        let mut lower = lower::Lowering::new(&mut graph);
        lower.generic = generics.first().cloned();
        for a in &args {
            lower.bind(&a.ident.to_string(), a.leaf);
        }
        lower.body(&function.block)?
    };
    let out_shape = graph.shape(output);
    if out_shape.cols != 1 {
        return Err(syn::Error::new(
            sig.output.span(),
            format!(
                "the result is a {} matrix: `#[mlp::grad]` differentiates a scalar result (its gradient) or a column vector (its Jacobian)",
                out_shape.text()
            ),
        ));
    }
    let name = name_result(&mut graph, output, &sig.ident.to_string());
    let seed = if out_shape.is_scalar() {
        graph.add(Op::Identity(1))
    } else {
        graph.leaf(
            Name::new("eᵢ", "e_i"),
            LeafKind::Constant,
            Shape::vector(out_shape.rows),
        )
    };
    let raw = chain::backward_from(&mut graph, output, seed, |_| false);
    let named = named_values(&graph, output, &args);
    let roots: Vec<Id> = named.iter().filter_map(|v| raw.get(v).copied()).collect();
    let (map, rewrites) = simplify::simplify_with(&mut graph, &roots, simplify::EXPRESSION_RULES);
    let grads: Vec<(Id, Id)> = named
        .iter()
        .filter_map(|v| raw.get(v).map(|r| (*v, map[r])))
        .collect();
    // Forward mode and second derivatives: new nodes only, the gradient's stay as they are.
    let jvp = second::jvp(&mut graph, &args, output, &named);
    let hessian = second::hessian(&mut graph, &args, output, &grads);
    if let Some(message) = graph.error.clone() {
        return Err(syn::Error::new(sig.ident.span(), message));
    }
    let d = Differentiated {
        graph,
        args,
        output,
        seed,
        grads,
        rewrites,
        name,
        jvp,
        hessian,
    };
    Ok((d, scalar))
}

/// What a signature may not be (`const`, `async`, variadic, generic over more than the
/// scalar); the generic scalar's name, if any.
fn check_signature(sig: &syn::Signature) -> syn::Result<Vec<String>> {
    if let Some(c) = &sig.constness {
        return Err(syn::Error::new(
            c.span(),
            "`#[mlp::grad]` functions cannot be `const` (they take floating-point arithmetic)",
        ));
    }
    if let Some(a) = &sig.asyncness {
        return Err(syn::Error::new(
            a.span(),
            "`#[mlp::grad]` functions cannot be `async`",
        ));
    }
    if let Some(v) = &sig.variadic {
        return Err(syn::Error::new(
            v.span(),
            "`#[mlp::grad]` functions cannot be variadic",
        ));
    }
    let generics: Vec<String> = sig
        .generics
        .type_params()
        .map(|p| p.ident.to_string())
        .collect();
    if sig.generics.params.len() > generics.len() || generics.len() > 1 {
        return Err(syn::Error::new(
            sig.generics.span(),
            "expected at most one generic parameter, the scalar type (`T: RealField + Copy`)",
        ));
    }
    Ok(generics)
}

/// The arguments as input leaves of `graph`, and their one scalar type.
fn arguments(
    sig: &syn::Signature,
    generics: &[String],
    graph: &mut Graph,
) -> syn::Result<(Vec<Arg>, Scalar)> {
    let mut args = Vec::new();
    let mut scalar: Option<Scalar> = None;
    for input in &sig.inputs {
        let syn::FnArg::Typed(pt) = input else {
            return Err(syn::Error::new(
                input.span(),
                "`#[mlp::grad]` differentiates free functions: expected arguments `name: type`, found `self`",
            ));
        };
        let ident = match &*pt.pat {
            syn::Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => p.ident.clone(),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected a plain argument name",
                ))
            }
        };
        lower::check_name(&ident)?;
        let ty = (*pt.ty).clone();
        let (shape, s, by_ref, owned) = argument_type(&ty, generics)?;
        match &scalar {
            None => scalar = Some(s),
            Some(first) if first.text() != s.text() => {
                return Err(syn::Error::new(
                    ty.span(),
                    format!(
                        "every argument needs the same scalar type: expected `{}`, found `{}`",
                        first.text(),
                        s.text()
                    ),
                ))
            }
            Some(_) => {}
        }
        let leaf = lower::argument(graph, &ident.to_string(), shape);
        args.push(Arg {
            ident,
            ty,
            owned,
            by_ref,
            shape,
            leaf,
        });
    }
    let Some(scalar) = scalar else {
        return Err(syn::Error::new(
            sig.paren_token.span.join(),
            "expected at least one argument to differentiate by",
        ));
    };
    Ok((args, scalar))
}

/// The result's name in the derivation. An unnamed result (no `let` of its own; a constant is
/// never named) takes the function's name, or a prime when a `let` already has it.
fn name_result(graph: &mut Graph, output: Id, function: &str) -> String {
    if graph.name(output).is_none() {
        let taken = (0..graph.len()).any(|n| graph.name(n).is_some_and(|x| x.rust == function));
        let (math, rust) = if taken {
            (format!("{function}′"), format!("{function}_result"))
        } else {
            (function.to_string(), function.to_string())
        };
        graph.rename(output, Name::new(math, rust));
    }
    graph
        .name(output)
        .map_or_else(|| function.to_string(), |n| n.math.clone())
}

/// The named values in backward order: the result, the `let`s from the last, the arguments.
fn named_values(g: &Graph, output: Id, args: &[Arg]) -> Vec<Id> {
    let leaves: Vec<Id> = args.iter().map(|a| a.leaf).collect();
    let mut order: Vec<Id> = g
        .reachable(&[output], |_| false)
        .into_iter()
        .rev()
        .filter(|&n| g.name(n).is_some() && !leaves.contains(&n))
        .filter(|&n| g.is_variable(n))
        .collect();
    if leaves.contains(&output) {
        order.retain(|&n| n != output);
        order.insert(0, output);
    }
    for l in leaves {
        if !order.contains(&l) {
            order.push(l);
        }
    }
    order
}

fn generate(function: &syn::ItemFn) -> syn::Result<TokenStream> {
    let (derived, scalar) = differentiate(function)?;
    let passes = text::passes(&derived);
    let text = text::derivation(&derived, &passes, &signature_text(function));
    let body = code::function(&derived, &scalar);
    let trace = code::trace(&derived, &body, &passes);
    let body = body.tokens();
    let sig = &function.sig;
    let vis = &function.vis;
    let ident = &sig.ident;
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let inputs = derived.args.iter().map(|a| {
        let (i, t) = (&a.ident, &a.ty);
        quote!(#i: #t)
    });
    let s = scalar.tokens();
    let f = derived.f();
    let const_ident = format_ident!("{}_DERIVATION", ident.to_string().to_uppercase());
    let mut out = TokenStream::new();
    let (fn_ident, ret, doc) = if derived.is_jacobian() {
        let m = crate::emit::lit(derived.graph.shape(derived.output).rows);
        let types = derived.args.iter().map(|a| {
            let k = crate::emit::lit(a.shape.rows * a.shape.cols);
            quote!(::mlp::__private::nalgebra::SMatrix<#s, #m, #k>)
        });
        (
            format_ident!("{}_jacobian", ident),
            quote!((::mlp::__private::nalgebra::SVector<#s, #m>, (#(#types,)*))),
            format!(
                "`{ident}` and its Jacobians `(∂{}/∂{}, ...)` in argument order, each `outputs × \
                 argument size` (a matrix argument by its elements in column-major order), \
                 derived by `#[mlp::grad]`: row `i` is the gradient of `{f}`.\n\n```text\n{text}```",
                derived.name,
                derived.args[0].ident,
            ),
        )
    } else {
        let types = derived.args.iter().map(|a| &a.owned);
        (
            format_ident!("{}_grad", ident),
            quote!((#s, (#(#types,)*))),
            format!(
                "`{ident}` and its gradient `(∂{f}/∂{}, ...)` in argument order, each of its \
                 argument's type, derived by `#[mlp::grad]`.\n\n```text\n{text}```",
                derived.args[0].ident,
            ),
        )
    };
    let const_doc = format!("The derivation of `{ident}`'s gradient, as `#[mlp::grad]` wrote it.");
    let trace_ident = format_ident!("{}_trace", ident);
    let trace_inputs = derived.args.iter().map(|a| {
        let (i, t) = (&a.ident, &a.ty);
        quote!(#i: #t)
    });
    let trace_doc = format!(
        "The derivation of `{ident}` at one point: every forward and backward line of \
         [`{const_ident}`] followed by its number, written to `out` (no heap: any \
         `core::fmt::Write`, a `String` with `std`)."
    );
    let second = second_order(&derived, &scalar, function, &const_ident);
    out.extend(quote! {
        #[doc = #doc]
        #[allow(unused_variables, unused_assignments, unused_parens, unused_mut, non_snake_case, clippy::all)]
        #vis fn #fn_ident #impl_generics (#(#inputs),*) -> #ret #where_clause {
            #body
        }
        #second
        #[doc = #trace_doc]
        #[allow(unused_variables, unused_assignments, unused_parens, unused_mut, non_snake_case, clippy::all)]
        #vis fn #trace_ident #impl_generics (#(#trace_inputs,)* out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result #where_clause {
            #trace
        }
        #[doc = #const_doc]
        #[doc = ""]
        #[doc = "```text"]
        #[doc = #text]
        #[doc = "```"]
        #vis const #const_ident: &str = #text;
    });
    Ok(out)
}

/// `NAME_jvp` and, for a scalar result of scalar and column-vector arguments, `NAME_hessian`.
fn second_order(
    d: &Differentiated,
    scalar: &Scalar,
    function: &syn::ItemFn,
    const_ident: &syn::Ident,
) -> TokenStream {
    let sig = &function.sig;
    let vis = &function.vis;
    let ident = &sig.ident;
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let s = scalar.tokens();
    let na = quote!(::mlp::__private::nalgebra);
    let inputs: Vec<TokenStream> = d
        .args
        .iter()
        .map(|a| {
            let (i, t) = (&a.ident, &a.ty);
            quote!(#i: #t)
        })
        .collect();
    let tangents = d.args.iter().map(|a| {
        let (i, t) = (format_ident!("d_{}", a.ident), &a.ty);
        quote!(#i: #t)
    });
    let result = if d.is_jacobian() {
        let m = crate::emit::lit(d.graph.shape(d.output).rows);
        quote!(#na::SVector<#s, #m>)
    } else {
        quote!(#s)
    };
    let jvp_ident = format_ident!("{}_jvp", ident);
    let names: Vec<String> = d.args.iter().map(|a| a.ident.to_string()).collect();
    let jvp_doc = format!(
        "`{ident}` and its directional derivative `Σₖ ∂{f}/∂xₖ·d_xₖ` along the tangents \
         `d_{}` (one per argument, in argument order, of its argument's type): forward mode, \
         derived by `#[mlp::grad]` with the gradient's local Jacobians (`{const_ident}`, \
         section Forward mode).",
        names.join("`, `d_"),
        f = d.name,
    );
    let body = code::jvp(d, scalar);
    let mut out = quote! {
        #[doc = #jvp_doc]
        #[allow(unused_variables, unused_mut, non_snake_case, clippy::all)]
        #vis fn #jvp_ident #impl_generics (#(#inputs,)* #(#tangents),*) -> (#result, #result) #where_clause {
            #body
        }
    };
    if d.hessian.is_none() {
        return out;
    }
    let size = |a: &Arg| a.shape.rows;
    let gradients = d.args.iter().map(|a| &a.owned);
    let rows = d.args.iter().map(|a| {
        let row = d.args.iter().map(|b| match (size(a), size(b)) {
            (1, 1) => quote!(#s),
            (1, n) | (n, 1) => {
                let n = crate::emit::lit(n);
                quote!(#na::SVector<#s, #n>)
            }
            (n, m) => {
                let (n, m) = (crate::emit::lit(n), crate::emit::lit(m));
                quote!(#na::SMatrix<#s, #n, #m>)
            }
        });
        quote!((#(#row,)*))
    });
    let hessian_ident = format_ident!("{}_hessian", ident);
    let hessian_doc = format!(
        "`{ident}`, its gradient (as `{ident}_grad`) and its Hessian: block `.i.j` is \
         `∂²{f}/∂xᵢ∂xⱼ` for the arguments `xᵢ`, `xⱼ` (`{}`): a number between two scalars, a \
         vector between a scalar and a vector, the matrix of `∂²{f}/∂xᵢ[r]∂xⱼ[c]` (row `r`, \
         column `c`) between two vectors, as JAX's `hessian(f, argnums=(0, 1, ...))`. Forward \
         over reverse, derived by `#[mlp::grad]` (`{const_ident}`, section Second derivatives).",
        names.join("`, `"),
        f = d.name,
    );
    let body = code::hessian(d, scalar);
    out.extend(quote! {
        #[doc = #hessian_doc]
        #[allow(unused_variables, unused_mut, non_snake_case, clippy::all)]
        #vis fn #hessian_ident #impl_generics (#(#inputs),*) -> (#s, (#(#gradients,)*), (#(#rows,)*)) #where_clause {
            #body
        }
    });
    out
}

/// `f(x, y, z) = (x + y) * z` as the derivation's title.
fn signature_text(function: &syn::ItemFn) -> String {
    let names: Vec<String> = function
        .sig
        .inputs
        .iter()
        .filter_map(|i| match i {
            syn::FnArg::Typed(pt) => Some(pt.pat.to_token_stream().to_string()),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    format!("{}({})", function.sig.ident, names.join(", "))
}

/// The scalar type of every argument: `f32`, `f64` or the generic parameter.
#[derive(Clone)]
pub enum Scalar {
    Concrete(syn::Ident),
    Generic(syn::Ident),
}

impl Scalar {
    pub fn tokens(&self) -> TokenStream {
        match self {
            Scalar::Concrete(i) | Scalar::Generic(i) => quote!(#i),
        }
    }
    fn text(&self) -> String {
        self.tokens().to_string()
    }
}

/// An argument's shape, scalar type, whether it is a reference, and its type without one.
fn argument_type(
    ty: &syn::Type,
    generics: &[String],
) -> syn::Result<(Shape, Scalar, bool, syn::Type)> {
    let expected = "expected `f32`, `f64`, the scalar type parameter, `SVector<T, N>`, `SMatrix<T, R, C>` (or nalgebra's `VectorN<T>`, `MatrixN<T>`, `MatrixRxC<T>`, `RowSVector<T, N>`), or a reference to one";
    match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => {
            let (shape, s, _, owned) = argument_type(&r.elem, generics)?;
            Ok((shape, s, true, owned))
        }
        syn::Type::Paren(p) => argument_type(&p.elem, generics),
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return Err(syn::Error::new(ty.span(), expected));
            };
            let name = last.ident.to_string();
            let args: Vec<&syn::GenericArgument> = match &last.arguments {
                syn::PathArguments::None => Vec::new(),
                syn::PathArguments::AngleBracketed(a) => a.args.iter().collect(),
                syn::PathArguments::Parenthesized(_) => {
                    return Err(syn::Error::new(ty.span(), expected))
                }
            };
            if args.is_empty() && p.path.segments.len() == 1 {
                if name == "f32" || name == "f64" {
                    return Ok((
                        Shape::SCALAR,
                        Scalar::Concrete(last.ident.clone()),
                        false,
                        ty.clone(),
                    ));
                }
                if generics.contains(&name) {
                    return Ok((
                        Shape::SCALAR,
                        Scalar::Generic(last.ident.clone()),
                        false,
                        ty.clone(),
                    ));
                }
            }
            let Some(syn::GenericArgument::Type(element)) = args.first() else {
                return Err(syn::Error::new(ty.span(), expected));
            };
            let (element_shape, s, _, _) = argument_type(element, generics)?;
            if !element_shape.is_scalar() {
                return Err(syn::Error::new(
                    element.span(),
                    "expected a scalar element type",
                ));
            }
            let dims: Vec<usize> = args[1..]
                .iter()
                .map(|a| dimension(a))
                .collect::<syn::Result<_>>()?;
            let shape =
                shape_of(&name, &dims).ok_or_else(|| syn::Error::new(ty.span(), expected))?;
            if shape.is_scalar() {
                return Err(syn::Error::new(
                    ty.span(),
                    "a 1×1 matrix: pass the scalar itself",
                ));
            }
            Ok((shape, s, false, ty.clone()))
        }
        _ => Err(syn::Error::new(ty.span(), expected)),
    }
}

fn dimension(a: &syn::GenericArgument) -> syn::Result<usize> {
    let expr = match a {
        syn::GenericArgument::Const(e) => e,
        _ => {
            return Err(syn::Error::new(
                a.span(),
                "expected a size as a number literal (`3`)",
            ))
        }
    };
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(i),
        ..
    }) = expr
    else {
        return Err(syn::Error::new(
            a.span(),
            "expected a size as a number literal (`3`)",
        ));
    };
    match i.base10_parse::<usize>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err(syn::Error::new(i.span(), "expected a size from 1 to 4096")),
    }
}

/// The shape named by nalgebra's type: `SVector<_, 3>`, `Matrix2x3<_>`, ...
fn shape_of(name: &str, dims: &[usize]) -> Option<Shape> {
    let digit = |s: &str| -> Option<usize> {
        let n: usize = s.parse().ok()?;
        (1..=6).contains(&n).then_some(n)
    };
    match (name, dims) {
        ("SVector", [n]) => Some(Shape::vector(*n)),
        ("RowSVector", [n]) => Some(Shape::matrix(1, *n)),
        ("SMatrix", [r, c]) => Some(Shape::matrix(*r, *c)),
        (_, []) => {
            if let Some(k) = name.strip_prefix("RowVector") {
                return Some(Shape::matrix(1, digit(k)?));
            }
            if let Some(k) = name.strip_prefix("Vector") {
                return Some(Shape::vector(digit(k)?));
            }
            let rest = name.strip_prefix("Matrix")?;
            match rest.split_once('x') {
                Some((r, c)) => Some(Shape::matrix(digit(r)?, digit(c)?)),
                None => {
                    let k = digit(rest)?;
                    Some(Shape::matrix(k, k))
                }
            }
        }
        _ => None,
    }
}

//! Scalar functions and constants in Rust: one lowering of every [`Func`] shared by the
//! networks' closures and `#[mlp::grad]`'s code.

use mlp_symbolic::ir::{Func, Ratio};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The constants a body writes; `zero` and `one` are bound once at its top by the writer.
pub trait Scalars {
    /// `zero`, recording that the body needs it.
    fn zero(&mut self) -> TokenStream;
    /// `one`, recording that the body needs it.
    fn one(&mut self) -> TokenStream;
    /// A number of the scalar type.
    fn number(&mut self, v: f64) -> TokenStream;
}

/// How a function of the scalar type is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `a.exp()`: generic code, whose `T: RealField` has the methods.
    Method,
    /// `ComplexField::exp(a)`: also for `f32` and `f64`, whose inherent methods need `std`.
    Trait,
}

/// `f(a)` for one number `a` (a name or an atomic expression), and whether the result is
/// atomic (needs no parentheses as an operand).
///
/// ReLU is `a < 0 ? 0 : a`, not `a > 0 ? a : 0`: a NaN passes through, as in PyTorch, instead of
/// silently becoming 0.
pub fn function(f: Func, a: &TokenStream, call: Call, s: &mut impl Scalars) -> (TokenStream, bool) {
    let m = |name: &str, a: &TokenStream| method(call, name, a, None);
    match f {
        Func::Relu => {
            let zero = s.zero();
            (quote!(if #a < #zero { #zero } else { #a }), false)
        }
        Func::LeakyRelu(slope) => {
            let (zero, slope) = (s.zero(), s.number(slope.value()));
            (quote!(if #a > #zero { #a } else { #a * #slope }), false)
        }
        Func::LeakyReluPrime(slope) => {
            let (zero, one, slope) = (s.zero(), s.one(), s.number(slope.value()));
            (quote!(if #a > #zero { #one } else { #slope }), false)
        }
        Func::Elu(alpha) => {
            let (zero, one, alpha) = (s.zero(), s.one(), s.number(alpha.value()));
            let exp = m("exp", a);
            (
                quote!(if #a >= #zero { #a } else { (#exp - #one) * #alpha }),
                false,
            )
        }
        Func::EluPrime(alpha) => {
            let (zero, one, alpha) = (s.zero(), s.one(), s.number(alpha.value()));
            let exp = m("exp", a);
            (
                quote!(if #a >= #zero { #one } else { #exp * #alpha }),
                false,
            )
        }
        Func::ReluPrime => {
            let (zero, one) = (s.zero(), s.one());
            (quote!(if #a > #zero { #one } else { #zero }), false)
        }
        Func::Sigmoid => {
            let one = s.one();
            let exp = match call {
                Call::Method => quote!((-#a).exp()),
                Call::Trait => method(call, "exp", &quote!(-#a), None),
            };
            (quote!(#one / (#one + #exp)), false)
        }
        Func::Square => (quote!(#a * #a), false),
        Func::Recip => {
            let one = s.one();
            (quote!(#one / #a), false)
        }
        Func::Tanh => (m("tanh", a), true),
        Func::Exp => (m("exp", a), true),
        Func::Ln => (m("ln", a), true),
        Func::Sqrt => (m("sqrt", a), true),
        Func::Powi(k) => (method(call, "powi", a, Some(quote!(#k))), true),
    }
}

/// `a.name(arg)` or `ComplexField::name(a, arg)`.
fn method(call: Call, name: &str, a: &TokenStream, arg: Option<TokenStream>) -> TokenStream {
    let name = format_ident!("{}", name);
    match (call, arg) {
        (Call::Method, None) => quote!(#a.#name()),
        (Call::Method, Some(arg)) => quote!(#a.#name(#arg)),
        (Call::Trait, None) => quote!(::mlp::__private::nalgebra::ComplexField::#name(#a)),
        (Call::Trait, Some(arg)) => {
            quote!(::mlp::__private::nalgebra::ComplexField::#name(#a, #arg))
        }
    }
}

/// A rational constant: `n`, or `(n / d)`.
pub fn ratio(r: Ratio, s: &mut impl Scalars) -> TokenStream {
    let num = s.number(r.num as f64);
    if r.den == 1 {
        num
    } else {
        let den = s.number(r.den as f64);
        quote!((#num / #den))
    }
}

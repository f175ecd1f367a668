//! Scalar functions and constants in Rust: one lowering of every [`Func`] shared by the
//! networks' closures and `#[mlp::grad]`'s code.

use mlp_symbolic::ir::{Binary, Func, Ratio};
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
        // sign(0) = 0, unlike `signum`: the derivative of |z|.
        Func::Sign => {
            let (zero, one) = (s.zero(), s.one());
            (
                quote!(if #a > #zero { #one } else if #a < #zero { -#one } else { #zero }),
                false,
            )
        }
        Func::Sin => (m("sin", a), true),
        Func::Cos => (m("cos", a), true),
        Func::Tan => (m("tan", a), true),
        Func::Asin => (m("asin", a), true),
        Func::Acos => (m("acos", a), true),
        Func::Atan => (m("atan", a), true),
        Func::Sinh => (m("sinh", a), true),
        Func::Cosh => (m("cosh", a), true),
        Func::Asinh => (m("asinh", a), true),
        Func::Acosh => (m("acosh", a), true),
        Func::Atanh => (m("atanh", a), true),
        Func::Exp2 => (m("exp2", a), true),
        Func::ExpM1 => (m("exp_m1", a), true),
        Func::Ln1p => (m("ln_1p", a), true),
        Func::Log2 => (m("log2", a), true),
        Func::Log10 => (m("log10", a), true),
        Func::Cbrt => (m("cbrt", a), true),
        Func::Abs => (m("abs", a), true),
        Func::Signum => (m("signum", a), true),
    }
}

/// `f(a, b)` for two numbers (names or atomic expressions), and whether it is atomic.
pub fn binary(
    f: Binary,
    a: &TokenStream,
    b: &TokenStream,
    call: Call,
    s: &mut impl Scalars,
) -> (TokenStream, bool) {
    let two = |name: &str, real: bool| -> TokenStream {
        let name = format_ident!("{}", name);
        match call {
            Call::Method => quote!(#a.#name(#b)),
            Call::Trait if real => quote!(::mlp::__private::RealField::#name(#a, #b)),
            Call::Trait => quote!(::mlp::__private::nalgebra::ComplexField::#name(#a, #b)),
        }
    };
    match f {
        Binary::Max => (two("max", true), true),
        Binary::Min => (two("min", true), true),
        Binary::Atan2 => (two("atan2", true), true),
        Binary::Powf => (two("powf", false), true),
        Binary::Hypot => (two("hypot", false), true),
        Binary::Heaviside => {
            let (zero, one, half) = (s.zero(), s.one(), s.number(0.5));
            (
                quote!(if #a > #b { #one } else if #a == #b { #half } else { #zero }),
                false,
            )
        }
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

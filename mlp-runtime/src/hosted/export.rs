//! Trained weights as Rust source (needs the `std` feature): a `const` expression of the
//! network's own type, built with nalgebra's `const` constructors and every number written so
//! that it reads back to the same bits. A firmware `include!`s it into a `static`, so the
//! weights live in flash: nothing to parse and nothing copied to RAM at start-up.
//!
//! ```
//! #[mlp::network(x -> Linear(1, 4) -> ReLU -> Linear(4, 1) -> MSE)]
//! pub struct Tiny;
//!
//! let mut net = Tiny::<f32>::zeros();
//! mlp::init::he_normal(&mut net, 7);
//! let source = mlp::export::rust_const(&net);
//! assert!(source.starts_with("// Tiny<f32>"));
//! assert!(source.contains("w: ::mlp::nalgebra::SMatrix::from_array_storage("));
//! // In the firmware: `static NET: Tiny<f32> = include!("tiny_weights.rs");`
//! ```

use crate::network::{Network, Parameters};
use nalgebra::RealField;
use std::fmt::Write;
use std::format;
use std::string::String;
use std::vec::Vec;

/// The network as a Rust expression of its type, `Name::<f32> { w1: ..., b1: ..., ... }`, with a
/// comment naming the chain: the weights in flash, exactly.
///
/// Every `f32` or `f64` is written in the shortest form that parses back to the same bits
/// (`0.1_f32`, `-3.5e-7_f32`), `f32::NAN` and the infinities by name; each matrix column is one
/// array of `ArrayStorage` (nalgebra's column-major order).
pub fn rust_const<T, N>(net: &N) -> String
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    let layout = N::LAYOUT;
    let scalar = scalar_name::<T>();
    let count: usize = layout.params.iter().map(|p| p.rows * p.cols).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// {}<{scalar}> ({}): {count} parameters, written by mlp::export::rust_const.",
        layout.name, layout.chain
    );
    let _ = writeln!(out, "{}::<{scalar}> {{", layout.name);
    for (k, p) in layout.params.iter().enumerate() {
        let values = net.tensor(k);
        let _ = writeln!(
            out,
            "    {}: ::mlp::nalgebra::SMatrix::from_array_storage(::mlp::nalgebra::ArrayStorage([",
            p.field
        );
        for column in values.chunks(p.rows.max(1)) {
            let numbers: Vec<String> = column.iter().map(|v| literal(*v, scalar)).collect();
            let _ = writeln!(out, "        [{}],", numbers.join(", "));
        }
        let _ = writeln!(out, "    ])),");
    }
    out.push_str("}\n");
    out
}

/// `f32`, `f64`, or the type's own name.
fn scalar_name<T: 'static>() -> &'static str {
    let name = core::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// A number as a literal of type `scalar` that reads back to the same value.
fn literal<T: RealField + Copy>(v: T, scalar: &str) -> String {
    // Not equal to itself: NaN.
    if v.partial_cmp(&v).is_none() {
        return format!("{scalar}::NAN");
    }
    if !v.is_finite() {
        return if v > T::zero() {
            format!("{scalar}::INFINITY")
        } else {
            format!("{scalar}::NEG_INFINITY")
        };
    }
    // `Debug` for f32 and f64 is the shortest representation that round-trips.
    let text = format!("{v:?}");
    if text.contains(['.', 'e', 'E']) {
        format!("{text}_{scalar}")
    } else {
        format!("{text}.0_{scalar}")
    }
}

#[cfg(test)]
mod tests {
    use super::literal;

    #[test]
    fn literals_read_back_exactly() {
        for v in [
            0.1f32,
            -3.5e-7,
            1.0,
            -0.0,
            f32::MAX,
            f32::MIN_POSITIVE,
            1e-45,
            123456.79,
        ] {
            let text = literal(v, "f32");
            let parsed: f32 = text.trim_end_matches("_f32").parse().expect("a number");
            assert_eq!(parsed.to_bits(), v.to_bits(), "{text}");
        }
        assert_eq!(literal(f32::NAN, "f32"), "f32::NAN");
        assert_eq!(literal(f64::NEG_INFINITY, "f64"), "f64::NEG_INFINITY");
    }
}

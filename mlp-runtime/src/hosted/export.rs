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

pub use crate::source::{write_field, write_network, RustConst};
use std::string::String;

/// The network (or its int8 twin) as a Rust expression of its type, `Name::<f32> { w1: ...,
/// b1: ..., ... }` or `NameInt8 { input: ..., w: ..., ... }`, with a comment naming the chain:
/// the weights in flash, exactly.
///
/// Every `f32` or `f64` is written in the shortest form that parses back to the same bits
/// (`0.1_f32`, `-3.5e-7_f32`), `f32::NAN` and the infinities by name; each matrix column is one
/// array of `ArrayStorage` (nalgebra's column-major order); the int8 layers are `mlp::quant`
/// struct expressions.
pub fn rust_const<N: RustConst + ?Sized>(net: &N) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = net.write_rust_const(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use std::string::String;

    fn literal(v: impl nalgebra::RealField + Copy, scalar: &str) -> String {
        let mut out = String::new();
        crate::source::literal(v, scalar, &mut out).expect("a String takes any text");
        out
    }

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

//! Values as Rust source, without `std`: the [`RustConst`] trait behind
//! `mlp::export::rust_const`, for the float networks (nalgebra's `const` constructors) and the
//! int8 twins (the `mlp::quant` layers as struct expressions). Every number is written so that
//! it reads back to the same bits.

use crate::network::{Network, Parameters};
use crate::quant::{
    Elu, FullyConnected, LeakyRelu, Logistic, Quantization, Relu, Requantize, Rounding, Softmax,
    Tanh,
};
use core::fmt::{self, Write};
use nalgebra::RealField;

/// A value that writes itself as a Rust expression of its own type, for a `const` or a
/// `static` in a firmware: the weights in flash, nothing parsed at start-up.
///
/// `#[mlp::network]` implements it for the networks it generates and their int8 twins;
/// `mlp::export::rust_const` (with `std`) returns the text as a `String`.
pub trait RustConst {
    /// Writes `self` as a Rust expression.
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result;
}

/// `    name: value,` and a line break: one field of a struct expression.
pub fn write_field(out: &mut dyn Write, name: &str, value: &dyn RustConst) -> fmt::Result {
    write!(out, "    {name}: ")?;
    value.write_rust_const(out)?;
    out.write_str(",\n")
}

impl RustConst for i8 {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write!(out, "{self}")
    }
}

impl RustConst for i32 {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write!(out, "{self}")
    }
}

impl RustConst for f32 {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        literal(*self, "f32", out)
    }
}

impl<T: RustConst, const N: usize> RustConst for [T; N] {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        out.write_char('[')?;
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            v.write_rust_const(out)?;
        }
        out.write_char(']')
    }
}

impl RustConst for Quantization {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        out.write_str("::mlp::quant::Quantization { scale: ")?;
        self.scale.write_rust_const(out)?;
        write!(out, ", zero_point: {} }}", self.zero_point)
    }
}

impl RustConst for Requantize {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write!(
            out,
            "::mlp::quant::Requantize {{ multiplier: {}, shift: {} }}",
            { self.multiplier },
            { self.shift }
        )
    }
}

impl RustConst for Rounding {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        out.write_str(match self {
            Rounding::Single => "::mlp::quant::Rounding::Single",
            Rounding::Double => "::mlp::quant::Rounding::Double",
        })
    }
}

impl<const IN: usize, const OUT: usize> RustConst for FullyConnected<IN, OUT> {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        out.write_str("::mlp::quant::FullyConnected {\n        weights: [\n")?;
        for row in &self.weights {
            out.write_str("            ")?;
            row.write_rust_const(out)?;
            out.write_str(",\n")?;
        }
        out.write_str("        ],\n        bias: ")?;
        self.bias.write_rust_const(out)?;
        out.write_str(",\n        requantize: [\n")?;
        for r in &self.requantize {
            out.write_str("            ")?;
            r.write_rust_const(out)?;
            out.write_str(",\n")?;
        }
        write!(
            out,
            "        ],\n        input_zero_point: {},\n        output_zero_point: {},\n        activation_min: {},\n        activation_max: {},\n        rounding: ",
            self.input_zero_point, self.output_zero_point, self.activation_min, self.activation_max
        )?;
        self.rounding.write_rust_const(out)?;
        out.write_str(",\n    }")
    }
}

/// `::mlp::quant::Name { field: value, ... }` on one line per field.
fn write_struct(out: &mut dyn Write, name: &str, fields: &[(&str, &dyn RustConst)]) -> fmt::Result {
    writeln!(out, "::mlp::quant::{name} {{")?;
    for (field, value) in fields {
        write!(out, "        {field}: ")?;
        value.write_rust_const(out)?;
        out.write_str(",\n")?;
    }
    out.write_str("    }")
}

impl RustConst for Softmax {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write_struct(
            out,
            "Softmax",
            &[
                ("input_multiplier", &self.input_multiplier),
                ("input_left_shift", &self.input_left_shift),
                ("diff_min", &self.diff_min),
                ("rounding", &self.rounding),
            ],
        )
    }
}

/// The table kernels: `Name { table: [...] }`.
macro_rules! table_source {
    ($($name:ident),*) => {$(
        impl RustConst for $name {
            fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
                write_struct(out, stringify!($name), &[("table", &self.table)])
            }
        }
    )*};
}

table_source!(Logistic, Tanh, Elu);

impl RustConst for LeakyRelu {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write_struct(
            out,
            "LeakyRelu",
            &[
                ("input_zero_point", &self.input_zero_point),
                ("output_zero_point", &self.output_zero_point),
                ("identity", &self.identity),
                ("alpha", &self.alpha),
                ("rounding", &self.rounding),
            ],
        )
    }
}

impl RustConst for Relu {
    fn write_rust_const(&self, out: &mut dyn Write) -> fmt::Result {
        write_struct(
            out,
            "Relu",
            &[
                ("input_zero_point", &self.input_zero_point),
                ("output_zero_point", &self.output_zero_point),
                ("requantize", &self.requantize),
                ("activation_min", &self.activation_min),
                ("activation_max", &self.activation_max),
                ("rounding", &self.rounding),
            ],
        )
    }
}

/// A float network as `Name::<f32> { w: SMatrix::from_array_storage(...), ... }` with a comment
/// naming the chain; each matrix column one array of `ArrayStorage` (nalgebra's column-major
/// order). What the float networks' [`RustConst`] calls.
pub fn write_network<T, N>(net: &N, out: &mut dyn Write) -> fmt::Result
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    let layout = N::LAYOUT;
    let scalar = scalar_name::<T>();
    let count: usize = layout.params.iter().map(|p| p.rows * p.cols).sum();
    writeln!(
        out,
        "// {}<{scalar}> ({}): {count} parameters, written by mlp::export::rust_const.",
        layout.name, layout.chain
    )?;
    writeln!(out, "{}::<{scalar}> {{", layout.name)?;
    for (k, p) in layout.params.iter().enumerate() {
        writeln!(
            out,
            "    {}: ::mlp::nalgebra::SMatrix::from_array_storage(::mlp::nalgebra::ArrayStorage([",
            p.field
        )?;
        for column in net.tensor(k).chunks(p.rows.max(1)) {
            out.write_str("        [")?;
            for (i, v) in column.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                literal(*v, scalar, out)?;
            }
            out.write_str("],\n")?;
        }
        writeln!(out, "    ])),")?;
    }
    out.write_str("}\n")
}

/// `f32`, `f64`, or the type's own name.
fn scalar_name<T: 'static>() -> &'static str {
    let name = core::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// Passes text on and notes whether it had a `.` or an exponent.
struct Watch<'a> {
    out: &'a mut dyn Write,
    fraction: bool,
}

impl Write for Watch<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.fraction |= s.contains(['.', 'e', 'E']);
        self.out.write_str(s)
    }
}

/// A number as a literal of type `scalar` that reads back to the same value: `Debug` for `f32`
/// and `f64` is the shortest text that round-trips; `f32::NAN` and the infinities by name.
pub(crate) fn literal<T: RealField + Copy>(v: T, scalar: &str, out: &mut dyn Write) -> fmt::Result {
    // Not equal to itself: NaN.
    if v.partial_cmp(&v).is_none() {
        return write!(out, "{scalar}::NAN");
    }
    if !v.is_finite() {
        let which = if v > T::zero() {
            "INFINITY"
        } else {
            "NEG_INFINITY"
        };
        return write!(out, "{scalar}::{which}");
    }
    let mut watch = Watch {
        out: &mut *out,
        fraction: false,
    };
    write!(watch, "{v:?}")?;
    if watch.fraction {
        write!(out, "_{scalar}")
    } else {
        write!(out, ".0_{scalar}")
    }
}

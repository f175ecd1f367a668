//! The integer twin `NameInt8`: its struct (one field per step that has parameters), its
//! integer forward pass, `quantize` on the float network (calibration runs the forward pass
//! emitted from the same IR), `from_tflite` and the export as Rust source.

use super::{ident, lit, Item, Parts};
use crate::int8::{Kernel, Plan, Step, Twin};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

/// The twin's items; for a network without one, a `quantize` whose use is a compile error
/// naming the layer that has no integer form.
pub fn twin(p: &Parts, twin: &Twin, item: &Item) -> TokenStream {
    match twin {
        Twin::Planned(plan) => items(p, plan, item),
        Twin::Off => TokenStream::new(),
        Twin::Impossible { span, layer } => impossible(p, *span, layer, item),
    }
}

/// `quantize` for a network without an int8 twin: its argument must implement a trait that
/// nothing implements, whose `on_unimplemented` message names the layer, so a call is an error
/// at the call site (in `cargo check` too) that says why.
fn impossible(p: &Parts, span: Span, layer: &str, item: &Item) -> TokenStream {
    let (name, bound, vis) = (p.name, &p.bound, &item.vis);
    let marker = format_ident!("__{}WithoutInt8", name);
    let message = format!(
        "{name} has no int8 twin: `{layer}` has no integer form (TensorFlow Lite's int8 kernels cover Linear, Maxout, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax and Identity)"
    );
    let label = format!("{name} has no int8 twin, so it cannot be quantized");
    let doc = format!(
        "{name} has no int8 twin (`{layer}` has no integer form): calling this is a compile error that says so."
    );
    let attribute =
        quote_spanned!(span=> #[diagnostic::on_unimplemented(message = #message, label = #label)]);
    quote! {
        #[doc(hidden)]
        #attribute
        #vis trait #marker {}

        impl<#bound> #name<T> {
            #[doc = #doc]
            pub fn quantize<C: #marker>(&self, calibration: C) -> ::core::convert::Infallible {
                let _ = calibration;
                ::core::unreachable!()
            }
        }
    }
}

/// Everything generated for the twin.
fn items(p: &Parts, plan: &Plan, item: &Item) -> TokenStream {
    let name = p.name;
    let twin = format_ident!("{}Int8", name);
    let vis = &item.vis;
    let s = Shapes::new(p, plan);
    let strukt = structure(p, plan, &s);
    let forward = forward_int8(plan, &s);
    let quantize = quantize(p, plan, &twin, &s);
    let from_tflite = from_tflite(plan, &twin);
    let export = export(p, plan, &twin);
    let (inputs, outputs) = (lit(plan.inputs), lit(plan.outputs));
    let x = &p.x;
    let consts = constants(p, plan);
    let doc = format!(
        "[`{name}`]'s integer twin: int8 inference as TensorFlow Lite defines it, integer only (no float in [`Self::forward_int8`]), no heap. Made by [`{name}::quantize`] from a float network and calibration inputs{}. Its quantized forward pass is the last section of [`{name}::DERIVATION`].",
        if from_tflite.is_empty() {
            String::new()
        } else {
            format!(", or read from a `.tflite` file by [`{twin}::from_tflite`] (feature `tflite`)")
        }
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #vis struct #twin #strukt

        impl #twin {
            #consts

            /// The integer forward pass, TFLite's int8 kernels one after the other: int8 in,
            /// int8 out, no float, no heap.
            pub fn forward_int8(&self, #x: &[i8; #inputs]) -> [i8; #outputs] {
                #forward
            }

            /// The input quantized as TFLite's `QUANTIZE`: `clamp(round(x/scale) + zero_point,
            /// −128, 127)`, rounding half away from zero, the division in `f32`.
            pub fn quantize_input(
                &self,
                #x: &::mlp::__private::nalgebra::SVector<f32, #inputs>,
            ) -> [i8; #inputs] {
                ::mlp::int8::quantize_vector(self.input, #x)
            }

            /// The int8 output as real numbers: `scale·(q − zero_point)`.
            pub fn dequantize_output(
                &self,
                y: &[i8; #outputs],
            ) -> ::mlp::__private::nalgebra::SVector<f32, #outputs> {
                ::mlp::int8::dequantize_vector(self.output, y)
            }

            /// [`Self::quantize_input`], [`Self::forward_int8`] and
            /// [`Self::dequantize_output`]: a float input, its int8 inference, a float output.
            pub fn forward(
                &self,
                #x: &::mlp::__private::nalgebra::SVector<f32, #inputs>,
            ) -> ::mlp::__private::nalgebra::SVector<f32, #outputs> {
                self.dequantize_output(&self.forward_int8(&self.quantize_input(#x)))
            }
        }

        #quantize
        #from_tflite
        #export
    }
}

/// The fields' types and names, shared by every part.
struct Shapes {
    /// For each step: its field (if it has one) and the field's type.
    fields: Vec<Option<(Ident, TokenStream)>>,
    /// The let name of each step's output, and of the input first.
    values: Vec<Ident>,
}

impl Shapes {
    fn new(p: &Parts, plan: &Plan) -> Self {
        let mut values = vec![p.x.clone()];
        let fields = plan
            .layers
            .iter()
            .map(|l| {
                values.push(ident(&l.name.rust));
                let ty = match l.step {
                    Step::Affine { inputs, rows, .. } => {
                        let (i, r) = (lit(inputs), lit(rows));
                        quote!(::mlp::quant::FullyConnected<#i, #r>)
                    }
                    Step::Maxout { .. } => return None,
                    Step::Kernel(k) => kernel_type(k),
                };
                l.field.as_ref().map(|f| (ident(f), ty))
            })
            .collect();
        Shapes { fields, values }
    }
}

fn kernel_type(k: Kernel) -> TokenStream {
    match k {
        Kernel::Softmax => quote!(::mlp::quant::Softmax),
        Kernel::Logistic => quote!(::mlp::quant::Logistic),
        Kernel::Tanh => quote!(::mlp::quant::Tanh),
        Kernel::LeakyRelu(_) => quote!(::mlp::quant::LeakyRelu),
        Kernel::Elu(_) => quote!(::mlp::quant::Elu),
        Kernel::Relu => quote!(::mlp::quant::Relu),
    }
}

/// `{ input, w, ..., output }` with a doc line per field.
fn structure(p: &Parts, plan: &Plan, s: &Shapes) -> TokenStream {
    let m = &p.d.model;
    let mut prev = p.x.to_string();
    let mut fields = Vec::new();
    for (l, f) in plan.layers.iter().zip(&s.fields) {
        let v = &l.name.math;
        if let Some((field, ty)) = f {
            let doc =
                match l.step {
                    Step::Affine { weight, relu, .. } => {
                        let w = &m.params[weight].name.math;
                        let b = m
                            .params
                            .get(weight + 1)
                            .map_or("b".into(), |q| q.name.math.clone());
                        format!(
                        "{v} from {prev}: {w} and {b} in int8/int32, requantized to {v}'s scale{}.",
                        if relu { ", ReLU fused into the clamp" } else { "" }
                    )
                    }
                    _ => format!("{v} from {prev}: TFLite's int8 kernel with its parameters."),
                };
            fields.push(quote!(#[doc = #doc] pub #field: #ty,));
        }
        prev.clone_from(v);
    }
    let input_doc = format!(
        "The input {x}'s quantization: {x} ≈ scale·({x}_q − zero_point).",
        x = p.x
    );
    let output_doc = format!("The output {prev}'s quantization.");
    quote!({
        #[doc = #input_doc]
        pub input: ::mlp::quant::Quantization,
        #(#fields)*
        #[doc = #output_doc]
        pub output: ::mlp::quant::Quantization,
    })
}

/// `let h = self.w.forward(x); ...; self.y_hat.forward(&theta)`: each step's output under
/// its value's name, the last one returned.
fn forward_int8(plan: &Plan, s: &Shapes) -> TokenStream {
    let mut stmts = Vec::new();
    let last = plan.layers.len().saturating_sub(1);
    for (k, (l, f)) in plan.layers.iter().zip(&s.fields).enumerate() {
        let (prev, out) = (&s.values[k], &s.values[k + 1]);
        // The input is already a reference.
        let arg = if k == 0 {
            quote!(#prev)
        } else {
            quote!(&#prev)
        };
        let expr = match (&l.step, f) {
            (Step::Maxout { units, pieces }, _) => {
                let (u, r) = (lit(*units), lit(units * pieces));
                quote!(::mlp::int8::max_pieces::<#r, #u>(#arg))
            }
            (_, Some((field, _))) => quote!(self.#field.forward(#arg)),
            (_, None) => quote!(*#arg),
        };
        stmts.push(if k == last {
            expr
        } else {
            quote!(let #out = #expr;)
        });
    }
    if stmts.is_empty() {
        let x = &s.values[0];
        return quote!(*#x);
    }
    quote!(#(#stmts)*)
}

/// The memory constants.
fn constants(p: &Parts, plan: &Plan) -> TokenStream {
    let name = p.name;
    let (mut weights, mut biases) = (0usize, 0usize);
    let mut sizes = vec![plan.inputs];
    for l in &plan.layers {
        let out = match l.step {
            Step::Affine { inputs, rows, .. } => {
                weights += inputs * rows;
                biases += rows;
                rows
            }
            Step::Maxout { units, .. } => units,
            Step::Kernel(_) => *sizes.last().unwrap_or(&0),
        };
        sizes.push(out);
    }
    let activation = sizes.windows(2).map(|w| w[0] + w[1]).max().unwrap_or(0);
    let (num, w_bytes, b_bytes, act) = (
        lit(weights + biases),
        lit(weights),
        lit(4 * biases),
        lit(activation),
    );
    let (inputs, outputs) = (lit(plan.inputs), lit(plan.outputs));
    let derivation_doc =
        format!("[`{name}::DERIVATION`]: its last section is this twin's quantized forward pass.");
    quote! {
        /// The size of the input.
        pub const INPUTS: usize = #inputs;
        /// The size of the output.
        pub const OUTPUTS: usize = #outputs;
        /// The number of weights and biases.
        pub const NUM_PARAMS: usize = #num;
        /// Bytes of the int8 weights.
        pub const WEIGHT_BYTES: usize = #w_bytes;
        /// Bytes of the int32 biases.
        pub const BIAS_BYTES: usize = #b_bytes;
        /// Bytes of the whole twin: weights, biases, requantizations, kernel parameters and
        /// the quantizations of the input and the output (what a `static` of it takes in flash).
        pub const PARAM_BYTES: usize = ::core::mem::size_of::<Self>();
        /// Bytes of int8 activations alive at once in [`Self::forward_int8`]: the largest
        /// input and output of one step.
        pub const ACTIVATION_BYTES: usize = #act;
        #[doc = #derivation_doc]
        pub const DERIVATION: &'static str = #name::<f32>::DERIVATION;
    }
}

/// `quantize` and `quantize_with` on the float network: calibration through the forward pass
/// emitted from the IR, then each step quantized from its scales.
fn quantize(p: &Parts, plan: &Plan, twin: &Ident, s: &Shapes) -> TokenStream {
    let (name, bound, x) = (p.name, &p.bound, &p.x);
    let inputs = lit(plan.inputs);
    // Ranges: the input's, then each step's own output.
    let observed: Vec<usize> = (0..plan.layers.len())
        .filter(|&k| plan.layers[k].own_output)
        .collect();
    let roots: Vec<_> = observed.iter().map(|&k| plan.layers[k].value).collect();
    let body = p.emit(p.with_xy(), &roots);
    let stmts = &body.stmts;
    let range_count = lit(observed.len() + 1);
    let observe: Vec<TokenStream> = body
        .roots
        .iter()
        .enumerate()
        .map(|(i, root)| {
            let i = lit(i + 1);
            quote!(::mlp::int8::observe(&mut ranges[#i], (#root).as_slice());)
        })
        .collect();
    let (lets, inits, output) = quantized_steps(p, plan, s);
    let doc = format!(
        "Post-training quantization to [`{twin}`], as TensorFlow's converter does it with a representative dataset: every tensor's range is the smallest and largest value it takes over the `calibration` inputs (through this network's forward pass), widened to hold 0, and becomes an int8 scale and zero point (`mlp::quant::Quantization::from_min_max`); weights are symmetric per output channel, biases int32 at `s_in·s_w`.\n\n# Panics\n\nIf `calibration` is empty."
    );
    let with_doc = "[`Self::quantize`] with the weights quantized per output channel (TFLite's converter's default) or per tensor.";
    quote! {
        impl<#bound> #name<T> {
            #[doc = #doc]
            pub fn quantize(
                &self,
                calibration: &[::mlp::__private::nalgebra::SVector<T, #inputs>],
            ) -> #twin {
                self.quantize_with(calibration, ::mlp::int8::Weights::PerChannel)
            }

            #[doc = #with_doc]
            pub fn quantize_with(
                &self,
                calibration: &[::mlp::__private::nalgebra::SVector<T, #inputs>],
                weights: ::mlp::int8::Weights,
            ) -> #twin {
                assert!(
                    !calibration.is_empty(),
                    "quantize needs at least one calibration input to measure the ranges"
                );
                let mut ranges = [::mlp::quant::Range::EMPTY; #range_count];
                for #x in calibration {
                    ::mlp::int8::observe(&mut ranges[0], #x.as_slice());
                    #stmts
                    #(#observe)*
                }
                let input = ::mlp::quant::Quantization::from_min_max(ranges[0].min, ranges[0].max);
                #(#lets)*
                #twin {
                    input,
                    #(#inits)*
                    output: #output,
                }
            }
        }
    }
}

/// Each tensor's quantization (`let q3 = ...;`: calibrated, fixed by its kernel, or its
/// input's), each step's field built from its scales, and the output's quantization.
fn quantized_steps(
    p: &Parts,
    plan: &Plan,
    s: &Shapes,
) -> (Vec<TokenStream>, Vec<TokenStream>, TokenStream) {
    let m = &p.d.model;
    let mut q_of = vec![quote!(input)];
    let mut lets = Vec::new();
    let mut inits = Vec::new();
    let mut next_range = 1;
    for (k, (l, f)) in plan.layers.iter().zip(&s.fields).enumerate() {
        let prev = q_of[k].clone();
        let q = format_ident!("q{}", k + 1);
        let value = if l.own_output {
            let r = lit(next_range);
            next_range += 1;
            quote!(::mlp::quant::Quantization::from_min_max(ranges[#r].min, ranges[#r].max))
        } else {
            match l.step {
                Step::Kernel(kernel) => {
                    let ty = kernel_type(kernel);
                    quote!(#ty::OUTPUT)
                }
                _ => quote!(#prev),
            }
        };
        lets.push(quote!(let #q = #value;));
        if let Some((field, _)) = f {
            let init = match l.step {
                Step::Affine { weight, relu, .. } => {
                    let w = ident(&m.params[weight].name.rust);
                    let b = ident(&m.params[weight + 1].name.rust);
                    quote!(::mlp::int8::fully_connected(&self.#w, &self.#b, #prev, #q, #relu, weights))
                }
                Step::Kernel(Kernel::Softmax) => {
                    quote!(::mlp::quant::Softmax::new(#prev.scale, 1.0))
                }
                Step::Kernel(Kernel::Logistic) => quote!(::mlp::quant::Logistic::new(#prev)),
                Step::Kernel(Kernel::Tanh) => quote!(::mlp::quant::Tanh::new(#prev)),
                Step::Kernel(Kernel::LeakyRelu(a)) => {
                    let a = a as f32;
                    quote!(::mlp::quant::LeakyRelu::new(#prev, #q, #a))
                }
                Step::Kernel(Kernel::Elu(a)) => {
                    let a = a as f32;
                    quote!(::mlp::int8::elu(#prev, #q, #a))
                }
                Step::Kernel(Kernel::Relu) => quote!(::mlp::quant::Relu::new(#prev, #q)),
                Step::Maxout { .. } => quote!(),
            };
            inits.push(quote!(#field: #init,));
        }
        q_of.push(quote!(#q));
    }
    let output = q_of.last().cloned().unwrap_or(quote!(input));
    (lets, inits, output)
}

/// `from_tflite`, when every step has a TFLite operator (a `Maxout` or an `ELU` with α ≠ 1
/// has none); behind the `tflite` feature.
fn from_tflite(plan: &Plan, twin: &Ident) -> TokenStream {
    let mut expected = Vec::new();
    let mut inits = Vec::new();
    for (index, l) in plan.layers.iter().enumerate() {
        let op = lit(index);
        let field = l.field.as_ref().map(|f| ident(f));
        let (expect, init) = match l.step {
            Step::Maxout { .. } => return TokenStream::new(),
            Step::Kernel(Kernel::Elu(a)) if a != 1.0 => return TokenStream::new(),
            Step::Affine {
                inputs, rows, relu, ..
            } => {
                let (i, r) = (lit(inputs), lit(rows));
                (
                    quote!(::mlp::tflite::Expected::FullyConnected { inputs: #i, outputs: #r, relu: #relu }),
                    quote!(model.fully_connected::<#i, #r>(#op)?),
                )
            }
            Step::Kernel(k) => {
                let (expect, init) = match k {
                    Kernel::Softmax => (
                        quote!(Softmax),
                        quote!(::mlp::quant::Softmax::new(input.scale, model.operator(#op)?.softmax_beta()?)),
                    ),
                    Kernel::Logistic => {
                        (quote!(Logistic), quote!(::mlp::quant::Logistic::new(input)))
                    }
                    Kernel::Tanh => (quote!(Tanh), quote!(::mlp::quant::Tanh::new(input))),
                    Kernel::LeakyRelu(_) => (
                        quote!(LeakyRelu),
                        quote!(::mlp::quant::LeakyRelu::new(input, output, model.operator(#op)?.leaky_relu_alpha()?)),
                    ),
                    Kernel::Elu(_) => (quote!(Elu), quote!(::mlp::quant::Elu::new(input, output))),
                    Kernel::Relu => (quote!(Relu), quote!(::mlp::quant::Relu::new(input, output))),
                };
                // A kernel with a fixed output quantization checks the file says the same.
                let output = match k {
                    Kernel::Softmax | Kernel::Logistic | Kernel::Tanh => {
                        let ty = kernel_type(k);
                        quote!({
                            let fixed = #ty::OUTPUT;
                            let (scale, zero_point) = model
                                .fixed_quantization(output, (fixed.scale, fixed.zero_point))?;
                            ::mlp::quant::Quantization { scale, zero_point }
                        })
                    }
                    _ => quote!(quantization(&model, output)?),
                };
                (
                    quote!(::mlp::tflite::Expected::#expect),
                    quote!({
                        let (input, output) = model.operator_io(#op)?;
                        let (input, output) = (quantization(&model, input)?, #output);
                        let _ = output;
                        #init
                    }),
                )
            }
        };
        expected.push(expect);
        if let Some(field) = field {
            inits.push(quote!(#field: #init,));
        }
    }
    let doc = "Reads a fully integer `.tflite` model (int8 input and output) that TensorFlow's converter made from the equivalent Keras `Sequential`, per channel or per tensor. The operators, shapes, types and quantization must match this chain; what differs is a typed error, as is a file that is not a model, is truncated or lies about its sizes. No heap.";
    quote! {
        ::mlp::__private::with_tflite! {
            impl #twin {
                #[doc = #doc]
                pub fn from_tflite(bytes: &[u8]) -> ::core::result::Result<Self, ::mlp::tflite::Error> {
                    fn quantization(
                        model: &::mlp::tflite::Model<'_>,
                        tensor: usize,
                    ) -> ::core::result::Result<::mlp::quant::Quantization, ::mlp::tflite::Error> {
                        let (scale, zero_point) = model.quantization(tensor)?;
                        Ok(::mlp::quant::Quantization { scale, zero_point })
                    }
                    let model = ::mlp::tflite::Model::parse(bytes)?;
                    model.expect_chain(&[#(#expected),*])?;
                    Ok(#twin {
                        input: quantization(&model, model.input()?)?,
                        #(#inits)*
                        output: quantization(&model, model.output()?)?,
                    })
                }
            }
        }
    }
}

/// `mlp::export::rust_const` for the twin: every field as a `const` expression.
fn export(p: &Parts, plan: &Plan, twin: &Ident) -> TokenStream {
    let fields: Vec<&String> = plan
        .layers
        .iter()
        .filter_map(|l| l.field.as_ref())
        .collect();
    let idents: Vec<Ident> = fields.iter().map(|f| ident(f)).collect();
    let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let header = format!(
        "// {twin} ({}): int8, written by mlp::export::rust_const.\n{twin} {{\n",
        p.chain
    );
    quote! {
        impl ::mlp::export::RustConst for #twin {
            fn write_rust_const(&self, out: &mut dyn ::core::fmt::Write) -> ::core::fmt::Result {
                out.write_str(#header)?;
                ::mlp::export::write_field(out, "input", &self.input)?;
                #( ::mlp::export::write_field(out, #names, &self.#idents)?; )*
                ::mlp::export::write_field(out, "output", &self.output)?;
                out.write_str("}\n")
            }
        }
    }
}

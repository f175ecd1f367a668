//! Stage 3b: the integer twin. A checked network and its forward graph → the int8 layers
//! TensorFlow Lite's specification gives it, or the layer that has no integer form.
//!
//! Each step reads the previous step's int8 tensor and writes its own, with a scale and a zero
//! point. A `Linear` is TFLite's int8 `FULLY_CONNECTED` (a `ReLU` right after it fused into its
//! output clamp); a `Maxout` is one for its `k·n` pieces, then each unit's maximum (exact in
//! int8: the pieces share one quantization); `Softmax`, `Sigmoid`, `Tanh`, `LeakyReLU`, `ELU`
//! and a `ReLU` on its own are TFLite's int8 kernels; `Identity` is nothing. `Elementwise` has
//! no integer form.
//!
//! The steps name their tensors after the forward graph's values (`h`, `θ`, `ŷ`), so that the
//! quantized forward pass in the derivation and the generated code speak the lecture.

use crate::check::{Activation, Int8, LayerKind, Network};
use crate::model::Model;
use mlp_symbolic::ir::{Graph, Id, Name};
use proc_macro2::Span;

/// An int8 kernel after an affine layer, or on its own.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    /// `Softmax`: TFLite's fixed-point softmax, output scale 1/256, zero point −128.
    Softmax,
    /// `Sigmoid`: TFLite's int8 `LOGISTIC` (a 256-entry table), output scale 1/256, zero
    /// point −128.
    Logistic,
    /// `Tanh`: TFLite's int8 `TANH` (a 256-entry table), output scale 1/128, zero point 0.
    Tanh,
    /// `LeakyReLU(a)`: TFLite's int8 `LEAKY_RELU`, two requantizations.
    LeakyRelu(f64),
    /// `ELU(α)`: a 256-entry table, as TFLite's int8 `ELU`.
    Elu(f64),
    /// A `ReLU` not fused into an affine layer: TFLite's int8 `RELU`.
    Relu,
}

impl Kernel {
    /// The output quantization, where TFLite fixes it: (scale as written, zero point).
    pub fn fixed_output(self) -> Option<(&'static str, i32)> {
        match self {
            Kernel::Softmax | Kernel::Logistic => Some(("1/256", -128)),
            Kernel::Tanh => Some(("1/128", 0)),
            _ => None,
        }
    }
}

/// One int8 step.
#[derive(Clone, Debug)]
pub enum Step {
    /// `W_q·(x_q − z_x) + b_q`, requantized to the output's scale (TFLite's `FULLY_CONNECTED`).
    Affine {
        /// The weight parameter's index in the model (the bias is the next one).
        weight: usize,
        inputs: usize,
        /// Rows of `W`: the outputs, or `k·n` pieces for a `Maxout`.
        rows: usize,
        /// A `ReLU` right after, fused into the clamp.
        relu: bool,
    },
    /// Unit `i` is the largest of its `pieces` pieces `t[j·units + i]`.
    Maxout { units: usize, pieces: usize },
    /// An int8 kernel.
    Kernel(Kernel),
}

/// A step, the value of the forward graph it computes, and the name of its output.
#[derive(Clone, Debug)]
pub struct Layer {
    pub step: Step,
    /// The forward graph's value this step's output stands for (ranges are calibrated on it).
    pub value: Id,
    /// Its name (`h`, `θ`, `ŷ`).
    pub name: Name,
    /// The field of `NameInt8` holding the step, if it has parameters: the weight's name for an
    /// affine step (`w`), the output's for a kernel (`y_hat`).
    pub field: Option<String>,
    /// The output's quantization is its own (from calibration or the file), not the input's
    /// (`Maxout`) nor a fixed one (`Softmax`).
    pub own_output: bool,
}

/// The integer twin of a network.
#[derive(Clone, Debug)]
pub struct Plan {
    pub layers: Vec<Layer>,
    pub inputs: usize,
    pub outputs: usize,
}

/// What the network gets of an int8 twin.
#[derive(Clone, Debug)]
pub enum Twin {
    /// The twin, step by step.
    Planned(Plan),
    /// `int8 = false`: nothing.
    Off,
    /// Not asked for, and a layer has no integer form: no twin, and a `quantize` whose use is a
    /// compile error naming the layer.
    Impossible {
        /// The layer's name in the chain.
        span: Span,
        /// The layer as the message names it.
        layer: String,
    },
}

impl Twin {
    /// The plan, if there is a twin.
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Twin::Planned(plan) => Some(plan),
            _ => None,
        }
    }
}

/// The twin: planned; nothing when not asked for (`int8 = false`); impossible, quietly, when
/// not said and a layer has no integer form; an error when asked for with `int8 = true` and
/// impossible.
pub fn plan(net: &Network, model: &Model) -> syn::Result<Twin> {
    match (net.int8, build(net, model)) {
        (Int8::Off, _) => Ok(Twin::Off),
        (_, Ok(plan)) => Ok(Twin::Planned(plan)),
        (Int8::Auto, Err((span, layer))) => Ok(Twin::Impossible { span, layer }),
        (Int8::Required(option), Err((span, what))) => {
            let mut error = syn::Error::new(
                span,
                format!("`{what}` has no integer form, so this network has no int8 twin: TensorFlow Lite's int8 kernels cover Linear, Maxout, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax and Identity"),
            );
            error.combine(syn::Error::new(
                option,
                format!("`int8 = true` asks for the int8 twin; `{what}` has none (remove the option, or replace the layer)"),
            ));
            Err(error)
        }
    }
}

/// The steps, or the first layer without an integer form (its span and its name).
fn build(net: &Network, model: &Model) -> Result<Plan, (Span, String)> {
    let g = &model.graph;
    let mut outputs = model.layers.iter();
    let mut layers: Vec<Layer> = Vec::new();
    let mut fuse_next_relu = false;
    for layer in &net.layers {
        let kind = layer.kind;
        let relu_after = fuse_next_relu;
        fuse_next_relu = false;
        let kernel = match kind {
            LayerKind::Linear { inputs, outputs: n }
            | LayerKind::Maxout {
                inputs, outputs: n, ..
            } => {
                let Some(out) = outputs.next() else {
                    return Err((
                        layer.span,
                        "internal error: a layer without its value".into(),
                    ));
                };
                let pieces = match kind {
                    LayerKind::Maxout { pieces, .. } => pieces,
                    _ => 1,
                };
                let weight = out.params.first().copied().unwrap_or(0);
                layers.push(named(
                    g,
                    Step::Affine {
                        weight,
                        inputs,
                        rows: n * pieces,
                        relu: false,
                    },
                    out.value,
                    Some(model.params[weight].name.rust.clone()),
                    true,
                ));
                if let LayerKind::Maxout { pieces, .. } = kind {
                    let Some(max) = outputs.next() else {
                        return Err((
                            layer.span,
                            "internal error: a Maxout without its value".into(),
                        ));
                    };
                    layers.push(named(
                        g,
                        Step::Maxout { units: n, pieces },
                        max.value,
                        None,
                        false,
                    ));
                } else {
                    fuse_next_relu = true;
                }
                continue;
            }
            LayerKind::Activation(Activation::Identity) => continue,
            LayerKind::Activation(Activation::Relu) if relu_after => {
                let Some(out) = outputs.next() else {
                    return Err((
                        layer.span,
                        "internal error: a layer without its value".into(),
                    ));
                };
                if let Some(Layer {
                    step: Step::Affine { relu, .. },
                    value,
                    name,
                    ..
                }) = layers.last_mut()
                {
                    *relu = true;
                    *value = out.value;
                    *name = g.name(out.value).cloned().unwrap_or_else(|| name.clone());
                }
                continue;
            }
            LayerKind::Activation(Activation::Relu) => Kernel::Relu,
            LayerKind::Activation(Activation::Softmax) => Kernel::Softmax,
            LayerKind::Activation(Activation::Sigmoid) => Kernel::Logistic,
            LayerKind::Activation(Activation::Tanh) => Kernel::Tanh,
            LayerKind::Activation(Activation::LeakyRelu(a)) => Kernel::LeakyRelu(a),
            LayerKind::Activation(Activation::Elu(a)) => Kernel::Elu(a),
            LayerKind::Activation(Activation::Elementwise(_)) => {
                return Err((layer.span, "Elementwise(...)".into()));
            }
        };
        let Some(out) = outputs.next() else {
            return Err((
                layer.span,
                "internal error: a layer without its value".into(),
            ));
        };
        let field = g.name(out.value).map(|n| n.rust.clone());
        let own = kernel.fixed_output().is_none();
        layers.push(named(g, Step::Kernel(kernel), out.value, field, own));
    }
    Ok(Plan {
        layers,
        inputs: net.input_size,
        outputs: net.output_size(),
    })
}

fn named(g: &Graph, step: Step, value: Id, field: Option<String>, own_output: bool) -> Layer {
    let name = g
        .name(value)
        .cloned()
        .unwrap_or_else(|| Name::new("?", "value"));
    Layer {
        step,
        value,
        name,
        field,
        own_output,
    }
}

/// The quantized forward pass as the derivation shows it: each step's integer formula and its
/// scales. `q = round(v/s) + z` and `v ≈ s·(q − z)` for every tensor `v`; `M` a requantization,
/// TFLite's fixed-point multiplier and shift.
pub fn derivation_rows(plan: &Plan, model: &Model) -> Vec<Vec<String>> {
    let g = &model.graph;
    let x = g.name(model.input).map_or("x".into(), |n| n.math.clone());
    let mut rows = vec![vec![
        format!("{x}_q"),
        format!("= clamp(round({x}/s_{x}) + o_{x}, −128, 127)"),
        "quantize_input".into(),
    ]];
    let mut prev = x;
    for layer in &plan.layers {
        let v = layer.name.math.clone();
        let formula = match layer.step {
            Step::Affine {
                weight,
                relu,
                rows: n,
                ..
            } => {
                let w = &model.params[weight].name.math;
                let b = model
                    .params
                    .get(weight + 1)
                    .map_or("b".into(), |p| p.name.math.clone());
                let low = if relu {
                    format!("o_{v}")
                } else {
                    "−128".into()
                };
                let fused = if relu { ", ReLU fused" } else { "" };
                vec![
                    format!("{v}_q"),
                    format!("= clamp(o_{v} + M_{w}·({w}_q·({prev}_q − o_{prev}) + {b}_q), {low}, 127)"),
                    format!(
                        "{w}_q = round({w}/s_{w}) (s_{w} per row or one), {b}_q = round({b}/(s_{prev}·s_{w})), M_{w} = s_{prev}·s_{w}/s_{v}, {n} {}{fused}",
                        if n == 1 { "output" } else { "outputs" }
                    ),
                ]
            }
            Step::Maxout { units, pieces } => vec![
                format!("{v}_q"),
                format!("= max over its {pieces} pieces of {prev}_q"),
                format!("{units} units; s_{v} = s_{prev}, o_{v} = o_{prev}: the max is exact"),
            ],
            Step::Kernel(kernel) => {
                let (formula, note) = match kernel {
                    Kernel::Softmax => (
                        format!("= softmax_q({prev}_q)"),
                        format!("TFLite's fixed-point exp and reciprocal, s_{v} = 1/256, o_{v} = −128"),
                    ),
                    Kernel::Logistic => (
                        format!("= table_σ[{prev}_q]"),
                        format!("256 entries: quantize(σ(s_{prev}·(q − o_{prev}))), s_{v} = 1/256, o_{v} = −128"),
                    ),
                    Kernel::Tanh => (
                        format!("= table_tanh[{prev}_q]"),
                        format!("256 entries: quantize(tanh(s_{prev}·(q − o_{prev}))), s_{v} = 1/128, o_{v} = 0"),
                    ),
                    Kernel::LeakyRelu(a) => (
                        format!(
                            "= o_{v} + ({prev}_q ≥ o_{prev} ? M₁ : M_a)·({prev}_q − o_{prev})"
                        ),
                        format!("M₁ = s_{prev}/s_{v}, M_a = {a}·s_{prev}/s_{v}"),
                    ),
                    Kernel::Elu(a) => (
                        format!("= table[{prev}_q]"),
                        format!("256 entries: quantize(ELU({a}; s_{prev}·(q − o_{prev}))) at s_{v}, o_{v}"),
                    ),
                    Kernel::Relu => (
                        format!("= max(o_{v} + M·({prev}_q − o_{prev}), o_{v})"),
                        format!("M = s_{prev}/s_{v}"),
                    ),
                };
                vec![format!("{v}_q"), formula, note]
            }
        };
        rows.push(formula);
        prev = v;
    }
    rows.push(vec![
        prev.clone(),
        format!("≈ s_{prev}·({prev}_q − o_{prev})"),
        "dequantize_output".into(),
    ]);
    rows
}

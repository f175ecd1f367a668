//! Stage 2: [`Chain`] → [`Network`]. Gives every word its meaning and checks every shape.
//!
//! Errors are accumulated (one build reports every bad element), each spanned on the smallest
//! wrong token and saying what was expected and what was found.

use crate::ast::{Arg, Chain, Element};
use crate::kw::{self, Word};
pub use mlp_symbolic::layers::{Activation, LayerKind, Loss};
use proc_macro2::Span;
use quote::ToTokens;
use syn::Ident;

/// A checked network: every size known, the loss last and compatible with what precedes it.
#[derive(Clone)]
pub struct Network {
    pub input: Ident,
    pub input_size: usize,
    pub layers: Vec<Layer>,
    pub loss: Loss,
    pub jacobians: Jacobians,
    /// `ram_budget = bytes`: the most the parameters, tape and gradients may take.
    pub ram_budget: Option<Budget>,
    /// `int8 = true | false`: whether the integer twin is asked for.
    pub int8: Int8,
    /// The chain as the user wrote it, normalized (`x -> Linear(2, 16) -> ...`).
    pub source: String,
    /// The expressions of the `Elementwise(...)` activations, parsed; the model lowers each at
    /// its layer's size.
    pub elementwise: Vec<syn::Expr>,
}

/// `ram_budget = bytes` and where it was written.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub bytes: usize,
    pub span: proc_macro2::Span,
}

/// `int8 = ...`: the integer twin `NameInt8`.
#[derive(Clone, Copy, Debug)]
pub enum Int8 {
    /// Not said: generated when every layer has an integer form, silently left out otherwise.
    Auto,
    /// `int8 = true`: asked for; a layer without an integer form is an error (spanned here
    /// and on the layer).
    Required(Span),
    /// `int8 = false`: not generated.
    Off,
}

/// How the backward pass is emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jacobians {
    /// After the named rewrite rules (the default).
    Simplified,
    /// The chain rule exactly as composed: explicit Jacobian matrices, multiplied from the loss
    /// back (`jacobians = full`).
    Full,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub kind: LayerKind,
    /// Position in the chain after the input, activations counted (PyTorch's `nn.Sequential`
    /// index, which names the parameters: `0.weight`).
    pub position: usize,
    pub outputs: usize,
    /// The layer's name in the chain (`Linear`, `Sigmoid`), for errors about it.
    pub span: Span,
}

impl Network {
    pub fn output_size(&self) -> usize {
        self.layers.last().map_or(self.input_size, |l| l.outputs)
    }
}

/// Collects errors so that one build reports all of them.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: String) {
        self.push_error(syn::Error::new(span, message));
    }
    fn push_error(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }
}

/// Checks the chain: every word known, every size agreeing, a loss last. All errors at once.
pub fn check(chain: &Chain) -> syn::Result<Network> {
    let mut errors = Errors::default();
    let words: Vec<Option<Word>> = chain
        .elements
        .iter()
        .map(|e| meaning(e, &mut errors))
        .collect();
    let Options {
        jacobians,
        ram_budget,
        int8,
    } = options(chain, &mut errors);

    check_start(chain, &words, &mut errors);

    let mut layers = Vec::new();
    let mut elementwise = Vec::new();
    let mut loss = None;
    let mut size: Option<usize> = None;
    let last = chain.elements.len() - 1;
    for (position, (element, word)) in chain.elements.iter().zip(&words).enumerate() {
        let Some(word) = *word else { continue };
        if word.is_loss() {
            no_args(element, &mut errors);
            check_loss(chain, &words, position, size, &mut errors);
            if position == last {
                loss = Some(word);
            }
            continue;
        }
        let kind = match word {
            Word::Linear | Word::Maxout => {
                match affine_layer(element, word, &mut size, &mut errors) {
                    Some(kind) => kind,
                    None => continue,
                }
            }
            Word::Relu => activation(element, Activation::Relu, &mut errors),
            Word::Sigmoid => activation(element, Activation::Sigmoid, &mut errors),
            Word::Tanh => activation(element, Activation::Tanh, &mut errors),
            Word::Softmax => activation(element, Activation::Softmax, &mut errors),
            Word::Identity => activation(element, Activation::Identity, &mut errors),
            Word::LeakyRelu => {
                let slope = number_arg(element, 0.1, "slope", &mut errors);
                LayerKind::Activation(Activation::LeakyRelu(slope))
            }
            Word::Elu => {
                let alpha = number_arg(element, 1.0, "α", &mut errors);
                LayerKind::Activation(Activation::Elu(alpha))
            }
            Word::Elementwise => match elementwise_arg(element) {
                Ok(tokens) => {
                    elementwise.push(tokens);
                    LayerKind::Activation(Activation::Elementwise(elementwise.len() - 1))
                }
                Err(e) => {
                    errors.push_error(e);
                    continue;
                }
            },
            Word::CrossEntropy | Word::BinaryCrossEntropy | Word::Mse => continue,
        };
        layers.push(Layer {
            kind,
            position,
            outputs: size.unwrap_or(0),
            span: element.name.span(),
        });
    }

    check_end(chain, &words, &mut errors);
    if let Some(error) = errors.0 {
        return Err(error);
    }
    let input_size = match layers.first().map(|l| l.kind) {
        Some(LayerKind::Linear { inputs, .. } | LayerKind::Maxout { inputs, .. }) => inputs,
        _ => return Err(internal(chain, "unchecked input size")),
    };
    let loss = match loss {
        Some(Word::CrossEntropy) => Loss::CrossEntropy,
        Some(Word::BinaryCrossEntropy) => Loss::BinaryCrossEntropy,
        Some(Word::Mse) => Loss::Mse,
        _ => return Err(internal(chain, "unchecked loss")),
    };
    Ok(Network {
        input: chain.input.clone(),
        input_size,
        layers,
        loss,
        jacobians,
        ram_budget,
        int8,
        source: source(chain),
        elementwise,
    })
}

/// The chain starts with an affine layer, so that the input's size is known.
fn check_start(chain: &Chain, words: &[Option<Word>], errors: &mut Errors) {
    if let (Some(first), Some(Some(word))) = (chain.elements.first(), words.first()) {
        if !matches!(word, Word::Linear | Word::Maxout) {
            errors.push(
                first.name.span(),
                format!(
                    "the chain must start with `Linear(inputs, outputs)` so that the size of `{}` is known, found `{}`",
                    chain.input, first.name
                ),
            );
        }
    }
}

/// The chain ends with a loss.
fn check_end(chain: &Chain, words: &[Option<Word>], errors: &mut Errors) {
    if let (Some(end), Some(Some(word))) = (chain.elements.last(), words.last()) {
        if !word.is_loss() {
            errors.push(
                end.name.span(),
                format!(
                    "the chain must end with a loss, `CE` (after `Softmax`), `BCE` (after `Sigmoid`) or `MSE`, found `{}`; add `-> CE` or `-> MSE`",
                    end.name
                ),
            );
        }
    }
}

/// A `Linear` or `Maxout` layer: its sizes, the first agreeing with the previous layer's
/// output `size`, which becomes this layer's. `None` when a size is missing (already an error).
fn affine_layer(
    element: &Element,
    word: Word,
    size: &mut Option<usize>,
    errors: &mut Errors,
) -> Option<LayerKind> {
    let names: &[&str] = if word == Word::Linear {
        &["inputs", "outputs"]
    } else {
        &["inputs", "outputs", "pieces"]
    };
    let sizes = layer_sizes(element, names, errors);
    let (inputs, outputs) = (sizes[0], sizes[1]);
    // Invariant: a layer's inputs equal the previous layer's outputs.
    if let (Some(previous), Some(inputs)) = (*size, inputs) {
        if previous != inputs {
            let shown: Vec<String> = sizes
                .iter()
                .map(|n| n.map_or("_".to_string(), |n| n.to_string()))
                .collect();
            errors.push(
                arg_span(element, 0),
                format!(
                    "`{}({})` expects {inputs} inputs, but the previous layer produces {previous}",
                    element.name,
                    shown.join(", ")
                ),
            );
        }
    }
    *size = outputs;
    match (word, inputs, outputs, sizes.get(2).copied().flatten()) {
        (Word::Linear, Some(inputs), Some(outputs), _) => {
            Some(LayerKind::Linear { inputs, outputs })
        }
        (Word::Maxout, Some(inputs), Some(outputs), Some(pieces)) => Some(LayerKind::Maxout {
            inputs,
            outputs,
            pieces,
        }),
        _ => None,
    }
}

/// The one argument of `Elementwise(...)`: an expression of `z`, differentiable elementwise.
fn elementwise_arg(element: &Element) -> syn::Result<syn::Expr> {
    let usage = "`Elementwise` takes one expression of `z`, applied to every element: `Elementwise(z * sigmoid(z))`";
    let Some(args) = &element.args else {
        return Err(syn::Error::new(
            element.name.span(),
            format!("{usage}, found no argument"),
        ));
    };
    let [arg] = args.items.as_slice() else {
        return Err(syn::Error::new(
            args.span,
            format!("{usage}, found {} arguments", args.items.len()),
        ));
    };
    syn::parse2(arg.tokens.clone())
}

fn internal(chain: &Chain, what: &str) -> syn::Error {
    syn::Error::new(chain.input.span(), format!("internal error: {what}"))
}

/// A loss ends the chain and reads what it expects from the layer before it.
fn check_loss(
    chain: &Chain,
    words: &[Option<Word>],
    position: usize,
    size: Option<usize>,
    errors: &mut Errors,
) {
    let element = &chain.elements[position];
    let name = &element.name;
    // Invariant: a loss ends the chain, and nothing follows it.
    if let Some(next) = chain.elements.get(position + 1) {
        errors.push(
            name.span(),
            format!(
                "`{name}` is a loss and must end the chain, but `{}` follows it",
                next.name
            ),
        );
    }
    // An unknown word before the loss is already reported; do not report it twice.
    let before = position.checked_sub(1).map(|p| words[p]);
    let found = position.checked_sub(1).map_or_else(
        || chain.input.to_string(),
        |p| chain.elements[p].name.to_string(),
    );
    match words[position] {
        // Invariant: `CE` reads probabilities, so `Softmax` comes right before it.
        Some(Word::CrossEntropy) if !matches!(before, Some(Some(Word::Softmax)) | Some(None)) => {
            errors.push(
                name.span(),
                format!(
                    "`CE` expects probabilities from a `Softmax` right before it, found `{found}`; write `-> Softmax -> CE`"
                ),
            );
        }
        // Invariant: `BCE` reads one probability, so a `Sigmoid` of one output comes before it.
        Some(Word::BinaryCrossEntropy) => {
            if !matches!(before, Some(Some(Word::Sigmoid)) | Some(None)) {
                errors.push(
                    name.span(),
                    format!(
                        "`BCE` expects a probability from a `Sigmoid` right before it, found `{found}`; write `-> Sigmoid -> BCE`"
                    ),
                );
            } else if let Some(n) = size.filter(|&n| n != 1) {
                errors.push(
                    name.span(),
                    format!(
                        "`BCE` expects one probability, but the previous layer produces {n}; use `Linear(.., 1)` before `Sigmoid`, or `Softmax -> CE` for {n} classes"
                    ),
                );
            }
        }
        _ => {}
    }
}

/// What an element's name means; reports unknown names with a suggestion.
fn meaning(element: &Element, errors: &mut Errors) -> Option<Word> {
    let name = element.name.to_string();
    if let Some(word) = kw::lookup(&name) {
        return Some(word);
    }
    let message = match kw::suggest(&name) {
        Some(s) => format!("unknown layer `{name}`: did you mean `{s}`?"),
        None => format!(
            "unknown layer `{name}`: expected one of {}",
            kw::all_spellings()
        ),
    };
    errors.push(element.name.span(), message);
    None
}

/// The options after the chain.
struct Options {
    jacobians: Jacobians,
    ram_budget: Option<Budget>,
    int8: Int8,
}

/// `jacobians = full | simplified`, `ram_budget = bytes`, `int8 = true | false`.
fn options(chain: &Chain, errors: &mut Errors) -> Options {
    let mut jacobians = Jacobians::Simplified;
    let mut budget = None;
    let mut int8 = Int8::Auto;
    for (key, value) in &chain.options {
        let text = value.to_string();
        if key == "int8" {
            match text.as_str() {
                "true" => {
                    int8 = Int8::Required(key.span().join(value.span()).unwrap_or(key.span()))
                }
                "false" => int8 = Int8::Off,
                _ => errors.push(
                    value.span(),
                    format!("expected `true` or `false` for `int8`, found `{text}`"),
                ),
            }
        } else if key == "jacobians" {
            match text.as_str() {
                "full" => jacobians = Jacobians::Full,
                "simplified" => jacobians = Jacobians::Simplified,
                _ => errors.push(
                    value.span(),
                    format!("expected `full` or `simplified` for `jacobians`, found `{text}`"),
                ),
            }
        } else if key == "ram_budget" {
            let digits: String = text.chars().filter(|c| *c != '_').collect();
            match digits.parse::<usize>() {
                Ok(bytes) => {
                    budget = Some(Budget {
                        bytes,
                        span: key.span().join(value.span()).unwrap_or(value.span()),
                    })
                }
                Err(_) => errors.push(
                    value.span(),
                    format!(
                        "expected a number of bytes for `ram_budget`, like `ram_budget = 4096`, found `{text}`"
                    ),
                ),
            }
        } else {
            errors.push(
                key.span(),
                format!("unknown option `{key}`: expected `jacobians`, `ram_budget` or `int8`"),
            );
        }
    }
    Options {
        jacobians,
        ram_budget: budget,
        int8,
    }
}

/// `Linear(inputs, outputs)`, `Maxout(inputs, outputs, pieces)`: whole numbers, each at least
/// 1. Each is checked on its own, so a bad output size does not hide a mismatched input size.
fn layer_sizes(element: &Element, names: &[&str], errors: &mut Errors) -> Vec<Option<usize>> {
    let name = &element.name;
    let example = ["2", "16", "2"][..names.len()].join(", ");
    let Some(args) = &element.args else {
        errors.push(
            name.span(),
            format!(
                "`{name}` needs its sizes, like `{name}({example})` ({})",
                names.join(", ")
            ),
        );
        return vec![None; names.len()];
    };
    if args.items.len() != names.len() {
        let span = args.items.get(names.len()).map_or(args.span, span_of);
        errors.push(
            span,
            format!(
                "`{name}` takes {} sizes ({}), found {} argument{}",
                names.len(),
                names.join(", "),
                args.items.len(),
                if args.items.len() == 1 { "" } else { "s" }
            ),
        );
        return vec![None; names.len()];
    }
    let mut sizes = vec![None; names.len()];
    for ((size, arg), what) in sizes.iter_mut().zip(&args.items).zip(names) {
        match arg.int {
            Some(0) if *what == "pieces" => errors.push(
                span_of(arg),
                format!("`{name}` needs at least 1 piece per unit, found 0"),
            ),
            Some(0) => errors.push(
                span_of(arg),
                "a layer size must be at least 1, found 0".to_string(),
            ),
            Some(n) => *size = Some(n),
            None => errors.push_error(syn::Error::new_spanned(
                &arg.tokens,
                format!(
                    "expected a size (a whole number of at least 1), found `{}`",
                    arg.tokens.to_token_stream()
                ),
            )),
        }
    }
    sizes
}

/// An activation with one optional number (`LeakyReLU(0.2)`, `ELU(0.5)`), else `default`.
fn number_arg(element: &Element, default: f64, what: &str, errors: &mut Errors) -> f64 {
    let Some(args) = &element.args else {
        return default;
    };
    let name = &element.name;
    match args.items.as_slice() {
        [arg] => match arg.number {
            Some(value) => value,
            None => {
                errors.push_error(syn::Error::new_spanned(
                    &arg.tokens,
                    format!(
                        "expected a {what} (a number, like `{name}({default})`), found `{}`",
                        arg.tokens.to_token_stream()
                    ),
                ));
                default
            }
        },
        items => {
            errors.push(
                args.span,
                format!(
                    "`{name}` takes one number, its {what} (`{name}({default})`), found {} arguments",
                    items.len()
                ),
            );
            default
        }
    }
}

fn activation(element: &Element, activation: Activation, errors: &mut Errors) -> LayerKind {
    no_args(element, errors);
    LayerKind::Activation(activation)
}

/// The span of the `index`-th argument of an element.
fn arg_span(element: &Element, index: usize) -> Span {
    element
        .args
        .as_ref()
        .and_then(|a| a.items.get(index))
        .map_or(element.name.span(), span_of)
}

fn span_of(arg: &Arg) -> Span {
    arg.tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span())
}

/// Activations and losses without parameters take no arguments.
fn no_args(element: &Element, errors: &mut Errors) {
    if let Some(args) = &element.args {
        let n = args.items.len();
        errors.push(
            args.span,
            format!(
                "`{}` takes no arguments, found {n} argument{}; write `{}` alone",
                element.name,
                if n == 1 { "" } else { "s" },
                element.name
            ),
        );
    }
}

/// The chain normalized for display: `x -> Linear(2, 16) -> ReLU -> ...`.
fn source(chain: &Chain) -> String {
    let mut s = chain.input.to_string();
    for element in &chain.elements {
        s.push_str(" -> ");
        s.push_str(&element.name.to_string());
        if let Some(args) = &element.args {
            let items: Vec<String> = args.items.iter().map(|a| a.tokens.to_string()).collect();
            s.push('(');
            s.push_str(&items.join(", "));
            s.push(')');
        }
    }
    for (key, value) in &chain.options {
        s.push_str(&format!(", {key} = {value}"));
    }
    s
}

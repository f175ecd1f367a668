//! Stage 2: [`Chain`] → [`Network`]. Gives every word its meaning and checks every shape.
//!
//! Errors are accumulated (one build reports every bad element), each spanned on the smallest
//! wrong token and saying what was expected and what was found.

use crate::ast::{Arg, Chain, Element};
use crate::kw::{self, Word};
use proc_macro2::Span;
use quote::ToTokens;
use syn::Ident;

/// A checked network: every size known, the loss last and compatible with what precedes it.
#[derive(Clone, Debug)]
pub struct Network {
    pub input: Ident,
    pub input_size: usize,
    pub layers: Vec<Layer>,
    pub loss: Loss,
    /// The chain as the user wrote it, normalized (`x -> Linear(2, 16) -> ...`).
    pub source: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Linear { inputs: usize, outputs: usize },
    Activation(Activation),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Cross-entropy of `Softmax` probabilities against a class index.
    CrossEntropy,
    /// Mean squared error against a target vector.
    Mse,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub kind: LayerKind,
    /// Position in the chain after the input, activations counted (PyTorch's `nn.Sequential`
    /// index, which names the parameters: `0.weight`).
    pub position: usize,
    pub outputs: usize,
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

pub fn check(chain: &Chain) -> syn::Result<Network> {
    let mut errors = Errors::default();
    let mut words = Vec::with_capacity(chain.elements.len());
    for element in &chain.elements {
        words.push(meaning(element, &mut errors));
    }

    // Invariant: the input size is known, so the first element must be `Linear(in, out)`.
    let mut size: Option<usize> = None;
    if let (Some(first), Some(Some(word))) = (chain.elements.first(), words.first()) {
        if *word != Word::Linear {
            errors.push(
                first.name.span(),
                format!(
                    "the chain must start with `Linear(inputs, outputs)` so that the size of `{}` is known, found `{}`",
                    chain.input, first.name
                ),
            );
        }
    }

    let mut layers = Vec::new();
    let mut loss = None;
    let last = chain.elements.len() - 1;
    for (position, (element, word)) in chain.elements.iter().zip(&words).enumerate() {
        let Some(word) = *word else { continue };
        // Invariant: a loss ends the chain, and nothing follows it.
        if word.is_loss() {
            no_args(element, &mut errors);
            if position != last {
                let next = &chain.elements[position + 1].name;
                errors.push(
                    element.name.span(),
                    format!(
                        "`{}` is a loss and must end the chain, but `{next}` follows it",
                        element.name
                    ),
                );
            } else {
                loss = Some(word);
            }
            // Invariant: `CE` reads probabilities, so `Softmax` comes right before it.
            if word == Word::CrossEntropy {
                // An unknown word before `CE` is already reported; do not report it twice.
                let before = position.checked_sub(1).map(|p| words[p]);
                if !matches!(before, Some(Some(Word::Softmax)) | Some(None)) {
                    let found = position.checked_sub(1).map_or_else(
                        || chain.input.to_string(),
                        |p| chain.elements[p].name.to_string(),
                    );
                    errors.push(
                        element.name.span(),
                        format!(
                            "`CE` expects probabilities from a `Softmax` right before it, found `{found}`; write `-> Softmax -> CE`"
                        ),
                    );
                }
            }
            continue;
        }
        let kind = match word {
            Word::Linear => {
                let [inputs, outputs] = linear_sizes(element, &mut errors);
                // Invariant: a Linear layer's inputs equal the previous layer's outputs.
                if let (Some(previous), Some(inputs)) = (size, inputs) {
                    if previous != inputs {
                        let shown = |n: Option<usize>| n.map_or("_".to_string(), |n| n.to_string());
                        errors.push(
                            linear_arg(element, 0),
                            format!(
                                "`{}({inputs}, {})` expects {inputs} inputs, but the previous layer produces {previous}",
                                element.name,
                                shown(outputs)
                            ),
                        );
                    }
                }
                size = outputs;
                let (Some(inputs), Some(outputs)) = (inputs, outputs) else {
                    continue;
                };
                LayerKind::Linear { inputs, outputs }
            }
            Word::Relu => LayerKind::Activation(Activation::Relu),
            Word::Sigmoid => LayerKind::Activation(Activation::Sigmoid),
            Word::Tanh => LayerKind::Activation(Activation::Tanh),
            Word::Softmax => LayerKind::Activation(Activation::Softmax),
            Word::CrossEntropy | Word::Mse => continue,
        };
        if let LayerKind::Activation(_) = kind {
            no_args(element, &mut errors);
        }
        layers.push(Layer {
            kind,
            position,
            outputs: size.unwrap_or(0),
        });
    }

    // Invariant: the chain ends with a loss.
    if let (Some(end), Some(Some(word))) = (chain.elements.last(), words.last()) {
        if !word.is_loss() {
            errors.push(
                end.name.span(),
                format!(
                    "the chain must end with a loss, `CE` (after `Softmax`) or `MSE`, found `{}`; add `-> CE` or `-> MSE`",
                    end.name
                ),
            );
        }
    }

    if let Some(error) = errors.0 {
        return Err(error);
    }
    let input_size = match layers.first().map(|l| l.kind) {
        Some(LayerKind::Linear { inputs, .. }) => inputs,
        _ => {
            return Err(syn::Error::new(
                chain.input.span(),
                "internal error: unchecked input size",
            ))
        }
    };
    let loss = match loss {
        Some(Word::CrossEntropy) => Loss::CrossEntropy,
        Some(Word::Mse) => Loss::Mse,
        _ => {
            return Err(syn::Error::new(
                chain.input.span(),
                "internal error: unchecked loss",
            ))
        }
    };
    Ok(Network {
        input: chain.input.clone(),
        input_size,
        layers,
        loss,
        source: source(chain),
    })
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

/// `Linear(inputs, outputs)`: exactly two whole numbers, each at least 1. Each size is checked
/// on its own, so a bad output size does not hide a mismatched input size.
fn linear_sizes(element: &Element, errors: &mut Errors) -> [Option<usize>; 2] {
    let name = &element.name;
    let Some(args) = &element.args else {
        errors.push(
            name.span(),
            format!("`{name}` needs its sizes, like `{name}(2, 16)` (inputs, outputs)"),
        );
        return [None, None];
    };
    if args.items.len() != 2 {
        let span = args.items.get(2).map_or(args.span, span_of);
        errors.push(
            span,
            format!(
                "`{name}` takes 2 sizes (inputs, outputs), found {} argument{}",
                args.items.len(),
                if args.items.len() == 1 { "" } else { "s" }
            ),
        );
        return [None, None];
    }
    let mut sizes = [None, None];
    for (size, arg) in sizes.iter_mut().zip(&args.items) {
        match arg.int {
            Some(0) => {
                errors.push(
                    span_of(arg),
                    "a layer size must be at least 1, found 0".to_string(),
                );
            }
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

/// The span of the `index`-th argument of a Linear element.
fn linear_arg(element: &Element, index: usize) -> Span {
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

/// Activations take no arguments.
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
    s
}

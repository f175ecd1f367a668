//! Stage 3: a checked [`Network`] → the forward graph in the IR, every value named after the
//! lecture.
//!
//! Names follow the lecture: one `Linear` gives `z = W·x + b`, `ŷ = softmax(z)` (section 2);
//! two give `z = W·x + b₁`, `h = ReLU(z)`, `θ = U·h + b₂`, `ŷ = softmax(θ)` (section 4); more
//! give `zₖ = Wₖ·hₖ₋₁ + bₖ`, `hₖ = f(zₖ)` (section 3). The last layer's output is always `ŷ`,
//! the loss `J`, the target `y`. A second activation in a row gets a prime: `h′`.

use crate::check::{Activation, Layer, LayerKind, Loss, Network};
use mlp_symbolic::ir::{subscript, Graph, Id, LeafKind, Name, Shape};
use mlp_symbolic::{elementwise, local};

/// A trainable parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub leaf: Id,
    pub name: Name,
    /// PyTorch's state-dict key: `0.weight`.
    pub key: String,
    pub shape: Shape,
}

/// One layer's output value and what it owns.
#[derive(Clone, Debug)]
pub struct LayerOutput {
    pub value: Id,
    /// The layer's parameters (weight, bias) for `Linear`, none otherwise.
    pub params: Vec<usize>,
    /// The value the layer reads.
    pub input: Id,
}

/// The forward graph of a network.
pub struct Model {
    pub graph: Graph,
    pub input: Id,
    pub target: Id,
    pub params: Vec<Param>,
    /// Each layer's output, in chain order.
    pub layers: Vec<LayerOutput>,
    pub output: Id,
    pub loss: Id,
    pub loss_kind: Loss,
}

/// Rust names the generated code uses for itself; the input may not take one of them.
pub const RESERVED: &[&str] = &[
    "y",
    "target",
    "tape",
    "grads",
    "zero",
    "one",
    "learning_rate",
    "f",
    "j",
    "y_hat",
];

/// The forward graph. `soft_targets`: a `CE` target is a probability vector rather than a
/// class index.
///
/// An `Elementwise` expression is lowered here, at its layer's size; what cannot be
/// differentiated is an error spanned on the smallest part of the expression at fault.
pub fn build(net: &Network, soft_targets: bool) -> syn::Result<Model> {
    let mut g = Graph::new();
    let input_name = net.input.to_string();
    let input = g.leaf(
        Name::new(input_name.clone(), input_name),
        LeafKind::Input,
        Shape::vector(net.input_size),
    );
    let output_size = net.output_size();
    let class_index = net.loss == Loss::CrossEntropy && !soft_targets;
    let target = g.leaf(
        Name::new("y", "y"),
        LeafKind::Target { class_index },
        Shape::vector(output_size),
    );

    let naming = Naming::new(net);
    let mut params = Vec::new();
    let mut layers: Vec<LayerOutput> = Vec::new();
    let mut current = input;
    let mut linear_index = 0;
    let mut primes = 0;
    let last = net.layers.len().saturating_sub(1);
    for (i, layer) in net.layers.iter().enumerate() {
        let Layer { kind, position, .. } = *layer;
        let (value, owned, name) = match kind {
            // A Linear layer is one affine map. A Maxout layer is an affine map to k·out pieces
            // (its own named step, owning the parameters), then each unit's maximum.
            LayerKind::Linear { inputs, outputs }
            | LayerKind::Maxout {
                inputs, outputs, ..
            } => {
                let pieces = match kind {
                    LayerKind::Maxout { pieces, .. } => Some(pieces),
                    _ => None,
                };
                linear_index += 1;
                primes = 0;
                let shape = Shape::matrix(pieces.unwrap_or(1) * outputs, inputs);
                let (t, owned) = affine(
                    &mut g,
                    &mut params,
                    &naming,
                    linear_index,
                    position,
                    shape,
                    current,
                );
                match pieces {
                    None => (t, owned, naming.linear_output(linear_index)),
                    Some(pieces) => {
                        g.set_name(t, naming.linear_output(linear_index));
                        layers.push(LayerOutput {
                            value: t,
                            params: owned,
                            input: current,
                        });
                        current = t;
                        let value = local::maxout(&mut g, t, pieces);
                        let name = naming.activation_output(linear_index, primes);
                        primes += 1;
                        (value, Vec::new(), name)
                    }
                }
            }
            // Identity adds nothing: the value passes through (named ŷ if it is the last).
            LayerKind::Activation(Activation::Identity) => {
                if i == last {
                    g.rename(current, Name::new("ŷ", "y_hat"));
                }
                continue;
            }
            LayerKind::Activation(Activation::Elementwise(k)) => {
                let Some(expr) = net.elementwise.get(k) else {
                    return Err(syn::Error::new(
                        net.input.span(),
                        "internal error: an `Elementwise` layer without its expression",
                    ));
                };
                let value = elementwise::activation(&mut g, expr, current)?;
                let name = naming.activation_output(linear_index, primes);
                primes += 1;
                (value, Vec::new(), name)
            }
            LayerKind::Activation(a) => {
                let value = local::activation(&mut g, a, current);
                let name = naming.activation_output(linear_index, primes);
                primes += 1;
                (value, Vec::new(), name)
            }
        };
        let name = if i == last {
            Name::new("ŷ", "y_hat")
        } else {
            name
        };
        // A Maxout's affine part may already carry a name: the maximum is a new value.
        g.set_name(value, name.clone());
        name_inner_values(&mut g, value, &name);
        layers.push(LayerOutput {
            value,
            params: owned,
            input: current,
        });
        current = value;
    }
    let loss = local::loss(&mut g, net.loss, current, target);
    g.set_name(loss, Name::new("J", "j"));
    Ok(Model {
        graph: g,
        input,
        target,
        params,
        layers,
        output: current,
        loss,
        loss_kind: net.loss,
    })
}

/// An `Elementwise` activation's values that its derivative reads (σ(z) in z ⊙ σ(z)): named
/// after the math, so that the tape and the code call them something (`h_t1`).
fn name_inner_values(g: &mut Graph, value: Id, name: &Name) {
    let Some(&(z, derivative)) = g.stated.get(&value) else {
        return;
    };
    let inside = g.reachable(&[value], |n| n == z);
    let read = g.reachable(&[derivative], |n| n == z || n == value);
    let mut k = 0;
    for n in read {
        let trivial = matches!(
            g.op(n),
            mlp_symbolic::ir::Op::Leaf(_)
                | mlp_symbolic::ir::Op::Fill(..)
                | mlp_symbolic::ir::Op::Ones(_)
        );
        if n == z
            || n == value
            || trivial
            || g.name(n).is_some()
            || inside.binary_search(&n).is_err()
        {
            continue;
        }
        k += 1;
        let math = mlp_symbolic::ir::Render::new(g).math(n);
        g.set_name(n, Name::new(math, format!("{}_t{k}", name.rust)));
    }
}

/// The `k`-th affine layer at chain `position`, `W·input + b` with `W` of `shape`: its value
/// and the indices of its two parameters.
fn affine(
    g: &mut Graph,
    params: &mut Vec<Param>,
    naming: &Naming,
    k: usize,
    position: usize,
    shape: Shape,
    input: Id,
) -> (Id, Vec<usize>) {
    let (weight, bias) = layer_params(g, params, naming, k, position, shape);
    let value = local::linear(g, weight, bias, input);
    (value, vec![params.len() - 2, params.len() - 1])
}

/// The weight (`shape`) and bias of the `k`-th affine layer, at chain `position`.
fn layer_params(
    g: &mut Graph,
    params: &mut Vec<Param>,
    naming: &Naming,
    k: usize,
    position: usize,
    shape: Shape,
) -> (Id, Id) {
    let mut leaves = [0; 2];
    let parts = [
        (naming.weight(k), "weight", shape),
        (naming.bias(k), "bias", Shape::vector(shape.rows)),
    ];
    for (leaf, (name, kind, shape)) in leaves.iter_mut().zip(parts) {
        *leaf = g.leaf(name.clone(), LeafKind::Param, shape);
        params.push(Param {
            leaf: *leaf,
            name,
            key: format!("{position}.{kind}"),
            shape,
        });
    }
    (leaves[0], leaves[1])
}

/// The lecture's naming scheme for a network with `linears` affine (Linear, Maxout) layers.
struct Naming {
    linears: usize,
}

impl Naming {
    fn new(net: &Network) -> Naming {
        let linears = net
            .layers
            .iter()
            .filter(|l| matches!(l.kind, LayerKind::Linear { .. } | LayerKind::Maxout { .. }))
            .count();
        Naming { linears }
    }

    fn weight(&self, k: usize) -> Name {
        match (self.linears, k) {
            (1, _) | (2, 1) => Name::new("W", "w"),
            (2, 2) => Name::new("U", "u"),
            _ => Name::new(format!("W{}", subscript(k)), format!("w{k}")),
        }
    }

    fn bias(&self, k: usize) -> Name {
        match self.linears {
            1 => Name::new("b", "b"),
            _ => Name::new(format!("b{}", subscript(k)), format!("b{k}")),
        }
    }

    fn linear_output(&self, k: usize) -> Name {
        match (self.linears, k) {
            (1, _) | (2, 1) => Name::new("z", "z"),
            (2, 2) => Name::new("θ", "theta"),
            _ => Name::new(format!("z{}", subscript(k)), format!("z{k}")),
        }
    }

    /// The `primes`-th activation in a row after Linear `k`.
    fn activation_output(&self, k: usize, primes: usize) -> Name {
        let (math, rust) = match (self.linears, k) {
            (1, _) | (2, 1) => ("h".to_string(), "h".to_string()),
            _ => (format!("h{}", subscript(k)), format!("h{k}")),
        };
        Name::new(
            format!("{math}{}", "′".repeat(primes)),
            format!("{rust}{}", "_p".repeat(primes)),
        )
    }
}

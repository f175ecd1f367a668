//! Stage 5b: the simplified derivation lifted to a batch of `B` samples, one per column.
//!
//! Every value that depends on the sample (`x`, `z`, `h`, `θ`, `ŷ`, `∂J/∂z`, …) gets a column per
//! sample and is written in capitals (`X`, `Z`, `Θ`, `∂J/∂Z`); parameters stay as they are. The
//! per-sample expressions carry over column by column, with three changes the algebra implies:
//! a bias is added to every column (`b·1ᵀ`), a weight's gradient `∂J/∂z·xᵀ` becomes the product
//! `∂J/∂Z·Xᵀ`, which sums the samples' outer products, and every parameter's gradient and the
//! loss are means (`1/B` times the sum over the batch; a bias's gradient is `∂J/∂Z·1`, the row
//! sums). Nothing is derived twice: the batch is the per-sample derivation read for `B` columns.

use crate::backprop::{self, Backprop};
use crate::check::Jacobians;
use mlp_symbolic::ir::{Graph, Id, LeafKind, Name, Op, Shape, BATCH};
use mlp_symbolic::simplify::Rewrite;
use std::collections::HashMap;

pub struct Batched {
    pub graph: Graph,
    pub input: Id,
    pub target: Id,
    /// The parameters' leaves, in the model's order.
    pub params: Vec<Id>,
    /// The constant `1/B`.
    pub inv_b: Id,
    /// `Ŷ`, a column per sample.
    pub output: Id,
    /// The mean loss `J = (1/B)·Σ J_b`.
    pub loss: Id,
    /// The mean gradient of each parameter, in the model's order.
    pub grads: Vec<Id>,
    /// `P − η·∂J/∂P` for each parameter, after the update rules.
    pub updates: Vec<Id>,
    pub rewrites: Vec<Rewrite>,
    /// `∂J/∂V` for every named per-sample value and parameter, in the derivation's backward order.
    pub gradients: Vec<(String, Id)>,
    /// Let names of the gradient nodes (`d_z`).
    pub grad_names: HashMap<Id, Name>,
}

/// The batched derivation, or `None` where a per-sample value has no column-per-sample form
/// (an explicit Jacobian matrix of `jacobians = full`): such a network's batch methods loop over
/// the samples instead.
pub fn lift(d: &Backprop) -> Option<Batched> {
    let m = &d.model;
    let src = &m.graph;
    let mut l = Lift {
        src,
        g: Graph::new(),
        memo: HashMap::new(),
        per_sample: HashMap::new(),
    };
    for (id, name) in [(m.input, "X"), (m.target, "Y")] {
        let leaf = src.leaf_of(id)?;
        let s = src.shape(id);
        let rust = leaf.name.rust.clone();
        let new = l.g.leaf(
            Name::new(name, rust),
            leaf.kind,
            Shape::matrix(s.rows, BATCH),
        );
        l.memo.insert(id, Some(new));
    }
    let mut params = Vec::new();
    for p in &m.params {
        let new = l.g.leaf(p.name.clone(), LeafKind::Param, p.shape);
        l.memo.insert(p.leaf, Some(new));
        params.push(new);
    }
    let inv_b =
        l.g.leaf(Name::new("1/B", "inv_b"), LeafKind::Constant, Shape::SCALAR);

    let output = l.node(m.output)?;
    let loss_rows = l.node(d.loss)?;
    let loss_sum = l.g.add(Op::ColumnSum(loss_rows));
    let loss = l.g.add(Op::MatMul(inv_b, loss_sum));
    let mut grads = Vec::new();
    for p in &m.params {
        let grad = d.grad[&p.leaf];
        let lifted = l.node(grad)?;
        // A gradient that still has a column per sample (a bias's) is summed over the batch.
        let sum = if l.g.shape(lifted).cols == BATCH {
            l.g.add(Op::ColumnSum(lifted))
        } else {
            lifted
        };
        grads.push(l.g.add(Op::MatMul(inv_b, sum)));
    }
    // Names: per-sample values in capitals, their gradients after them.
    for step in &m.layers {
        if let (Some(name), Some(Some(new))) = (src.name(step.value), l.memo.get(&step.value)) {
            l.g.rename(*new, Name::new(capital(&name.math), name.rust.clone()));
        }
    }
    if let Some(Some(y_hat)) = l.memo.get(&m.output) {
        l.g.rename(*y_hat, Name::new("Ŷ", "y_hat"));
    }
    let mut grad_names = HashMap::new();
    let mut gradients = Vec::new();
    for v in d.backward_order() {
        let Some(&node) = d.grad.get(&v) else {
            continue;
        };
        let Some(name) = src.name(v) else {
            continue;
        };
        let is_param = m.params.iter().position(|p| p.leaf == v);
        let lifted = match is_param {
            Some(k) => grads[k],
            None => match l.memo.get(&node) {
                Some(Some(n)) => *n,
                _ => continue,
            },
        };
        let math = if is_param.is_some() {
            name.math.clone()
        } else {
            capital(&name.math)
        };
        let label = format!("∂J/∂{math}");
        grad_names
            .entry(lifted)
            .or_insert_with(|| Name::new(label.clone(), format!("d_{}", name.rust)));
        gradients.push((label, lifted));
    }

    let pairs = params.iter().copied().zip(grads.iter().copied());
    let (updates, rewrites) = backprop::updates(&mut l.g, pairs, Jacobians::Simplified);
    if l.g.error.is_some() {
        return None;
    }
    Some(Batched {
        input: l.memo[&m.input]?,
        target: l.memo[&m.target]?,
        graph: l.g,
        params,
        inv_b,
        output,
        loss,
        grads,
        updates,
        rewrites,
        gradients,
        grad_names,
    })
}

/// `z` → `Z`, `θ` → `Θ`, `ŷ` → `Ŷ`, `h₂′` → `H₂′`: the batch's name for a per-sample value.
fn capital(math: &str) -> String {
    let mut chars = math.chars();
    let first = chars.next().map(|c| match c {
        'ŷ' => "Ŷ".to_string(),
        c => c.to_uppercase().collect(),
    });
    first.unwrap_or_default() + chars.as_str()
}

struct Lift<'a> {
    src: &'a Graph,
    g: Graph,
    memo: HashMap<Id, Option<Id>>,
    per_sample: HashMap<Id, bool>,
}

impl Lift<'_> {
    /// Whether the value depends on the sample (the input or the target).
    fn is_per_sample(&mut self, id: Id) -> bool {
        if let Some(&p) = self.per_sample.get(&id) {
            return p;
        }
        let p = match self.src.leaf_of(id).map(|l| l.kind) {
            Some(LeafKind::Input | LeafKind::Target { .. }) => true,
            Some(_) => false,
            None => self
                .src
                .op(id)
                .children()
                .into_iter()
                .any(|c| self.is_per_sample(c)),
        };
        self.per_sample.insert(id, p);
        p
    }

    /// The lifted node, or `None` where it has no batched form.
    fn node(&mut self, id: Id) -> Option<Id> {
        if let Some(&done) = self.memo.get(&id) {
            return done;
        }
        let lifted = self.build(id);
        self.memo.insert(id, lifted);
        lifted
    }

    fn build(&mut self, id: Id) -> Option<Id> {
        let op = self.src.op(id).clone();
        let children = op.children();
        if !self.is_per_sample(id) {
            // The same value for every sample (a transposed weight, a constant).
            let lifted: Option<Vec<Id>> = children.iter().map(|&c| self.node(c)).collect();
            let new = op.with_children(&lifted?);
            return Some(self.g.add(new));
        }
        let op = match op {
            Op::MatMul(a, b) => {
                let (pa, pb) = (self.is_per_sample(a), self.is_per_sample(b));
                match (pa, pb) {
                    // A weight's gradient: the outer products of the samples, summed.
                    (true, true) => {
                        let right = match *self.src.op(b) {
                            Op::Transpose(c) => c,
                            _ if self.src.shape(b).rows == 1 => b,
                            _ => return None,
                        };
                        let (a, right) = (self.node(a)?, self.node(right)?);
                        let t = self.g.add(Op::Transpose(right));
                        Op::MatMul(a, t)
                    }
                    (false, true) => Op::MatMul(self.node(a)?, self.node(b)?),
                    _ => return None,
                }
            }
            Op::Add(a, b) => Op::Add(self.column(a)?, self.column(b)?),
            Op::Sub(a, b) => Op::Sub(self.column(a)?, self.column(b)?),
            Op::Hadamard(a, b) => Op::Hadamard(self.column(a)?, self.column(b)?),
            Op::Div(a, b) => Op::Div(self.column(a)?, self.column(b)?),
            Op::Binary(f, a, b) => Op::Binary(f, self.column(a)?, self.column(b)?),
            Op::Neg(_)
            | Op::Scale(..)
            | Op::Map(..)
            | Op::Softmax(_)
            | Op::LogSumExp(_)
            | Op::Max(_)
            | Op::ExpSum(_)
            | Op::Log(_)
            | Op::Dot(..)
            | Op::Mse(..)
            | Op::BceLogits(..)
            | Op::Maxout(..)
            | Op::MaxoutRoute(..) => {
                let lifted: Option<Vec<Id>> = children.iter().map(|&c| self.node(c)).collect();
                op.with_children(&lifted?)
            }
            // Explicit Jacobians and the unfused losses of `jacobians = full`.
            _ => return None,
        };
        let new = self.g.add(op);
        if self.g.error.is_some() {
            return None;
        }
        Some(new)
    }

    /// A child of an elementwise operation: a column that is the same for every sample (a
    /// bias, a vector of ones) is repeated for each.
    fn column(&mut self, c: Id) -> Option<Id> {
        let lifted = self.node(c)?;
        if self.is_per_sample(c) {
            return Some(lifted);
        }
        Some(self.g.add(Op::Broadcast(lifted, BATCH)))
    }
}

#[cfg(test)]
mod tests {
    use crate::{backprop, check, model, parse};

    #[test]
    fn card_lifts() {
        let attr: proc_macro2::TokenStream =
            "x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE"
                .parse()
                .unwrap();
        let net = check::check(&parse::parse(attr).unwrap()).unwrap();
        let d = backprop::backprop(model::build(&net, false).expect("builds"), net.jacobians);
        let b = super::lift(&d);
        assert!(b.is_some());
    }
}

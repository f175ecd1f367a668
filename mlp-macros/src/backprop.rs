//! Stages 4 and 5 together: the chain rule on the model's forward graph, then simplification.
//! What comes out is everything codegen and the derivation text need, in one IR.

use crate::check::Jacobians;
use crate::model::Model;
use mlp_symbolic::chain;
use mlp_symbolic::ir::{Graph, Id, Name, Op};
use mlp_symbolic::simplify::{self, Rewrite};
use std::collections::HashMap;

pub struct Backprop {
    pub model: Model,
    pub jacobians: Jacobians,
    /// ∂J/∂v simplified.
    pub grad: HashMap<Id, Id>,
    /// The loss as computed (after `stable_ce`).
    pub loss: Id,
    pub rewrites: Vec<Rewrite>,
    /// Name of every simplified gradient node: the first value, in backward order, whose
    /// gradient it is (`∂J/∂θ` rather than `∂J/∂b₂` for the same `ŷ − y`).
    pub grad_names: HashMap<Id, Name>,
    /// The update `P − η·∂J/∂P` of each parameter, in the model's parameter order, after the
    /// update rules (a weight's becomes an in-place rank-1 update).
    pub updates: Vec<Id>,
}

impl Backprop {
    /// Every variable whose gradient users see, in backward order: each layer's output, then
    /// that layer's parameters, from the loss back; the input last.
    pub fn backward_order(&self) -> Vec<Id> {
        let m = &self.model;
        let mut order = Vec::new();
        for step in m.layers.iter().rev() {
            order.push(step.value);
            order.extend(step.params.iter().map(|&p| m.params[p].leaf));
        }
        order.push(m.input);
        order
    }

    /// `∂J/∂v` as text.
    pub fn grad_math(&self, v: Id) -> String {
        let name = self.model.graph.name(v).map_or("?", |n| n.math.as_str());
        format!("∂J/∂{name}")
    }
}

/// `P − η·∂J/∂P` for every `(P, ∂J/∂P)`, then the update rules (not for `jacobians = full`,
/// which shows the chain rule as written, updates included).
pub fn updates(
    g: &mut Graph,
    params: impl IntoIterator<Item = (Id, Id)>,
    jacobians: Jacobians,
) -> (Vec<Id>, Vec<Rewrite>) {
    let steps: Vec<Id> = params
        .into_iter()
        .map(|(p, grad)| g.add(Op::Update(p, grad)))
        .collect();
    if jacobians == Jacobians::Full {
        return (steps, Vec::new());
    }
    let (map, rewrites) = simplify::simplify_with(g, &steps, simplify::UPDATE_RULES);
    (steps.iter().map(|s| map[s]).collect(), rewrites)
}

/// The chain rule, then the rewrite rules (`Full`: only the loss-value rules).
pub fn backprop(mut model: Model, jacobians: Jacobians) -> Backprop {
    let g = &mut model.graph;
    let chain = chain::backward(g, model.loss);
    let mut roots: Vec<Id> = chain.values().copied().collect();
    roots.push(model.loss);
    roots.push(model.output);
    let rules = match jacobians {
        Jacobians::Simplified => simplify::RULES,
        Jacobians::Full => simplify::LOSS_RULES,
    };
    let (map, rewrites) = simplify::simplify_with(g, &roots, rules);
    let grad: HashMap<Id, Id> = chain.iter().map(|(&v, raw)| (v, map[raw])).collect();
    let loss = map[&model.loss];
    let pairs: Vec<(Id, Id)> = model
        .params
        .iter()
        .map(|p| (p.leaf, grad[&p.leaf]))
        .collect();
    let (updates, update_rewrites) = updates(&mut model.graph, pairs, jacobians);
    let mut rewrites = rewrites;
    rewrites.extend(update_rewrites);
    let mut derived = Backprop {
        model,
        jacobians,
        grad,
        loss,
        rewrites,
        grad_names: HashMap::new(),
        updates,
    };
    for v in derived.backward_order() {
        let Some(&node) = derived.grad.get(&v) else {
            continue;
        };
        let Some(name) = derived.model.graph.name(v) else {
            continue;
        };
        let name = Name::new(format!("∂J/∂{}", name.math), format!("d_{}", name.rust));
        derived.grad_names.entry(node).or_insert(name);
    }
    derived
}

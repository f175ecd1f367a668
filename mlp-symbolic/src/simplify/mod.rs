//! Stage 5: named rewrite rules, applied bottom-up until none applies.
//!
//! Each rule is one file, a pure function from a node to its simpler equal (or `None`). Every
//! application is logged, so the derivation can show which rule turned what into what.

mod branch_product;
mod diag_to_hadamard;
mod drop_identity;
mod fold_constants;
mod fold_transpose;
mod fuse_sigmoid_bce;
mod fuse_softmax_ce;
mod lse_from_softmax;
mod maxout_route;
mod merge_branches;
mod outer_update;
mod scalar_diag;
mod scalar_product;
mod softmax_vjp;
mod stable_bce;
mod stable_ce;

use crate::ir::{Graph, Id};
use std::collections::HashMap;

/// A rule: the node's simpler equal, built in the same graph, or `None` when it does not apply.
pub type Rule = fn(&mut Graph, Id) -> Option<Id>;

/// All rules, in the order they are tried on each node.
pub const RULES: &[(&str, Rule)] = &[
    ("fold_transpose", fold_transpose::apply),
    ("scalar_diag", scalar_diag::apply),
    ("drop_identity", drop_identity::apply),
    ("fuse_sigmoid_bce", fuse_sigmoid_bce::apply),
    ("scalar_product", scalar_product::apply),
    ("fuse_softmax_ce", fuse_softmax_ce::apply),
    ("softmax_vjp", softmax_vjp::apply),
    ("diag_to_hadamard", diag_to_hadamard::apply),
    ("maxout_route", maxout_route::apply),
    ("stable_ce", stable_ce::apply),
    ("stable_bce", stable_bce::apply),
    ("lse_from_softmax", lse_from_softmax::apply),
];

/// The rules that only change how the loss *value* is computed (never the gradients): all
/// that `jacobians = full` applies, so its loss is as stable as the simplified one's.
pub const LOSS_RULES: &[(&str, Rule)] = &[
    ("stable_ce", stable_ce::apply),
    ("stable_bce", stable_bce::apply),
    ("lse_from_softmax", lse_from_softmax::apply),
];

/// The rules for expressions (`#[mlp::grad]` and `Elementwise` activations): the general ones,
/// and constants gathered into one factor.
pub const EXPRESSION_RULES: &[(&str, Rule)] = &[
    ("fold_transpose", fold_transpose::apply),
    ("scalar_diag", scalar_diag::apply),
    ("drop_identity", drop_identity::apply),
    ("scalar_product", scalar_product::apply),
    ("diag_to_hadamard", diag_to_hadamard::apply),
    ("fold_constants", fold_constants::apply),
    ("branch_product", branch_product::apply),
    ("merge_branches", merge_branches::apply),
];

/// The rules for the update `P − η·∇P` of training: how it is applied, not what it computes.
pub const UPDATE_RULES: &[(&str, Rule)] = &[("outer_update", outer_update::apply)];

/// One application of a rule.
#[derive(Clone, Copy, Debug)]
pub struct Rewrite {
    /// The rule's name (`fold_transpose`, ...).
    pub rule: &'static str,
    /// The node the rule applied to.
    pub before: Id,
    /// Its simpler equal, which the rule built.
    pub after: Id,
}

/// Simplifies everything reachable from `roots`: returns each node's simplified equal and the
/// log of rewrites.
pub fn simplify(g: &mut Graph, roots: &[Id]) -> (HashMap<Id, Id>, Vec<Rewrite>) {
    simplify_with(g, roots, RULES)
}

/// [`simplify`] with only the given rules.
pub fn simplify_with(
    g: &mut Graph,
    roots: &[Id],
    rules: &'static [(&'static str, Rule)],
) -> (HashMap<Id, Id>, Vec<Rewrite>) {
    let mut s = Simplifier {
        rules,
        map: HashMap::new(),
        log: Vec::new(),
        budget: 100_000,
    };
    for id in g.reachable(roots, |_| false) {
        s.node(g, id);
    }
    (s.map, s.log)
}

struct Simplifier {
    rules: &'static [(&'static str, Rule)],
    map: HashMap<Id, Id>,
    log: Vec<Rewrite>,
    /// Rules only ever make expressions smaller; the budget turns a rule that would not into an
    /// internal error instead of a hang.
    budget: usize,
}

impl Simplifier {
    fn node(&mut self, g: &mut Graph, id: Id) -> Id {
        if let Some(&done) = self.map.get(&id) {
            return done;
        }
        let children: Vec<Id> = g
            .op(id)
            .children()
            .into_iter()
            .map(|c| self.node(g, c))
            .collect();
        let mut current = g.rebuild(id, &children);
        if let Some(&done) = self.map.get(&current) {
            current = done;
        } else if let Some((rule, next)) = first_rule(self.rules, g, current) {
            self.log.push(Rewrite {
                rule,
                before: current,
                after: next,
            });
            if self.budget == 0 {
                g.error.get_or_insert_with(|| {
                    "internal error: the rewrite rules do not terminate".into()
                });
            } else {
                self.budget -= 1;
                // The rule may have built new nodes: simplify the result in turn.
                current = self.node(g, next);
            }
        }
        self.map.insert(id, current);
        self.map.insert(current, current);
        current
    }
}

fn first_rule(
    rules: &'static [(&'static str, Rule)],
    g: &mut Graph,
    id: Id,
) -> Option<(&'static str, Id)> {
    rules.iter().find_map(|(name, rule)| {
        rule(g, id)
            .filter(|&next| next != id)
            .map(|next| (*name, next))
    })
}

#[cfg(test)]
pub mod testing {
    //! Helpers for the rule tests: build small graphs, and check a rewrite both symbolically
    //! (its s-expression) and numerically (same value before and after on random inputs).
    use crate::ir::eval::{eval, Mat};
    use crate::ir::{Graph, Id, LeafKind, Name, Render, Shape};
    use std::collections::HashMap;

    /// A new input leaf `name` of shape `rows×cols`.
    pub fn var(g: &mut Graph, name: &str, rows: usize, cols: usize) -> Id {
        g.leaf(
            Name::new(name, name),
            LeafKind::Input,
            Shape::matrix(rows, cols),
        )
    }

    /// A new target leaf `name`: an `n`-vector held as a class index.
    pub fn target(g: &mut Graph, name: &str, n: usize) -> Id {
        g.leaf(
            Name::new(name, name),
            LeafKind::Target { class_index: true },
            Shape::vector(n),
        )
    }

    /// Deterministic values in [-2, 2] for every leaf below `ids`; targets one-hot.
    pub fn env(g: &Graph, ids: &[Id], seed: u64) -> HashMap<Id, Mat> {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        };
        let mut env = HashMap::new();
        for id in g.reachable(ids, |_| false) {
            if let Some(leaf) = g.leaf_of(id) {
                let s = g.shape(id);
                let data = if matches!(leaf.kind, LeafKind::Target { .. }) {
                    let hot = ((next() + 2.0) * 1000.0) as usize % s.rows;
                    (0..s.rows).map(|i| f64::from(u8::from(i == hot))).collect()
                } else {
                    (0..s.rows * s.cols).map(|_| next()).collect()
                };
                env.insert(id, Mat::new(s.rows, s.cols, data));
            }
        }
        env
    }

    /// Applies `rule` to `id`: the result must print as `expected` and equal `id` numerically.
    pub fn check(g: &mut Graph, rule: super::Rule, id: Id, expected: &str) {
        let after = rule(g, id)
            .unwrap_or_else(|| panic!("rule did not apply to {}", Render::new(g).sexpr(id)));
        assert_eq!(Render::new(g).sexpr(after), expected);
        for seed in 0..20 {
            let env = env(g, &[id, after], seed);
            let (a, b) = (eval(g, id, &env), eval(g, after, &env));
            assert!(a.max_diff(&b) < 1e-12, "values differ: {a:?} vs {b:?}");
        }
    }
}

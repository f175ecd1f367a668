//! Forward mode and second derivatives of a `#[mlp::grad]` function, derived in the same graph
//! as its gradient, by the same local Jacobians ([`mlp_symbolic::forward`]) and the same rewrite
//! rules:
//!
//! - `NAME_jvp`: every named value's tangent `v̇` from the arguments' tangents `ẋ` (the code's
//!   `d_x`), the result's being the directional derivative `Σₖ ∂f/∂xₖ·ẋₖ`;
//! - `NAME_hessian` (a scalar result of scalar and column-vector arguments): forward over
//!   reverse, the simplified gradients `∂f/∂xᵢ` of the backward pass differentiated again along
//!   each argument `xⱼ`: along the number 1 for a scalar `xⱼ`, along the unit vector `eᵢ` for a
//!   vector (column `i` of the block `∂²f/∂xᵢ∂xⱼ`).
//!
//! The passes only add nodes to the graph: the gradient's nodes, and so its text and code, stay
//! as they were.

use super::Arg;
use mlp_symbolic::forward;
use mlp_symbolic::ir::{Graph, Id, LeafKind, Name, Op};
use mlp_symbolic::simplify;
use std::collections::HashMap;

/// The forward-mode derivation: the tangent of every named value.
pub struct Jvp {
    /// Each argument's tangent, a leaf named `ẋ` (`d_x` in the code), in argument order.
    pub seeds: Vec<Id>,
    /// Every named value other than an argument, in forward order, with its simplified tangent
    /// (a value the arguments do not reach has none: its tangent is 0).
    pub tangents: Vec<(Id, Id)>,
    /// The result's simplified tangent (`None`: 0).
    pub output: Option<Id>,
}

/// The second-derivative derivation: the Hessian's blocks.
pub struct Hessian {
    /// The direction of each argument `xⱼ`: the number 1 (`Identity(1)`) for a scalar, a leaf
    /// `eᵢ` (`e_i`, the unit vector of the code's loop) for a vector.
    pub seeds: Vec<Id>,
    /// `blocks[i][j]`: the simplified tangent of `∂f/∂xᵢ` along `seeds[j]`: the block
    /// `∂²f/∂xᵢ∂xⱼ` itself for a scalar `xⱼ`, its column `i` for a vector (`None`: 0).
    pub blocks: Vec<Vec<Option<Id>>>,
}

/// `ẋ`: the name with a dot over its first letter when the rest is digits, subscripts or primes
/// (`ẋ₁`, `ḟ′`), `(name)˙` otherwise.
pub fn dotted(name: &str) -> String {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return "˙".into();
    };
    let rest = chars.as_str();
    let short = rest
        .chars()
        .all(|c| c.is_ascii_digit() || "₀₁₂₃₄₅₆₇₈₉′″‴".contains(c));
    if first.is_alphabetic() && short {
        format!("{first}\u{307}{rest}")
    } else {
        format!("({name})˙")
    }
}

/// Forward mode from the arguments' tangents up to the result, simplified. `named`: the named
/// values (any order).
pub fn jvp(g: &mut Graph, args: &[Arg], output: Id, named: &[Id]) -> Jvp {
    let seeds: Vec<Id> = args
        .iter()
        .map(|a| {
            let math = g
                .name(a.leaf)
                .map_or_else(|| a.ident.to_string(), |n| n.math.clone());
            let name = Name::new(dotted(&math), format!("d_{}", a.ident));
            g.leaf(name, LeafKind::Constant, a.shape)
        })
        .collect();
    let given: HashMap<Id, Id> = args.iter().map(|a| a.leaf).zip(seeds.clone()).collect();
    let raw = forward::forward_from(g, &[output], &given);
    let mut values: Vec<Id> = named
        .iter()
        .copied()
        .filter(|v| !given.contains_key(v) || *v == output)
        .collect();
    values.sort_unstable();
    values.dedup();
    let roots: Vec<Id> = values.iter().filter_map(|v| raw.get(v).copied()).collect();
    let (map, _) = simplify::simplify_with(g, &roots, simplify::EXPRESSION_RULES);
    let tangents: Vec<(Id, Id)> = values
        .iter()
        .filter_map(|v| raw.get(v).map(|t| (*v, map[t])))
        .collect();
    let output = tangents.iter().find(|(v, _)| *v == output).map(|&(_, t)| t);
    Jvp {
        seeds,
        tangents,
        output,
    }
}

/// Whether `NAME_hessian` is derived: a scalar result of scalar and column-vector arguments.
pub fn has_hessian(g: &Graph, args: &[Arg], output: Id) -> bool {
    g.shape(output).is_scalar() && args.iter().all(|a| a.shape.cols == 1)
}

/// Forward over reverse: the simplified gradients `grads` (by value, as the backward pass left
/// them) differentiated along each argument, simplified; `None` unless [`has_hessian`].
pub fn hessian(g: &mut Graph, args: &[Arg], output: Id, grads: &[(Id, Id)]) -> Option<Hessian> {
    if !has_hessian(g, args, output) {
        return None;
    }
    let gradient: Vec<Option<Id>> = args
        .iter()
        .map(|a| grads.iter().find(|(v, _)| *v == a.leaf).map(|&(_, d)| d))
        .collect();
    let roots: Vec<Id> = gradient.iter().flatten().copied().collect();
    let mut seeds = Vec::new();
    let mut raw: Vec<Vec<Option<Id>>> = vec![Vec::new(); args.len()];
    for a in args {
        let seed = if a.shape.is_scalar() {
            g.add(Op::Identity(1))
        } else {
            g.leaf(Name::new("eᵢ", "e_i"), LeafKind::Constant, a.shape)
        };
        seeds.push(seed);
        let tangents = forward::forward_from(g, &roots, &HashMap::from([(a.leaf, seed)]));
        for (i, d) in gradient.iter().enumerate() {
            raw[i].push(d.and_then(|d| tangents.get(&d).copied()));
        }
    }
    let all: Vec<Id> = raw.iter().flatten().flatten().copied().collect();
    let (map, _) = simplify::simplify_with(g, &all, simplify::EXPRESSION_RULES);
    let blocks = raw
        .iter()
        .map(|row| row.iter().map(|b| b.map(|b| map[&b])).collect())
        .collect();
    Some(Hessian { seeds, blocks })
}

//! Forward mode: the chain rule from the arguments up, with the same local Jacobians as
//! [`crate::chain`].
//!
//! Every value `v` the seeds reach gets a tangent `v̇`, the directional derivative of `v` along
//! the seeds: `v̇ = Σₖ (∂v/∂childₖ)·childₖ̇` over the children that have one. Each term is the
//! local Jacobian of [`crate::local::local_jacobian`] applied to the child's tangent, the
//! transpose of the backward step:
//!
//! ```text
//! local Jacobian                      backward step (upstream g)     forward step (tangent t)
//! Matrix(J)                           Jᵀ·g                           J·t
//! Weight { right: b } (out = A·b)     g·bᵀ                           Ȧ·b
//! Elementwise(d)                      g ⊙ d                          t ⊙ d
//! Transposed                          gᵀ                             tᵀ
//! ScalarFactor { other: M } (s·M)     ⟨M, g⟩                         ṡ·M
//! Spread (Σ child)                    g·1                            Σ t
//! ```
//!
//! An `Elementwise` activation's stated Jacobian `diag(f′(z))` is applied as it is, and a
//! `diag(v)` (which only rewrites leave in a gradient, and which has no local Jacobian) is
//! linear: its tangent is `diag(v̇)`. Nothing is simplified here: run the rewrite rules on the
//! tangents.

use crate::ir::{Graph, Id, Op};
use crate::local::{self, Local};
use std::collections::HashMap;

/// The tangent of every node reachable from `roots` that depends on a seeded node, `tangents`
/// giving the seeds (a node and its tangent, of the node's shape). A seeded node keeps its
/// seed: the pass does not look below it. Nodes that no seed reaches have no entry (their
/// tangent is zero).
pub fn forward_from(g: &mut Graph, roots: &[Id], tangents: &HashMap<Id, Id>) -> HashMap<Id, Id> {
    let order = g.reachable(roots, |n| tangents.contains_key(&n));
    let mut tangent: HashMap<Id, Id> = tangents.clone();
    for node in order {
        if tangents.contains_key(&node) {
            continue;
        }
        if let Some(&(input, derivative)) = g.stated.get(&node) {
            if let Some(&t) = tangent.get(&input) {
                let local = g.add(Op::Diag(derivative));
                let term = g.add(Op::MatMul(local, t));
                tangent.insert(node, term);
            }
            continue;
        }
        let mut total: Option<Id> = None;
        for (index, child) in g.op(node).children().into_iter().enumerate() {
            let Some(&t) = tangent.get(&child) else {
                continue;
            };
            let term = if let Op::Diag(_) = *g.op(node) {
                Some(g.add(Op::Diag(t)))
            } else {
                local::local_jacobian(g, node, index).map(|l| step(g, l, t))
            };
            if let Some(term) = term {
                total = Some(match total {
                    Some(earlier) => g.add(Op::Add(earlier, term)),
                    None => term,
                });
            }
        }
        if let Some(total) = total {
            tangent.insert(node, total);
        }
    }
    tangent
}

/// The forward step: the local Jacobian applied to the child's tangent `t`.
fn step(g: &mut Graph, local: Local, t: Id) -> Id {
    match local {
        Local::Matrix(jacobian) => g.add(Op::MatMul(jacobian, t)),
        Local::Weight { right } => g.add(Op::MatMul(t, right)),
        Local::Elementwise(d) => g.add(Op::Hadamard(t, d)),
        Local::Transposed => g.add(Op::Transpose(t)),
        Local::ScalarFactor { other } => g.add(Op::MatMul(t, other)),
        Local::Spread => g.add(Op::Sum(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain;
    use crate::ir::eval::{eval, Mat};
    use crate::ir::{Func, LeafKind, Name, Render, Shape};
    use crate::simplify;

    fn leaf(g: &mut Graph, n: &str, shape: Shape) -> Id {
        g.leaf(Name::new(n, n), LeafKind::Input, shape)
    }

    /// The lecture's f = (x + y)·z: ḟ = (ẋ + ẏ)·z + ż·q.
    #[test]
    fn lecture_example_tangent() {
        let mut g = Graph::new();
        let (x, y, z) = (
            leaf(&mut g, "x", Shape::SCALAR),
            leaf(&mut g, "y", Shape::SCALAR),
            leaf(&mut g, "z", Shape::SCALAR),
        );
        let q = g.add(Op::Add(x, y));
        g.set_name(q, Name::new("q", "q"));
        let f = g.add(Op::Hadamard(q, z));
        let seeds: HashMap<Id, Id> = [x, y, z]
            .iter()
            .map(|&a| {
                let name = format!("{}̇", g.name(a).unwrap().math);
                (
                    a,
                    g.leaf(Name::new(name, "t"), LeafKind::Constant, Shape::SCALAR),
                )
            })
            .collect();
        let t = forward_from(&mut g, &[f], &seeds);
        let (map, _) = simplify::simplify_with(&mut g, &[t[&f]], simplify::EXPRESSION_RULES);
        let r = Render::new(&g).numbers();
        assert_eq!(r.math(map[&t[&f]]), "(x\u{307} + y\u{307})·z + z\u{307}·q");
        let env: HashMap<Id, Mat> = [(x, -2.0), (y, 5.0), (z, -4.0)]
            .into_iter()
            .chain([(seeds[&x], 1.0), (seeds[&y], 0.0), (seeds[&z], 0.0)])
            .map(|(id, v)| (id, Mat::scalar(v)))
            .collect();
        assert_eq!(eval(&g, map[&t[&f]], &env).data[0], -4.0, "∂f/∂x");
    }

    /// Along the unit vectors, the forward pass gives the gradient the backward pass gives, for
    /// a function of a vector with a dot product, a map, a sum and a scalar factor.
    #[test]
    fn forward_along_unit_vectors_equals_backward() {
        let mut g = Graph::new();
        let w = leaf(&mut g, "w", Shape::vector(3));
        let x = leaf(&mut g, "x", Shape::vector(3));
        let s = leaf(&mut g, "s", Shape::SCALAR);
        let p = g.add(Op::Dot(w, x));
        let e = g.add(Op::Map(Func::Exp, p));
        let sw = g.add(Op::MatMul(s, w));
        let m = g.add(Op::Map(Func::Sin, sw));
        let sum = g.add(Op::Sum(m));
        let f = g.add(Op::Hadamard(e, sum));
        let grads = chain::backward(&mut g, f);
        let at: HashMap<Id, Mat> = [
            (w, Mat::new(3, 1, vec![0.3, -0.2, 0.5])),
            (x, Mat::new(3, 1, vec![1.0, 0.4, -0.7])),
            (s, Mat::scalar(0.8)),
        ]
        .into_iter()
        .collect();
        for (arg, n) in [(w, 3), (x, 3), (s, 1)] {
            for c in 0..n {
                let unit = g.leaf(Name::new("e", "e"), LeafKind::Constant, g.shape(arg));
                let t = forward_from(&mut g, &[f], &HashMap::from([(arg, unit)]));
                let mut env = at.clone();
                let mut data = vec![0.0; n];
                data[c] = 1.0;
                env.insert(unit, Mat::new(n, 1, data));
                let forward = eval(&g, t[&f], &env).data[0];
                let backward = eval(&g, grads[&arg], &env).data[c];
                assert!(
                    (forward - backward).abs() < 1e-12,
                    "{forward} vs {backward}"
                );
            }
        }
    }
}

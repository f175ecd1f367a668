//! Stage 4: the chain rule, from the loss back.
//!
//! Reverse mode over the forward graph: the loss's gradient is `∂J/∂J = I`; every node hands
//! each child its upstream gradient times its local Jacobian, `∂J/∂child = (∂node/∂child)ᵀ·g`
//! (the lecture's "upstream gradient × local gradient"), summed over the child's uses. Nothing
//! is simplified here: the products are built exactly as written.

use crate::ir::{Graph, Id, Op};
use crate::local::{self, Local};
use std::collections::BTreeMap;

/// `∂J/∂v` for every value `v` the loss depends on through inputs or parameters, as a node of
/// `v`'s own shape.
pub fn backward(g: &mut Graph, loss: Id) -> BTreeMap<Id, Id> {
    let seed = g.add(Op::Identity(1));
    backward_from(g, loss, seed, |_| false)
}

/// The chain rule from `root` with the upstream gradient `seed` (of `root`'s shape; `I₁` for a
/// scalar), not going below the nodes where `stop` holds: their gradients are computed, their
/// children's are not.
pub fn backward_from(
    g: &mut Graph,
    root: Id,
    seed: Id,
    stop: impl Fn(Id) -> bool,
) -> BTreeMap<Id, Id> {
    let variable: Vec<bool> = (0..=root).map(|id| g.is_variable(id)).collect();
    let mut grad: BTreeMap<Id, Id> = BTreeMap::new();
    grad.insert(root, seed);
    for node in (0..=root).rev() {
        let Some(&upstream) = grad.get(&node) else {
            continue;
        };
        if node != root && stop(node) {
            continue;
        }
        // An `Elementwise` activation: its stated Jacobian `diag(f′(z))`, not its expression's.
        if let Some(&(input, derivative)) = g.stated.get(&node) {
            if variable[input] {
                let local = g.add(Op::Diag(derivative));
                let transposed = g.add(Op::Transpose(local));
                let contribution = g.add(Op::MatMul(transposed, upstream));
                let total = match grad.get(&input) {
                    Some(&earlier) => g.add(Op::Add(earlier, contribution)),
                    None => contribution,
                };
                grad.insert(input, total);
            }
            continue;
        }
        for (index, child) in g.op(node).children().into_iter().enumerate() {
            if !variable[child] {
                continue;
            }
            let Some(local) = local::local_jacobian(g, node, index) else {
                continue;
            };
            let contribution = match local {
                Local::Matrix(jacobian) => {
                    let transposed = g.add(Op::Transpose(jacobian));
                    g.add(Op::MatMul(transposed, upstream))
                }
                Local::Weight { right } => {
                    let transposed = g.add(Op::Transpose(right));
                    g.add(Op::MatMul(upstream, transposed))
                }
                Local::Elementwise(d) => g.add(Op::Hadamard(upstream, d)),
                Local::Transposed => g.add(Op::Transpose(upstream)),
                Local::ScalarFactor { other } if g.shape(other).cols == 1 => {
                    g.add(Op::Dot(other, upstream))
                }
                Local::ScalarFactor { other } => {
                    let product = g.add(Op::Hadamard(other, upstream));
                    g.add(Op::Sum(product))
                }
                Local::Spread => {
                    let s = g.shape(child);
                    let ones = g.add(Op::Fill(crate::ir::Num::new(1.0), s.rows, s.cols));
                    g.add(Op::MatMul(upstream, ones))
                }
            };
            let total = match grad.get(&child) {
                Some(&earlier) => g.add(Op::Add(earlier, contribution)),
                None => contribution,
            };
            grad.insert(child, total);
        }
    }
    grad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::eval::{eval, Mat};
    use crate::ir::{LeafKind, Name, Render, Shape};
    use crate::simplify;
    use std::collections::HashMap;

    /// The lecture's backpropagation example: f(x, y, z) = (x + y)·z at x = −2, y = 5, z = −4
    /// gives q = 3, f = −12, ∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3.
    #[test]
    fn lecture_example_x_plus_y_times_z() {
        let mut g = Graph::new();
        let leaf = |g: &mut Graph, n: &str| g.leaf(Name::new(n, n), LeafKind::Input, Shape::SCALAR);
        let (x, y, z) = (leaf(&mut g, "x"), leaf(&mut g, "y"), leaf(&mut g, "z"));
        let q = g.add(Op::Add(x, y));
        g.set_name(q, Name::new("q", "q"));
        let f = g.add(Op::Hadamard(q, z));
        let grads = backward(&mut g, f);

        let env: HashMap<Id, Mat> = [(x, -2.0), (y, 5.0), (z, -4.0)]
            .into_iter()
            .map(|(id, v)| (id, Mat::scalar(v)))
            .collect();
        let value = |g: &Graph, id: Id| eval(g, id, &env).data[0];
        assert_eq!(value(&g, q), 3.0);
        assert_eq!(value(&g, f), -12.0);
        assert_eq!(value(&g, grads[&q]), -4.0, "∂f/∂q = z");
        assert_eq!(value(&g, grads[&x]), -4.0, "∂f/∂x = ∂f/∂q · ∂q/∂x");
        assert_eq!(value(&g, grads[&y]), -4.0, "∂f/∂y = ∂f/∂q · ∂q/∂y");
        assert_eq!(value(&g, grads[&z]), 3.0, "∂f/∂z = q");

        // The chain rule as built, then simplified: upstream × local, down to z and q.
        let r = Render::new(&g);
        assert_eq!(r.sexpr(grads[&x]), "(@ (T I1) (@ (T (diag z)) I1))");
        let (map, _) = simplify::simplify(&mut g, &[grads[&x], grads[&z]]);
        let r = Render::new(&g);
        assert_eq!(r.math(map[&grads[&x]]), "z");
        assert_eq!(r.math(map[&grads[&z]]), "q");
        assert_eq!(value(&g, map[&grads[&x]]), -4.0);
    }
}

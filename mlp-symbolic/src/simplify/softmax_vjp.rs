//! `softmax_vjp`: `(diag(ŷ) − ŷ·ŷᵀ)·g → ŷ ⊙ (g − ⟨ŷ, g⟩)` for `ŷ = softmax(θ)` and any
//! upstream `g` (a Softmax not followed by `CE`): O(n) instead of an n×n matrix.

use crate::ir::{Graph, Id, Op};

/// `p` when `id` is `diag(p) − p·pᵀ` with `p = softmax(θ)`.
pub fn softmax_jacobian(g: &Graph, id: Id) -> Option<Id> {
    let Op::Sub(d, outer) = *g.op(id) else {
        return None;
    };
    let Op::Diag(p) = *g.op(d) else {
        return None;
    };
    let Op::MatMul(left, t) = *g.op(outer) else {
        return None;
    };
    let is_softmax = matches!(g.op(p), Op::Softmax(_));
    (left == p && *g.op(t) == Op::Transpose(p) && is_softmax).then_some(p)
}

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(jacobian, upstream) = *g.op(id) else {
        return None;
    };
    let p = softmax_jacobian(g, jacobian)?;
    let inner = g.add(Op::Dot(p, upstream));
    let centred = g.add(Op::SubScalar(upstream, inner));
    Some(g.add(Op::Hadamard(p, centred)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn softmax_times_any_upstream() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 3, 1);
        let up = var(&mut g, "g", 3, 1);
        let p = g.add(Op::Softmax(theta));
        let d = g.add(Op::Diag(p));
        let pt = g.add(Op::Transpose(p));
        let outer = g.add(Op::MatMul(p, pt));
        let jac = g.add(Op::Sub(d, outer));
        let product = g.add(Op::MatMul(jac, up));
        check(
            &mut g,
            apply,
            product,
            "(* (softmax θ) (-s g (dot (softmax θ) g)))",
        );
    }
}

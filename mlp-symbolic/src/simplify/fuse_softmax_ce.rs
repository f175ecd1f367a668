//! `fuse_softmax_ce`: `(diag(ŷ) − ŷ·ŷᵀ)·(−y ⊘ ŷ) → ŷ − y` for `ŷ = softmax(θ)`.
//!
//! Since `Σᵢ yᵢ = 1`: `diag(ŷ)·(−y ⊘ ŷ) = −y` and `ŷ·ŷᵀ·(−y ⊘ ŷ) = −ŷ·Σᵢ yᵢ = −ŷ`. The fused
//! form never divides by ŷ, so it stays exact when a probability underflows to 0.

use super::softmax_vjp::softmax_jacobian;
use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(jacobian, upstream) = *g.op(id) else {
        return None;
    };
    let p = softmax_jacobian(g, jacobian)?;
    let Op::Neg(quotient) = *g.op(upstream) else {
        return None;
    };
    let Op::Div(y, q) = *g.op(quotient) else {
        return None;
    };
    (q == p && g.is_target(y)).then(|| g.add(Op::Sub(p, y)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, target, var};

    #[test]
    fn softmax_then_cross_entropy() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 4, 1);
        let y = target(&mut g, "y", 4);
        let p = g.add(Op::Softmax(theta));
        let d = g.add(Op::Diag(p));
        let pt = g.add(Op::Transpose(p));
        let outer = g.add(Op::MatMul(p, pt));
        let jac = g.add(Op::Sub(d, outer));
        let q = g.add(Op::Div(y, p));
        let upstream = g.add(Op::Neg(q));
        let product = g.add(Op::MatMul(jac, upstream));
        check(&mut g, apply, product, "(- (softmax θ) y)");
    }
}

//! `fuse_sigmoid_bce`: `diag(ŷ ⊙ (1 − ŷ))·((ŷ − y) ⊘ (ŷ ⊙ (1 − ŷ))) → ŷ − y` for `ŷ = σ(θ)`:
//! the sigmoid's Jacobian cancels BCE's denominator (the lecture's logistic regression, p − y).
//! Never divides by ŷ(1 − ŷ), so it stays exact when a probability saturates at 0 or 1.

use crate::ir::{Func, Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(jacobian, upstream) = *g.op(id) else {
        return None;
    };
    // The Jacobian as built, `diag(q)`, or already `q` when it is 1×1 (`scalar_diag`).
    let q = match *g.op(jacobian) {
        Op::Diag(q) => q,
        _ => jacobian,
    };
    let Op::Div(difference, denominator) = *g.op(upstream) else {
        return None;
    };
    let Op::Sub(p, y) = *g.op(difference) else {
        return None;
    };
    let Op::Hadamard(p2, one_minus) = *g.op(q) else {
        return None;
    };
    let Op::Sub(ones, p3) = *g.op(one_minus) else {
        return None;
    };
    let sigmoid = matches!(g.op(p), Op::Map(Func::Sigmoid, _));
    let shape_ok = matches!(g.op(ones), Op::Ones(_)) && denominator == q;
    (sigmoid && shape_ok && p2 == p && p3 == p && g.is_target(y)).then_some(difference)
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Func, Graph, LeafKind, Name, Op, Shape};
    use crate::simplify::testing::{check, var};

    #[test]
    fn sigmoid_then_binary_cross_entropy() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 1, 1);
        let y = g.leaf(
            Name::new("y", "y"),
            LeafKind::Target { class_index: false },
            Shape::vector(1),
        );
        let p = g.add(Op::Map(Func::Sigmoid, theta));
        let ones = g.add(Op::Ones(1));
        let one_minus = g.add(Op::Sub(ones, p));
        let q = g.add(Op::Hadamard(p, one_minus));
        let d = g.add(Op::Diag(q));
        let difference = g.add(Op::Sub(p, y));
        let quotient = g.add(Op::Div(difference, q));
        let product = g.add(Op::MatMul(d, quotient));
        check(&mut g, apply, product, "(- (sigmoid θ) y)");
        let product = g.add(Op::MatMul(q, quotient));
        check(&mut g, apply, product, "(- (sigmoid θ) y)");
    }
}

//! `drop_identity`: `I·a → a`, `a·I → a`, `(−I)·a → −a`, `(c·I)·a → c·a`
//! (the Jacobians of additions, subtractions and scalings).

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(a, b) = *g.op(id) else {
        return None;
    };
    let is_identity = |g: &Graph, x: Id| matches!(g.op(x), Op::Identity(_));
    if is_identity(g, a) {
        return Some(b);
    }
    if is_identity(g, b) {
        return Some(a);
    }
    match *g.op(a) {
        Op::Neg(i) if is_identity(g, i) => Some(g.add(Op::Neg(b))),
        Op::Scale(r, i) if is_identity(g, i) => Some(g.add(Op::Scale(r, b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op, Ratio};
    use crate::simplify::testing::{check, var};

    #[test]
    fn identity_on_either_side() {
        let mut g = Graph::new();
        let v = var(&mut g, "v", 3, 1);
        let i3 = g.add(Op::Identity(3));
        let left = g.add(Op::MatMul(i3, v));
        check(&mut g, apply, left, "v");
        let i1 = g.add(Op::Identity(1));
        let right = g.add(Op::MatMul(v, i1));
        check(&mut g, apply, right, "v");
    }

    #[test]
    fn negated_and_scaled_identity() {
        let mut g = Graph::new();
        let v = var(&mut g, "v", 3, 1);
        let i3 = g.add(Op::Identity(3));
        let neg = g.add(Op::Neg(i3));
        let m = g.add(Op::MatMul(neg, v));
        check(&mut g, apply, m, "(neg v)");
        let scaled = g.add(Op::Scale(Ratio::new(2, 3), i3));
        let m = g.add(Op::MatMul(scaled, v));
        check(&mut g, apply, m, "(scale 2/3 v)");
    }
}

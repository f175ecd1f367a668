//! `branch_product`: `(a if c, b otherwise) ⊙ x → (a ⊙ x if c, b ⊙ x otherwise)` when a branch
//! is 0 or 1: the chain rule through an `if` multiplies by the branch taken, and this keeps the
//! derivative piecewise (`z if x > y, 0 otherwise`), one branch folding to 0 and 1·x to x.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::Hadamard(l, r) = *g.op(id) else {
        return None;
    };
    let (c, a, b, x) = match (g.op(l).clone(), g.op(r).clone()) {
        (Op::Select(c, a, b), _) if simple(g, a) || simple(g, b) => (c, a, b, r),
        (_, Op::Select(c, a, b)) if simple(g, a) || simple(g, b) => (c, a, b, l),
        _ => return None,
    };
    let (a, b) = (times(g, a, x), times(g, b, x));
    Some(g.add(Op::Select(c, a, b)))
}

/// A branch that folds: the constant 0 or 1.
fn simple(g: &Graph, n: Id) -> bool {
    matches!(g.op(n), Op::Fill(v, ..) if v.value() == 0.0 || v.value() == 1.0)
}

/// `n ⊙ x`, with 0 ⊙ x = 0 and 1 ⊙ x = x.
fn times(g: &mut Graph, n: Id, x: Id) -> Id {
    match *g.op(n) {
        Op::Fill(v, ..) if v.value() == 0.0 => n,
        Op::Fill(v, ..) if v.value() == 1.0 => x,
        _ => g.add(Op::Hadamard(n, x)),
    }
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Cmp, Graph, Num, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn a_product_moves_into_the_branches() {
        let mut g = Graph::new();
        let (x, y, z) = (
            var(&mut g, "x", 1, 1),
            var(&mut g, "y", 1, 1),
            var(&mut g, "z", 1, 1),
        );
        let c = g.add(Op::Compare(Cmp::Gt, x, y));
        let (one, zero) = (
            g.add(Op::Fill(Num::new(1.0), 1, 1)),
            g.add(Op::Fill(Num::new(0.0), 1, 1)),
        );
        let s = g.add(Op::Select(c, one, zero));
        let p = g.add(Op::Hadamard(z, s));
        check(&mut g, apply, p, "(select (> x y) z 0)");
        let s = g.add(Op::Select(c, zero, y));
        let p = g.add(Op::Hadamard(s, z));
        check(&mut g, apply, p, "(select (> x y) 0 (* y z))");
    }
}

//! `merge_branches`: `(a if c, b otherwise) + (a′ if c, b′ otherwise) → (a + a′ if c, b + b′
//! otherwise)`, and a negation or a scaling moved into the branches, zeros folded: the
//! derivative of an `if` reads as one piecewise expression (`2·x·y if x > y, cos(x − y)
//! otherwise`).

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    match g.op(id).clone() {
        Op::Add(l, r) => {
            if let Some(merged) = merge(g, l, r) {
                return Some(merged);
            }
            // A sum accumulated left to right: `(p + s₁) + s₂ → p + (s₁ + s₂ merged)`.
            let Op::Add(p, l2) = *g.op(l) else {
                return None;
            };
            let merged = merge(g, l2, r)?;
            Some(g.add(Op::Add(p, merged)))
        }
        Op::Neg(s) => {
            let Op::Select(c, a, b) = *g.op(s) else {
                return None;
            };
            let (a, b) = (negate(g, a), negate(g, b));
            Some(g.add(Op::Select(c, a, b)))
        }
        Op::Scale(r, s) => {
            let Op::Select(c, a, b) = *g.op(s) else {
                return None;
            };
            let scale = |g: &mut Graph, n: Id| {
                if zero(g, n) {
                    n
                } else {
                    g.add(Op::Scale(r, n))
                }
            };
            let (a, b) = (scale(g, a), scale(g, b));
            Some(g.add(Op::Select(c, a, b)))
        }
        _ => None,
    }
}

/// Two selections on one condition as one.
fn merge(g: &mut Graph, l: Id, r: Id) -> Option<Id> {
    let (Op::Select(c, a, b), Op::Select(c2, a2, b2)) = (g.op(l).clone(), g.op(r).clone()) else {
        return None;
    };
    if c != c2 {
        return None;
    }
    let (a, b) = (sum(g, a, a2), sum(g, b, b2));
    Some(g.add(Op::Select(c, a, b)))
}

fn zero(g: &Graph, n: Id) -> bool {
    matches!(g.op(n), Op::Fill(v, ..) if v.value() == 0.0)
}

fn sum(g: &mut Graph, a: Id, b: Id) -> Id {
    if zero(g, a) {
        b
    } else if zero(g, b) {
        a
    } else {
        g.add(Op::Add(a, b))
    }
}

fn negate(g: &mut Graph, a: Id) -> Id {
    if zero(g, a) {
        a
    } else {
        g.add(Op::Neg(a))
    }
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Cmp, Graph, Num, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn two_branches_of_one_condition_merge() {
        let mut g = Graph::new();
        let (x, y) = (var(&mut g, "x", 1, 1), var(&mut g, "y", 1, 1));
        let c = g.add(Op::Compare(Cmp::Gt, x, y));
        let zero = g.add(Op::Fill(Num::new(0.0), 1, 1));
        let (l, r) = (g.add(Op::Select(c, x, zero)), g.add(Op::Select(c, zero, y)));
        let sum = g.add(Op::Add(l, r));
        check(&mut g, apply, sum, "(select (> x y) x y)");
        let n = g.add(Op::Neg(l));
        check(&mut g, apply, n, "(select (> x y) (neg x) 0)");
        let left = g.add(Op::Add(y, l));
        let nested = g.add(Op::Add(left, r));
        check(&mut g, apply, nested, "(+ y (select (> x y) x y))");
    }
}

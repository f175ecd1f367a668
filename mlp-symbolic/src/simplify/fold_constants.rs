//! `fold_constants`: numbers gather into one factor, `(−5·u⁴)·6 → −30·u⁴`. A whole-number
//! constant factor becomes a scale; scales of scales multiply; negations fold into the scale;
//! a scale leaves a product to stand in front of it; `1·a → a`, `−(−a) → a`, `a + a → 2·a`.
//! Only for expressions (`#[mlp::grad]`, `Elementwise` activations): the networks' derivations
//! keep their factors where the lecture writes them.

use crate::ir::{Graph, Id, Num, Op, Ratio};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    match *g.op(id) {
        Op::Hadamard(a, b) => product(g, id, a, b),
        // a + a: a value reached by two equal paths.
        Op::Add(a, b) if a == b => Some(g.add(Op::Scale(Ratio::new(2, 1), a))),
        Op::MatMul(a, b) if g.shape(a).is_scalar() => product(g, id, a, b),
        Op::Scale(r, a) => match *g.op(a) {
            Op::Scale(s, inner) => {
                let product = Ratio::new(r.num.checked_mul(s.num)?, r.den.checked_mul(s.den)?);
                Some(scale(g, product, inner))
            }
            Op::Neg(inner) => Some(scale(g, Ratio::new(r.num.checked_neg()?, r.den), inner)),
            _ if r == Ratio::new(1, 1) => Some(a),
            _ if r == Ratio::new(-1, 1) => Some(g.add(Op::Neg(a))),
            // r·c for a constant c, and r·(c·x): one number.
            Op::Identity(1) | Op::Ones(1) => Some(g.add(Op::Fill(Num::new(r.value()), 1, 1))),
            Op::Fill(c, rows, cols) => {
                let v = r.value() * c.value();
                v.is_finite()
                    .then(|| g.add(Op::Fill(Num::new(v), rows, cols)))
            }
            Op::Hadamard(c, x) => match *g.op(c) {
                Op::Fill(n, rows, cols) if g.shape(x) == g.shape(c) => {
                    let v = r.value() * n.value();
                    let c = g.add(Op::Fill(Num::new(v), rows, cols));
                    v.is_finite().then(|| g.add(Op::Hadamard(c, x)))
                }
                _ => None,
            },
            _ => None,
        },
        Op::Neg(a) => match *g.op(a) {
            Op::Neg(inner) => Some(inner),
            Op::Scale(r, inner) => Some(scale(g, Ratio::new(r.num.checked_neg()?, r.den), inner)),
            Op::Fill(c, rows, cols) => Some(g.add(Op::Fill(Num::new(-c.value()), rows, cols))),
            Op::Identity(1) => Some(g.add(Op::Fill(Num::new(-1.0), 1, 1))),
            _ => None,
        },
        _ => None,
    }
}

/// `a ⊙ b` (or a number times a matrix): two whole numbers multiply; a whole number joins a
/// scale or a negation beside it; a scale moves in front of the product. A constant beside
/// anything else stays where the expression wrote it (`6·x`).
fn product(g: &mut Graph, id: Id, a: Id, b: Id) -> Option<Id> {
    let shape = g.shape(id);
    let scaled = |g: &Graph, x: Id| matches!(g.op(x), Op::Scale(..) | Op::Neg(_));
    match (whole(g, a), whole(g, b)) {
        (Some(x), Some(y)) => {
            let v = (x.num as f64) * (y.num as f64);
            return Some(g.add(Op::Fill(Num::new(v), shape.rows, shape.cols)));
        }
        // A factor 1 goes (`1 ⊙ σ(z)`, the seed of an elementwise derivative); −1 negates.
        (Some(c), None) if c == Ratio::new(1, 1) && g.shape(b) == shape => return Some(b),
        (None, Some(c)) if c == Ratio::new(1, 1) && g.shape(a) == shape => return Some(a),
        (Some(c), None) if c == Ratio::new(-1, 1) && g.shape(b) == shape => {
            return Some(g.add(Op::Neg(b)))
        }
        (None, Some(c)) if c == Ratio::new(-1, 1) && g.shape(a) == shape => {
            return Some(g.add(Op::Neg(a)))
        }
        (Some(c), None) if scaled(g, b) => return Some(scale(g, c, b)),
        // In a number times a matrix, only the number is a factor to gather.
        (None, Some(c)) if scaled(g, a) && g.shape(a) == shape => return Some(scale(g, c, a)),
        _ => {}
    }
    if !matches!(g.op(id), Op::Hadamard(..)) {
        return None;
    }
    // A constant stands first (`r·0.5 → 0.5·r`), so that equal terms are written alike.
    let constant = |g: &Graph, x: Id| matches!(g.op(x), Op::Fill(..));
    if constant(g, b) && !constant(g, a) && g.shape(a) == g.shape(b) {
        return Some(g.add(Op::Hadamard(b, a)));
    }
    if let Op::Scale(r, a0) = *g.op(a) {
        let inner = g.add(Op::Hadamard(a0, b));
        return Some(g.add(Op::Scale(r, inner)));
    }
    if let Op::Scale(r, b0) = *g.op(b) {
        let inner = g.add(Op::Hadamard(a, b0));
        return Some(g.add(Op::Scale(r, inner)));
    }
    None
}

/// A constant that is a whole number of moderate size (the 1×1 identity is 1).
fn whole(g: &Graph, id: Id) -> Option<Ratio> {
    let v = match *g.op(id) {
        Op::Fill(c, ..) => c.value(),
        Op::Identity(1) | Op::Ones(1) => 1.0,
        _ => return None,
    };
    (v == v.round() && v.abs() < 1e9).then(|| Ratio::new(v as i64, 1))
}

fn scale(g: &mut Graph, r: Ratio, a: Id) -> Id {
    if r == Ratio::new(1, 1) {
        a
    } else {
        g.add(Op::Scale(r, a))
    }
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Func, Graph, Num, Op, Ratio};
    use crate::simplify::testing::{check, var};

    #[test]
    fn constants_gather() {
        let mut g = Graph::new();
        let u = var(&mut g, "u", 1, 1);
        let p = g.add(Op::Map(Func::Powi(4), u));
        let five = g.add(Op::Scale(Ratio::new(5, 1), p));
        let neg = g.add(Op::Neg(five));
        check(&mut g, apply, neg, "(scale −5 (powi u))");
        let six = g.add(Op::Fill(Num::new(6.0), 1, 1));
        let h = g.add(Op::Hadamard(neg, six));
        check(&mut g, apply, h, "(scale 6 (neg (scale 5 (powi u))))");
        let six_u = g.add(Op::Hadamard(six, u));
        assert_eq!(apply(&mut g, six_u), None, "6·u stays as written");
        let twice = g.add(Op::Add(u, u));
        check(&mut g, apply, twice, "(scale 2 u)");
        let one = g.add(Op::Fill(Num::new(1.0), 1, 1));
        let one_u = g.add(Op::Hadamard(one, u));
        check(&mut g, apply, one_u, "u");
        let twice = g.add(Op::Scale(Ratio::new(6, 1), five));
        check(&mut g, apply, twice, "(scale 30 (powi u))");
        let half = g.add(Op::Fill(Num::new(0.5), 1, 1));
        let h = g.add(Op::Hadamard(half, u));
        assert_eq!(apply(&mut g, h), None, "0.5 stays a constant");
    }
}

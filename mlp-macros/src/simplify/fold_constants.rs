//! `fold_constants`: numbers gather into one factor, `(−5·u⁴)·6 → −30·u⁴`. A whole-number
//! constant factor becomes a scale; scales of scales multiply; negations fold into the scale;
//! a scale leaves a product to stand in front of it; `1·a → a`, `−(−a) → a`.
//! Only for expressions (`#[mlp::grad]`, `Elementwise` activations): the networks' derivations
//! keep their factors where the lecture writes them.

use crate::ir::{Graph, Id, Op, Ratio};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    match *g.op(id) {
        Op::Hadamard(a, b) => {
            if let Some(c) = whole(g, a) {
                return Some(scale(g, c, b));
            }
            if let Some(c) = whole(g, b) {
                return Some(scale(g, c, a));
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
        Op::MatMul(a, b) if g.shape(a).is_scalar() => {
            let c = whole(g, a)?;
            Some(scale(g, c, b))
        }
        Op::Scale(r, a) => match *g.op(a) {
            Op::Scale(s, inner) => {
                let product = Ratio::new(r.num.checked_mul(s.num)?, r.den.checked_mul(s.den)?);
                Some(scale(g, product, inner))
            }
            Op::Neg(inner) => Some(scale(g, Ratio::new(r.num.checked_neg()?, r.den), inner)),
            _ if r == Ratio::new(1, 1) => Some(a),
            _ if r == Ratio::new(-1, 1) => Some(g.add(Op::Neg(a))),
            _ => None,
        },
        Op::Neg(a) => match *g.op(a) {
            Op::Neg(inner) => Some(inner),
            Op::Scale(r, inner) => Some(scale(g, Ratio::new(r.num.checked_neg()?, r.den), inner)),
            _ => None,
        },
        _ => None,
    }
}

/// A constant that is a whole number of moderate size.
fn whole(g: &Graph, id: Id) -> Option<Ratio> {
    let Op::Fill(c, ..) = *g.op(id) else {
        return None;
    };
    let v = c.value();
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
        let twice = g.add(Op::Scale(Ratio::new(6, 1), five));
        check(&mut g, apply, twice, "(scale 30 (powi u))");
        let half = g.add(Op::Fill(Num::new(0.5), 1, 1));
        let h = g.add(Op::Hadamard(half, u));
        assert_eq!(apply(&mut g, h), None, "0.5 stays a constant");
    }
}

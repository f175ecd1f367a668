//! `outer_update`: `P − η·(s·A·Bᵀ) → P −= η·s·A·Bᵀ` in place, with no `A·Bᵀ` value.
//!
//! A weight's gradient is an outer product, `∂J/∂W = ∂J/∂z·xᵀ` for one sample (`(1/B)·∂J/∂Z·Xᵀ`,
//! a sum of `B` of them, for a batch). The update does not need it as a matrix: each column of
//! `W` moves by `η·xⱼ·∂J/∂z` (BLAS's rank-1 `ger`; for a batch, one accumulated product, `gemm`),
//! one pass over `W` instead of building `∂J/∂W` and then reading it back.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::Update(p, d) = *g.op(id) else {
        return None;
    };
    let outer = |g: &Graph, product: Id| match *g.op(product) {
        Op::MatMul(a, bt) => match *g.op(bt) {
            Op::Transpose(b) => Some((a, b)),
            _ => None,
        },
        _ => None,
    };
    let scaled = match *g.op(d) {
        Op::MatMul(s, product) if g.shape(s).is_scalar() => {
            outer(g, product).map(|(a, b)| (a, b, Some(s)))
        }
        _ => None,
    };
    let (a, b, scale) = scaled.or_else(|| outer(g, d).map(|(a, b)| (a, b, None)))?;
    Some(g.add(Op::OuterUpdate(p, a, b, scale)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn rank_one_update_of_a_weight() {
        let mut g = Graph::new();
        let w = var(&mut g, "W", 3, 2);
        let dz = var(&mut g, "g", 3, 1);
        let x = var(&mut g, "x", 2, 1);
        let xt = g.add(Op::Transpose(x));
        let dw = g.add(Op::MatMul(dz, xt));
        let step = g.add(Op::Update(w, dw));
        check(&mut g, apply, step, "(outer-step W g x)");
    }

    #[test]
    fn scaled_product_over_a_batch() {
        let mut g = Graph::new();
        let w = var(&mut g, "W", 3, 2);
        let dz = var(&mut g, "G", 3, 5);
        let x = var(&mut g, "X", 2, 5);
        let s = var(&mut g, "s", 1, 1);
        let xt = g.add(Op::Transpose(x));
        let product = g.add(Op::MatMul(dz, xt));
        let dw = g.add(Op::MatMul(s, product));
        let step = g.add(Op::Update(w, dw));
        check(&mut g, apply, step, "(outer-step W G X s)");
    }

    #[test]
    fn a_bias_keeps_its_plain_update() {
        let mut g = Graph::new();
        let b = var(&mut g, "b", 3, 1);
        let dz = var(&mut g, "g", 3, 1);
        let step = g.add(Op::Update(b, dz));
        assert_eq!(apply(&mut g, step), None);
    }
}

//! `maxout_route`: `onehot(argmaxₖ t)ᵀ·g → route(g → argmaxₖ t)`: Maxout's Jacobian is a
//! selection matrix; multiplying by its transpose just sends each unit's gradient to its
//! winning piece, O(k·n) instead of an n × k·n matrix.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(transposed, upstream) = *g.op(id) else {
        return None;
    };
    let Op::Transpose(select) = *g.op(transposed) else {
        return None;
    };
    let Op::MaxoutSelect(k, t) = *g.op(select) else {
        return None;
    };
    Some(g.add(Op::MaxoutRoute(k, t, upstream)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn selection_transpose_times_upstream() {
        for k in [2, 3] {
            let mut g = Graph::new();
            let t = var(&mut g, "t", 4 * k, 1);
            let up = var(&mut g, "g", 4, 1);
            let s = g.add(Op::MaxoutSelect(k, t));
            let st = g.add(Op::Transpose(s));
            let product = g.add(Op::MatMul(st, up));
            check(&mut g, apply, product, &format!("(maxout-route {k} t g)"));
        }
    }
}

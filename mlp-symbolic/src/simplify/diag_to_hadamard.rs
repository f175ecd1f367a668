//! `diag_to_hadamard`: `diag(v)·g → g ⊙ v`: a diagonal Jacobian (every elementwise activation)
//! becomes an elementwise product, O(n) instead of an n×n matrix.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(d, upstream) = *g.op(id) else {
        return None;
    };
    let Op::Diag(v) = *g.op(d) else {
        return None;
    };
    (g.shape(upstream).cols == 1).then(|| g.add(Op::Hadamard(upstream, v)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Func, Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn relu_jacobian() {
        let mut g = Graph::new();
        let z = var(&mut g, "z", 5, 1);
        let up = var(&mut g, "g", 5, 1);
        let step = g.add(Op::Map(Func::ReluPrime, z));
        let d = g.add(Op::Diag(step));
        let product = g.add(Op::MatMul(d, up));
        check(&mut g, apply, product, "(* g (step z))");
    }
}

//! `scalar_product`: `a·b → b ⊙ a` for 1×1 `a` and `b`: a product of scalars is elementwise,
//! which keeps one-output networks (`Linear(8, 1) -> Sigmoid`) in the same elementwise form
//! as wider ones.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::MatMul(a, b) = *g.op(id) else {
        return None;
    };
    let scalars = g.shape(a).is_scalar() && g.shape(b).is_scalar();
    let identity = |x: Id| matches!(g.op(x), Op::Identity(_));
    (scalars && !identity(a) && !identity(b)).then(|| g.add(Op::Hadamard(b, a)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn product_of_scalars() {
        let mut g = Graph::new();
        let a = var(&mut g, "a", 1, 1);
        let b = var(&mut g, "g", 1, 1);
        let m = g.add(Op::MatMul(a, b));
        check(&mut g, apply, m, "(* g a)");
        let v = var(&mut g, "v", 3, 1);
        let m = g.add(Op::MatMul(v, a));
        assert_eq!(
            apply(&mut g, m),
            None,
            "a vector times a scalar stays a product"
        );
    }
}

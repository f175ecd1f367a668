//! `scalar_diag`: `diag(s) → s` for a 1×1 `s` (the Jacobian of a product of scalars).

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::Diag(v) = *g.op(id) else {
        return None;
    };
    g.shape(v).is_scalar().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn scalar() {
        let mut g = Graph::new();
        let z = var(&mut g, "z", 1, 1);
        let d = g.add(Op::Diag(z));
        check(&mut g, apply, d, "z");
        let v = var(&mut g, "v", 3, 1);
        let d = g.add(Op::Diag(v));
        assert_eq!(apply(&mut g, d), None);
    }
}

//! `fold_transpose`: `(aᵀ)ᵀ → a`, and `Sᵀ → S` for a matrix symmetric by construction
//! (`I`, `diag(v)`, `diag(ŷ) − ŷ·ŷᵀ`).

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::Transpose(a) = *g.op(id) else {
        return None;
    };
    if let Op::Transpose(inner) = *g.op(a) {
        return Some(inner);
    }
    g.is_symmetric(a).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn double_transpose() {
        let mut g = Graph::new();
        let u = var(&mut g, "U", 3, 4);
        let t = g.add(Op::Transpose(u));
        let tt = g.add(Op::Transpose(t));
        check(&mut g, apply, tt, "U");
    }

    #[test]
    fn symmetric_softmax_jacobian() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 3, 1);
        let p = g.add(Op::Softmax(theta));
        let d = g.add(Op::Diag(p));
        let pt = g.add(Op::Transpose(p));
        let outer = g.add(Op::MatMul(p, pt));
        let jac = g.add(Op::Sub(d, outer));
        let t = g.add(Op::Transpose(jac));
        check(
            &mut g,
            apply,
            t,
            "(- (diag (softmax θ)) (@ (softmax θ) (T (softmax θ))))",
        );
    }

    #[test]
    fn leaves_other_transposes() {
        let mut g = Graph::new();
        let u = var(&mut g, "U", 3, 3);
        let t = g.add(Op::Transpose(u));
        assert_eq!(
            apply(&mut g, t),
            None,
            "a square matrix is not symmetric by itself"
        );
    }
}

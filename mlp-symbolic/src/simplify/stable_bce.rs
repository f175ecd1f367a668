//! `stable_bce`: `BCE(y, σ(θ)) → max(θ, 0) − y·θ + log(1 + e^{−|θ|})`.
//!
//! `−y·log σ(θ) − (1 − y)·log(1 − σ(θ)) = log(1 + e^θ) − y·θ`, and
//! `log(1 + e^θ) = max(θ, 0) + log(1 + e^{−|θ|})`: no `log(0)`, no overflow for any θ.

use crate::ir::{Func, Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::Bce(p, y) = *g.op(id) else {
        return None;
    };
    let Op::Map(Func::Sigmoid, theta) = *g.op(p) else {
        return None;
    };
    Some(g.add(Op::BceLogits(theta, y)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Func, Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn binary_cross_entropy_of_sigmoid() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 1, 1);
        let y = var(&mut g, "y", 1, 1);
        let p = g.add(Op::Map(Func::Sigmoid, theta));
        let bce = g.add(Op::Bce(p, y));
        // `y` here is any number in [-2, 2]: the identity holds for every y, not only 0 and 1.
        check(&mut g, apply, bce, "(bce-logits θ y)");
    }
}

//! `stable_ce`: `CE(y, softmax(θ)) → logsumexp(θ) − ⟨y, θ⟩`.
//!
//! `−Σᵢ yᵢ·log softmax(θ)ᵢ = −Σᵢ yᵢ·(θᵢ − logsumexp(θ)) = logsumexp(θ) − ⟨y, θ⟩` since
//! `Σᵢ yᵢ = 1`. No `log(0)` when a probability underflows, no `exp` overflow for large logits.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::CrossEntropy(p, y) = *g.op(id) else {
        return None;
    };
    let Op::Softmax(theta) = *g.op(p) else {
        return None;
    };
    let lse = g.add(Op::LogSumExp(theta));
    let picked = g.add(Op::Dot(y, theta));
    Some(g.add(Op::Sub(lse, picked)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, target, var};

    #[test]
    fn cross_entropy_of_softmax() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 3, 1);
        let y = target(&mut g, "y", 3);
        let p = g.add(Op::Softmax(theta));
        let ce = g.add(Op::CrossEntropy(p, y));
        check(&mut g, apply, ce, "(- (lse θ) (dot y θ))");
    }
}

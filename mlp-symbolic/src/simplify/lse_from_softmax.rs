//! `lse_from_softmax`: `logsumexp(θ) → max θ + log Σᵢ exp(θᵢ − max θ)` where `ŷ = softmax(θ)`
//! is computed anyway.
//!
//! Both are the softmax's own intermediates (`ŷ = e^{θ − m} / s`), so the loss shares its max
//! and its sum instead of computing every exponential a second time. Still stable: `s ≥ 1`.

use crate::ir::{Graph, Id, Op};

pub fn apply(g: &mut Graph, id: Id) -> Option<Id> {
    let Op::LogSumExp(theta) = *g.op(id) else {
        return None;
    };
    g.find(&Op::Softmax(theta))?;
    let m = g.add(Op::Max(theta));
    let s = g.add(Op::ExpSum(theta));
    let log = g.add(Op::Log(s));
    Some(g.add(Op::Add(m, log)))
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::ir::{Graph, Op};
    use crate::simplify::testing::{check, var};

    #[test]
    fn log_sum_exp_from_the_softmax() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 4, 1);
        g.add(Op::Softmax(theta));
        let lse = g.add(Op::LogSumExp(theta));
        check(&mut g, apply, lse, "(+ (max θ) (log (exp-sum θ)))");
    }

    #[test]
    fn only_where_the_softmax_is_computed() {
        let mut g = Graph::new();
        let theta = var(&mut g, "θ", 4, 1);
        let lse = g.add(Op::LogSumExp(theta));
        assert_eq!(apply(&mut g, lse), None);
    }
}

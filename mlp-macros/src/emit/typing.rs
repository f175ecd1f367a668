//! What each value is in the generated code: a plain `T`, a row of per-sample numbers, or a
//! matrix.

use super::Emitter;
use mlp_symbolic::ir::{Id, Op};

impl Emitter<'_> {
    /// Whether the node is a plain `T` in the generated code (a loss, an inner product, and
    /// arithmetic on those). A 1×1 *vector* (the output of `Linear(8, 1)`) is an
    /// `SMatrix<T, 1, 1>`, not a `T`: the shape alone cannot tell them apart.
    pub(super) fn is_t(&self, n: Id) -> bool {
        if self.batch {
            return self.is_t_batch(n);
        }
        match *self.g.op(n) {
            ref op if one_number_per_sample(op) => true,
            Op::Log(a) => self.is_t(a),
            Op::Add(a, b) | Op::Sub(a, b) => self.is_t(a) && self.is_t(b),
            Op::Neg(a) | Op::Scale(_, a) => self.is_t(a),
            _ => false,
        }
    }

    /// In a batch, a per-sample number is a row (`SMatrix<T, 1, B>`); a `T` is only what sums
    /// over the batch, and the constant `1/B`.
    pub(super) fn is_t_batch(&self, n: Id) -> bool {
        match *self.g.op(n) {
            Op::Leaf(_) => matches!(
                self.g.leaf_of(n).map(|l| l.kind),
                Some(mlp_symbolic::ir::LeafKind::Constant)
            ),
            Op::ColumnSum(a) => self.is_row(a),
            Op::MatMul(a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Hadamard(a, b) => {
                self.is_t(a) && self.is_t(b)
            }
            Op::Neg(a) | Op::Scale(_, a) => self.is_t(a),
            _ => false,
        }
    }

    /// A row of per-sample numbers in a batch: what is a `T` for one sample.
    pub(super) fn is_row(&self, n: Id) -> bool {
        match *self.g.op(n) {
            ref op if one_number_per_sample(op) => true,
            Op::Log(a) | Op::Neg(a) | Op::Scale(_, a) => self.is_row(a),
            Op::Add(a, b) | Op::Sub(a, b) => self.is_row(a) && self.is_row(b),
            _ => false,
        }
    }
}

/// The operations whose value is one number per sample (a column's inner product, loss,
/// maximum or sum of exponentials): a `T` for one sample, a row in a batch.
fn one_number_per_sample(op: &Op) -> bool {
    matches!(
        op,
        Op::Dot(..)
            | Op::LogSumExp(_)
            | Op::CrossEntropy(..)
            | Op::Mse(..)
            | Op::Bce(..)
            | Op::BceLogits(..)
            | Op::Max(_)
            | Op::ExpSum(_)
    )
}

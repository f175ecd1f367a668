//! `Elementwise(expr)` activations: an expression of `z` lowered at the layer's size, with its
//! derivative stated for the network's chain rule.

use crate::chain;
use crate::ir::{Graph, Id, Num, Op};
use crate::lower::{self, Lowering};
use crate::simplify;

/// An `Elementwise(expr)` activation applied to `z`: the expression lowered elementwise over
/// `z`'s shape, its derivative `f′(z)` derived by the chain rule (seeded with ones: the
/// Jacobian is diagonal) and simplified, and the pair recorded as the value's stated local
/// Jacobian `diag(f′(z))`, which the network's chain rule then uses like a built-in one's.
///
/// Errors are spanned on the smallest part of `expr` at fault.
pub fn activation(g: &mut Graph, expr: &syn::Expr, z: Id) -> syn::Result<Id> {
    let shape = g.shape(z);
    let value = {
        let mut lower = Lowering::elementwise(g, shape);
        lower.bind("z", z);
        lower.expr(expr)?
    };
    if g.shape(value) != shape {
        return Err(lower::error(
            expr,
            "expected an elementwise expression of `z`",
        ));
    }
    if value == z || g.stated.contains_key(&value) || !g.is_variable(value) {
        return Err(lower::error(
            expr,
            "the activation must compute something new from `z` (for `z` itself use `Identity`)",
        ));
    }
    let seed = g.add(Op::Fill(Num::new(1.0), shape.rows, shape.cols));
    let raw = chain::backward_from(g, value, seed, |n| n == z);
    let derivative = match raw.get(&z) {
        Some(&d) => d,
        None => g.add(Op::Fill(Num::new(0.0), shape.rows, shape.cols)),
    };
    let (map, _) = simplify::simplify_with(g, &[derivative], simplify::EXPRESSION_RULES);
    g.stated.insert(value, (z, map[&derivative]));
    Ok(value)
}

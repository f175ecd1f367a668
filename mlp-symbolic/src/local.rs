//! Every operation's local Jacobian, side by side with its forward expression.
//!
//! ```text
//! op            forward              local Jacobian ∂out/∂in            chain-rule step (upstream g)
//! Linear        θ = U·h + b          ∂θ/∂h = U, ∂θ/∂b = I               ∂J/∂h = Uᵀ·g, ∂J/∂b = g
//!               (weight)             ∂θᵢ/∂Uᵢⱼ = hⱼ (a 3-tensor)         ∂J/∂U = g·hᵀ
//! ReLU          h = ReLU(z)          diag(1[z > 0])                     diag(..)ᵀ·g
//! Sigmoid       h = σ(z)             diag(h ⊙ (1 − h))                  diag(..)ᵀ·g
//! Tanh          h = tanh(z)          diag(1 − h²)                       diag(..)ᵀ·g
//! LeakyReLU     h = max(a·z, z)      diag(1[z > 0] + a·1[z ≤ 0])        diag(..)ᵀ·g
//! ELU           h = ELU(z)           diag(1[z ≥ 0] + α·eᶻ·1[z < 0])     diag(..)ᵀ·g
//! Maxout        h = maxoutₖ(t)       S = onehot(argmaxₖ t)  (n × k·n)   Sᵀ·g
//!               (t = W·x + b, k·n pieces; ties go to the lowest piece)
//! Softmax       ŷ = softmax(θ)       diag(ŷ) − ŷ·ŷᵀ                     (..)ᵀ·g
//! CE            J = CE(y, ŷ)         ∂J/∂ŷ = (−y ⊘ ŷ)ᵀ                  (..)ᵀ·g
//! MSE           J = MSE(ŷ, y)        ∂J/∂ŷ = (2/n·(ŷ − y))ᵀ             (..)ᵀ·g
//! BCE           J = BCE(y, ŷ)        ∂J/∂ŷ = ((ŷ − y) ⊘ (ŷ ⊙ (1 − ŷ)))ᵀ (..)ᵀ·g
//! ```
//!
//! The chain stage multiplies these, unsimplified, exactly as the lecture writes the chain rule;
//! the named rewrites of [`crate::simplify`] then turn the products into elementwise code.

use crate::ir::{Binary, Func, Graph, Id, Num, Op, Ratio, Render, Shape};
use crate::layers::{Activation, Loss};
use crate::simplify;

/// A local Jacobian ∂out/∂child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Local {
    /// A matrix `J` (rows: out, columns: child). The chain-rule step is `∂J/∂child = Jᵀ·g`.
    Matrix(Id),
    /// out = A·b, differentiated by the matrix A: a 3-tensor with ∂outᵢ/∂Aᵢⱼ = bⱼ, whose
    /// product with the upstream gradient `g` is `g·bᵀ`.
    Weight {
        /// The right factor `b`.
        right: Id,
    },
    /// An elementwise operation on a matrix with more than one column: the diagonal of its
    /// Jacobian as a matrix of the child's shape; the chain-rule step is `g ⊙ d`.
    Elementwise(Id),
    /// out = childᵀ: the step is `gᵀ`.
    Transposed,
    /// out = s·M, differentiated by the scalar `s`: the step is `⟨M, g⟩` (`Σ M ⊙ g` for a matrix).
    ScalarFactor {
        /// The other factor `M`.
        other: Id,
    },
    /// out = Σ child (a scalar): the step is `g·1`, the upstream number in every element.
    Spread,
}

// ---- forward expressions ----------------------------------------------------------------

/// `Linear`: `W·h + b`.
pub fn linear(g: &mut Graph, weight: Id, bias: Id, input: Id) -> Id {
    let product = g.add(Op::MatMul(weight, input));
    g.add(Op::Add(product, bias))
}

/// `Maxout`: each unit's maximum over its `pieces` affine pieces `t` (`t = W·x + b`, built by
/// [`linear`]).
pub fn maxout(g: &mut Graph, t: Id, pieces: usize) -> Id {
    g.add(Op::Maxout(pieces, t))
}

/// An activation applied to `input` (`Identity` is the input itself).
pub fn activation(g: &mut Graph, activation: Activation, input: Id) -> Id {
    match activation {
        Activation::Relu => g.add(Op::Map(Func::Relu, input)),
        Activation::LeakyRelu(a) => g.add(Op::Map(Func::LeakyRelu(Num::new(a)), input)),
        Activation::Elu(a) => g.add(Op::Map(Func::Elu(Num::new(a)), input)),
        Activation::Identity => input,
        Activation::Sigmoid => g.add(Op::Map(Func::Sigmoid, input)),
        Activation::Tanh => g.add(Op::Map(Func::Tanh, input)),
        Activation::Softmax => g.add(Op::Softmax(input)),
        // Lowered from its expression by the model ([`crate::elementwise::activation`]).
        Activation::Elementwise(_) => input,
    }
}

/// The loss `J` of output `ŷ` against target `y`.
pub fn loss(g: &mut Graph, loss: Loss, output: Id, target: Id) -> Id {
    match loss {
        Loss::CrossEntropy => g.add(Op::CrossEntropy(output, target)),
        Loss::Mse => g.add(Op::Mse(output, target)),
        Loss::BinaryCrossEntropy => g.add(Op::Bce(output, target)),
    }
}

// ---- local Jacobians ----------------------------------------------------------------------

/// ∂node/∂(its `child`-th child), or `None` where no gradient flows (targets, constants).
pub fn local_jacobian(g: &mut Graph, node: Id, child: usize) -> Option<Local> {
    let out = node;
    let shape = g.shape(node);
    let n = shape.rows;
    // Elementwise operations on matrices: the Jacobian's diagonal, in the value's own shape.
    if shape.cols > 1 {
        let diagonal = match (g.op(node).clone(), child) {
            (Op::Hadamard(_, b), 0) => Some(b),
            (Op::Hadamard(a, _), 1) => Some(a),
            (Op::Div(..) | Op::Map(..) | Op::Binary(..) | Op::Select(..), _) => {
                let Some(Local::Matrix(d)) = elementwise(g, node, child) else {
                    return None;
                };
                let Op::Diag(v) = *g.op(d) else {
                    return None;
                };
                Some(v)
            }
            _ => None,
        };
        if let Some(d) = diagonal {
            return Some(Local::Elementwise(d));
        }
    }
    let local = match (g.op(node).clone(), child) {
        (Op::MatMul(a, b), 0) if g.shape(a).is_scalar() && !g.shape(b).is_scalar() => {
            return Some(Local::ScalarFactor { other: b })
        }
        (Op::Transpose(_), _) => return Some(Local::Transposed),
        (Op::Sum(_), _) => return Some(Local::Spread),
        (Op::Div(..) | Op::Map(..) | Op::Binary(..) | Op::Select(..), _) => {
            return elementwise(g, node, child)
        }
        // θ = A·b: by b the Jacobian is A (the lecture's ∂z/∂x = W); by A a 3-tensor.
        (Op::MatMul(_, b), 0) => return Some(Local::Weight { right: b }),
        (Op::MatMul(a, _), 1) => a,
        (Op::Add(..), _) => g.add(Op::Identity(n)),
        (Op::Sub(..), 0) => g.add(Op::Identity(n)),
        (Op::Sub(..), 1) => {
            let i = g.add(Op::Identity(n));
            g.add(Op::Neg(i))
        }
        (Op::Neg(_), _) => {
            let i = g.add(Op::Identity(n));
            g.add(Op::Neg(i))
        }
        (Op::Scale(r, _), _) => {
            let i = g.add(Op::Identity(n));
            g.add(Op::Scale(r, i))
        }
        (Op::Hadamard(_, b), 0) => g.add(Op::Diag(b)),
        (Op::Hadamard(a, _), 1) => g.add(Op::Diag(a)),
        // ∂softmax(θ)/∂θ = diag(ŷ) − ŷ·ŷᵀ, with ŷ the output.
        (Op::Softmax(_), _) => {
            let diag = g.add(Op::Diag(out));
            let t = g.add(Op::Transpose(out));
            let outer = g.add(Op::MatMul(out, t));
            g.add(Op::Sub(diag, outer))
        }
        (Op::Dot(_, b), 0) => g.add(Op::Transpose(b)),
        (Op::Dot(a, _), 1) => g.add(Op::Transpose(a)),
        (Op::SubScalar(..), 0) => g.add(Op::Identity(n)),
        (Op::SubScalar(a, _), 1) => {
            let ones = g.add(Op::Ones(g.shape(a).rows));
            g.add(Op::Neg(ones))
        }
        (Op::LogSumExp(a), _) => {
            let p = g.add(Op::Softmax(a));
            g.add(Op::Transpose(p))
        }
        // ∂CE(y, ŷ)/∂ŷ = −y ⊘ ŷ, a row.
        (Op::CrossEntropy(p, y), 0) => {
            let quotient = g.add(Op::Div(y, p));
            let negated = g.add(Op::Neg(quotient));
            g.add(Op::Transpose(negated))
        }
        // ∂BCE(y, ŷ)/∂ŷ = (ŷ − y) ⊘ (ŷ ⊙ (1 − ŷ)), a row.
        (Op::Bce(p, y), 0) => {
            let ones = g.add(Op::Ones(g.shape(p).rows));
            let one_minus = g.add(Op::Sub(ones, p));
            let variance = g.add(Op::Hadamard(p, one_minus));
            let difference = g.add(Op::Sub(p, y));
            let quotient = g.add(Op::Div(difference, variance));
            g.add(Op::Transpose(quotient))
        }
        (Op::BceLogits(t, y), 0) => {
            let p = g.add(Op::Map(Func::Sigmoid, t));
            let difference = g.add(Op::Sub(p, y));
            g.add(Op::Transpose(difference))
        }
        (Op::Maxout(k, t), _) => g.add(Op::MaxoutSelect(k, t)),
        // Another `#[mlp::grad]` function: its generated gradient, then its Hessian.
        (Op::Call(name, args), k) => g.add(Op::CallGrad(name, k, args)),
        (Op::CallGrad(name, k, args), l) => g.add(Op::CallHessian(name, k, l, args)),
        // ∂MSE(ŷ, y)/∂ŷ = 2/n·(ŷ − y), a row.
        (Op::Mse(a, y), 0) => {
            let k = g.shape(a).rows as i64;
            let difference = g.add(Op::Sub(a, y));
            let scaled = g.add(Op::Scale(Ratio::new(2, k), difference));
            g.add(Op::Transpose(scaled))
        }
        _ => return None,
    };
    Some(Local::Matrix(local))
}

/// The local Jacobian of an elementwise map or quotient: `diag(f′(z))`, `diag(1 ⊘ b)` and
/// `diag(−out ⊘ b)` for `a ⊘ b`.
fn elementwise(g: &mut Graph, node: Id, child: usize) -> Option<Local> {
    let out = node;
    let shape = g.shape(node);
    let local = match (g.op(node).clone(), child) {
        (Op::Div(_, b), 0) => {
            let one = ones_like(g, shape);
            let quotient = g.add(Op::Div(one, b));
            g.add(Op::Diag(quotient))
        }
        (Op::Div(_, b), 1) => {
            let quotient = g.add(Op::Div(out, b));
            let negated = g.add(Op::Neg(quotient));
            g.add(Op::Diag(negated))
        }
        (Op::Map(f, z), _) => {
            let derivative = match f {
                Func::Relu => g.add(Op::Map(Func::ReluPrime, z)),
                Func::LeakyRelu(a) => g.add(Op::Map(Func::LeakyReluPrime(a), z)),
                Func::Elu(a) => g.add(Op::Map(Func::EluPrime(a), z)),
                // σ′ = σ ⊙ (1 − σ), written with the output h = σ(z) the forward pass kept.
                Func::Sigmoid => {
                    let ones = ones_like(g, shape);
                    let one_minus = g.add(Op::Sub(ones, out));
                    g.add(Op::Hadamard(out, one_minus))
                }
                // tanh′ = 1 − tanh², again from the output.
                Func::Tanh => {
                    let ones = ones_like(g, shape);
                    let square = g.add(Op::Map(Func::Square, out));
                    g.add(Op::Sub(ones, square))
                }
                Func::Square => g.add(Op::Scale(Ratio::new(2, 1), z)),
                // exp′ = exp: the output again.
                Func::Exp => out,
                Func::Ln => g.add(Op::Map(Func::Recip, z)),
                // √′ = 1/(2·√z) = 1/2·(1/√z).
                Func::Sqrt => {
                    let recip = g.add(Op::Map(Func::Recip, out));
                    g.add(Op::Scale(Ratio::new(1, 2), recip))
                }
                Func::Powi(k) => {
                    let lower = match k - 1 {
                        0 => g.add(Op::Fill(Num::new(1.0), shape.rows, shape.cols)),
                        1 => z,
                        2 => g.add(Op::Map(Func::Square, z)),
                        e => g.add(Op::Map(Func::Powi(e), z)),
                    };
                    g.add(Op::Scale(Ratio::new(i64::from(k), 1), lower))
                }
                // (1/z)′ = −1/z² = −(1/z)².
                Func::Recip => {
                    let square = g.add(Op::Map(Func::Square, out));
                    g.add(Op::Neg(square))
                }
                Func::ReluPrime
                | Func::LeakyReluPrime(_)
                | Func::EluPrime(_)
                | Func::Sign
                | Func::Signum => return None,
                f => trigonometric_and_logarithmic(g, f, z, out, shape),
            };
            g.add(Op::Diag(derivative))
        }
        (Op::Binary(f, a, b), child) => {
            let derivative = binary(g, f, a, b, out, child)?;
            g.add(Op::Diag(derivative))
        }
        // The branch taken: 1 where the condition holds for `a`, where it fails for `b`; the
        // condition itself is piecewise constant.
        (Op::Select(c, ..), 1 | 2) => {
            let (one, zero) = (
                g.add(Op::Fill(Num::new(1.0), shape.rows, shape.cols)),
                g.add(Op::Fill(Num::new(0.0), shape.rows, shape.cols)),
            );
            let taken = if child == 1 {
                g.add(Op::Select(c, one, zero))
            } else {
                g.add(Op::Select(c, zero, one))
            };
            g.add(Op::Diag(taken))
        }
        _ => return None,
    };
    Some(Local::Matrix(local))
}

/// f′(z) for the functions of [`Func`] from `sin` on: each from `z` or the output `out`.
fn trigonometric_and_logarithmic(g: &mut Graph, f: Func, z: Id, out: Id, shape: Shape) -> Id {
    let ones = ones_like(g, shape);
    let constant = |g: &mut Graph, v: f64| g.add(Op::Fill(Num::new(v), shape.rows, shape.cols));
    let square = |g: &mut Graph, v: Id| g.add(Op::Map(Func::Square, v));
    let recip = |g: &mut Graph, v: Id| g.add(Op::Map(Func::Recip, v));
    match f {
        // sin′ = cos, cos′ = −sin, tan′ = 1 + tan².
        Func::Sin => g.add(Op::Map(Func::Cos, z)),
        Func::Cos => {
            let sin = g.add(Op::Map(Func::Sin, z));
            g.add(Op::Neg(sin))
        }
        Func::Tan => {
            let t2 = square(g, out);
            g.add(Op::Add(ones, t2))
        }
        // asin′ = 1/√(1 − z²), acos′ = −asin′, atan′ = 1/(1 + z²).
        Func::Asin | Func::Acos => {
            let z2 = square(g, z);
            let inside = g.add(Op::Sub(ones, z2));
            let root = g.add(Op::Map(Func::Sqrt, inside));
            let d = recip(g, root);
            if f == Func::Acos {
                g.add(Op::Neg(d))
            } else {
                d
            }
        }
        Func::Atan => {
            let z2 = square(g, z);
            let inside = g.add(Op::Add(ones, z2));
            recip(g, inside)
        }
        // sinh′ = cosh, cosh′ = sinh.
        Func::Sinh => g.add(Op::Map(Func::Cosh, z)),
        Func::Cosh => g.add(Op::Map(Func::Sinh, z)),
        // asinh′ = 1/√(z² + 1), acosh′ = 1/√(z² − 1), atanh′ = 1/(1 − z²).
        Func::Asinh | Func::Acosh => {
            let z2 = square(g, z);
            let inside = if f == Func::Asinh {
                g.add(Op::Add(z2, ones))
            } else {
                g.add(Op::Sub(z2, ones))
            };
            let root = g.add(Op::Map(Func::Sqrt, inside));
            recip(g, root)
        }
        Func::Atanh => {
            let z2 = square(g, z);
            let inside = g.add(Op::Sub(ones, z2));
            recip(g, inside)
        }
        // (2ᶻ)′ = 2ᶻ·ln 2, (eᶻ − 1)′ = eᶻ, ln(1 + z)′ = 1/(1 + z).
        Func::Exp2 => {
            let ln2 = constant(g, std::f64::consts::LN_2);
            g.add(Op::Hadamard(out, ln2))
        }
        Func::ExpM1 => g.add(Op::Map(Func::Exp, z)),
        Func::Ln1p => {
            let inside = g.add(Op::Add(ones, z));
            recip(g, inside)
        }
        // log₂′ = 1/z·1/ln 2, log₁₀′ = 1/z·1/ln 10.
        Func::Log2 | Func::Log10 => {
            let base = if f == Func::Log2 {
                std::f64::consts::LN_2
            } else {
                std::f64::consts::LN_10
            };
            let r = recip(g, z);
            let c = constant(g, 1.0 / base);
            g.add(Op::Hadamard(r, c))
        }
        // ∛′ = 1/(3·∛z²) = 1/3·(1/∛z²).
        Func::Cbrt => {
            let c2 = square(g, out);
            let r = recip(g, c2);
            g.add(Op::Scale(Ratio::new(1, 3), r))
        }
        // |z|′ = sign(z), 0 at 0 (as PyTorch and JAX).
        Func::Abs => g.add(Op::Map(Func::Sign, z)),
        _ => g.add(Op::Fill(Num::new(0.0), shape.rows, shape.cols)),
    }
}

/// ∂f(a, b)/∂(child `child`), the diagonal of the elementwise Jacobian; `None` where no
/// gradient flows (the Heaviside step). A tie of `max`/`min` between two variables gives each ½
/// (as JAX); against a constant, the variable gets 0 at the tie (as ReLU at 0).
fn binary(g: &mut Graph, f: Binary, a: Id, b: Id, out: Id, child: usize) -> Option<Id> {
    let (this, other) = if child == 0 { (a, b) } else { (b, a) };
    // H(x − y); against a constant `other`, 1[x > y] (0 at the tie).
    let constant = !g.is_variable(other);
    let step_above = |g: &mut Graph, x: Id, y: Id| -> Id {
        if constant {
            let d = g.add(Op::Sub(x, y));
            g.add(Op::Map(Func::ReluPrime, d))
        } else {
            g.add(Op::Binary(Binary::Heaviside, x, y))
        }
    };
    Some(match f {
        // ∂max/∂this = H(this − other), ∂min/∂this = H(other − this).
        Binary::Max => step_above(g, this, other),
        Binary::Min => step_above(g, other, this),
        // atan2(a, b): ∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²).
        Binary::Atan2 => {
            let (a2, b2) = (
                g.add(Op::Map(Func::Square, a)),
                g.add(Op::Map(Func::Square, b)),
            );
            let r2 = g.add(Op::Add(a2, b2));
            if child == 0 {
                g.add(Op::Div(b, r2))
            } else {
                let q = g.add(Op::Div(a, r2));
                g.add(Op::Neg(q))
            }
        }
        // aᵇ: ∂/∂a = b·a^(b − 1), ∂/∂b = aᵇ·ln a.
        Binary::Powf if child == 0 => {
            let ones = ones_like(g, g.shape(b));
            let lower = g.add(Op::Sub(b, ones));
            let power = g.add(Op::Binary(Binary::Powf, a, lower));
            g.add(Op::Hadamard(b, power))
        }
        Binary::Powf => {
            let ln = g.add(Op::Map(Func::Ln, a));
            g.add(Op::Hadamard(out, ln))
        }
        // hypot(a, b): ∂/∂a = a/hypot, ∂/∂b = b/hypot.
        Binary::Hypot => g.add(Op::Div(this, out)),
        Binary::Heaviside => return None,
    })
}

/// `1` in the shape of a value: the vector of ones for a column, a constant otherwise.
fn ones_like(g: &mut Graph, shape: Shape) -> Id {
    if shape.cols == 1 {
        g.add(Op::Ones(shape.rows))
    } else {
        g.add(Op::Fill(Num::new(1.0), shape.rows, shape.cols))
    }
}

// ---- a local Jacobian between two named values, for the text ------------------------------

/// The Jacobian of `top` by `bottom`, through the unnamed nodes between them, simplified.
pub fn jacobian_between(g: &mut Graph, top: Id, bottom: Id) -> Option<(String, String)> {
    if let Some(&(input, derivative)) = g.stated.get(&top) {
        if input != bottom {
            return None;
        }
        let d = g.add(Op::Diag(derivative));
        return Some((format!("= {}", Render::new(g).math(d)), g.shape(d).text()));
    }
    let path = path_down(g, top, bottom)?;
    let mut product: Option<Id> = None;
    for pair in path.windows(2) {
        let (parent, child) = (pair[0], pair[1]);
        let index = g.op(parent).children().iter().position(|&c| c == child)?;
        match local_jacobian(g, parent, index)? {
            Local::Matrix(j) => {
                product = Some(match product {
                    Some(p) => g.add(Op::MatMul(p, j)),
                    None => j,
                });
            }
            Local::Weight { right } => {
                // ∂vᵢ/∂Aᵢⱼ = rightⱼ when everything above is the identity (Linear's `+ b`).
                let above_is_identity = match product {
                    None => true,
                    Some(p) => {
                        let (map, _) = simplify::simplify(g, &[p]);
                        matches!(g.op(map[&p]), Op::Identity(_))
                    }
                };
                let (t, b, r) = (render(g, top), render(g, bottom), render(g, right));
                let (rows, a) = (g.shape(top).rows, g.shape(bottom));
                let text = if above_is_identity {
                    format!(": ∂{t}ᵢ/∂{b}ᵢⱼ = {r}ⱼ")
                } else {
                    ": a 3-tensor".to_string()
                };
                return Some((text, format!("[{rows}×({}×{})]", a.rows, a.cols)));
            }
            // Networks are chains of column vectors: these only arise in `#[mlp::grad]`.
            Local::Elementwise(_)
            | Local::Transposed
            | Local::ScalarFactor { .. }
            | Local::Spread => return None,
        }
    }
    let p = product?;
    let (map, _) = simplify::simplify(g, &[p]);
    let simple = map[&p];
    Some((
        format!("= {}", Render::new(g).math(simple)),
        g.shape(simple).text(),
    ))
}

/// The nodes from `top` down to `bottom` through unnamed nodes.
fn path_down(g: &Graph, top: Id, bottom: Id) -> Option<Vec<Id>> {
    for child in g.op(top).children() {
        if child == bottom {
            return Some(vec![top, bottom]);
        }
        if g.name(child).is_none() {
            if let Some(mut rest) = path_down(g, child, bottom) {
                rest.insert(0, top);
                return Some(rest);
            }
        }
    }
    None
}

fn render(g: &Graph, id: Id) -> String {
    Render::new(g).math(id)
}

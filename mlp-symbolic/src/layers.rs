//! A plain description of the layers and losses a chain may hold: the vocabulary the
//! calculus ([`crate::local`]) builds forward expressions from. No parsing, no checking: the
//! network stages fill these in.

/// An activation layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `h = ReLU(z) = max(0, z)`.
    Relu,
    /// max(a·z, z), slope `a`.
    LeakyRelu(f64),
    /// z for z ≥ 0, α(eᶻ − 1) for z < 0.
    Elu(f64),
    /// `h = σ(z) = 1/(1 + e⁻ᶻ)`.
    Sigmoid,
    /// `h = tanh(z)`.
    Tanh,
    /// `ŷ = softmax(θ)`, over the whole vector.
    Softmax,
    /// `h = z`: no activation.
    Identity,
    /// `Elementwise(expr)`: `h = f(z)` for an expression of `z`; the index of its tokens in
    /// the network's list of `Elementwise` expressions.
    Elementwise(usize),
}

/// One element of a chain, between the input and the loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LayerKind {
    /// The affine map `W·x + b`, `W` of shape `outputs × inputs`, `b` an `outputs`-vector.
    Linear {
        /// The size of the input vector.
        inputs: usize,
        /// The size of the output vector.
        outputs: usize,
    },
    /// `outputs` units, each the maximum of `pieces` affine maps of the input.
    Maxout {
        /// The size of the input vector.
        inputs: usize,
        /// The number of units, the size of the output vector.
        outputs: usize,
        /// The number `k` of affine pieces per unit (`W` has `k·outputs` rows).
        pieces: usize,
    },
    /// An activation layer.
    Activation(Activation),
}

/// The loss that ends a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Cross-entropy of `Softmax` probabilities against a class index.
    CrossEntropy,
    /// Binary cross-entropy of one `Sigmoid` probability against a target in [0, 1].
    BinaryCrossEntropy,
    /// Mean squared error against a target vector.
    Mse,
}

//! The symbolic stage: a small matrix-calculus IR.
//!
//! Expressions live in one arena ([`Graph`]), children before parents, so the order of ids is
//! already topological (as egg's `RecExpr`). Nodes are hash-consed: building the same
//! expression twice gives the same id, so shared subexpressions (the same `ŷ − y` serving
//! ∂J/∂U and ∂J/∂b₂) are found for free. Every node has a static shape.

pub mod eval;
mod render;

pub use render::{element, subscript, Render};

use std::collections::HashMap;

/// Index of a node in its [`Graph`].
pub type Id = usize;

/// A static matrix shape; column vectors are `n×1`, scalars `1×1`. A dimension equal to
/// [`BATCH`] is the batch size `B`, a const generic of the generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape {
    /// The number of rows (or [`BATCH`]).
    pub rows: usize,
    /// The number of columns: 1 for a column vector, [`BATCH`] for one column per sample.
    pub cols: usize,
}

/// The batch size `B` as a dimension: known only to the generated code (a const generic), so
/// the IR carries it as this marker, which no network reaches (`check` bounds every size).
pub const BATCH: usize = 1 << 40;

/// A dimension as the derivation prints it: `16`, or `B`.
pub fn dim_text(n: usize) -> String {
    if n == BATCH {
        "B".into()
    } else {
        n.to_string()
    }
}

impl Shape {
    /// `1×1`, the shape of a scalar.
    pub const SCALAR: Shape = Shape { rows: 1, cols: 1 };
    /// The column vector `n×1`.
    pub fn vector(n: usize) -> Shape {
        Shape { rows: n, cols: 1 }
    }
    /// The matrix `rows×cols`.
    pub fn matrix(rows: usize, cols: usize) -> Shape {
        Shape { rows, cols }
    }
    /// Whether the shape is `1×1`.
    pub fn is_scalar(self) -> bool {
        self == Self::SCALAR
    }
    /// `[3×16]`, as the derivation prints shapes.
    pub fn text(self) -> String {
        format!("[{}×{}]", dim_text(self.rows), dim_text(self.cols))
    }
}

/// Elementwise scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// ReLU: max(0, z).
    Relu,
    /// The indicator `1[z > 0]`, ReLU's derivative.
    ReluPrime,
    /// max(a·z, z).
    LeakyRelu(Num),
    /// `1[z > 0] + a·1[z ≤ 0]`, LeakyReLU's derivative.
    LeakyReluPrime(Num),
    /// z for z ≥ 0, α(eᶻ − 1) for z < 0.
    Elu(Num),
    /// `1[z ≥ 0] + α·eᶻ·1[z < 0]`, ELU's derivative.
    EluPrime(Num),
    /// The logistic sigmoid σ(z) = 1/(1 + e⁻ᶻ).
    Sigmoid,
    /// tanh(z).
    Tanh,
    /// `z²`.
    Square,
    /// `eᶻ`.
    Exp,
    /// The natural logarithm.
    Ln,
    /// `√z`.
    Sqrt,
    /// `zⁿ` for an integer `n`.
    Powi(i32),
    /// `1/z`.
    Recip,
    /// sin z.
    Sin,
    /// cos z.
    Cos,
    /// tan z.
    Tan,
    /// arcsin z.
    Asin,
    /// arccos z.
    Acos,
    /// arctan z.
    Atan,
    /// sinh z.
    Sinh,
    /// cosh z.
    Cosh,
    /// arsinh z.
    Asinh,
    /// arcosh z.
    Acosh,
    /// artanh z.
    Atanh,
    /// `2ᶻ`.
    Exp2,
    /// `eᶻ − 1`, accurate near 0.
    ExpM1,
    /// `ln(1 + z)`, accurate near 0.
    Ln1p,
    /// log₂ z.
    Log2,
    /// log₁₀ z.
    Log10,
    /// The cube root ∛z.
    Cbrt,
    /// `|z|`.
    Abs,
    /// The sign of z with sign(0) = 0: the derivative of `|z|`.
    Sign,
    /// Rust's `signum`: 1 for z ≥ +0, −1 for z ≤ −0 (a step: its derivative is 0).
    Signum,
}

/// A comparison of two numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// `a < b`.
    Lt,
    /// `a ≤ b`.
    Le,
    /// `a > b`.
    Gt,
    /// `a ≥ b`.
    Ge,
    /// `a = b`.
    Eq,
    /// `a ≠ b`.
    Ne,
}

/// A connective of two conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Logic {
    /// Both (`&&`).
    And,
    /// Either (`||`).
    Or,
}

/// Elementwise functions of two values of the same shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Binary {
    /// max(a, b).
    Max,
    /// min(a, b).
    Min,
    /// atan2(a, b): the angle of the point (b, a), as Rust's `a.atan2(b)`.
    Atan2,
    /// `aᵇ` for a real exponent.
    Powf,
    /// √(a² + b²) without overflow.
    Hypot,
    /// The Heaviside step H(a − b): 1 for a > b, ½ for a = b, 0 below; ∂max(a, b)/∂a.
    Heaviside,
}

/// A finite `f64` constant, compared and hashed by its bits so that nodes stay hash-consed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Num(u64);

impl Num {
    /// The constant `value`, kept as its bits.
    pub fn new(value: f64) -> Num {
        Num(value.to_bits())
    }
    /// The constant as an `f64`.
    pub fn value(self) -> f64 {
        f64::from_bits(self.0)
    }
}

/// An exact rational constant, so that constants hash and compare exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    /// The numerator, which carries the sign.
    pub num: i64,
    /// The denominator (positive when built by [`Ratio::new`]).
    pub den: i64,
}

impl Ratio {
    /// `num/den` in lowest terms, the sign moved to the numerator.
    pub fn new(num: i64, den: i64) -> Ratio {
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i64;
        let sign = if den < 0 { -1 } else { 1 };
        Ratio {
            num: sign * num / g,
            den: sign * den / g,
        }
    }
    /// The ratio as a number.
    pub fn value(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// What a leaf stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeafKind {
    /// The input `x` (or any variable of a test expression).
    Input,
    /// A trainable parameter (`W`, `b₁`, ...).
    Param,
    /// A known number that is no variable: the batch's `1/B`.
    Constant,
    /// The target `y`: a one-hot vector in the math; `class_index` when the code holds it as
    /// a class index (`usize`).
    Target {
        /// Whether the code holds `y` as a class index rather than a one-hot vector.
        class_index: bool,
    },
}

/// A node's operation; children are [`Id`]s of earlier nodes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// A leaf (input, parameter, constant or target): the index of its [`Leaf`] in the graph.
    Leaf(usize),
    /// The `n×n` identity.
    Identity(usize),
    /// The `n`-vector of ones.
    Ones(usize),
    /// The matrix product `A·B`: `m×k` by `k×n` gives `m×n`; a `1×1` left factor scales the
    /// right one (the batch's `1/B·…`).
    MatMul(Id, Id),
    /// The transpose `Aᵀ`: `m×n` gives `n×m`.
    Transpose(Id),
    /// The sum `a + b` of two values of the same shape.
    Add(Id, Id),
    /// The difference `a − b` of two values of the same shape.
    Sub(Id, Id),
    /// The negation `−a`, same shape.
    Neg(Id),
    /// Elementwise product `a ⊙ b`.
    Hadamard(Id, Id),
    /// Elementwise quotient `a ⊘ b`.
    Div(Id, Id),
    /// `r·a` for an exact rational constant `r`, same shape as `a`.
    Scale(Ratio, Id),
    /// The diagonal matrix of a vector.
    Diag(Id),
    /// `f(a)`: the scalar function `f` applied to each element, same shape as `a`.
    Map(Func, Id),
    /// `f(a, b)` elementwise, `a` and `b` of the same shape.
    Binary(Binary, Id, Id),
    /// A condition, elementwise: 1 where `a cmp b` holds, 0 elsewhere (a mask). No gradient
    /// flows through it: it is piecewise constant.
    Compare(Cmp, Id, Id),
    /// Two conditions joined, elementwise (masks of the same shape).
    Logic(Logic, Id, Id),
    /// A condition negated: 1 − mask.
    Not(Id),
    /// A call of another `#[mlp::grad]` function of numbers, by its path (`g`, `module::g`):
    /// its value. Its local derivatives are its generated `_grad`'s ([`Op::CallGrad`]).
    Call(String, Vec<Id>),
    /// ∂g/∂(argument `k`) of a call, from `g_grad`; its own derivatives from `g_hessian`.
    CallGrad(String, usize, Vec<Id>),
    /// ∂²g/∂(argument `k`)∂(argument `l`) of a call, from `g_hessian`.
    CallHessian(String, usize, usize, Vec<Id>),
    /// `a` where the mask `c` holds, `b` elsewhere: the value of an `if c { a } else { b }`,
    /// children `(c, a, b)` of the same shape. Its derivative is that of the branch taken.
    Select(Id, Id, Id),
    /// `softmax(θ)ᵢ = e^{θᵢ} / Σⱼ e^{θⱼ}`, column by column (one distribution per sample),
    /// same shape as `θ`.
    Softmax(Id),
    /// Inner product `⟨a, b⟩` (a scalar).
    Dot(Id, Id),
    /// `a − s·1` for a scalar `s`.
    SubScalar(Id, Id),
    /// `log Σᵢ e^{aᵢ}` (a scalar).
    LogSumExp(Id),
    /// `CE(y, p) = −Σᵢ yᵢ·log pᵢ`, children `(p, y)`.
    CrossEntropy(Id, Id),
    /// `MSE(ŷ, y) = (1/n)·Σᵢ (ŷᵢ − yᵢ)²`, children `(ŷ, y)`.
    Mse(Id, Id),
    /// `BCE(y, p) = −Σᵢ (yᵢ·log pᵢ + (1 − yᵢ)·log(1 − pᵢ))`, children `(p, y)`.
    Bce(Id, Id),
    /// BCE of `σ(θ)` computed from θ: `Σᵢ max(θᵢ, 0) − yᵢ·θᵢ + log(1 + e^{−|θᵢ|})`, children `(θ, y)`.
    BceLogits(Id, Id),
    /// Maxout: unit `i` is the largest of `t[j·n + i]` over the `k` pieces `j` (`n` units).
    Maxout(usize, Id),
    /// Maxout's Jacobian: the `n × k·n` matrix with a 1 at each unit's winning piece.
    MaxoutSelect(usize, Id),
    /// `MaxoutSelect(k, t)ᵀ·g` without the matrix: `g` routed to each unit's winning piece.
    /// Children `(t, g)`.
    MaxoutRoute(usize, Id, Id),
    /// The largest element of a vector (a scalar).
    Max(Id),
    /// The natural logarithm of a scalar.
    Log(Id),
    /// `Σᵢ e^{θᵢ − max θ}`, the softmax's denominator (a scalar).
    ExpSum(Id),
    /// The update of training: `P − η·G` for a parameter `P` and its gradient `G`, `η` the
    /// learning rate. Children `(P, G)`.
    Update(Id, Id),
    /// `P − η·s·A·Bᵀ` applied in place, with no `A·Bᵀ` value: a rank-1 update when `A` and `B`
    /// are vectors, a matrix product accumulated into `P` for a batch. Children
    /// `(P, A, B)` and the scalar `s` if there is one.
    OuterUpdate(Id, Id, Id, Option<Id>),
    /// `b·1ᵀ`: the column `b` repeated for each of `n` columns (a bias over a batch).
    Broadcast(Id, usize),
    /// `A·1`: the sum of the columns (over a batch, a bias gradient; of a row, its sum).
    ColumnSum(Id),
    /// A constant: every element of a `rows × cols` matrix equal to the number.
    Fill(Num, usize, usize),
    /// The `rows × cols` matrix with a 1 at column-major index `k` and 0 elsewhere: `eₖ` for a
    /// vector. Indexing is `⟨eₖ, v⟩` (`v[k]`), and a vector built from numbers is `Σ sₖ·eₖ`.
    Basis(usize, usize, usize),
    /// The sum of every element (a scalar).
    Sum(Id),
}

impl Op {
    /// The children, in order.
    pub fn children(&self) -> Vec<Id> {
        use Op::*;
        match *self {
            Leaf(_) | Identity(_) | Ones(_) | Fill(..) | Basis(..) => vec![],
            Transpose(a)
            | Not(a)
            | Neg(a)
            | Scale(_, a)
            | Diag(a)
            | Map(_, a)
            | Softmax(a)
            | LogSumExp(a)
            | Maxout(_, a)
            | MaxoutSelect(_, a)
            | Max(a)
            | Log(a)
            | ExpSum(a)
            | Broadcast(a, _)
            | ColumnSum(a)
            | Sum(a) => vec![a],
            OuterUpdate(p, a, b, s) => {
                let mut c = vec![p, a, b];
                c.extend(s);
                c
            }
            MatMul(a, b)
            | Add(a, b)
            | Sub(a, b)
            | Hadamard(a, b)
            | Div(a, b)
            | Dot(a, b)
            | SubScalar(a, b)
            | CrossEntropy(a, b)
            | Mse(a, b)
            | Bce(a, b)
            | BceLogits(a, b)
            | MaxoutRoute(_, a, b)
            | Binary(_, a, b)
            | Compare(_, a, b)
            | Logic(_, a, b)
            | Update(a, b) => vec![a, b],
            Select(c, a, b) => vec![c, a, b],
            Call(_, ref args) | CallGrad(_, _, ref args) | CallHessian(_, _, _, ref args) => {
                args.clone()
            }
        }
    }

    /// The same operation over other children (same count, same order).
    pub fn with_children(&self, c: &[Id]) -> Op {
        use Op::*;
        match *self {
            Leaf(_) | Identity(_) | Ones(_) | Fill(..) | Basis(..) => self.clone(),
            Transpose(_) => Transpose(c[0]),
            Neg(_) => Neg(c[0]),
            Scale(r, _) => Scale(r, c[0]),
            Diag(_) => Diag(c[0]),
            Map(f, _) => Map(f, c[0]),
            Binary(f, ..) => Binary(f, c[0], c[1]),
            Compare(f, ..) => Compare(f, c[0], c[1]),
            Logic(f, ..) => Logic(f, c[0], c[1]),
            Not(_) => Not(c[0]),
            Select(..) => Select(c[0], c[1], c[2]),
            Call(ref name, _) => Call(name.clone(), c.to_vec()),
            CallGrad(ref name, k, _) => CallGrad(name.clone(), k, c.to_vec()),
            CallHessian(ref name, k, l, _) => CallHessian(name.clone(), k, l, c.to_vec()),
            Softmax(_) => Softmax(c[0]),
            LogSumExp(_) => LogSumExp(c[0]),
            MatMul(..) => MatMul(c[0], c[1]),
            Add(..) => Add(c[0], c[1]),
            Sub(..) => Sub(c[0], c[1]),
            Hadamard(..) => Hadamard(c[0], c[1]),
            Div(..) => Div(c[0], c[1]),
            Dot(..) => Dot(c[0], c[1]),
            SubScalar(..) => SubScalar(c[0], c[1]),
            CrossEntropy(..) => CrossEntropy(c[0], c[1]),
            Mse(..) => Mse(c[0], c[1]),
            Bce(..) => Bce(c[0], c[1]),
            BceLogits(..) => BceLogits(c[0], c[1]),
            Maxout(k, _) => Maxout(k, c[0]),
            MaxoutSelect(k, _) => MaxoutSelect(k, c[0]),
            MaxoutRoute(k, ..) => MaxoutRoute(k, c[0], c[1]),
            Max(_) => Max(c[0]),
            Log(_) => Log(c[0]),
            ExpSum(_) => ExpSum(c[0]),
            Update(..) => Update(c[0], c[1]),
            OuterUpdate(..) => OuterUpdate(c[0], c[1], c[2], c.get(3).copied()),
            Broadcast(_, n) => Broadcast(c[0], n),
            ColumnSum(_) => ColumnSum(c[0]),
            Sum(_) => Sum(c[0]),
        }
    }
}

/// How a value is called in the math and in the generated Rust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The name in the derivation's math (`θ`, `b₁`).
    pub math: String,
    /// The identifier in the generated Rust (`theta`, `b1`).
    pub rust: String,
}

impl Name {
    /// A name from its math and Rust spellings.
    pub fn new(math: impl Into<String>, rust: impl Into<String>) -> Name {
        Name {
            math: math.into(),
            rust: rust.into(),
        }
    }
}

/// A leaf of the graph: a value the derivation takes as given.
#[derive(Clone, Debug)]
pub struct Leaf {
    /// How the leaf is called.
    pub name: Name,
    /// What the leaf stands for.
    pub kind: LeafKind,
}

/// One node of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// The operation, over earlier nodes.
    pub op: Op,
    /// The value's static shape.
    pub shape: Shape,
}

/// The arena. Shape errors are internal errors (the check stage already proved the shapes), so
/// instead of panicking the graph records the first one in [`Graph::error`] and goes on.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    memo: HashMap<Op, Id>,
    leaves: Vec<Leaf>,
    /// Named values (`z`, `h`, `θ`, `ŷ`, `J`): rendered by name, bound by name in code.
    names: HashMap<Id, Name>,
    /// Values whose local Jacobian is stated rather than derived through their expression: an
    /// `Elementwise` activation `h = f(z)`, whose Jacobian is `diag(f′(z))`. `h → (z, f′(z))`.
    pub stated: HashMap<Id, (Id, Id)>,
    /// Where in the source a call of another function was written, by callee path: the
    /// generated calls of its `_grad` and `_hessian` carry the span, so that a missing one is an
    /// error on the call.
    pub call_spans: HashMap<String, proc_macro2::Span>,
    /// The first shape (or rewrite) error met, if any: an internal error.
    pub error: Option<String>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The operation of node `id`.
    pub fn op(&self, id: Id) -> &Op {
        &self.nodes[id].op
    }

    /// The shape of node `id`.
    pub fn shape(&self, id: Id) -> Shape {
        self.nodes[id].shape
    }

    /// The leaf behind `id`, if `id` is a leaf.
    pub fn leaf_of(&self, id: Id) -> Option<&Leaf> {
        match self.op(id) {
            Op::Leaf(i) => self.leaves.get(*i),
            _ => None,
        }
    }

    /// The name of `id`: its own, or else its leaf's.
    pub fn name(&self, id: Id) -> Option<&Name> {
        self.names
            .get(&id)
            .or_else(|| self.leaf_of(id).map(|l| &l.name))
    }

    /// Names `id`, unless it already has a name.
    pub fn set_name(&mut self, id: Id, name: Name) {
        self.names.entry(id).or_insert(name);
    }

    /// Names `id`, replacing any name it had.
    pub fn rename(&mut self, id: Id, name: Name) {
        self.names.insert(id, name);
    }

    /// Whether `id` is the target `y` held as a class index.
    pub fn is_class_target(&self, id: Id) -> bool {
        matches!(
            self.leaf_of(id),
            Some(Leaf {
                kind: LeafKind::Target { class_index: true },
                ..
            })
        )
    }

    /// Whether `id` is the target `y`.
    pub fn is_target(&self, id: Id) -> bool {
        matches!(
            self.leaf_of(id),
            Some(Leaf {
                kind: LeafKind::Target { .. },
                ..
            })
        )
    }

    /// The node `op` if the graph already has it.
    pub fn find(&self, op: &Op) -> Option<Id> {
        self.memo.get(op).copied()
    }

    /// Adds a new leaf of the given name, kind and shape (never shared, unlike other nodes).
    pub fn leaf(&mut self, name: Name, kind: LeafKind, shape: Shape) -> Id {
        self.leaves.push(Leaf { name, kind });
        let op = Op::Leaf(self.leaves.len() - 1);
        self.push(op, shape)
    }

    /// Adds `op` (or finds it), computing its shape from its children's.
    pub fn add(&mut self, op: Op) -> Id {
        if let Some(&id) = self.memo.get(&op) {
            return id;
        }
        let shape = self.infer(&op);
        self.push(op, shape)
    }

    /// Rebuilds `id` with other children.
    pub fn rebuild(&mut self, id: Id, children: &[Id]) -> Id {
        let op = self.op(id).with_children(children);
        self.add(op)
    }

    fn push(&mut self, op: Op, shape: Shape) -> Id {
        let id = self.nodes.len();
        self.memo.insert(op.clone(), id);
        self.nodes.push(Node { op, shape });
        id
    }

    fn infer(&mut self, op: &Op) -> Shape {
        use Op::*;
        let s = |g: &Graph, id: Id| g.shape(id);
        let (shape, ok) = match *op {
            Leaf(_) => (Shape::SCALAR, false),
            Identity(n) => (Shape::matrix(n, n), true),
            Ones(n) => (Shape::vector(n), true),
            // A 1×1 left factor is a number times a matrix (the batch's `1/B·…`).
            MatMul(a, b) if s(self, a).is_scalar() && s(self, b).rows != 1 => (s(self, b), true),
            MatMul(a, b) => {
                let (a, b) = (s(self, a), s(self, b));
                (Shape::matrix(a.rows, b.cols), a.cols == b.rows)
            }
            Transpose(a) => {
                let a = s(self, a);
                (Shape::matrix(a.cols, a.rows), true)
            }
            Add(a, b)
            | Sub(a, b)
            | Hadamard(a, b)
            | Div(a, b)
            | Binary(_, a, b)
            | Compare(_, a, b)
            | Logic(_, a, b) => (s(self, a), s(self, a) == s(self, b)),
            Not(a) => (s(self, a), true),
            Call(_, ref args) | CallGrad(_, _, ref args) | CallHessian(_, _, _, ref args) => {
                (Shape::SCALAR, args.iter().all(|&a| s(self, a).is_scalar()))
            }
            Select(c, a, b) => (
                s(self, a),
                s(self, a) == s(self, b) && s(self, c) == s(self, a),
            ),
            Neg(a) | Scale(_, a) | Map(_, a) => (s(self, a), true),
            Diag(a) => {
                let a = s(self, a);
                (Shape::matrix(a.rows, a.rows), a.cols == 1)
            }
            // Column by column: over a batch, one result per sample.
            Softmax(a) => (s(self, a), true),
            Dot(a, b) | CrossEntropy(a, b) | Mse(a, b) | Bce(a, b) | BceLogits(a, b) => (
                Shape::matrix(1, s(self, a).cols),
                s(self, a).rows == s(self, b).rows,
            ),
            SubScalar(a, b) => (s(self, a), s(self, b).is_scalar()),
            LogSumExp(a) => (Shape::matrix(1, s(self, a).cols), true),
            Maxout(k, t) => {
                let t = s(self, t);
                (
                    Shape::matrix(t.rows / k.max(1), t.cols),
                    k > 0 && t.rows % k == 0,
                )
            }
            MaxoutSelect(k, t) => {
                let t = s(self, t);
                (
                    Shape::matrix(t.rows / k.max(1), t.rows),
                    k > 0 && t.cols == 1 && t.rows % k == 0,
                )
            }
            MaxoutRoute(k, t, g) => {
                let (t, g) = (s(self, t), s(self, g));
                (t, t.cols == g.cols && g.rows * k == t.rows)
            }
            Max(a) | ExpSum(a) => (Shape::matrix(1, s(self, a).cols), true),
            Log(a) => (s(self, a), s(self, a).rows == 1),
            Update(p, d) => (s(self, p), s(self, p) == s(self, d)),
            OuterUpdate(p, a, b, scale) => {
                let (p, a, b) = (s(self, p), s(self, a), s(self, b));
                let scalar = scale.is_none_or(|c| s(self, c).is_scalar());
                (
                    p,
                    scalar && a.rows == p.rows && b.rows == p.cols && a.cols == b.cols,
                )
            }
            Broadcast(a, n) => (Shape::matrix(s(self, a).rows, n), s(self, a).cols == 1),
            ColumnSum(a) => (Shape::vector(s(self, a).rows), true),
            Fill(_, rows, cols) => (Shape::matrix(rows, cols), true),
            Basis(rows, cols, k) => (Shape::matrix(rows, cols), k < rows * cols),
            Sum(_) => (Shape::SCALAR, true),
        };
        if !ok && self.error.is_none() {
            let shapes: Vec<String> = op.children().iter().map(|&c| s(self, c).text()).collect();
            self.error = Some(format!(
                "internal error: shapes {} do not fit {op:?}",
                shapes.join(", ")
            ));
        }
        shape
    }

    /// Whether the value depends on an input or a parameter (and so has a gradient).
    pub fn is_variable(&self, id: Id) -> bool {
        let mut seen = vec![false; id + 1];
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            match self.leaf_of(n).map(|l| l.kind) {
                Some(LeafKind::Input | LeafKind::Param) => return true,
                Some(LeafKind::Target { .. } | LeafKind::Constant) => {}
                None => stack.extend(self.op(n).children()),
            }
        }
        false
    }

    /// Whether the matrix equals its transpose, by construction.
    pub fn is_symmetric(&self, id: Id) -> bool {
        let shape = self.shape(id);
        if shape.is_scalar() {
            return true;
        }
        if shape.rows != shape.cols {
            return false;
        }
        match *self.op(id) {
            Op::Identity(_) | Op::Diag(_) | Op::Fill(..) => true,
            Op::Neg(a) | Op::Scale(_, a) => self.is_symmetric(a),
            Op::Add(a, b) | Op::Sub(a, b) => self.is_symmetric(a) && self.is_symmetric(b),
            Op::MatMul(a, t) => matches!(*self.op(t), Op::Transpose(b) if a == b),
            _ => false,
        }
    }

    /// Every node reachable from `roots`, ascending (so children come first).
    pub fn reachable(&self, roots: &[Id], stop: impl Fn(Id) -> bool) -> Vec<Id> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<Id> = roots.to_vec();
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            if !stop(n) {
                stack.extend(self.op(n).children());
            }
        }
        (0..self.len()).filter(|&i| seen[i]).collect()
    }
}

//! IR → text: the lecture's notation for the derivation, s-expressions for unit tests.

use super::{Binary, Cmp, Func, Graph, Id, Logic, Num, Op, Ratio};
use std::collections::HashMap;

/// Renders nodes of one graph. Named values print by name; `extra` names more nodes (the
/// derivation names gradients `∂J/∂h`).
pub struct Render<'g> {
    graph: &'g Graph,
    extra: HashMap<Id, String>,
    /// Products and quotients of 1×1 values as numbers (`q·z`, `a/b`) rather than elementwise
    /// (`⊙`, `⊘`): the expressions of `#[mlp::grad]`, where a 1×1 value is a scalar.
    numbers: bool,
}

// Binding strength: a child that binds weaker than its parent needs parentheses.
const SELECT: u8 = 0; // a if c, b otherwise
const LOGIC: u8 = 1; // c ∧ d, c ∨ d
const CMP: u8 = 2; // a > b
const SUM: u8 = 3; // a + b, a − b
const NEG: u8 = 4; // −a
const ELEMENTWISE: u8 = 5; // a ⊙ b, a ⊘ b
const PRODUCT: u8 = 6; // a·b, c·a
const POSTFIX: u8 = 8; // aᵀ, a²
const ATOM: u8 = 9; // names, f(a), ⟨a, b⟩

impl<'g> Render<'g> {
    /// A renderer that knows only the graph's own names.
    pub fn new(graph: &'g Graph) -> Self {
        Render {
            graph,
            extra: HashMap::new(),
            numbers: false,
        }
    }

    /// A renderer that also prints the nodes of `extra` by the given names (`∂J/∂h`).
    pub fn with_names(graph: &'g Graph, extra: HashMap<Id, String>) -> Self {
        Render {
            graph,
            extra,
            numbers: false,
        }
    }

    /// For expressions of numbers: 1×1 products and quotients as `·` and `/`.
    pub fn numbers(mut self) -> Self {
        self.numbers = true;
        self
    }

    /// `a, b, c`: the math of several values.
    fn list(&self, ids: &[Id]) -> String {
        let parts: Vec<String> = ids.iter().map(|&a| self.math(a)).collect();
        parts.join(", ")
    }

    /// The node as math, by name if it has one.
    pub fn math(&self, id: Id) -> String {
        self.expr(id, false).0
    }

    /// The node's own expression, even if it has a name (`W·x + b₁` rather than `z`).
    pub fn definition(&self, id: Id) -> String {
        self.expr(id, true).0
    }

    fn named(&self, id: Id) -> Option<String> {
        self.extra
            .get(&id)
            .cloned()
            .or_else(|| self.graph.name(id).map(|n| n.math.clone()))
    }

    fn expr(&self, id: Id, expand: bool) -> (String, u8) {
        if !expand {
            if let Some(name) = self.named(id) {
                return (name, ATOM);
            }
        }
        let g = self.graph;
        let op = g.op(id);
        let child = |c: Id, min: u8| -> String {
            let (s, p) = self.expr(c, false);
            if p < min {
                format!("({s})")
            } else {
                s
            }
        };
        // In a product, a different product-like operator as child gets parentheses even when it
        // binds as strongly: `(Uᵀ·g) ⊙ s`, not `Uᵀ·g ⊙ s`.
        let factor = |c: Id, parent_kind: u8, right: bool| -> String {
            let (s, p) = self.expr(c, false);
            let kind = kind_of(g.op(c));
            let mixed = matches!(p, ELEMENTWISE | PRODUCT)
                && self.named(c).is_none()
                && (kind != parent_kind || (right && kind == KIND_DIV));
            if p < ELEMENTWISE || mixed {
                format!("({s})")
            } else {
                s
            }
        };
        match *op {
            Op::Leaf(_) => (self.named(id).unwrap_or_else(|| "?".into()), ATOM),
            Op::Identity(_) => ("I".into(), ATOM),
            Op::Ones(_) => ("1".into(), ATOM),
            Op::MatMul(a, b) => (
                format!(
                    "{}·{}",
                    factor(a, KIND_MATMUL, false),
                    factor(b, KIND_MATMUL, true)
                ),
                PRODUCT,
            ),
            // Between numbers, `·` and `/` as the lecture writes them.
            Op::Hadamard(a, b) if self.numbers && g.shape(id).is_scalar() => (
                format!("{}·{}", child(a, PRODUCT), child(b, POSTFIX)),
                PRODUCT,
            ),
            Op::Div(a, b) if self.numbers && g.shape(id).is_scalar() => (
                format!("{}/{}", child(a, PRODUCT), child(b, POSTFIX)),
                PRODUCT,
            ),
            Op::Hadamard(a, b) => (
                format!(
                    "{} ⊙ {}",
                    factor(a, KIND_HADAMARD, false),
                    factor(b, KIND_HADAMARD, true)
                ),
                ELEMENTWISE,
            ),
            Op::Div(a, b) => (
                format!(
                    "{} ⊘ {}",
                    factor(a, KIND_DIV, false),
                    factor(b, KIND_DIV, true)
                ),
                ELEMENTWISE,
            ),
            Op::Scale(r, a) => (format!("{}·{}", ratio(r), child(a, POSTFIX)), PRODUCT),
            Op::Transpose(a) => (format!("{}ᵀ", child(a, ATOM)), POSTFIX),
            Op::Add(a, b) => (format!("{} + {}", child(a, SUM), child(b, NEG)), SUM),
            Op::Sub(a, b) | Op::SubScalar(a, b) => {
                (format!("{} − {}", child(a, SUM), child(b, NEG)), SUM)
            }
            Op::Neg(a) => (format!("−{}", child(a, ELEMENTWISE)), NEG),
            Op::Diag(a) => (format!("diag({})", self.math(a)), ATOM),
            Op::Map(Func::Square, a) => (format!("{}²", child(a, ATOM)), POSTFIX),
            Op::Map(Func::Powi(k), a) => (format!("{}{}", child(a, ATOM), superscript(k)), POSTFIX),
            Op::Map(Func::Recip, a) => (format!("1/{}", child(a, POSTFIX)), PRODUCT),
            Op::Fill(c, _, _) => (number(c), if c.value() < 0.0 { NEG } else { ATOM }),
            Op::Basis(rows, 1, k) if rows > 1 => (format!("e{}", subscript(k)), ATOM),
            Op::Basis(rows, _, k) => (
                format!("E{}{}", subscript(k % rows), subscript(k / rows)),
                ATOM,
            ),
            // An element: ⟨eₖ, v⟩ is v[k], Σ Eᵢⱼ ⊙ m is m[(i, j)].
            Op::Dot(..) | Op::Sum(_) if element(g, id).is_some() => {
                let Some((m, k)) = element(g, id) else {
                    return ("?".into(), ATOM);
                };
                let rows = g.shape(m).rows;
                let index = if g.shape(m).cols == 1 {
                    format!("[{k}]")
                } else {
                    format!("[({}, {})]", k % rows, k / rows)
                };
                (format!("{}{index}", child(m, ATOM)), POSTFIX)
            }
            Op::Sum(a) => (format!("Σ {}", child(a, ATOM)), PRODUCT),
            // 1[a − c > 0] for a constant c (max(a, c)′) reads 1[a > c].
            Op::Map(Func::ReluPrime, d) => match *g.op(d) {
                Op::Sub(a, b)
                    if matches!(g.op(b), Op::Fill(..)) || matches!(g.op(a), Op::Fill(..)) =>
                {
                    (format!("1[{} > {}]", self.math(a), self.math(b)), ATOM)
                }
                _ => (format!("1[{} > 0]", self.math(d)), ATOM),
            },
            Op::Map(Func::LeakyRelu(s), a) => (
                format!("max({}·{z}, {z})", number(s), z = self.math(a)),
                ATOM,
            ),
            Op::Map(Func::LeakyReluPrime(s), a) => (
                format!("(1[{z} > 0] + {}·1[{z} ≤ 0])", number(s), z = self.math(a)),
                ATOM,
            ),
            Op::Map(Func::Elu(s), a) if s.value() == 1.0 => {
                (format!("ELU({})", self.math(a)), ATOM)
            }
            Op::Map(Func::Elu(s), a) => (format!("ELU({}; α = {})", self.math(a), number(s)), ATOM),
            Op::Map(Func::EluPrime(s), a) => {
                let alpha = if s.value() == 1.0 {
                    String::new()
                } else {
                    format!("{}·", number(s))
                };
                (
                    format!(
                        "(1[{z} ≥ 0] + {alpha}exp({z})·1[{z} < 0])",
                        z = self.math(a)
                    ),
                    ATOM,
                )
            }
            Op::Map(Func::Abs, a) => (format!("|{}|", self.math(a)), ATOM),
            Op::Compare(c, a, b) => (
                format!("{} {} {}", child(a, SUM), cmp_symbol(c), child(b, SUM)),
                CMP,
            ),
            Op::Logic(l, a, b) => {
                let symbol = match l {
                    Logic::And => "∧",
                    Logic::Or => "∨",
                };
                (
                    format!("{} {symbol} {}", child(a, CMP), child(b, CMP)),
                    LOGIC,
                )
            }
            Op::Not(a) => (format!("¬({})", self.math(a)), ATOM),
            Op::Call(ref name, ref args) => (format!("{name}({})", self.list(args)), ATOM),
            Op::CallGrad(ref name, _, ref args) if args.len() == 1 => {
                (format!("{name}′({})", self.list(args)), ATOM)
            }
            Op::CallGrad(ref name, k, ref args) => (
                format!("∂{}{name}({})", subscript(k + 1), self.list(args)),
                ATOM,
            ),
            Op::CallHessian(ref name, _, _, ref args) if args.len() == 1 => {
                (format!("{name}″({})", self.list(args)), ATOM)
            }
            Op::CallHessian(ref name, k, l, ref args) => (
                format!(
                    "∂{}{}{name}({})",
                    subscript(k + 1),
                    subscript(l + 1),
                    self.list(args)
                ),
                ATOM,
            ),
            Op::Select(c, a, b) => (
                format!(
                    "{} if {}, {} otherwise",
                    child(a, LOGIC),
                    child(c, LOGIC),
                    child(b, LOGIC)
                ),
                SELECT,
            ),
            Op::Map(f, a) => (format!("{}({})", func_name(f), self.math(a)), ATOM),
            Op::Binary(Binary::Powf, a, b) => {
                (format!("{}^{}", child(a, ATOM), child(b, ATOM)), POSTFIX)
            }
            Op::Binary(Binary::Heaviside, a, b) => {
                (format!("H({} − {})", self.math(a), child(b, NEG)), ATOM)
            }
            Op::Binary(f, a, b) => (
                format!("{}({}, {})", binary_name(f), self.math(a), self.math(b)),
                ATOM,
            ),
            Op::Softmax(a) => (format!("softmax({})", self.math(a)), ATOM),
            Op::Dot(a, b) => (format!("⟨{}, {}⟩", self.math(a), self.math(b)), ATOM),
            Op::LogSumExp(a) => (format!("logsumexp({})", self.math(a)), ATOM),
            Op::CrossEntropy(p, y) => (format!("CE({}, {})", self.math(y), self.math(p)), ATOM),
            Op::Mse(a, y) => (format!("MSE({}, {})", self.math(a), self.math(y)), ATOM),
            Op::Bce(p, y) => (format!("BCE({}, {})", self.math(y), self.math(p)), ATOM),
            Op::BceLogits(t, y) => (
                format!(
                    "max({t}, 0) − {y}·{t} + log(1 + exp(−|{t}|))",
                    t = self.math(t),
                    y = child(y, ATOM)
                ),
                SUM,
            ),
            Op::Maxout(k, t) => (format!("maxout{}({})", subscript(k), self.math(t)), ATOM),
            Op::MaxoutSelect(k, t) => (
                format!("onehot(argmax{} {})", subscript(k), self.math(t)),
                ATOM,
            ),
            Op::MaxoutRoute(k, t, g) => (
                format!(
                    "route({} → argmax{} {})",
                    self.math(g),
                    subscript(k),
                    self.math(t)
                ),
                ATOM,
            ),
            Op::Max(a) => (format!("max {}", child(a, ATOM)), PRODUCT),
            Op::Log(a) => (format!("log {}", child(a, ATOM)), PRODUCT),
            Op::ExpSum(a) => {
                let t = self.math(a);
                (format!("Σᵢ exp({t}ᵢ − max {t})"), ATOM)
            }
            Op::Update(p, d) => (format!("{} − η·{}", self.math(p), child(d, PRODUCT)), SUM),
            Op::OuterUpdate(p, a, b, scale) => {
                let scale = scale.map_or(String::new(), |s| format!("{}·", child(s, POSTFIX)));
                (
                    format!(
                        "{} − η·{scale}{}·{}ᵀ, in place",
                        self.math(p),
                        factor(a, KIND_MATMUL, false),
                        child(b, ATOM)
                    ),
                    SUM,
                )
            }
            Op::Broadcast(a, _) => (format!("{}·1ᵀ", child(a, POSTFIX)), PRODUCT),
            Op::ColumnSum(a) => (format!("{}·1", factor(a, KIND_MATMUL, false)), PRODUCT),
        }
    }

    /// A compact s-expression, for tests: `(@ (T U) (- ŷ y))`.
    #[cfg(test)]
    pub fn sexpr(&self, id: Id) -> String {
        if let Some(name) = self.named(id) {
            return name;
        }
        let g = self.graph;
        let s = |c: Id| self.sexpr(c);
        match *g.op(id) {
            Op::Leaf(_) => "?".into(),
            Op::Identity(n) => format!("I{n}"),
            Op::Ones(n) => format!("1_{n}"),
            Op::MatMul(a, b) => format!("(@ {} {})", s(a), s(b)),
            Op::Transpose(a) => format!("(T {})", s(a)),
            Op::Add(a, b) => format!("(+ {} {})", s(a), s(b)),
            Op::Sub(a, b) => format!("(- {} {})", s(a), s(b)),
            Op::Neg(a) => format!("(neg {})", s(a)),
            Op::Hadamard(a, b) => format!("(* {} {})", s(a), s(b)),
            Op::Div(a, b) => format!("(/ {} {})", s(a), s(b)),
            Op::Scale(r, a) => format!("(scale {} {})", ratio(r), s(a)),
            Op::Diag(a) => format!("(diag {})", s(a)),
            Op::Map(f, a) => format!("({} {})", sexpr_func(f), s(a)),
            Op::Binary(f, a, b) => format!("({} {} {})", binary_name(f), s(a), s(b)),
            Op::Compare(c, a, b) => format!("({} {} {})", cmp_symbol(c), s(a), s(b)),
            Op::Logic(Logic::And, a, b) => format!("(and {} {})", s(a), s(b)),
            Op::Logic(Logic::Or, a, b) => format!("(or {} {})", s(a), s(b)),
            Op::Not(a) => format!("(not {})", s(a)),
            Op::Select(c, a, b) => format!("(select {} {} {})", s(c), s(a), s(b)),
            Op::Call(ref name, ref args) => {
                let args: Vec<String> = args.iter().map(|&a| s(a)).collect();
                format!("(call {name} {})", args.join(" "))
            }
            Op::CallGrad(ref name, k, ref args) => {
                let args: Vec<String> = args.iter().map(|&a| s(a)).collect();
                format!("(call-grad {name} {k} {})", args.join(" "))
            }
            Op::CallHessian(ref name, k, l, ref args) => {
                let args: Vec<String> = args.iter().map(|&a| s(a)).collect();
                format!("(call-hessian {name} {k} {l} {})", args.join(" "))
            }
            Op::Softmax(a) => format!("(softmax {})", s(a)),
            Op::Dot(a, b) => format!("(dot {} {})", s(a), s(b)),
            Op::SubScalar(a, b) => format!("(-s {} {})", s(a), s(b)),
            Op::LogSumExp(a) => format!("(lse {})", s(a)),
            Op::CrossEntropy(a, b) => format!("(ce {} {})", s(a), s(b)),
            Op::Mse(a, b) => format!("(mse {} {})", s(a), s(b)),
            Op::Bce(a, b) => format!("(bce {} {})", s(a), s(b)),
            Op::BceLogits(a, b) => format!("(bce-logits {} {})", s(a), s(b)),
            Op::Maxout(k, a) => format!("(maxout {k} {})", s(a)),
            Op::MaxoutSelect(k, a) => format!("(maxout-select {k} {})", s(a)),
            Op::MaxoutRoute(k, a, b) => format!("(maxout-route {k} {} {})", s(a), s(b)),
            Op::Max(a) => format!("(max {})", s(a)),
            Op::Log(a) => format!("(log {})", s(a)),
            Op::ExpSum(a) => format!("(exp-sum {})", s(a)),
            Op::Update(p, d) => format!("(step {} {})", s(p), s(d)),
            Op::OuterUpdate(p, a, b, None) => format!("(outer-step {} {} {})", s(p), s(a), s(b)),
            Op::OuterUpdate(p, a, b, Some(c)) => {
                format!("(outer-step {} {} {} {})", s(p), s(a), s(b), s(c))
            }
            Op::Broadcast(a, _) => format!("(broadcast {})", s(a)),
            Op::ColumnSum(a) => format!("(column-sum {})", s(a)),
            Op::Fill(c, _, _) => number(c),
            Op::Basis(r, c, k) => format!("(basis {r} {c} {k})"),
            Op::Sum(a) => format!("(sum {})", s(a)),
        }
    }
}

const KIND_OTHER: u8 = 0;
const KIND_MATMUL: u8 = 1;
const KIND_HADAMARD: u8 = 2;
const KIND_DIV: u8 = 3;

fn kind_of(op: &Op) -> u8 {
    match op {
        Op::MatMul(..) | Op::Scale(..) | Op::Broadcast(..) | Op::ColumnSum(_) => KIND_MATMUL,
        Op::Hadamard(..) => KIND_HADAMARD,
        Op::Div(..) => KIND_DIV,
        _ => KIND_OTHER,
    }
}

/// A constant as the user would write it: `0.1`, `1`.
fn number(n: Num) -> String {
    let v = n.value();
    for (value, name) in [
        (std::f64::consts::LN_2, "ln 2"),
        (std::f64::consts::LN_10, "ln 10"),
        (1.0 / std::f64::consts::LN_2, "1/ln 2"),
        (1.0 / std::f64::consts::LN_10, "1/ln 10"),
        (180.0 / std::f64::consts::PI, "180/π"),
        (std::f64::consts::PI / 180.0, "π/180"),
    ] {
        if v == value {
            return name.to_string();
        }
    }
    if v < 0.0 {
        format!("−{}", -v)
    } else {
        format!("{v}")
    }
}

/// `12` → `₁₂`.
pub fn subscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '0' => '₀',
            '1' => '₁',
            '2' => '₂',
            '3' => '₃',
            '4' => '₄',
            '5' => '₅',
            '6' => '₆',
            '7' => '₇',
            '8' => '₈',
            _ => '₉',
        })
        .collect()
}

fn ratio(r: Ratio) -> String {
    let sign = if r.num < 0 { "−" } else { "" };
    if r.den == 1 {
        format!("{sign}{}", r.num.unsigned_abs())
    } else {
        format!("{sign}{}/{}", r.num.unsigned_abs(), r.den)
    }
}

pub fn func_name(f: Func) -> &'static str {
    match f {
        Func::Relu => "ReLU",
        Func::ReluPrime => "1",
        Func::LeakyRelu(_) => "LeakyReLU",
        Func::LeakyReluPrime(_) => "LeakyReLU′",
        Func::Elu(_) => "ELU",
        Func::EluPrime(_) => "ELU′",
        Func::Sigmoid => "σ",
        Func::Tanh => "tanh",
        Func::Square => "sq",
        Func::Exp => "exp",
        Func::Ln => "ln",
        Func::Sqrt => "√",
        Func::Powi(_) => "powi",
        Func::Recip => "recip",
        Func::Sin => "sin",
        Func::Cos => "cos",
        Func::Tan => "tan",
        Func::Asin => "asin",
        Func::Acos => "acos",
        Func::Atan => "atan",
        Func::Sinh => "sinh",
        Func::Cosh => "cosh",
        Func::Asinh => "asinh",
        Func::Acosh => "acosh",
        Func::Atanh => "atanh",
        Func::Exp2 => "exp2",
        Func::ExpM1 => "expm1",
        Func::Ln1p => "ln1p",
        Func::Log2 => "log₂",
        Func::Log10 => "log₁₀",
        Func::Cbrt => "∛",
        Func::Abs => "abs",
        Func::Sign => "sign",
        Func::Signum => "signum",
    }
}

/// `(m, k)` when `id` reads element `k` of `m`: `⟨eₖ, m⟩` or `Σ Eₖ ⊙ m`.
pub fn element(g: &Graph, id: Id) -> Option<(Id, usize)> {
    let basis = |n: Id| match *g.op(n) {
        Op::Basis(_, _, k) => Some(k),
        _ => None,
    };
    match *g.op(id) {
        Op::Dot(e, v) => basis(e).map(|k| (v, k)),
        Op::Sum(p) => match *g.op(p) {
            Op::Hadamard(e, m) => basis(e).map(|k| (m, k)),
            _ => None,
        },
        _ => None,
    }
}

/// A comparison as the math writes it.
pub fn cmp_symbol(c: Cmp) -> &'static str {
    match c {
        Cmp::Lt => "<",
        Cmp::Le => "≤",
        Cmp::Gt => ">",
        Cmp::Ge => "≥",
        Cmp::Eq => "=",
        Cmp::Ne => "≠",
    }
}

/// The name of a function of two values.
pub fn binary_name(f: Binary) -> &'static str {
    match f {
        Binary::Max => "max",
        Binary::Min => "min",
        Binary::Atan2 => "atan2",
        Binary::Powf => "pow",
        Binary::Hypot => "hypot",
        Binary::Heaviside => "H",
    }
}

/// `⁵`, `⁻¹`: an integer exponent as superscript digits.
fn superscript(k: i32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s: String = k
        .unsigned_abs()
        .to_string()
        .bytes()
        .map(|b| DIGITS[usize::from(b - b'0')])
        .collect();
    if k < 0 {
        s.insert(0, '⁻');
    }
    s
}

#[cfg(test)]
fn sexpr_func(f: Func) -> &'static str {
    match f {
        Func::Relu => "relu",
        Func::ReluPrime => "step",
        Func::LeakyRelu(_) => "leaky-relu",
        Func::LeakyReluPrime(_) => "leaky-step",
        Func::Elu(_) => "elu",
        Func::EluPrime(_) => "elu-prime",
        Func::Sigmoid => "sigmoid",
        Func::Tanh => "tanh",
        Func::Square => "sq",
        Func::Exp => "exp",
        Func::Ln => "ln",
        Func::Sqrt => "sqrt",
        Func::Powi(_) => "powi",
        Func::Recip => "recip",
        f => func_name(f),
    }
}

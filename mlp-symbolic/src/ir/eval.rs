//! An f64 interpreter for the IR (tests only): every rewrite rule and every chain-rule result is
//! checked numerically here, independently of code generation.

use super::{Binary, Cmp, Func, Graph, Id, Logic, Op};
use std::collections::HashMap;

/// A dense row-major f64 matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Mat {
    /// The number of rows.
    pub rows: usize,
    /// The number of columns.
    pub cols: usize,
    /// The `rows·cols` elements, row by row.
    pub data: Vec<f64>,
}

impl Mat {
    /// A `rows×cols` matrix of `data` (row-major); panics if the length does not fit.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Mat {
        assert_eq!(data.len(), rows * cols);
        Mat { rows, cols, data }
    }
    /// The `1×1` matrix `[v]`.
    pub fn scalar(v: f64) -> Mat {
        Mat::new(1, 1, vec![v])
    }
    fn zeros(rows: usize, cols: usize) -> Mat {
        Mat::new(rows, cols, vec![0.0; rows * cols])
    }
    /// The element at row `r`, column `c`.
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }
    fn zip(&self, o: &Mat, f: impl Fn(f64, f64) -> f64) -> Mat {
        assert_eq!((self.rows, self.cols), (o.rows, o.cols));
        Mat::new(
            self.rows,
            self.cols,
            self.data
                .iter()
                .zip(&o.data)
                .map(|(a, b)| f(*a, *b))
                .collect(),
        )
    }
    fn map(&self, f: impl Fn(f64) -> f64) -> Mat {
        Mat::new(
            self.rows,
            self.cols,
            self.data.iter().map(|a| f(*a)).collect(),
        )
    }
    /// Largest absolute difference.
    pub fn max_diff(&self, o: &Mat) -> f64 {
        self.zip(o, |a, b| (a - b).abs())
            .data
            .into_iter()
            .fold(0.0, f64::max)
    }
}

/// The winning piece of unit `i` (the lowest index among ties).
fn winner(t: &Mat, k: usize, i: usize) -> usize {
    let n = t.rows / k;
    (1..k).fold(0, |best, j| {
        if t.data[j * n + i] > t.data[best * n + i] {
            j
        } else {
            best
        }
    })
}

/// The learning rate η the interpreter uses for update nodes.
pub const LEARNING_RATE: f64 = 0.125;

/// Evaluates `id` with the leaves bound in `env` (by leaf node id).
pub fn eval(g: &Graph, id: Id, env: &HashMap<Id, Mat>) -> Mat {
    let mut memo: HashMap<Id, Mat> = HashMap::new();
    for n in g.reachable(&[id], |_| false) {
        let v = step(g, n, env, &memo);
        memo.insert(n, v);
    }
    memo.remove(&id).expect("evaluated")
}

fn step(g: &Graph, n: Id, env: &HashMap<Id, Mat>, m: &HashMap<Id, Mat>) -> Mat {
    let v = |c: Id| &m[&c];
    match *g.op(n) {
        Op::Leaf(_) => env.get(&n).cloned().expect("every leaf bound"),
        Op::Identity(k) => {
            let mut r = Mat::zeros(k, k);
            for i in 0..k {
                r.data[i * k + i] = 1.0;
            }
            r
        }
        Op::Ones(k) => Mat::new(k, 1, vec![1.0; k]),
        Op::Basis(rows, cols, k) => {
            // `k` counts column by column (nalgebra's order); `Mat` is row-major.
            let mut r = Mat::zeros(rows, cols);
            r.data[(k % rows) * cols + k / rows] = 1.0;
            r
        }
        Op::MatMul(a, b) if v(a).data.len() == 1 && v(b).rows != 1 => {
            let s = v(a).data[0];
            v(b).map(|b| s * b)
        }
        Op::MatMul(a, b) => {
            let (a, b) = (v(a), v(b));
            assert_eq!(a.cols, b.rows);
            let mut r = Mat::zeros(a.rows, b.cols);
            for i in 0..a.rows {
                for j in 0..b.cols {
                    r.data[i * b.cols + j] = (0..a.cols).map(|k| a.at(i, k) * b.at(k, j)).sum();
                }
            }
            r
        }
        Op::Transpose(a) => {
            let a = v(a);
            let mut r = Mat::zeros(a.cols, a.rows);
            for i in 0..a.rows {
                for j in 0..a.cols {
                    r.data[j * a.rows + i] = a.at(i, j);
                }
            }
            r
        }
        Op::Add(a, b) => v(a).zip(v(b), |a, b| a + b),
        Op::Sub(a, b) => v(a).zip(v(b), |a, b| a - b),
        Op::Neg(a) => v(a).map(|a| -a),
        Op::Hadamard(a, b) => v(a).zip(v(b), |a, b| a * b),
        Op::Div(a, b) => v(a).zip(v(b), |a, b| a / b),
        Op::Scale(r, a) => v(a).map(|a| r.value() * a),
        Op::Diag(a) => {
            let a = v(a);
            let k = a.rows;
            let mut r = Mat::zeros(k, k);
            for i in 0..k {
                r.data[i * k + i] = a.data[i];
            }
            r
        }
        Op::Map(f, a) => v(a).map(|a| match f {
            Func::Relu => {
                if a < 0.0 {
                    0.0
                } else {
                    a
                }
            }
            Func::ReluPrime => f64::from(u8::from(a > 0.0)),
            Func::LeakyRelu(s) => {
                if a > 0.0 {
                    a
                } else {
                    s.value() * a
                }
            }
            Func::LeakyReluPrime(s) => {
                if a > 0.0 {
                    1.0
                } else {
                    s.value()
                }
            }
            Func::Elu(s) => {
                if a >= 0.0 {
                    a
                } else {
                    s.value() * (a.exp() - 1.0)
                }
            }
            Func::EluPrime(s) => {
                if a >= 0.0 {
                    1.0
                } else {
                    s.value() * a.exp()
                }
            }
            Func::Sigmoid => 1.0 / (1.0 + (-a).exp()),
            Func::Tanh => a.tanh(),
            Func::Square => a * a,
            Func::Exp => a.exp(),
            Func::Ln => a.ln(),
            Func::Sqrt => a.sqrt(),
            Func::Powi(n) => a.powi(n),
            Func::Recip => 1.0 / a,
            Func::Sin => a.sin(),
            Func::Cos => a.cos(),
            Func::Tan => a.tan(),
            Func::Asin => a.asin(),
            Func::Acos => a.acos(),
            Func::Atan => a.atan(),
            Func::Sinh => a.sinh(),
            Func::Cosh => a.cosh(),
            Func::Asinh => a.asinh(),
            Func::Acosh => a.acosh(),
            Func::Atanh => a.atanh(),
            Func::Exp2 => a.exp2(),
            Func::ExpM1 => a.exp_m1(),
            Func::Ln1p => a.ln_1p(),
            Func::Log2 => a.log2(),
            Func::Log10 => a.log10(),
            Func::Cbrt => a.cbrt(),
            Func::Abs => a.abs(),
            Func::Sign => {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            Func::Signum => a.signum(),
        }),
        // Another function's body is not in this graph: no value.
        Op::Call(..) | Op::CallGrad(..) | Op::CallHessian(..) => Mat::scalar(f64::NAN),
        Op::Compare(c, a, b) => zip(v(a), v(b), |a, b| {
            let holds = match c {
                Cmp::Lt => a < b,
                Cmp::Le => a <= b,
                Cmp::Gt => a > b,
                Cmp::Ge => a >= b,
                Cmp::Eq => a == b,
                Cmp::Ne => a != b,
            };
            f64::from(u8::from(holds))
        }),
        Op::Logic(l, a, b) => zip(v(a), v(b), |a, b| {
            let (a, b) = (a != 0.0, b != 0.0);
            f64::from(u8::from(match l {
                Logic::And => a && b,
                Logic::Or => a || b,
            }))
        }),
        Op::Not(a) => v(a).map(|a| f64::from(u8::from(a == 0.0))),
        Op::Select(c, a, b) => {
            let (c, a, b) = (v(c), v(a), v(b));
            let data = (0..a.data.len())
                .map(|i| {
                    if c.data[i] != 0.0 {
                        a.data[i]
                    } else {
                        b.data[i]
                    }
                })
                .collect();
            Mat::new(a.rows, a.cols, data)
        }
        Op::Binary(f, a, b) => {
            let (a, b) = (v(a), v(b));
            let data = a
                .data
                .iter()
                .zip(&b.data)
                .map(|(&a, &b)| match f {
                    Binary::Max => a.max(b),
                    Binary::Min => a.min(b),
                    Binary::Atan2 => a.atan2(b),
                    Binary::Powf => a.powf(b),
                    Binary::Hypot => a.hypot(b),
                    Binary::Heaviside => {
                        if a > b {
                            1.0
                        } else if a == b {
                            0.5
                        } else {
                            0.0
                        }
                    }
                })
                .collect();
            Mat::new(a.rows, a.cols, data)
        }
        Op::Softmax(a) => {
            let a = v(a);
            let m = a.data.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e = a.map(|t| (t - m).exp());
            let s: f64 = e.data.iter().sum();
            e.map(|t| t / s)
        }
        Op::Dot(a, b) => Mat::scalar(v(a).zip(v(b), |a, b| a * b).data.iter().sum()),
        Op::SubScalar(a, s) => {
            let s = v(s).data[0];
            v(a).map(|a| a - s)
        }
        Op::LogSumExp(a) => {
            let a = v(a);
            let m = a.data.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            Mat::scalar(m + a.data.iter().map(|t| (t - m).exp()).sum::<f64>().ln())
        }
        Op::CrossEntropy(p, y) => Mat::scalar(
            -v(y)
                .zip(v(p), |y, p| if y == 0.0 { 0.0 } else { y * p.ln() })
                .data
                .iter()
                .sum::<f64>(),
        ),
        Op::Bce(p, y) => Mat::scalar(
            -v(y)
                .zip(v(p), |y, p| y * p.ln() + (1.0 - y) * (1.0 - p).ln())
                .data
                .iter()
                .sum::<f64>(),
        ),
        Op::BceLogits(t, y) => Mat::scalar(
            v(t).zip(v(y), |t, y| t.max(0.0) - y * t + (-t.abs()).exp().ln_1p())
                .data
                .iter()
                .sum::<f64>(),
        ),
        Op::Maxout(k, t) => {
            let t = v(t);
            let n = t.rows / k;
            Mat::new(
                n,
                1,
                (0..n).map(|i| t.data[winner(t, k, i) * n + i]).collect(),
            )
        }
        Op::MaxoutSelect(k, t) => {
            let t = v(t);
            let n = t.rows / k;
            let mut s = Mat::zeros(n, t.rows);
            for i in 0..n {
                s.data[i * t.rows + winner(t, k, i) * n + i] = 1.0;
            }
            s
        }
        Op::MaxoutRoute(k, t, g) => {
            let (t, g) = (v(t), v(g));
            let n = t.rows / k;
            let mut r = Mat::zeros(t.rows, 1);
            for i in 0..n {
                r.data[winner(t, k, i) * n + i] = g.data[i];
            }
            r
        }
        Op::Max(a) => Mat::scalar(v(a).data.iter().cloned().fold(f64::NEG_INFINITY, f64::max)),
        Op::Log(a) => v(a).map(f64::ln),
        Op::ExpSum(a) => {
            let a = v(a);
            let m = a.data.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            Mat::scalar(a.data.iter().map(|t| (t - m).exp()).sum())
        }
        Op::Update(p, d) => v(p).zip(v(d), |p, d| p - LEARNING_RATE * d),
        Op::OuterUpdate(p, a, b, s) => {
            let (a, b) = (v(a), v(b));
            let s = s.map_or(1.0, |s| v(s).data[0]);
            let mut r = v(p).clone();
            for i in 0..r.rows {
                for j in 0..r.cols {
                    let sum: f64 = (0..a.cols).map(|k| a.at(i, k) * b.at(j, k)).sum();
                    r.data[i * r.cols + j] -= LEARNING_RATE * s * sum;
                }
            }
            r
        }
        Op::Broadcast(a, n) => {
            let a = v(a);
            Mat::new(a.rows, n, (0..a.rows * n).map(|k| a.data[k / n]).collect())
        }
        Op::ColumnSum(a) => {
            let a = v(a);
            Mat::new(
                a.rows,
                1,
                (0..a.rows)
                    .map(|i| (0..a.cols).map(|j| a.at(i, j)).sum())
                    .collect(),
            )
        }
        Op::Fill(c, rows, cols) => Mat::new(rows, cols, vec![c.value(); rows * cols]),
        Op::Sum(a) => Mat::scalar(v(a).data.iter().sum()),
        Op::Mse(a, y) => {
            let d = v(a).zip(v(y), |a, y| (a - y) * (a - y));
            Mat::scalar(d.data.iter().sum::<f64>() / d.data.len() as f64)
        }
    }
}

/// `f` of the elements of two matrices of one shape.
fn zip(a: &Mat, b: &Mat, f: impl Fn(f64, f64) -> f64) -> Mat {
    let data = a.data.iter().zip(&b.data).map(|(&x, &y)| f(x, y)).collect();
    Mat::new(a.rows, a.cols, data)
}

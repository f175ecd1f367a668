//! Methods: every differentiable method of `f32`/`f64`, the matrix methods, and `.map(|t| ...)`.

use super::{constant_call, error, integer, named_func, number, source, Lowering, SUPPORTED};
use crate::ir::{Binary, Func, Id, Op};
use syn::Expr;

impl Lowering<'_> {
    pub(super) fn method(&mut self, m: &syn::ExprMethodCall) -> syn::Result<Id> {
        let name = m.method.to_string();
        // `T::from_f64(2.0).unwrap()`: a constant in generic code.
        if name == "unwrap" && m.args.is_empty() {
            if let Expr::Call(c) = &*m.receiver {
                if let Some(v) = constant_call(c) {
                    return Ok(self.constant(v));
                }
            }
        }
        let arity = match name.as_str() {
            "dot" | "component_mul" | "component_div" | "powi" | "powf" | "max" | "min"
            | "atan2" | "hypot" | "log" | "copysign" | "map" => 1,
            "mul_add" | "clamp" => 2,
            "transpose" | "sum" | "norm_squared" | "to_degrees" | "to_radians" => 0,
            _ if unary(&name).is_some() => 0,
            _ => return Err(cannot(m, SUPPORTED)),
        };
        if m.args.len() != arity {
            return Err(cannot(
                m,
                &format!(
                    "`.{name}` takes {arity} argument(s), found {}",
                    m.args.len()
                ),
            ));
        }
        if m.turbofish.is_some() {
            return Err(cannot(m, "no turbofish expected"));
        }
        let a = self.expr(&m.receiver)?;
        let sa = self.shape(a);
        let elementwise = sa.is_scalar() || self.elementwise.is_some();
        let func = |f: Func, this: &mut Self| -> syn::Result<Id> {
            if elementwise {
                Ok(this.g.add(Op::Map(f, a)))
            } else {
                Err(cannot(m, &format!(
                    "on a {} matrix `.{name}()` is not elementwise in nalgebra; write `.map(|t| t.{name}())`",
                    sa.text()
                )))
            }
        };
        match name.as_str() {
            "transpose" if self.elementwise.is_none() => Ok(if sa.is_scalar() {
                a
            } else {
                self.g.add(Op::Transpose(a))
            }),
            "sum" if self.elementwise.is_none() => Ok(if sa.is_scalar() {
                a
            } else {
                self.g.add(Op::Sum(a))
            }),
            "norm_squared" if self.elementwise.is_none() => Ok(self.inner(a, a)),
            "dot" if self.elementwise.is_none() => {
                let b = self.expr(&m.args[0])?;
                if self.shape(b) != sa {
                    return Err(cannot(
                        m,
                        &format!(
                            "`.dot` needs equal shapes, found {} and {}",
                            sa.text(),
                            self.shape(b).text()
                        ),
                    ));
                }
                Ok(self.inner(a, b))
            }
            "component_mul" | "component_div" => {
                let b = self.expr(&m.args[0])?;
                if self.shape(b) != sa {
                    return Err(cannot(
                        m,
                        &format!(
                            "`.{name}` needs equal shapes, found {} and {}",
                            sa.text(),
                            self.shape(b).text()
                        ),
                    ));
                }
                Ok(self.g.add(if name == "component_mul" {
                    Op::Hadamard(a, b)
                } else {
                    Op::Div(a, b)
                }))
            }
            "powi" => {
                let Some(k) = integer(&m.args[0]) else {
                    return Err(error(&m.args[0], "expected an integer literal exponent"));
                };
                match k {
                    0 => Ok(self.constant_like(a, 1.0)),
                    1 => Ok(a),
                    2 => func(Func::Square, self),
                    k => func(Func::Powi(k), self),
                }
            }
            "max" if is_zero(&m.args[0]) => func(Func::Relu, self),
            "max" | "min" | "atan2" | "powf" | "hypot" | "log" | "copysign" | "to_degrees"
            | "to_radians" | "mul_add" | "clamp" => self.of_numbers(m, a),
            "map" => self.map(a, &m.args[0]),
            other => match unary(other) {
                Some(f) => func(f, self),
                None => Err(cannot(m, SUPPORTED)),
            },
        }
    }

    /// The methods of two or three numbers (or elementwise inside `.map`): `max`, `min`,
    /// `atan2`, `powf`, `hypot`, `log`, `copysign`, `to_degrees`, `to_radians`, `mul_add`,
    /// `clamp`; the arguments of the receiver's shape.
    fn of_numbers(&mut self, m: &syn::ExprMethodCall, a: Id) -> syn::Result<Id> {
        let name = m.method.to_string();
        let sa = self.shape(a);
        if !sa.is_scalar() && self.elementwise.is_none() {
            return Err(cannot(
                m,
                &format!(
                    "on a {} matrix `.{name}(..)` is not elementwise in nalgebra; write `.map(|t| t.{name}(..))`",
                    sa.text()
                ),
            ));
        }
        match name.as_str() {
            "max" | "min" | "atan2" | "powf" | "hypot" => {
                let f = match name.as_str() {
                    "max" => Binary::Max,
                    "min" => Binary::Min,
                    "atan2" => Binary::Atan2,
                    "powf" => Binary::Powf,
                    _ => Binary::Hypot,
                };
                let b = self.operand(&m.args[0], a, m)?;
                Ok(self.g.add(Op::Binary(f, a, b)))
            }
            // log_b(a) = ln a / ln b.
            "log" => {
                let b = self.operand(&m.args[0], a, m)?;
                let ln_a = self.g.add(Op::Map(Func::Ln, a));
                let ln_b = self.g.add(Op::Map(Func::Ln, b));
                Ok(self.g.add(Op::Div(ln_a, ln_b)))
            }
            // |a| with the sign of b: |a|·signum(b) (exact), ∂/∂b = 0.
            "copysign" => {
                let b = self.operand(&m.args[0], a, m)?;
                let magnitude = self.g.add(Op::Map(Func::Abs, a));
                let sign = self.g.add(Op::Map(Func::Signum, b));
                Ok(self.g.add(Op::Hadamard(magnitude, sign)))
            }
            // Degrees and radians: a constant factor.
            "to_degrees" | "to_radians" => {
                let factor = if name == "to_degrees" {
                    180.0 / std::f64::consts::PI
                } else {
                    std::f64::consts::PI / 180.0
                };
                let c = self.constant_like(a, factor);
                Ok(self.g.add(Op::Hadamard(a, c)))
            }
            // a·b + c, elementwise.
            "mul_add" => {
                let b = self.operand(&m.args[0], a, m)?;
                let c = self.operand(&m.args[1], a, m)?;
                let product = self.g.add(Op::Hadamard(a, b));
                Ok(self.g.add(Op::Add(product, c)))
            }
            // clamp(lo, hi) = min(max(a, lo), hi).
            "clamp" => {
                let lo = self.operand(&m.args[0], a, m)?;
                let hi = self.operand(&m.args[1], a, m)?;
                let above = self.g.add(Op::Binary(Binary::Max, a, lo));
                Ok(self.g.add(Op::Binary(Binary::Min, above, hi)))
            }
            _ => Err(cannot(m, SUPPORTED)),
        }
    }

    /// The argument of a method of two or three numbers, of the receiver `a`'s shape; errors
    /// spanned on the argument.
    pub(super) fn operand(
        &mut self,
        arg: &Expr,
        a: Id,
        call: &syn::ExprMethodCall,
    ) -> syn::Result<Id> {
        let b = self.expr(arg)?;
        let (sa, sb) = (self.shape(a), self.shape(b));
        if sa == sb {
            return Ok(b);
        }
        let method = &call.method;
        let why = if self.elementwise.is_some() && sb.is_scalar() {
            format!(
                "inside `.map(|t| ...)` the argument of `.{method}` is a number literal or an expression of the closure's parameter, found `{}`",
                source(arg)
            )
        } else {
            format!(
                "`.{method}` needs an argument of the receiver's shape {}, found {} `{}`",
                sa.text(),
                sb.text(),
                source(arg)
            )
        };
        let call = Expr::MethodCall(call.clone());
        Err(syn::Error::new_spanned(
            arg,
            format!("`{}` cannot be differentiated: {why}", source(&call)),
        ))
    }

    /// `.map(|t| body)` or `.map(sigmoid)`: the body lowered elementwise over the receiver.
    pub(super) fn map(&mut self, a: Id, f: &Expr) -> syn::Result<Id> {
        if let Expr::Path(p) = f {
            if let Some(func) = p.path.segments.last().and_then(|s| named_func(&s.ident)) {
                return Ok(self.g.add(Op::Map(func, a)));
            }
        }
        let Expr::Closure(c) = f else {
            return Err(error(
                f,
                "expected a closure `|t| ...` or `sigmoid`/`relu` as the map",
            ));
        };
        let [syn::Pat::Ident(param)] = c.inputs.iter().collect::<Vec<_>>()[..] else {
            return Err(error(&c.inputs, "expected one parameter: `|t| ...`"));
        };
        let outer = self.elementwise.replace(self.shape(a));
        let depth = self.scope.len();
        self.scope.push((param.ident.to_string(), a));
        let result = self.expr(&c.body);
        self.scope.truncate(depth);
        self.elementwise = outer;
        let id = result?;
        if self.shape(id) != self.shape(a) {
            return Err(error(
                &c.body,
                "expected an elementwise expression of the parameter",
            ));
        }
        Ok(id)
    }
}

/// The methods of one number that map to a [`Func`].
pub(super) fn unary(name: &str) -> Option<Func> {
    Some(match name {
        "exp" => Func::Exp,
        "ln" => Func::Ln,
        "tanh" => Func::Tanh,
        "sqrt" => Func::Sqrt,
        "recip" => Func::Recip,
        "sin" => Func::Sin,
        "cos" => Func::Cos,
        "tan" => Func::Tan,
        "asin" => Func::Asin,
        "acos" => Func::Acos,
        "atan" => Func::Atan,
        "sinh" => Func::Sinh,
        "cosh" => Func::Cosh,
        "asinh" => Func::Asinh,
        "acosh" => Func::Acosh,
        "atanh" => Func::Atanh,
        "exp2" => Func::Exp2,
        "exp_m1" => Func::ExpM1,
        "ln_1p" => Func::Ln1p,
        "log2" => Func::Log2,
        "log10" => Func::Log10,
        "cbrt" => Func::Cbrt,
        "abs" => Func::Abs,
        "signum" => Func::Signum,
        _ => return None,
    })
}

/// `0.0`, or `T::zero()` in generic code.
pub(super) fn is_zero(e: &Expr) -> bool {
    match e {
        Expr::Lit(lit) => number(&lit.lit) == Some(0.0),
        Expr::Call(c) => constant_call(c) == Some(0.0),
        _ => false,
    }
}

/// "`call` cannot be differentiated: why", on the method's name.
fn cannot(m: &syn::ExprMethodCall, why: &str) -> syn::Error {
    let e = Expr::MethodCall(m.clone());
    syn::Error::new(
        m.method.span(),
        format!("`{}` cannot be differentiated: {why}", source(&e)),
    )
}

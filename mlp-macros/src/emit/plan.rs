//! Planning: each node's [`Form`], and which nodes fold into their consumer.

use super::Emitter;
use mlp_symbolic::ir::{Id, Op};
use std::collections::{HashMap, HashSet};

/// How a node is written in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// Elementwise, inside a per-element closure.
    Closure,
    /// nalgebra's operators and methods (`&w * &x + &b`).
    Operator,
    /// A function call on whole values (`softmax(&theta)`).
    Call,
}

impl Emitter<'_> {
    /// Decides each node's form and which nodes fold into their consumer.
    pub(super) fn plan(&mut self, needed: &[Id], roots: &[Id]) {
        let set: HashSet<Id> = needed.iter().copied().collect();
        let mut uses: HashMap<Id, usize> = HashMap::new();
        let mut consumer: HashMap<Id, Id> = HashMap::new();
        for &n in needed {
            for c in self.g.op(n).children() {
                *uses.entry(c).or_default() += 1;
                consumer.insert(c, n);
            }
        }
        for &r in roots {
            *uses.entry(r).or_default() += 1;
        }
        let candidate = |e: &Self, n: Id| {
            set.contains(&n)
                && uses.get(&n) == Some(&1)
                && !e.names.contains_key(&n)
                && !e.sinks.contains_key(&n)
        };
        for &n in needed {
            let form = match self.g.op(n) {
                Op::Hadamard(..)
                | Op::Div(..)
                | Op::Map(..)
                | Op::Binary(..)
                | Op::SubScalar(..)
                | Op::Ones(_)
                | Op::Broadcast(..) => Form::Closure,
                Op::MatMul(..) | Op::Transpose(_) => Form::Operator,
                Op::Add(p, b)
                    if matches!(self.g.op(*p), Op::MatMul(..))
                        && matches!(self.g.op(*b), Op::Broadcast(..)) =>
                {
                    Form::Operator
                }
                Op::Add(..) | Op::Sub(..) | Op::Neg(_) | Op::Scale(..) => {
                    let closure_child = self.g.op(n).children().into_iter().any(|c| {
                        self.g.is_class_target(c)
                            || (candidate(self, c) && self.form.get(&c) == Some(&Form::Closure))
                    });
                    if closure_child && !self.is_t(n) && !self.is_row(n) {
                        Form::Closure
                    } else {
                        Form::Operator
                    }
                }
                _ => Form::Call,
            };
            self.form.insert(n, form);
        }
        for &n in needed {
            if !candidate(self, n) {
                continue;
            }
            let Some(&parent) = consumer.get(&n) else {
                continue;
            };
            // An update is a statement among others that change parameters: what it reads is
            // computed before any of them runs.
            if matches!(self.g.op(parent), Op::Update(..) | Op::OuterUpdate(..)) {
                continue;
            }
            let (mine, theirs) = (self.form[&n], self.form[&parent]);
            let absorbed_transpose = matches!(self.g.op(n), Op::Transpose(_))
                && matches!(self.g.op(parent), Op::MatMul(..));
            // `W·X + b·1ᵀ`: the bias is read by the affine kernel, never repeated into a matrix.
            let absorbed_bias = matches!(self.g.op(n), Op::Broadcast(..))
                && matches!(*self.g.op(parent), Op::Add(p, _) if matches!(self.g.op(p), Op::MatMul(..)));
            // A whole-value call folded into a closure would run once per element: never.
            let fold = matches!(
                (mine, theirs),
                (Form::Closure, Form::Closure)
                    | (Form::Operator | Form::Call, Form::Operator | Form::Call)
            );
            if fold || absorbed_transpose || absorbed_bias {
                self.inline.insert(n);
            }
        }
    }
}

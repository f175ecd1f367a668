//! The derivation of a `#[mlp::grad]` function in the lecture's notation: the forward values,
//! then the backward pass from the result back, each gradient as upstream × local, summed
//! over the values that use it, and what it simplifies to.

use super::second::dotted;
use super::Differentiated;
use crate::derivation::section;
use mlp_symbolic::chain;
use mlp_symbolic::ir::{Graph, Id, LeafKind, Name, Op, Render};
use mlp_symbolic::simplify;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

/// The forward and backward lines of a derivation, each keyed by the value it is about.
pub struct Passes {
    /// `(v, [v, = definition, shape])` for every argument and named value, in order.
    pub forward: Vec<(Id, Vec<String>)>,
    /// `[∂p/∂v, = local]` for every named value `p` and each named value `v` it reads: the
    /// lecture's local gradients (`∂q/∂x = 1`, `∂f/∂q = z`).
    pub locals: Vec<Vec<String>>,
    /// `(v, [∂f/∂v, = upstream × local, = simplified])`, from the result back.
    pub backward: Vec<(Id, Vec<String>)>,
}

/// The lines of the forward and the backward pass.
pub fn passes(d: &Differentiated) -> Passes {
    let mut g = d.graph.clone();
    let f = d.f();
    let r = render(&g);
    let mut forward = Vec::new();
    for a in &d.args {
        forward.push((
            a.leaf,
            vec![a.ident.to_string(), ": argument".into(), a.shape.text()],
        ));
    }
    let leaves: Vec<Id> = d.args.iter().map(|a| a.leaf).collect();
    let mut values: Vec<Id> = d
        .grads
        .iter()
        .map(|&(v, _)| v)
        .filter(|v| !leaves.contains(v))
        .collect();
    values.sort_unstable();
    for &v in &values {
        forward.push((
            v,
            vec![
                r.math(v),
                format!("= {}", r.definition(v)),
                g.shape(v).text(),
            ],
        ));
    }

    // Upstream × local: from each named value p back to the named values just below it.
    let named: HashSet<Id> = d.grads.iter().map(|&(v, _)| v).collect();
    let mut terms: BTreeMap<Id, Vec<String>> = BTreeMap::new();
    let mut locals = Vec::new();
    for &(p, _) in &d.grads {
        if p != d.output && leaves.contains(&p) {
            continue;
        }
        let upstream_name = if p == d.output {
            format!("∂{f}/∂{}", g.name(p).map_or("?", |n| n.math.as_str()))
        } else {
            grad_name(&g, &f, p)
        };
        let shape = g.shape(p);
        if shape.is_scalar() {
            // A number: ∂f/∂p times p's own local gradient by each value below it.
            let seed = g.add(Op::Identity(1));
            let local = chain::backward_from(&mut g, p, seed, |n| named.contains(&n));
            for (v, l) in in_reading_order(&g, p, local, &named) {
                if v == p || !named.contains(&v) {
                    continue;
                }
                let (map, _) = simplify::simplify_with(&mut g, &[l], simplify::EXPRESSION_RULES);
                let local = render(&g).math(map[&l]);
                locals.push(vec![local_name(&g, p, v), format!("= {local}")]);
                let local = if is_atom(&local) {
                    local
                } else {
                    format!("({local})")
                };
                terms
                    .entry(v)
                    .or_default()
                    .push(format!("{upstream_name} · {local}"));
            }
        } else {
            // A vector or matrix: the vector-Jacobian product with the upstream by name.
            let upstream = if p == d.output {
                d.seed
            } else {
                let name = Name::new(upstream_name.clone(), "upstream");
                g.leaf(name, LeafKind::Constant, shape)
            };
            let local = chain::backward_from(&mut g, p, upstream, |n| named.contains(&n));
            for (v, l) in in_reading_order(&g, p, local, &named) {
                if v == p || !named.contains(&v) {
                    continue;
                }
                // The Jacobian itself where one path leads from p to v (`∂z/∂x = W`); where
                // several do, their vector-Jacobian products are summed below.
                if paths(&g, p, v, &named) == 1 {
                    if let Some((text, shape)) = mlp_symbolic::local::jacobian_between(&mut g, p, v)
                    {
                        locals.push(vec![local_name(&g, p, v), text, shape]);
                    }
                }
                let (map, _) = simplify::simplify_with(&mut g, &[l], simplify::EXPRESSION_RULES);
                terms.entry(v).or_default().push(render(&g).math(map[&l]));
            }
        }
    }
    let r = render(&g);
    let mut backward = Vec::new();
    let seed_text = if d.is_jacobian() { "eᵢ" } else { "1" };
    backward.push((
        d.output,
        vec![grad_name(&g, &f, d.output), format!("= {seed_text}")],
    ));
    for &(v, grad) in &d.grads {
        if v == d.output {
            continue;
        }
        let chain = terms.get(&v).map_or("0".into(), |t| t.join(" + "));
        let simplified = r.math(grad);
        let mut row = vec![grad_name(&g, &f, v), format!("= {chain}")];
        if simplified != chain {
            row.push(format!("= {simplified}"));
        }
        backward.push((v, row));
    }
    Passes {
        forward,
        locals,
        backward,
    }
}

/// The values below `p` in the order its definition reads them (`q` before `z` in `q·z`).
fn in_reading_order(
    g: &Graph,
    p: Id,
    local: BTreeMap<Id, Id>,
    named: &HashSet<Id>,
) -> Vec<(Id, Id)> {
    fn visit(g: &Graph, n: Id, named: &HashSet<Id>, order: &mut Vec<Id>) {
        for c in g.op(n).children() {
            if named.contains(&c) {
                if !order.contains(&c) {
                    order.push(c);
                }
            } else {
                visit(g, c, named, order);
            }
        }
    }
    let mut order = Vec::new();
    visit(g, p, named, &mut order);
    let mut entries: Vec<(Id, Id)> = local.into_iter().collect();
    entries.sort_by_key(|(v, _)| order.iter().position(|o| o == v).unwrap_or(usize::MAX));
    entries
}

/// `∂q/∂x`.
fn local_name(g: &Graph, p: Id, v: Id) -> String {
    let name = |n: Id| g.name(n).map_or("?".to_string(), |x| x.math.clone());
    format!("∂{}/∂{}", name(p), name(v))
}

/// How many ways lead from `top` down to `bottom` through unnamed values (counted up to 2).
fn paths(g: &Graph, top: Id, bottom: Id, named: &HashSet<Id>) -> usize {
    let mut count = 0;
    for c in g.op(top).children() {
        if c == bottom {
            count += 1;
        } else if !named.contains(&c) {
            count += paths(g, c, bottom, named);
        }
        if count >= 2 {
            return 2;
        }
    }
    count
}

/// The derivation's text, from its lines ([`passes`]).
pub fn derivation(d: &Differentiated, passes: &Passes, title: &str) -> String {
    let f = d.f();
    let mut out = String::new();
    let _ = writeln!(out, "{title} = {}", render(&d.graph).definition(d.output));
    let rows: Vec<Vec<String>> = passes.forward.iter().map(|(_, r)| r.clone()).collect();
    section(&mut out, "Forward pass", &rows);
    if !passes.locals.is_empty() {
        section(&mut out, "Local gradients", &passes.locals);
    }
    let rows: Vec<Vec<String>> = passes.backward.iter().map(|(_, r)| r.clone()).collect();
    section(
        &mut out,
        &format!("Backward pass: ∂{f}/∂v = Σ upstream × local over the values that use v"),
        &rows,
    );
    let r = render(&d.graph);

    let mut rows = Vec::new();
    if d.is_jacobian() {
        for a in &d.args {
            let grad = d.grad(a.leaf).map_or("0".into(), |gr| r.math(gr));
            rows.push(vec![
                format!("row i of ∂{}/∂{}", d.name, a.ident),
                format!("= (∂{f}/∂{})ᵀ = ({grad})ᵀ", a.ident),
            ]);
        }
        section(&mut out, "Jacobians, row by row (i over the result)", &rows);
    } else {
        let names: Vec<String> = d
            .args
            .iter()
            .map(|a| format!("∂{f}/∂{}", a.ident))
            .collect();
        let values: Vec<String> = d
            .args
            .iter()
            .map(|a| d.grad(a.leaf).map_or("0".into(), |gr| r.math(gr)))
            .collect();
        rows.push(vec![
            format!("({})", names.join(", ")),
            format!("= ({})", values.join(", ")),
        ]);
        section(&mut out, "Gradient", &rows);
    }

    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let r = render(&d.graph);
    for rw in &d.rewrites {
        let (before, after) = (r.definition(rw.before), r.math(rw.after));
        if before == after {
            continue;
        }
        let row = vec![rw.rule.to_string(), before, format!("→ {after}")];
        if seen.insert(row.clone()) {
            rows.push(row);
        }
    }
    if rows.is_empty() {
        rows.push(vec!["(none)".into()]);
    }
    section(&mut out, "Rewrites applied", &rows);
    forward_mode(&mut out, d);
    second_derivatives(&mut out, d);
    out
}

/// The forward-mode pass of `NAME_jvp`: each named value's tangent `v̇` from the tangents of
/// the values it reads, simplified (the arguments' tangents `ẋ` are given).
fn forward_mode(out: &mut String, d: &Differentiated) {
    let g = &d.graph;
    let leaves: Vec<Id> = d.args.iter().map(|a| a.leaf).collect();
    let math = |v: Id| g.name(v).map_or("?".to_string(), |n| n.math.clone());
    let mut extra: HashMap<Id, String> = HashMap::new();
    if let Some(one) = g.find(&Op::Identity(1)) {
        extra.insert(one, "1".into());
    }
    for &(v, t) in &d.jvp.tangents {
        if g.name(t).is_none() {
            extra.entry(t).or_insert_with(|| dotted(&math(v)));
        }
    }
    let r = Render::with_names(g, extra).numbers();
    let given: Vec<String> = d.jvp.seeds.iter().map(|&t| r.math(t)).collect();
    let mut rows = Vec::new();
    for &(v, t) in &d.jvp.tangents {
        if leaves.contains(&v) {
            continue;
        }
        rows.push(vec![dotted(&math(v)), format!("= {}", r.definition(t))]);
    }
    if rows.is_empty() {
        let f = d.output;
        let tangent = d.jvp.output.map_or("0".into(), |t| r.math(t));
        rows.push(vec![dotted(&math(f)), format!("= {tangent}")]);
    }
    section(
        out,
        &format!(
            "Forward mode: v̇ = Σ ∂v/∂u · u̇ over the values u that v reads, from {} given",
            given.join(", ")
        ),
        &rows,
    );
}

/// The second-derivative pass of `NAME_hessian`: each block `∂²f/∂xᵢ∂xⱼ`, the tangent of the
/// simplified `∂f/∂xᵢ` along `xⱼ` (along `eᵢ` for a vector: the block's column `i`).
fn second_derivatives(out: &mut String, d: &Differentiated) {
    let Some(h) = &d.hessian else {
        return;
    };
    let r = render(&d.graph);
    let f = &d.name;
    let mut rows = Vec::new();
    for (i, a) in d.args.iter().enumerate() {
        for (j, b) in d.args.iter().enumerate() {
            let mut name = if i == j {
                format!("∂²{f}/∂{}²", a.ident)
            } else {
                format!("∂²{f}/∂{}∂{}", a.ident, b.ident)
            };
            if !b.shape.is_scalar() {
                name.push_str(" · eᵢ");
            }
            let value = h.blocks[i][j].map_or("0".into(), |x| r.math(x));
            rows.push(vec![name, format!("= {value}")]);
        }
    }
    section(
        out,
        &format!(
            "Second derivatives: ∂²{f}/∂u∂v = the tangent of ∂{f}/∂u along v (along eᵢ for a vector v: column i)"
        ),
        &rows,
    );
}

/// The lecture's notation for numbers: the 1×1 identity (a seed, `∂q/∂x`) is `1`.
fn render(g: &Graph) -> Render<'_> {
    let extra = g
        .find(&Op::Identity(1))
        .map(|one| (one, "1".to_string()))
        .into_iter()
        .collect();
    Render::with_names(g, extra).numbers()
}

/// `∂f/∂q`.
fn grad_name(g: &Graph, f: &str, v: Id) -> String {
    format!("∂{f}/∂{}", g.name(v).map_or("?", |n| n.math.as_str()))
}

/// Whether a rendered expression needs no parentheses as a factor.
fn is_atom(s: &str) -> bool {
    !s.contains([' ', '·', '/', '−', '⊙', '⊘']) || s.starts_with('∂') && !s.contains(' ')
}

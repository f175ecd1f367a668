//! Stage 6a: the derivation text users read, rendered from the same IR the code comes from.

use crate::backprop::Backprop;
use crate::batch::Batched;
use crate::check::Jacobians;
use crate::int8::{self, Plan};
use mlp_symbolic::ir::{Graph, Id, Name, Render};
use mlp_symbolic::local::jacobian_between;
use mlp_symbolic::simplify;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

pub fn render(
    d: &mut Backprop,
    batched: Option<&Batched>,
    twin: Option<&Plan>,
    source: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{source}");
    forward(d, &mut out);
    local_jacobians(d, &mut out);
    backward(d, &mut out);
    update(d, &mut out);
    if let Some(b) = batched {
        batch(b, &mut out);
    }
    rewrites(d, batched, &mut out);
    if let Some(plan) = twin {
        section(
            &mut out,
            "Quantized forward pass (the int8 twin, TensorFlow Lite's int8: each tensor v ≈ s_v·(v_q − o_v), s its scale, o its zero point; M a fixed-point requantization)",
            &int8::derivation_rows(plan, &d.model),
        );
    }
    out
}

/// The fused training step: each parameter's update as the update rules left it.
fn update(d: &Backprop, out: &mut String) {
    let g = &d.model.graph;
    let r = Render::with_names(g, referred_names(d));
    let rows: Vec<Vec<String>> = d
        .model
        .params
        .iter()
        .zip(&d.updates)
        .map(|(p, &u)| vec![p.name.math.clone(), format!("← {}", r.definition(u))])
        .collect();
    section(
        out,
        "Training step (train_step: W ← W − η·∂J/∂W, in place)",
        &rows,
    );
}

/// The backward pass over a batch of B samples, one per column.
fn batch(b: &Batched, out: &mut String) {
    let g = &b.graph;
    let r = Render::with_names(g, batch_names(b));
    let mut rows = vec![vec![
        "J".to_string(),
        format!("= {}", r.definition(b.loss)),
        g.shape(b.loss).text(),
    ]];
    let mut defined = HashSet::new();
    for (label, node) in &b.gradients {
        let text = if defined.insert(*node) {
            r.definition(*node)
        } else {
            r.math(*node)
        };
        rows.push(vec![
            label.clone(),
            format!("= {text}"),
            g.shape(*node).text(),
        ]);
    }
    section(
        out,
        "Backward pass over a batch (train_step_batch: B samples, one per column of X)",
        &rows,
    );
}

fn forward(d: &Backprop, out: &mut String) {
    let g = &d.model.graph;
    let r = Render::new(g);
    let mut rows = Vec::new();
    for step in &d.model.layers {
        rows.push(vec![
            r.math(step.value),
            format!("= {}", r.definition(step.value)),
            g.shape(step.value).text(),
        ]);
    }
    rows.push(vec![
        r.math(d.model.loss),
        format!("= {}", r.definition(d.model.loss)),
        g.shape(d.model.loss).text(),
    ]);
    section(out, "Forward pass", &rows);
}

/// ∂v/∂u for each layer, from the loss back: the factors the chain rule multiplies.
fn local_jacobians(d: &mut Backprop, out: &mut String) {
    let mut rows = Vec::new();
    let model = &d.model;
    let mut pairs: Vec<(Id, Id)> = vec![(model.loss, model.output)];
    for step in model.layers.iter().rev() {
        for &p in &step.params {
            pairs.push((step.value, model.params[p].leaf));
        }
        pairs.push((step.value, step.input));
    }
    for (top, bottom) in pairs {
        let g = &mut d.model.graph;
        let lhs = format!("∂{}/∂{}", math(g, top), math(g, bottom));
        let Some((text, shape)) = jacobian_between(g, top, bottom) else {
            continue;
        };
        rows.push(vec![lhs, text, shape]);
    }
    section(out, "Local Jacobians (recorded by the forward pass)", &rows);
}

/// The gradients the text refers to by name. A gradient made only of forward values (`ŷ − y`)
/// reads best written out; one built on another gradient goes by its name (`∂J/∂h ⊙ 1[z > 0]`).
fn referred(g: &Graph, grad_names: &HashMap<Id, Name>) -> HashMap<Id, String> {
    let named: HashSet<Id> = grad_names.keys().copied().collect();
    let mut names = HashMap::new();
    for (&node, name) in grad_names {
        let below = g.reachable(&[node], |_| false);
        if below.iter().any(|n| *n != node && named.contains(n)) {
            names.insert(node, name.math.clone());
        }
    }
    names
}

/// [`referred`] of the network.
fn referred_names(d: &Backprop) -> HashMap<Id, String> {
    referred(&d.model.graph, &d.grad_names)
}

/// [`referred`] of the batch.
fn batch_names(b: &Batched) -> HashMap<Id, String> {
    referred(&b.graph, &b.grad_names)
}

fn backward(d: &Backprop, out: &mut String) {
    let g = &d.model.graph;
    let r = Render::with_names(g, referred_names(d));
    let live: HashSet<Id> = {
        let mut roots: Vec<Id> = d.model.params.iter().map(|p| d.grad[&p.leaf]).collect();
        roots.push(d.grad[&d.model.input]);
        g.reachable(&roots, |_| false).into_iter().collect()
    };

    let mut rows = Vec::new();
    let mut defined = HashSet::new();
    let mut factors: Vec<String> = Vec::new();
    let mut above = d.model.loss;
    for v in d.backward_order() {
        let Some(&node) = d.grad.get(&v) else {
            continue;
        };
        let is_value = d.model.layers.iter().any(|s| s.value == v) || v == d.model.input;
        let factor = format!("∂{}/∂{}", math(g, above), math(g, v));
        let chain = factors
            .iter()
            .chain(std::iter::once(&factor))
            .cloned()
            .collect::<Vec<_>>()
            .join(" · ");
        let simplified = if defined.contains(&node) {
            r.math(node)
        } else {
            r.definition(node)
        };
        defined.insert(node);
        let mut shape = g.shape(v).text();
        if !live.contains(&node) {
            shape.push_str("  (fused away, not computed)");
        }
        rows.push(vec![
            d.grad_math(v),
            format!("= {chain}"),
            format!("= {simplified}"),
            shape,
        ]);
        if is_value {
            factors.push(factor);
            above = v;
        }
    }
    let title = match d.jacobians {
        Jacobians::Simplified => {
            "Backward pass (the chain rule from the loss back, then simplified)"
        }
        Jacobians::Full => {
            "Backward pass (the chain rule from the loss back, unsimplified: jacobians = full)"
        }
    };
    section(out, title, &rows);
}

fn rewrites(d: &Backprop, batched: Option<&Batched>, out: &mut String) {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    rewrite_rows(
        &d.model.graph,
        referred_names(d),
        &d.rewrites,
        &mut seen,
        &mut rows,
    );
    if let Some(b) = batched {
        rewrite_rows(&b.graph, batch_names(b), &b.rewrites, &mut seen, &mut rows);
    }
    section(out, "Rewrites applied", &rows);
}

fn rewrite_rows(
    g: &Graph,
    names: HashMap<Id, String>,
    log: &[simplify::Rewrite],
    seen: &mut HashSet<Vec<String>>,
    rows: &mut Vec<Vec<String>>,
) {
    let r = Render::with_names(g, names);
    for rw in log {
        let row = vec![
            rw.rule.to_string(),
            r.definition(rw.before),
            if g.op(rw.before).children().contains(&rw.after) {
                format!("→ {}", r.math(rw.after))
            } else {
                format!("→ {}", r.definition(rw.after))
            },
        ];
        if seen.insert(row.clone()) {
            rows.push(row);
        }
    }
}

fn math(g: &Graph, id: Id) -> String {
    Render::new(g).math(id)
}

/// A titled block of rows, columns padded to align.
pub fn section(out: &mut String, title: &str, rows: &[Vec<String>]) {
    let _ = write!(out, "\n{title}\n");
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from("  ");
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if let Some(next) = row.get(c + 1) {
                let gap = if next.starts_with(['=', ':', '→']) {
                    1
                } else {
                    2
                };
                let pad = width[c] - cell.chars().count();
                line.push_str(&" ".repeat(pad + gap));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The computational graph in Graphviz DOT, from the same IR as the text: the forward values
/// as nodes (input, parameters, each layer's value, the loss), each edge labelled with its
/// local Jacobian, and each node with its gradient `∂J/∂v` as the backward pass computes it
/// (or the rule that fused it away).
pub fn graph_dot(d: &mut Backprop, name: &str) -> String {
    let model_steps: Vec<(Id, Id, Vec<usize>)> = d
        .model
        .layers
        .iter()
        .map(|s| (s.value, s.input, s.params.clone()))
        .collect();
    let (input, output, loss) = (d.model.input, d.model.output, d.model.loss);
    let params: Vec<Id> = d.model.params.iter().map(|p| p.leaf).collect();
    let mut edges: Vec<(Id, Id, String)> = Vec::new();
    for (value, from, owned) in &model_steps {
        for &p in owned {
            edges.push((params[p], *value, String::new()));
        }
        edges.push((*from, *value, String::new()));
    }
    edges.push((output, loss, String::new()));
    for edge in edges.iter_mut() {
        let g = &mut d.model.graph;
        let lhs = format!("∂{}/∂{}", math(g, edge.1), math(g, edge.0));
        edge.2 = match jacobian_between(g, edge.1, edge.0) {
            Some((text, _)) if text.starts_with(':') => text.trim_start_matches(": ").to_string(),
            Some((text, _)) => format!("{lhs} {text}"),
            None => lhs,
        };
    }
    let g = &d.model.graph;
    let r = Render::with_names(g, referred_names(d));
    let live: HashSet<Id> = {
        let mut roots: Vec<Id> = d.model.params.iter().map(|p| d.grad[&p.leaf]).collect();
        roots.push(d.grad[&input]);
        g.reachable(&roots, |_| false).into_iter().collect()
    };
    // The rule that used a gradient up, for the ones the backward pass never computes.
    let fused_by = |node: Id| -> Option<&'static str> {
        d.rewrites
            .iter()
            .find(|rw| {
                g.reachable(&[rw.before], |_| false).contains(&node)
                    && !g.reachable(&[rw.after], |_| false).contains(&node)
            })
            .map(|rw| rw.rule)
    };
    let gradient = |v: Id| -> String {
        let label = format!("∂J/∂{}", math(g, v));
        match d.grad.get(&v) {
            _ if v == loss => String::new(),
            Some(&node) if live.contains(&node) => {
                // A gradient that is another value's (∂J/∂b₁ is ∂J/∂z) goes by that name.
                match d.grad_names.get(&node) {
                    Some(n) if n.math != label => format!("{label} = {}", n.math),
                    _ => format!("{label} = {}", r.definition(node)),
                }
            }
            Some(&node) => match fused_by(node) {
                Some(rule) => format!("{label}: fused away ({rule})"),
                None => format!("{label}: not computed"),
            },
            None => String::new(),
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "digraph {name} {{");
    let _ = writeln!(out, "  rankdir=TB;");
    let _ = writeln!(out, "  node [shape=box];");
    let mut nodes: Vec<Id> = vec![input];
    nodes.extend(&params);
    nodes.extend(model_steps.iter().map(|s| s.0));
    nodes.push(loss);
    for v in nodes {
        let id = format!("n{v}");
        let shape = g.shape(v).text();
        let head = if v == input || params.contains(&v) {
            format!("{} {shape}", math(g, v))
        } else {
            format!("{} = {} {shape}", math(g, v), r.definition(v))
        };
        let grad = gradient(v);
        let label = if grad.is_empty() {
            head
        } else {
            format!("{head}\\n{grad}")
        };
        let style = if params.contains(&v) {
            ", style=rounded"
        } else {
            ""
        };
        let _ = writeln!(out, "  {id} [label=\"{}\"{style}];", escape(&label));
    }
    for (from, to, label) in edges {
        let _ = writeln!(out, "  n{from} -> n{to} [label=\"{}\"];", escape(&label));
    }
    let _ = writeln!(out, "}}");
    out
}

/// A DOT string's quotes escaped (its `\n` line breaks kept).
fn escape(s: &str) -> String {
    s.replace('"', "\\\"")
}

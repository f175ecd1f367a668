//! `#[mlp::grad]` on Rust's float methods (`.sin()`, `.atan2(x)`, `.hypot(y)`, `.clamp(a, b)`,
//! ...) against JAX in float64 and against fourth-order central finite differences in f64.
//!
//! The numbers come from `scripts/jax_fixtures.py`, written to `tests/fixtures/jax/grad.txt`
//! (its header explains the format); the functions are in `tests/methods/functions.rs`, each
//! named as its fixture lines. Run with `-- --nocapture` to see the worst differences.

#[path = "methods/functions.rs"]
mod functions;

mod common;

use common::compare::{fourth_order, step, Tally};
use functions::{all, Function, NOT_YET};
use std::collections::{BTreeMap, BTreeSet};

/// One fixture line: a function at one point.
struct Point {
    name: String,
    args: Vec<f64>,
    value: Vec<f64>,
    /// The gradient flattened argument by argument, or for a vector result the Jacobian row by
    /// row.
    gradient: Vec<f64>,
    /// The Hessian of a scalar result over the flattened arguments, row-major.
    hessian: Option<Vec<f64>>,
}

fn numbers(field: &str, line: usize) -> Vec<f64> {
    field
        .split_whitespace()
        .map(|t| {
            t.parse()
                .unwrap_or_else(|e| panic!("grad.txt:{line}: `{t}` is not a number: {e}"))
        })
        .collect()
}

/// Reads `tests/fixtures/jax/grad.txt`: five tab-separated fields a line, `#` comments.
fn fixtures() -> Vec<Point> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jax/grad.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut points = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_number = i + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 5, "grad.txt:{line_number}: {line}");
        let point = Point {
            name: fields[0].to_string(),
            args: numbers(fields[1], line_number),
            value: numbers(fields[2], line_number),
            gradient: numbers(fields[3], line_number),
            hessian: (fields[4] != "-").then(|| numbers(fields[4], line_number)),
        };
        let (n, m) = (point.args.len(), point.value.len());
        assert_eq!(
            point.gradient.len(),
            n * m,
            "grad.txt:{line_number}: gradient"
        );
        match &point.hessian {
            Some(h) => assert!(
                m == 1 && h.len() == n * n,
                "grad.txt:{line_number}: hessian"
            ),
            None => assert!(
                m > 1,
                "grad.txt:{line_number}: a scalar result without hessian"
            ),
        }
        points.push(point);
    }
    points
}

fn functions_by_name() -> BTreeMap<&'static str, Function> {
    all().into_iter().map(|f| (f.name, f)).collect()
}

fn point_text(p: &Point) -> String {
    let args: Vec<String> = p.args.iter().map(|a| a.to_string()).collect();
    format!("{}({})", p.name, args.join(", "))
}

/// `∂f/∂p3`, or `∂f1/∂p3` for entry 1 of a vector result.
fn partial(p: &Point, index: usize) -> String {
    let n = p.args.len();
    if p.value.len() == 1 {
        format!("∂f/∂p{index}")
    } else {
        format!("∂f{}/∂p{}", index / n, index % n)
    }
}

#[test]
fn every_function_is_in_the_fixtures_and_back() {
    let points = fixtures();
    let mut per_function: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &points {
        *per_function.entry(p.name.as_str()).or_default() += 1;
    }
    let fixture_names: BTreeSet<&str> = per_function.keys().copied().collect();
    let rust: BTreeMap<&str, Function> = functions_by_name();
    assert_eq!(rust.len(), all().len(), "two Rust functions share a name");
    let not_yet: BTreeSet<&str> = NOT_YET.iter().copied().collect();

    let missing: Vec<&&str> = rust
        .keys()
        .filter(|n| !fixture_names.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "Rust functions without fixtures: {missing:?}"
    );
    let unwritten: Vec<&&str> = fixture_names
        .iter()
        .filter(|n| !rust.contains_key(*n) && !not_yet.contains(*n))
        .collect();
    assert!(
        unwritten.is_empty(),
        "fixtures without a Rust function or NOT_YET: {unwritten:?}"
    );
    let stale: Vec<&&str> = not_yet
        .iter()
        .filter(|n| rust.contains_key(*n) || !fixture_names.contains(*n))
        .collect();
    assert!(
        stale.is_empty(),
        "NOT_YET names written in Rust or not in the fixtures: {stale:?}"
    );

    assert!(
        fixture_names.len() >= 45,
        "{} functions",
        fixture_names.len()
    );
    for (name, count) in &per_function {
        assert!(*count >= 4, "{name}: {count} points");
    }
    for p in &points {
        if let Some(f) = rust.get(p.name.as_str()) {
            assert_eq!(f.inputs, p.args.len(), "{}: argument count", p.name);
        }
    }
    eprintln!(
        "fixtures: {} functions, {} points; {} written in Rust, not yet: {NOT_YET:?}",
        fixture_names.len(),
        points.len(),
        rust.len()
    );
}

#[test]
fn every_function_matches_jax() {
    let rust = functions_by_name();
    let mut tally = Tally::new(1e-12);
    let (mut functions, mut points) = (BTreeSet::new(), 0);
    for p in fixtures()
        .iter()
        .filter(|p| rust.contains_key(p.name.as_str()))
    {
        let f = &rust[p.name.as_str()];
        let (value, gradient) = (f.derived)(&p.args);
        assert_eq!(value.len(), p.value.len(), "{}: outputs", point_text(p));
        assert_eq!(
            gradient.len(),
            p.gradient.len(),
            "{}: gradient size",
            point_text(p)
        );
        for (i, (ours, theirs)) in value.iter().zip(&p.value).enumerate() {
            tally.compare(|| format!("{} value {i}", point_text(p)), *ours, *theirs);
        }
        for (i, (ours, theirs)) in gradient.iter().zip(&p.gradient).enumerate() {
            tally.compare(
                || format!("{} {}", point_text(p), partial(p, i)),
                *ours,
                *theirs,
            );
        }
        functions.insert(f.name);
        points += 1;
    }
    eprintln!("vs JAX: {} functions, {points} points", functions.len());
    tally.finish("vs JAX (float64), relative to max(|a|, |b|, 1)");
}

#[test]
fn every_function_matches_fourth_order_finite_differences() {
    let rust = functions_by_name();
    let mut values = Tally::new(1e-12);
    let mut tally = Tally::new(1e-7);
    for p in fixtures()
        .iter()
        .filter(|p| rust.contains_key(p.name.as_str()))
    {
        let f = &rust[p.name.as_str()];
        let (value, gradient) = (f.derived)(&p.args);
        let written = (f.value)(&p.args);
        for (i, (ours, theirs)) in value.iter().zip(&written).enumerate() {
            values.compare(|| format!("{} value {i}", point_text(p)), *ours, *theirs);
        }
        let n = p.args.len();
        for k in 0..n {
            let fd = fourth_order(&|q| (f.value)(q), step(f.name, p.args[k]), &p.args, k);
            for (i, fd) in fd.iter().enumerate() {
                tally.compare(
                    || format!("{} {}", point_text(p), partial(p, i * n + k)),
                    gradient[i * n + k],
                    *fd,
                );
            }
        }
    }
    values.finish("generated value vs the function as written");
    tally.finish("vs fourth-order central differences");
}

/// The fixture Hessians, for later, checked now: differences of our gradient against them.
#[test]
fn jax_hessians_match_finite_differences_of_the_gradient() {
    let rust = functions_by_name();
    let mut tally = Tally::new(1e-6);
    for p in fixtures()
        .iter()
        .filter(|p| rust.contains_key(p.name.as_str()))
    {
        let Some(hessian) = &p.hessian else { continue };
        let f = &rust[p.name.as_str()];
        let n = p.args.len();
        for k in 0..n {
            let fd = fourth_order(&|q| (f.derived)(q).1, step(f.name, p.args[k]), &p.args, k);
            for (i, fd) in fd.iter().enumerate() {
                tally.compare(
                    || format!("{} ∂²f/∂p{i}∂p{k}", point_text(p)),
                    *fd,
                    hessian[i * n + k],
                );
            }
        }
    }
    tally.finish("JAX Hessians vs differences of the generated gradients");
}

/// The conventions at kinks and ties, which the fixtures avoid: abs′(0) = 0, signum′ = 0, clamp
/// at a bound 0, `x.max(c)` / `x.min(c)` with a constant 0 at the tie (as ReLU), and
/// `x.max(y)` / `x.min(y)` of two variables ½ each at a tie (as JAX).
#[test]
fn kinks_and_ties() {
    use functions::*;
    assert_eq!(abs_x_grad(0.0), (0.0, (0.0,)));
    assert_eq!(signum_times_grad(0.0, 2.0).1, (0.0, 1.0));
    assert_eq!(signum_times_grad(-3.0, 2.0).1, (0.0, -1.0));
    assert_eq!(clamp_x_grad(1.0), (1.0, (0.0,)));
    assert_eq!(clamp_x_grad(-1.0), (-1.0, (0.0,)));
    assert_eq!(clamp_x_grad(0.0), (0.0, (1.0,)));
    assert_eq!(max_const_grad(0.5), (0.5, (0.0,)));
    assert_eq!(min_const_grad(0.5), (0.5, (0.0,)));
    assert_eq!(max_xy_grad(0.75, 0.75), (0.75, (0.5, 0.5)));
    assert_eq!(min_xy_grad(-0.75, -0.75), (-0.75, (0.5, 0.5)));
    let (_, (dv, dw)) = map_abs_dot_grad(
        mlp::nalgebra::Vector3::new(0.0, -2.0, 3.0),
        mlp::nalgebra::Vector3::new(5.0, 7.0, 11.0),
    );
    assert_eq!(dv.as_slice(), &[0.0, -7.0, 11.0]);
    assert_eq!(dw.as_slice(), &[0.0, 2.0, 3.0]);
}

//! Comparing numbers from two sources: the relative difference, fourth-order central
//! differences, and a tally of many comparisons that reports the worst and fails on any over
//! its tolerance.

/// |a − b| relative to max(|a|, |b|, 1).
pub fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

/// Functions singular at 0 (or undefined below it), whose differences take a step relative to
/// the point (`ln`, `√`, `1/x`, ... of `tests/methods/functions.rs`).
pub const SINGULAR_AT_ZERO: &[&str] = &[
    "ln_x", "sqrt_x", "log2_x", "log10_x", "log_base", "recip_x", "powi_neg", "cbrt_x",
];

/// The step for argument `p` of the function `name`: 10⁻³·max(|p|, 1); for a function singular
/// at 0, 10⁻³·|p|, so that p ± 2h stays on p's side of 0 and the derivatives, which grow as p
/// nears 0, stay small over the step.
pub fn step(name: &str, p: f64) -> f64 {
    if SINGULAR_AT_ZERO.contains(&name) {
        1e-3 * p.abs()
    } else {
        1e-3 * p.abs().max(1.0)
    }
}

/// ∂g/∂p[k] for every output of g: (−g(p + 2h) + 8g(p + h) − 8g(p − h) + g(p − 2h)) / 12h,
/// error O(h⁴).
pub fn fourth_order(g: &dyn Fn(&[f64]) -> Vec<f64>, h: f64, p: &[f64], k: usize) -> Vec<f64> {
    let at = |d: f64| {
        let mut q = p.to_vec();
        q[k] += d;
        g(&q)
    };
    let (a, b, c, d) = (at(2.0 * h), at(h), at(-h), at(-2.0 * h));
    (0..a.len())
        .map(|i| (-a[i] + 8.0 * b[i] - 8.0 * c[i] + d[i]) / (12.0 * h))
        .collect()
}

/// The worst of many comparisons, and every one over the tolerance.
pub struct Tally {
    tolerance: f64,
    worst: (f64, String),
    compared: usize,
    failures: Vec<String>,
}

impl Tally {
    /// No comparison yet; `tolerance` on the relative difference.
    pub fn new(tolerance: f64) -> Self {
        Tally {
            tolerance,
            worst: (0.0, String::new()),
            compared: 0,
            failures: Vec::new(),
        }
    }

    /// One comparison; `what` names the number (`atan2_yx(-0.8, 1.2) ∂/∂p1`).
    pub fn compare(&mut self, what: impl Fn() -> String, ours: f64, theirs: f64) {
        let e = relative(ours, theirs);
        self.compared += 1;
        if e > self.worst.0 || e.is_nan() {
            self.worst = (e, what());
        }
        if e > self.tolerance || e.is_nan() {
            self.failures.push(format!(
                "{}: ours {ours:e}, theirs {theirs:e} (relative {e:.1e})",
                what()
            ));
        }
    }

    /// Prints the count and the worst, and fails when nothing was compared or any comparison
    /// was over the tolerance.
    pub fn finish(&self, title: &str) {
        if self.worst.0 == 0.0 {
            eprintln!("{title}: {} numbers, all equal", self.compared);
        } else {
            eprintln!(
                "{title}: {} numbers, worst relative difference {:.2e} at {}",
                self.compared, self.worst.0, self.worst.1
            );
        }
        assert!(self.compared > 0, "{title}: nothing compared");
        assert!(
            self.failures.is_empty(),
            "{title}: {} over {:e}:\n{}",
            self.failures.len(),
            self.tolerance,
            self.failures.join("\n")
        );
    }
}

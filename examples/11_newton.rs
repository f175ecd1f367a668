//! Why a Hessian matters: the lecture's logistic regression fitted by Newton's method.
//!
//! The negative log-likelihood of one sample, J(w) = ln(1 + e^{⟨w, x⟩}) − y·⟨w, x⟩ (x with a
//! 1 appended for the bias), is written once as a Rust function; `#[mlp::grad]` derives its
//! gradient `(p − y)·x` and its Hessian `p(1 − p)·x·xᵀ` at compile time. Summed over the data,
//! Newton's step w ← w − H⁻¹·∇J reaches the optimum in a handful of iterations, where gradient
//! descent with the best fixed step still creeps after hundreds.
//!
//! Run: `cargo run --release --example 11_newton`

use mlp::nalgebra::{SMatrix, SVector};

/// The negative log-likelihood of one sample under logistic regression.
#[mlp::grad]
fn nll(w: SVector<f64, 3>, x: SVector<f64, 3>, y: f64) -> f64 {
    let p = w.dot(&x);
    (1.0 + p.exp()).ln() - y * p
}

type W = SVector<f64, 3>;

/// The mean loss, gradient and Hessian by w over the data.
fn totals(w: &W, data: &[(W, f64)]) -> (f64, W, SMatrix<f64, 3, 3>) {
    let n = data.len() as f64;
    let (mut loss, mut grad, mut hessian) = (0.0, W::zeros(), SMatrix::<f64, 3, 3>::zeros());
    for (x, y) in data {
        let (value, (g, _, _), ((h, _, _), _, _)) = nll_hessian(*w, *x, *y);
        debug_assert_eq!(
            value,
            nll(*w, *x, *y),
            "the value is the function's as written"
        );
        loss += value / n;
        grad += g / n;
        hessian += h / n;
    }
    (loss, grad, hessian)
}

fn main() {
    // Two overlapping blobs: the classes are not separable, so the optimum is finite.
    let blobs = mlp::datasets::make_blobs::<2>(400, 2, 4.0, 3);
    let data: Vec<(W, f64)> = blobs
        .features
        .iter()
        .zip(&blobs.labels)
        .map(|(f, &label)| (W::new(f[0], f[1], 1.0), label as f64))
        .collect();

    println!("The derivation's second derivatives (from NLL_DERIVATION):");
    let text = NLL_DERIVATION;
    if let Some(start) = text.find("Second derivatives") {
        for line in text[start..].lines().take(4) {
            println!("  {line}");
        }
    }
    println!();

    println!("Newton's method: w ← w − H⁻¹·∇J");
    println!("iteration  mean loss              |∇J|");
    let mut w = W::zeros();
    let mut newton = Vec::new();
    for k in 0..10 {
        let (loss, grad, hessian) = totals(&w, &data);
        println!("{k:>9}  {loss:.15}  {:.3e}", grad.norm());
        newton.push(loss);
        let Some(cholesky) = hessian.cholesky() else {
            println!("the Hessian is not positive definite: stop");
            break;
        };
        w -= cholesky.solve(&grad);
    }
    let optimum = *newton.last().unwrap_or(&f64::NAN);

    // Gradient descent with a fixed step, as the networks train: 1/L for L the Hessian's
    // largest eigenvalue at the start (a safe step for this convex loss).
    let (_, _, h0) = totals(&W::zeros(), &data);
    let largest = h0.symmetric_eigenvalues().max();
    let step = 1.0 / largest;
    let mut w = W::zeros();
    let mut iterations = 0;
    while iterations < 100_000 {
        let (loss, grad, _) = totals(&w, &data);
        if loss - optimum < 1e-9 {
            break;
        }
        w -= grad * step;
        iterations += 1;
    }
    println!(
        "\nGradient descent (step 1/λmax = {step:.3e}) needs {iterations} iterations to come within 1e-9 of Newton's loss {optimum:.12}."
    );
    assert!(
        newton.windows(2).all(|l| l[1] <= l[0] + 1e-15),
        "Newton's loss never rises"
    );
}

// `foo` has no `#[mlp::grad]`: the call's local derivative would be `foo_grad`'s, which does not
// exist, and rustc says so on the call.
fn foo(x: f64) -> f64 {
    x.sin()
}

#[mlp::grad]
fn f(x: f64, y: f64) -> f64 {
    let q = x * y;
    foo(q) + q
}

fn main() {}

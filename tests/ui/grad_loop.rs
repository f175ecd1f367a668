// A `while` loop runs a number of times known only at run time: refused, with the `for` that is.
#[mlp::grad]
fn f(x: f64) -> f64 {
    let mut s = x;
    while s < 100.0 {
        s = s * x;
    }
    s
}

fn main() {}

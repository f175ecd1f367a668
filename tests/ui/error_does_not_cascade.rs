// One typo gives one error: the struct still exists, so code using it does not add
// "cannot find type" errors.
#[mlp::network(x -> Linear(2, 16) -> Relu -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn train(_net: &Classifier<f64>) {}

fn main() {}

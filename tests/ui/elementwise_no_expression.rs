#[mlp::network(x -> Linear(2, 8) -> Elementwise -> Linear(8, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {}

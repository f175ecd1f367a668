#[mlp::network(x -> Linear(2.5, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {}

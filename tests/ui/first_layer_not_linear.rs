#[mlp::network(x -> ReLU -> Linear(2, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {}

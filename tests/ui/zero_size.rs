#[mlp::network(x -> Linear(2, 0) -> ReLU -> Linear(0, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {}

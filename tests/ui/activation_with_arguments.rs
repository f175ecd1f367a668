#[mlp::network(x -> Linear(2, 16) -> ReLU(16) -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {}

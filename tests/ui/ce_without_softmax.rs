#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> CE)]
pub struct Classifier;

fn main() {}

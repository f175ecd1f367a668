#[mlp::network(x -> Linear(2, 8) -> ReLU -> Linear(8, 3) -> Sigmoid -> BCE)]
pub struct Logistic;

fn main() {}

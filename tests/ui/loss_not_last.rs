#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE -> Linear(3, 3) -> MSE)]
pub struct Classifier;

fn main() {}

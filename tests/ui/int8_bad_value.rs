#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE, int8 = yes)]
pub struct Classifier;

fn main() {}

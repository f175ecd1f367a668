#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE, ram_budget = 512)]
pub struct TooBig;

fn main() {}

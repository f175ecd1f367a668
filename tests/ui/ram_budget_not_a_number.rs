#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE, ram_budget = lots)]
pub struct Unclear;

fn main() {}

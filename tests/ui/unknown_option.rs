#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE, jacobian = full)]
pub struct Net;

fn main() {}

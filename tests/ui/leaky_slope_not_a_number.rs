#[mlp::network(x -> Linear(2, 8) -> LeakyReLU(slope) -> Linear(8, 3) -> Softmax -> CE)]
pub struct Net;

fn main() {}

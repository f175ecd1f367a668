#[mlp::network(x -> Maxout(2, 8, 0) -> Linear(8, 3) -> Softmax -> CE)]
pub struct Net;

fn main() {}

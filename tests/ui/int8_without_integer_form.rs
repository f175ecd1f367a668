// `int8 = true` asks for the integer twin; `Elementwise` has no integer form.
#[mlp::network(x -> Linear(2, 8) -> Elementwise(z * sigmoid(z)) -> Linear(8, 3) -> Softmax -> CE, int8 = true)]
pub struct Swish;

fn main() {}

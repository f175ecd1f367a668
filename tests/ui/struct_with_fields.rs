#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE)]
pub struct Classifier {
    weights: Vec<f32>,
}

fn main() {}

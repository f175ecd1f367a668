#[mlp::network(x -> Linear(2, 1) -> Tanh -> BCE)]
pub struct Logistic;

fn main() {}

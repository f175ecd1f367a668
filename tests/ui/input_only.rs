#[mlp::network(x)]
pub struct Classifier;

fn main() {}

#[mlp::network()]
pub struct Classifier;

fn main() {}

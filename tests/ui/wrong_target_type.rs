// Shapes live in types: a CE network takes a class index, not a vector.
use mlp::Network;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

fn main() {
    let net = Classifier::<f64>::zeros();
    let x = mlp::nalgebra::SVector::<f64, 2>::zeros();
    let y = mlp::nalgebra::SVector::<f64, 3>::zeros();
    let _ = net.loss(&x, &y);
}

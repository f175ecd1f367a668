use mlp::Network;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

#[test]
fn smoke() {
    let net = Classifier::<f64>::zeros();
    let x = mlp::nalgebra::SVector::<f64, 2>::new(0.5, -1.0);
    let (y, tape) = net.forward_cached(&x);
    let g = net.backward(&tape, &1);
    println!("{y} {g:?}");
    println!("{}", Classifier::<f64>::DERIVATION);
}

//! The derivations users read, pinned. A change to any of them is a change to the math the
//! tool prints: read the diff before accepting it.

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

#[mlp::network(x -> Linear(3, 8) -> Tanh -> Linear(8, 1) -> Sigmoid -> MSE)]
pub struct Regressor;

#[mlp::network(x -> Linear(4, 8) -> ReLU -> Linear(8, 8) -> Sigmoid -> Linear(8, 8) -> Tanh -> Linear(8, 6) -> ReLU -> Linear(6, 3) -> Softmax -> CE)]
pub struct FourHidden;

#[test]
fn card_network() {
    insta::assert_snapshot!(Classifier::<f64>::DERIVATION);
}

#[test]
fn sigmoid_output_regressor() {
    insta::assert_snapshot!(Regressor::<f64>::DERIVATION);
}

#[test]
fn four_hidden_layers() {
    insta::assert_snapshot!(FourHidden::<f64>::DERIVATION);
}

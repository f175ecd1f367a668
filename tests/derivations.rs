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

/// The lecture's logistic regression: `x -> Linear(2, 1) -> Sigmoid -> BCE`.
#[mlp::network(x -> Linear(2, 1) -> Sigmoid -> BCE)]
pub struct LogisticRegression;

#[mlp::network(x -> Maxout(2, 4, 2) -> Linear(4, 3) -> Softmax -> CE)]
pub struct MaxoutNet;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE, jacobians = full)]
pub struct ClassifierFull;

#[test]
fn logistic_regression() {
    insta::assert_snapshot!(LogisticRegression::<f64>::DERIVATION);
}

#[test]
fn maxout_network() {
    insta::assert_snapshot!(MaxoutNet::<f64>::DERIVATION);
}

/// The card's network with `jacobians = full`: the same chain, nothing simplified.
#[test]
fn card_network_full_jacobians() {
    insta::assert_snapshot!(ClassifierFull::<f64>::DERIVATION);
}

/// The computational graph, from the same IR: nodes, local Jacobians on the edges, gradients.
#[test]
fn card_network_graph() {
    insta::assert_snapshot!(Classifier::<f64>::GRAPH_DOT);
}

/// The card's network with SiLU written as an expression: f′(z) derived by the chain rule and
/// used as a built-in activation's diag(f′(z)).
#[mlp::network(x -> Linear(2, 16) -> Elementwise(z * sigmoid(z)) -> Linear(16, 3) -> Softmax -> CE)]
pub struct SiluClassifier;

#[test]
fn silu_network() {
    insta::assert_snapshot!(SiluClassifier::<f64>::DERIVATION);
}

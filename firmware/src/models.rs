//! The two networks the firmwares run, shared with the host program that trains the first
//! (`examples/09_weights_in_flash.rs` includes this file).

/// The sine model microflow-rs and TensorFlow Lite Micro use as their hello world: one input,
/// two hidden layers of 16, one output.
#[mlp::network(x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE)]
pub struct Sine;

/// The design card's classifier, trained on the device.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Card;

//! Lecture section 3, the non-linearities: the same network, the same data (two moons, a
//! non-linear problem), the same seed and schedule, trained with each activation of the
//! lecture. Prints one table: final training loss and accuracy, train and held out.
//!
//! Run: `cargo run --release --example 04_activation_zoo`

mod common;

use common::{accuracy, epoch, prepare, Sample};
use mlp::nalgebra::SVector;
use mlp::rng::Rng;
use mlp::Network;

#[mlp::network(x -> Linear(2, 16) -> Identity -> Linear(16, 2) -> Softmax -> CE)]
struct Linear;
#[mlp::network(x -> Linear(2, 16) -> Sigmoid -> Linear(16, 2) -> Softmax -> CE)]
struct Sigmoid;
#[mlp::network(x -> Linear(2, 16) -> Tanh -> Linear(16, 2) -> Softmax -> CE)]
struct Tanh;
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 2) -> Softmax -> CE)]
struct Relu;
#[mlp::network(x -> Linear(2, 16) -> LeakyReLU -> Linear(16, 2) -> Softmax -> CE)]
struct LeakyRelu;
#[mlp::network(x -> Linear(2, 16) -> ELU -> Linear(16, 2) -> Softmax -> CE)]
struct Elu;
#[mlp::network(x -> Maxout(2, 16, 2) -> Linear(16, 2) -> Softmax -> CE)]
struct Maxout;

const EPOCHS: usize = 100;
const LEARNING_RATE: f32 = 0.05;

/// Trains `net` on `train`; returns (final mean loss, train accuracy, test accuracy).
fn run<N>(mut net: N, train: &[Sample<2, usize>], test: &[Sample<2, usize>]) -> (f32, f32, f32)
where
    N: Network<f32, Input = SVector<f32, 2>, Output = SVector<f32, 2>, Target = usize>
        + mlp::Parameters<f32>,
{
    mlp::init::xavier_uniform(&mut net, 11);
    let mut rng = Rng::new(11);
    let mut loss = 0.0;
    for _ in 0..EPOCHS {
        loss = epoch(&mut net, train, LEARNING_RATE, &mut rng);
    }
    (loss, accuracy(&net, train), accuracy(&net, test))
}

fn main() {
    let data = mlp::datasets::make_moons(500, 0.2, 5);
    let (train, test) = prepare(&data, 0.2, 5);

    println!("two moons, 400 train / 100 test, noise 0.2; x -> Linear(2, 16) -> f -> Linear(16, 2) -> Softmax -> CE");
    println!("SGD, η = {LEARNING_RATE}, {EPOCHS} epochs, Xavier-uniform init, seed 11\n");
    println!(
        "{:<28} {:>10} {:>10} {:>10}",
        "activation f", "loss", "train acc", "test acc"
    );
    let rows = [
        (
            "Identity (no non-linearity)",
            run(Linear::zeros(), &train, &test),
        ),
        ("Sigmoid", run(Sigmoid::zeros(), &train, &test)),
        ("Tanh", run(Tanh::zeros(), &train, &test)),
        ("ReLU", run(Relu::zeros(), &train, &test)),
        ("LeakyReLU (0.1)", run(LeakyRelu::zeros(), &train, &test)),
        ("ELU (α = 1)", run(Elu::zeros(), &train, &test)),
        ("Maxout (k = 2)", run(Maxout::zeros(), &train, &test)),
    ];
    for (name, (loss, train_acc, test_acc)) in rows {
        println!("{name:<28} {loss:>10.4} {train_acc:>9.1}% {test_acc:>9.1}%");
    }
}

//! Handwritten digits (bundled, UCI, CC BY 4.0): 8×8 images, pixels scaled by 1/16, with
//! `x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE`.
//!
//! Run: `cargo run --release --example 07_digits`

use mlp::datasets;
use mlp::fit::{fit, FitConfig};
use mlp::metrics::{argmax, ConfusionMatrix};
use mlp::optim::{Adam, AdamConfig};
use mlp::Network;

#[mlp::network(x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE)]
struct Digits;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut data = datasets::digits();
    for row in &mut data.features {
        row.iter_mut().for_each(|p| *p /= 16.0);
    }
    let (train, test) = data.split(0.2, 21);

    let mut net = Digits::<f32>::zeros();
    mlp::init::he_normal(&mut net, 21);
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.003,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        epochs: 30,
        batch_size: 32,
        seed: 21,
        ..FitConfig::default()
    };
    let history = fit(
        &mut net,
        &mut adam,
        &train.samples(),
        Some(&test.samples()),
        &config,
    )?;
    for r in history.epochs.iter().filter(|r| r.epoch % 5 == 0) {
        println!(
            "epoch {:>2}  loss {:.4}  train {:>5.1}%  test {:>5.1}%",
            r.epoch,
            r.loss,
            100.0 * r.accuracy.unwrap_or(0.0),
            100.0 * r.validation_accuracy.unwrap_or(0.0)
        );
    }
    let mut confusion = ConfusionMatrix::<10>::default();
    for (x, y) in test.samples::<f32>() {
        confusion.record(y, argmax(net.forward(&x).as_slice()));
    }
    println!("\nheld-out confusion matrix (rows: truth):\n{confusion}");
    Ok(())
}

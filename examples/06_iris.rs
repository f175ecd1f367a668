//! Fisher's iris (bundled, UCI, CC BY 4.0): `x -> Linear(4, 16) -> ReLU -> Linear(16, 3) ->
//! Softmax -> CE`, trained with Adam and early stopping on a validation split; prints the
//! history and the held-out confusion matrix, and writes the training curves.
//!
//! Run: `cargo run --release --example 06_iris`

use mlp::datasets::{self, Standardizer};
use mlp::fit::{fit, FitConfig};
use mlp::metrics::{argmax, ConfusionMatrix};
use mlp::optim::{Adam, AdamConfig};
use mlp::Network;

#[mlp::network(x -> Linear(4, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Iris;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = datasets::iris();
    let (mut rest, mut test) = data.split(0.2, 11);
    let (mut train, mut validation) = rest.split(0.2, 12);
    let scaler = Standardizer::fit(&train);
    for set in [&mut rest, &mut train, &mut validation, &mut test] {
        scaler.apply(set);
    }

    let mut net = Iris::<f32>::zeros();
    mlp::init::he_normal(&mut net, 5);
    let mut adam = Adam::new(AdamConfig {
        learning_rate: 0.01,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        epochs: 200,
        batch_size: 8,
        seed: 5,
        patience: Some(20),
        ..FitConfig::default()
    };
    let history = fit(
        &mut net,
        &mut adam,
        &train.samples(),
        Some(&validation.samples()),
        &config,
    )?;
    let last = history.epochs.len();
    for r in history
        .epochs
        .iter()
        .filter(|r| r.epoch % 10 == 0 || r.epoch == last)
    {
        println!(
            "epoch {:>3}  loss {:.4}  train {:>5.1}%  validation {:>5.1}%",
            r.epoch,
            r.loss,
            100.0 * r.accuracy.unwrap_or(0.0),
            100.0 * r.validation_accuracy.unwrap_or(0.0)
        );
    }
    if history.stopped_early {
        println!(
            "stopped early; weights of epoch {:?} restored",
            history.best_epoch
        );
    }

    let mut confusion = ConfusionMatrix::<3>::default();
    for (x, y) in test.samples::<f32>() {
        confusion.record(y, argmax(net.forward(&x).as_slice()));
    }
    let train_accuracy = train
        .samples::<f32>()
        .iter()
        .filter(|(x, y)| argmax(net.forward(x).as_slice()) == *y)
        .count() as f64
        / train.len() as f64;
    println!("\nclasses: {:?}", data.class_names);
    println!("held-out confusion matrix (rows: truth):\n{confusion}");
    println!(
        "train accuracy {:.1}%, test accuracy {:.1}%",
        100.0 * train_accuracy,
        100.0 * confusion.accuracy()
    );
    std::fs::create_dir_all("pictures")?;
    mlp::plot::training_curves(&history, "pictures/iris_training.png", (500, 400))?;
    println!("training curves: pictures/iris_training.png");
    Ok(())
}

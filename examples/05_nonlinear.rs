//! Lecture section 3, the non-linear problem: on two moons and on three-arm spirals, softmax
//! regression (one linear layer) cannot separate the classes, and the design card's network can.
//! Prints the card's derivation, both models' accuracies, and writes each model's decision
//! regions and the card's computational graph to `pictures/`. The README's main example.
//!
//! Run: `cargo run --release --example 05_nonlinear`; with `-- --readme` it also rewrites the
//! README's pictures in `docs/` (the card's network on spirals, and its graph).

mod common;

use common::table::{table, Align};
use common::{prepare, Sample};
use mlp::datasets;
use mlp::fit::{fit, FitConfig};
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, AdamConfig};
use mlp::plot::Labels;
use mlp::Network;

/// Softmax regression: a straight line between each pair of classes.
#[mlp::network(x -> Linear(2, 3) -> Softmax -> CE)]
pub struct SoftmaxRegression;

/// The design card's network.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
pub struct Classifier;

type Samples = Vec<Sample<2, usize>>;

/// Adam, η = 0.02, mini-batches of 16: the same schedule for every model.
const EPOCHS: usize = 120;

/// Trains with Adam; returns (train accuracy, test accuracy) in percent.
fn train<N>(
    net: &mut N,
    train: &Samples,
    test: &Samples,
    epochs: usize,
    learning_rate: f32,
) -> (f64, f64)
where
    N: Network<f32, Input = SVector<f32, 2>, Target = usize> + mlp::Parameters<f32> + Clone,
    N::Gradients: Default,
{
    mlp::init::he_normal(net, 3);
    let mut adam = Adam::new(AdamConfig {
        learning_rate,
        ..AdamConfig::default()
    });
    let config = FitConfig {
        epochs,
        batch_size: 16,
        seed: 3,
        ..FitConfig::default()
    };
    let history = match fit(net, &mut adam, train, Some(test), &config) {
        Ok(history) => history,
        Err(e) => panic!("training failed: {e}"),
    };
    let last = history.epochs.last().copied();
    let percent = |a: Option<f64>| 100.0 * a.unwrap_or(0.0);
    (
        percent(last.and_then(|r| r.accuracy)),
        percent(last.and_then(|r| r.validation_accuracy)),
    )
}

/// One line of the results: the data set, the network's chain as declared (`LAYOUT.chain`,
/// the loss included), train and held-out accuracy in percent.
pub struct Row {
    pub data: &'static str,
    pub network: &'static str,
    pub train: f64,
    pub test: f64,
}

/// The line of network `N` trained on `data`, with its (train, test) accuracy.
pub fn row<N: Network<f32>>(data: &'static str, (train, test): (f64, f64)) -> Row {
    Row {
        data,
        network: N::LAYOUT.chain,
        train,
        test,
    }
}

/// The results as a table under a header, its columns as wide as their contents.
pub fn results_table(rows: &[Row]) -> String {
    let columns = [
        ("data", Align::Left),
        ("network", Align::Left),
        ("train", Align::Right),
        ("test", Align::Right),
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.data.to_string(),
                r.network.to_string(),
                format!("{:.1}%", r.train),
                format!("{:.1}%", r.test),
            ]
        })
        .collect();
    table(&columns, &cells)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{}", Classifier::<f32>::DERIVATION);
    let readme = std::env::args().any(|a| a == "--readme");
    std::fs::create_dir_all("pictures")?;
    let graph = mlp::graph::svg(Classifier::<f32>::GRAPH_DOT)?;
    std::fs::write("pictures/card_graph.svg", &graph)?;
    if readme {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
        std::fs::create_dir_all(docs)?;
        std::fs::write(format!("{docs}/card_graph.svg"), &graph)?;
    }
    let problems = [
        ("moons", datasets::make_moons(1000, 0.15, 7)),
        ("spirals", datasets::make_spirals(900, 3, 0.15, 7)),
    ];
    let mut results = Vec::new();
    for (name, data) in &problems {
        let (train_set, test_set) = prepare(data, 0.25, 1);
        let mut linear = SoftmaxRegression::<f32>::zeros();
        let (a, b) = train(&mut linear, &train_set, &test_set, EPOCHS, 0.02);
        results.push(row::<SoftmaxRegression<f32>>(name, (a, b)));
        let title = format!("Softmax regression on {name}: {b:.1} % held out");
        mlp::plot::decision_regions_labelled(
            &linear,
            &test_set,
            format!("pictures/{name}_softmax_regression.png"),
            (480, 480),
            &Labels {
                title: &title,
                ..Labels::default()
            },
        )?;

        let mut card = Classifier::<f32>::zeros();
        let (a, b) = train(&mut card, &train_set, &test_set, EPOCHS, 0.02);
        results.push(row::<Classifier<f32>>(name, (a, b)));
        let title = format!("The card's network on {name}: {b:.1} % held out");
        let labels = Labels {
            title: &title,
            ..Labels::default()
        };
        let path = format!("pictures/{name}_card_network.png");
        mlp::plot::decision_regions_labelled(&card, &test_set, &path, (480, 480), &labels)?;
        if readme && *name == "spirals" {
            let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs");
            std::fs::copy(&path, format!("{docs}/spirals_card_network.png"))?;
        }
    }
    print!("{}", results_table(&results));
    println!("\ndecision regions (held-out points on top): pictures/*.png; the card's graph: pictures/card_graph.svg");
    if readme {
        println!("the README's pictures: docs/spirals_card_network.png, docs/card_graph.svg");
    }
    Ok(())
}

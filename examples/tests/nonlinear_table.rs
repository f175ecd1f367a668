//! The results table of `examples/05_nonlinear.rs`: every network's whole chain, loss
//! included, and columns that line up whatever the names' lengths.

#[allow(dead_code)]
#[path = "../05_nonlinear.rs"]
mod nonlinear;

use nonlinear::{results_table, row, Classifier, Row, SoftmaxRegression};

/// Where each cell of `line` starts and ends, in characters, found in order.
fn spans(line: &str, cells: &[&str]) -> Vec<(usize, usize)> {
    let mut from = 0;
    cells
        .iter()
        .map(|cell| {
            let at = from
                + line[from..]
                    .find(cell)
                    .unwrap_or_else(|| panic!("{cell:?} in {line:?}"));
            let start = line[..at].chars().count();
            from = at + cell.len();
            (start, start + cell.chars().count())
        })
        .collect()
}

/// The example's lines, for its two networks (named by the example itself) on its two data
/// sets, with accuracies of every width.
fn rows() -> Vec<Row> {
    vec![
        row::<SoftmaxRegression<f32>>("moons", (85.6, 84.8)),
        row::<Classifier<f32>>("moons", (100.0, 99.6)),
        row::<SoftmaxRegression<f32>>("spirals", (7.5, 33.3)),
        row::<Classifier<f32>>("spirals", (99.9, 98.2)),
    ]
}

#[test]
fn the_whole_chain_of_each_network_is_printed() {
    let table = results_table(&rows());
    let card = "x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE";
    assert_eq!(
        table.lines().filter(|l| l.contains(card)).count(),
        2,
        "{table}"
    );
    let linear = "x -> Linear(2, 3) -> Softmax -> CE";
    assert_eq!(
        table.lines().filter(|l| l.contains(linear)).count(),
        2,
        "{table}"
    );
}

#[test]
fn the_columns_line_up() {
    let table = results_table(&rows());
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 5, "a header and four rows:\n{table}");
    let mut cells = vec![vec!["data", "network", "train", "test"]];
    let numbers: Vec<(String, String)> = rows()
        .iter()
        .map(|r| (format!("{:.1}%", r.train), format!("{:.1}%", r.test)))
        .collect();
    for (r, (train, test)) in rows().iter().zip(&numbers) {
        cells.push(vec![r.data, r.network, train, test]);
    }
    let spans: Vec<Vec<(usize, usize)>> = lines
        .iter()
        .zip(&cells)
        .map(|(line, cells)| spans(line, cells))
        .collect();
    // Text columns start together, number columns end together, and no cell runs into the
    // next one.
    for (i, row) in spans.iter().enumerate() {
        assert_eq!(row[0].0, spans[0][0].0, "data, line {i}:\n{table}");
        assert_eq!(row[1].0, spans[0][1].0, "network, line {i}:\n{table}");
        assert_eq!(row[2].1, spans[0][2].1, "train, line {i}:\n{table}");
        assert_eq!(row[3].1, spans[0][3].1, "test, line {i}:\n{table}");
        for pair in row.windows(2) {
            assert!(pair[0].1 < pair[1].0, "cells touch, line {i}:\n{table}");
        }
    }
}

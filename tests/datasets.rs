//! Data sets: the CSV loader's errors name the line and column; the bundled UCI sets load with
//! their documented sizes; splits and generators are seeded; standardization uses the training
//! statistics.

use mlp::datasets::{self, parse_csv, CsvError, Dataset, Standardizer};

fn error(text: &str, header: bool) -> CsvError {
    parse_csv::<2>(text, header).expect_err("malformed input is rejected")
}

#[test]
fn malformed_csv_names_line_and_column() {
    let e = error("0.5,1,0\n0.25,oops,1\n", false);
    assert_eq!((e.line, e.column), (2, 2));
    assert_eq!(
        e.to_string(),
        "line 2, column 2: expected a number, found `oops`"
    );

    let e = error("0.5,1,0\n\n1,2\n", false);
    assert_eq!((e.line, e.column), (3, 3), "blank lines still count: {e}");
    assert!(e
        .message
        .contains("expected 3 values (2 features and a label), found 2"));

    let e = error("1,2,3,4\n", false);
    assert_eq!((e.line, e.column), (1, 4));

    let e = error("0.5,1,one\n", false);
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (1, 3, "expected a class index, found `one`")
    );

    let e = error("0.5,inf,0\n", false);
    assert_eq!(e.column, 2, "non-finite numbers are rejected");

    let e = error("2,3,a,b\n0,0,0\n1,1,1\n", true);
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (1, 2, "expected 2 features, the header says 3")
    );

    let e = error("3,2,a,b\n0,0,0\n1,1,1\n", true);
    assert_eq!(
        (e.line, e.message.as_str()),
        (1, "the header says 3 rows, found 2")
    );

    let e = error("2,2,a,b\n0,0,0\n1,1,2\n", true);
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (3, 3, "expected a class below 2, found 2")
    );
}

#[test]
fn bundled_data_sets() {
    let iris = datasets::iris();
    assert_eq!((iris.len(), iris.classes()), (150, 3));
    assert_eq!(iris.class_names, ["setosa", "versicolor", "virginica"]);
    assert_eq!(iris.features[0], [5.1, 3.5, 1.4, 0.2]);
    let wine = datasets::wine();
    assert_eq!((wine.len(), wine.classes()), (178, 3));
    let cancer = datasets::breast_cancer();
    assert_eq!((cancer.len(), cancer.classes()), (569, 2));
    let digits = datasets::digits();
    assert_eq!((digits.len(), digits.classes()), (1797, 10));
    assert!(digits
        .features
        .iter()
        .flatten()
        .all(|&p| (0.0..=16.0).contains(&p)));
}

#[test]
fn split_is_seeded_and_disjoint() {
    let iris = datasets::iris();
    let (train, test) = iris.split(0.2, 7);
    assert_eq!((train.len(), test.len()), (120, 30));
    assert_eq!(
        iris.split(0.2, 7),
        (train.clone(), test.clone()),
        "same seed, same split"
    );
    assert_ne!(iris.split(0.2, 8).1, test);
    let mut all: Vec<[f64; 4]> = train
        .features
        .iter()
        .chain(&test.features)
        .copied()
        .collect();
    let mut original = iris.features.clone();
    let key = |r: &[f64; 4]| r.map(f64::to_bits);
    all.sort_by_key(key);
    original.sort_by_key(key);
    assert_eq!(all, original, "every sample once");
}

#[test]
fn standardize_with_training_statistics() {
    let (mut train, mut test) = datasets::wine().split(0.25, 1);
    let scaler = Standardizer::fit(&train);
    scaler.apply(&mut train);
    scaler.apply(&mut test);
    for d in 0..13 {
        let column: Vec<f64> = train.features.iter().map(|r| r[d]).collect();
        let mean = column.iter().sum::<f64>() / column.len() as f64;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / column.len() as f64;
        assert!(
            mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12,
            "feature {d}: {mean} {var}"
        );
    }
    // The held-out part used the training statistics, so it is only roughly standardized.
    assert_ne!(Standardizer::fit(&test), Standardizer::fit(&train));
}

fn balanced<const D: usize>(data: &Dataset<D>, classes: usize, n: usize) {
    assert_eq!((data.len(), data.classes()), (n, classes));
    for c in 0..classes {
        let count = data.labels.iter().filter(|&&y| y == c).count();
        assert!(count.abs_diff(n / classes) <= 1, "class {c}: {count}");
    }
}

#[test]
fn generators_are_seeded_and_balanced() {
    balanced(&datasets::make_blobs::<3>(300, 3, 1.0, 1), 3, 300);
    balanced(&datasets::make_moons(200, 0.1, 1), 2, 200);
    balanced(&datasets::make_circles(200, 0.05, 0.5, 1), 2, 200);
    balanced(&datasets::make_spirals(300, 3, 0.2, 1), 3, 300);
    assert_eq!(
        datasets::make_spirals(90, 3, 0.2, 4),
        datasets::make_spirals(90, 3, 0.2, 4)
    );
    assert_ne!(
        datasets::make_moons(90, 0.2, 4),
        datasets::make_moons(90, 0.2, 5)
    );
    let xor = datasets::make_xor(400, 0.0, 2);
    for (p, &y) in xor.features.iter().zip(&xor.labels) {
        assert_eq!(y, usize::from((p[0] > 0.0) != (p[1] > 0.0)));
    }
    let circles = datasets::make_circles(100, 0.0, 0.5, 3);
    for (p, &y) in circles.features.iter().zip(&circles.labels) {
        let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
        assert!((r - if y == 0 { 1.0 } else { 0.5 }).abs() < 1e-12);
    }
}

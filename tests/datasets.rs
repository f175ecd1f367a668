//! Data sets: the CSV loader's errors name the line and column; the bundled UCI sets load with
//! their documented sizes; splits and generators are seeded; standardization uses the training
//! statistics.

use mlp::datasets::{self, sklearn_csv_from_str, CsvError, Dataset, Standardizer};

fn error(text: &str, header: bool) -> CsvError {
    sklearn_csv_from_str::<2>(text, header).expect_err("malformed input is rejected")
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

mod users_files {
    use mlp::datasets::{csv_from_str, sklearn_csv_from_str, CsvOptions, LabelColumn};

    const IRIS_LIKE: &str = "\u{feff}sepal_length,sepal_width,\"species, as named\"\r\n\
        5.1,3.5,setosa\r\n\
        7.0,3.2,\"versicolor\"\r\n\
        6.3,3.3,virginica\r\n\
        \r\n\
        4.9,3.0,setosa\r\n";

    #[test]
    fn header_bom_crlf_quotes_and_string_labels() {
        let data = csv_from_str::<2>(IRIS_LIKE, &CsvOptions::default()).expect("reads");
        assert_eq!(data.len(), 4);
        assert_eq!(data.class_names, ["setosa", "versicolor", "virginica"]);
        assert_eq!(data.labels, [0, 1, 2, 0]);
        assert_eq!(data.features[2], [6.3, 3.3]);
        let by_name = CsvOptions {
            label: LabelColumn::Name("species, as named"),
            ..CsvOptions::default()
        };
        assert_eq!(
            csv_from_str::<2>(IRIS_LIKE, &by_name).expect("by name"),
            data
        );
    }

    #[test]
    fn label_by_index_and_float_written_integers() {
        let text = "label,a,b\n1.0,0.5,2\n0.0,1,1e3\n2,-1,0\n";
        let options = CsvOptions {
            label: LabelColumn::Index(0),
            ..CsvOptions::default()
        };
        let data = csv_from_str::<2>(text, &options).expect("pandas' 1.0");
        assert_eq!(data.labels, [1, 0, 2]);
        assert_eq!(data.class_names, ["0", "1", "2"]);
        assert_eq!(data.features[1], [1.0, 1000.0]);
        let headless = CsvOptions {
            header: false,
            ..CsvOptions::default()
        };
        assert_eq!(
            csv_from_str::<2>("0.5,1,0\n2,3,1\n", &headless)
                .expect("no header")
                .len(),
            2
        );
    }

    #[test]
    fn errors_name_line_column_and_column_name() {
        let fail = |text: &str, options: &CsvOptions| {
            csv_from_str::<2>(text, options).unwrap_err().to_string()
        };
        let d = CsvOptions::default();
        assert_eq!(
            fail("a,b,y\n1,2,0\n3,,1\n", &d),
            "line 3, column 2 (`b`): expected a number, found an empty field"
        );
        assert_eq!(
            fail("a,b,y\n1,x2,0\n", &d),
            "line 2, column 2 (`b`): expected a number, found `x2`"
        );
        assert_eq!(
            fail("a,b,y\n1,2,\n", &d),
            "line 2, column 3 (`y`): expected a label, found an empty field"
        );
        assert_eq!(
            fail("a,b,y\n1,2,0\n1,2\n", &d),
            "line 3, column 3: expected 3 fields like the first row, found 2"
        );
        assert!(fail("a,b,c,y\n1,2,3,0\n", &d)
            .contains("expected 2 feature columns and a label, found 4 columns"));
        let missing = CsvOptions {
            label: LabelColumn::Name("class"),
            ..CsvOptions::default()
        };
        assert!(fail("a,b,y\n1,2,0\n", &missing)
            .contains("no column is called `class`; the header has `a`, `b`, `y`"));
        assert!(fail("", &d).contains("expected a header row"));
    }

    #[test]
    fn a_huge_label_is_an_error_not_an_allocation() {
        let error = sklearn_csv_from_str::<1>("0.5,99999999999\n", false).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("more classes than the file has rows"),
            "{error}"
        );
        let error = csv_from_str::<1>(
            "0.5,99999999999\n",
            &CsvOptions {
                header: false,
                ..CsvOptions::default()
            },
        )
        .unwrap_err();
        assert!(error.to_string().contains("far beyond"), "{error}");
    }

    struct Bits(u64);
    impl Bits {
        fn next(&mut self) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 as usize
        }
    }

    #[test]
    fn ten_thousand_mutated_files_never_panic() {
        let seeds = [
            IRIS_LIKE.as_bytes(),
            b"a,b,y\n1.0,2,0\n3,4.5,1\n-1,1e-3,2\n",
        ];
        let alphabet = b"0123456789.,-e\"\r\n xyz\xef\xbb\xbf";
        let mut rng = Bits(7);
        let (mut read, mut refused) = (0, 0);
        for n in 0..10_000 {
            let mut bytes = seeds[n % 2].to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let i = rng.next() % bytes.len().max(1);
                match rng.next() % 3 {
                    0 if !bytes.is_empty() => bytes[i] = alphabet[rng.next() % alphabet.len()],
                    1 => bytes.insert(i.min(bytes.len()), alphabet[rng.next() % alphabet.len()]),
                    _ => bytes.truncate(i),
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let options = CsvOptions {
                header: n % 3 != 0,
                ..CsvOptions::default()
            };
            match csv_from_str::<2>(&text, &options) {
                Ok(data) => {
                    assert!(data.labels.iter().all(|&l| l < data.classes()));
                    read += 1;
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    refused += 1;
                }
            }
            let _ = sklearn_csv_from_str::<2>(&text, n % 2 == 0);
        }
        println!("10,000 mutated CSV files: {read} read, {refused} refused, no panic");
        assert!(read > 100 && refused > 100);
    }
}

mod error_messages {
    use mlp::datasets::{csv_from_str, sklearn_csv_from_str, CsvOptions, LabelColumn};

    /// A field of 5,000,000 digits is quoted by a short prefix and its length, not whole.
    #[test]
    fn a_huge_field_is_quoted_by_its_prefix() {
        let digits = "9".repeat(5_000_000);
        let headless = CsvOptions {
            header: false,
            ..CsvOptions::default()
        };
        let errors = [
            sklearn_csv_from_str::<1>(&format!("{digits},0\n"), false).unwrap_err(),
            sklearn_csv_from_str::<1>(&format!("0.5,{digits}x\n"), false).unwrap_err(),
            sklearn_csv_from_str::<1>(&format!("{digits},1,a\n0.5,0\n"), true).unwrap_err(),
            csv_from_str::<1>(&format!("{digits},0\n"), &headless).unwrap_err(),
        ];
        assert_eq!(
            errors[0].to_string(),
            format!(
                "line 1, column 1: expected a number, found `{}…` (5000000 characters)",
                &digits[..40]
            )
        );
        for error in errors {
            let message = error.to_string();
            assert!(message.len() < 200, "{} bytes", message.len());
            assert!(
                message.contains(&format!("`{}…` (", &digits[..40]))
                    && message.contains(" characters)"),
                "{message}"
            );
        }
        // A long column name is shortened the same way.
        let name = "n".repeat(1000);
        let error =
            csv_from_str::<1>(&format!("{name},y\nx,0\n"), &CsvOptions::default()).unwrap_err();
        assert!(error.to_string().len() < 200, "{error}");
    }

    /// Every error counts lines and columns from 1; a file that cannot be read names neither.
    #[test]
    fn columns_count_from_one() {
        let headless = CsvOptions {
            header: false,
            ..CsvOptions::default()
        };
        let error = csv_from_str::<1>("0.5,99999999999\n", &headless).unwrap_err();
        assert_eq!((error.line, error.column), (1, 2), "{error}");
        assert!(
            error.to_string().starts_with("line 1, column 2: "),
            "{error}"
        );
        let first = CsvOptions {
            label: LabelColumn::Index(0),
            ..headless
        };
        let error = csv_from_str::<1>("99999999999,0.5\n", &first).unwrap_err();
        assert_eq!((error.line, error.column), (1, 1), "{error}");
        let error =
            mlp::datasets::csv_from_path::<1>("/nonexistent/file.csv", &headless).unwrap_err();
        let message = error.to_string();
        assert!(
            !message.contains("line 0") && !message.contains("column 0"),
            "{message}"
        );
        assert!(
            message.starts_with("cannot read /nonexistent/file.csv"),
            "{message}"
        );
    }
}

//! Data sets (needs the `std` feature): seeded generators for the lecture's pictures, a CSV
//! loader with errors that name the line and column, the UCI sets bundled with their
//! attribution (`data/README.md`), a seeded split and standardization.

use crate::rng::Rng;
use core::fmt;
use nalgebra::{RealField, SVector};
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

/// Labeled samples with `D` features each.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<const D: usize> {
    /// One row of features per sample.
    pub features: Vec<[f64; D]>,
    /// The class of each sample, `0..classes()`.
    pub labels: Vec<usize>,
    /// The classes' names, when known (else their indices).
    pub class_names: Vec<String>,
}

impl<const D: usize> Dataset<D> {
    /// How many samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// How many classes.
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }

    /// Shuffles with `seed` and splits: the first part has `1 − test_fraction` of the samples.
    pub fn split(&self, test_fraction: f64, seed: u64) -> (Dataset<D>, Dataset<D>) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        Rng::new(seed).shuffle(&mut order);
        let test = ((self.len() as f64) * test_fraction.clamp(0.0, 1.0)).round() as usize;
        let (test_part, train_part) = order.split_at(test);
        (self.subset(train_part), self.subset(test_part))
    }

    fn subset(&self, indices: &[usize]) -> Dataset<D> {
        Dataset {
            features: indices.iter().map(|&i| self.features[i]).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            class_names: self.class_names.clone(),
        }
    }

    /// The samples as `(SVector<T, D>, class)` pairs, ready for a network.
    pub fn samples<T: RealField + Copy>(&self) -> Vec<(SVector<T, D>, usize)> {
        self.features
            .iter()
            .zip(&self.labels)
            .map(|(f, &y)| (SVector::from_fn(|i, _| nalgebra::convert(f[i])), y))
            .collect()
    }
}

/// Per-feature mean and standard deviation, fitted on one set, applied to any.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standardizer<const D: usize> {
    /// The fitted means.
    pub mean: [f64; D],
    /// The fitted standard deviations (a constant feature gets 1).
    pub std: [f64; D],
}

impl<const D: usize> Standardizer<D> {
    /// Fits on `data` (typically the training part only).
    pub fn fit(data: &Dataset<D>) -> Self {
        let n = data.len().max(1) as f64;
        let mut mean = [0.0; D];
        let mut std = [0.0; D];
        for row in &data.features {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += x / n;
            }
        }
        for row in &data.features {
            for ((s, x), m) in std.iter_mut().zip(row).zip(&mean) {
                *s += (x - m).powi(2) / n;
            }
        }
        for s in &mut std {
            *s = if *s > 0.0 { s.sqrt() } else { 1.0 };
        }
        Standardizer { mean, std }
    }

    /// Rescales every feature of `data` to `(x − mean) / std`.
    pub fn apply(&self, data: &mut Dataset<D>) {
        for row in &mut data.features {
            for ((x, m), s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *x = (*x - m) / s;
            }
        }
    }
}

/// The largest class index a file may use regardless of its length: above it, a class index
/// must be smaller than the file's size in bytes (a file cannot hold more classes than rows), so
/// a stray huge label is an error rather than an allocation of names for all its classes.
const MAX_CLASS: usize = 1 << 16;

/// A malformed CSV file: where, and what was expected and found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// 1-based line number; 0 when the error is about the whole file (it cannot be read).
    pub line: usize,
    /// 1-based column (field) number; 0 when the error is about no one field.
    pub column: usize,
    /// What was expected and found.
    pub message: String,
    /// ` (`name`)` when the column has a name, else empty.
    pub name: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => f.write_str(&self.message),
            (line, 0) => write!(f, "line {line}: {}", self.message),
            (line, column) => write!(
                f,
                "line {line}, column {column}{}: {}",
                self.name, self.message
            ),
        }
    }
}

/// How many characters of a field an error message quotes.
const QUOTED_CHARS: usize = 40;

/// A field as an error message quotes it: in backticks, and cut to its first
/// [`QUOTED_CHARS`] characters, with its length, when it is longer, so that a huge field does
/// not make a huge message.
fn quoted(field: &str) -> String {
    match field.char_indices().nth(QUOTED_CHARS) {
        None => format!("`{field}`"),
        Some((end, _)) => format!(
            "`{}…` ({} characters)",
            &field[..end],
            field.chars().count()
        ),
    }
}

/// ` (`name`)`, the column's name after its number in an error, or nothing without a name.
fn column_name(name: Option<&String>) -> String {
    name.map_or(String::new(), |n| format!(" ({})", quoted(n)))
}

impl std::error::Error for CsvError {}

impl CsvError {
    /// The same error with the column's name after the column (`column 2 (`b`)`).
    fn named(mut self, name: String) -> CsvError {
        self.name = name;
        self
    }
}

/// Parses `features…,label` rows of `D` features. With `header`, the first line is
/// `count,features,class names…` and both counts are checked. Blank lines are skipped.
///
/// # Example
///
/// ```
/// let data = mlp::datasets::parse_csv::<2>("2,2,no,yes\n0.5,1,0\n2,-1,1\n", true).unwrap();
/// assert_eq!((data.len(), data.classes()), (2, 2));
/// let error = mlp::datasets::parse_csv::<2>("0.5,x,0\n", false).unwrap_err();
/// assert_eq!(error.to_string(), "line 1, column 2: expected a number, found `x`");
/// ```
pub fn parse_csv<const D: usize>(text: &str, header: bool) -> Result<Dataset<D>, CsvError> {
    let error = |line, column, message: String| CsvError {
        line,
        column,
        message,
        name: String::new(),
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let mut expected_rows = None;
    let mut class_names: Vec<String> = Vec::new();
    if header {
        let (number, line) = lines
            .next()
            .ok_or_else(|| error(1, 1, "expected a header, found an empty file".into()))?;
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let count = |column: usize| -> Result<usize, CsvError> {
            let field = fields.get(column - 1).copied().unwrap_or("");
            field.parse().map_err(|_| {
                error(
                    number,
                    column,
                    format!("expected a count in the header, found {}", quoted(field)),
                )
            })
        };
        expected_rows = Some(count(1)?);
        let features = count(2)?;
        if features != D {
            return Err(error(
                number,
                2,
                format!("expected {D} features, the header says {features}"),
            ));
        }
        class_names = fields[2..].iter().map(|s| s.to_string()).collect();
    }
    let mut data = Dataset {
        features: Vec::new(),
        labels: Vec::new(),
        class_names: Vec::new(),
    };
    for (number, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != D + 1 {
            return Err(error(
                number,
                // Where the first missing value belongs, or the first extra one stands.
                if fields.len() < D + 1 {
                    fields.len() + 1
                } else {
                    D + 2
                },
                format!(
                    "expected {} values ({D} features and a label), found {}",
                    D + 1,
                    fields.len()
                ),
            ));
        }
        let mut row = [0.0; D];
        for (d, field) in fields[..D].iter().enumerate() {
            row[d] = field
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    error(
                        number,
                        d + 1,
                        format!("expected a number, found {}", quoted(field)),
                    )
                })?;
        }
        let field = fields[D];
        let label: usize = field.parse().map_err(|_| {
            error(
                number,
                D + 1,
                format!("expected a class index, found {}", quoted(field)),
            )
        })?;
        if label > MAX_CLASS.max(text.len()) {
            return Err(error(
                number,
                D + 1,
                format!(
                    "expected a class index, found {label}: more classes than the file has rows"
                ),
            ));
        }
        if !class_names.is_empty() && label >= class_names.len() {
            return Err(error(
                number,
                D + 1,
                format!(
                    "expected a class below {}, found {label}",
                    class_names.len()
                ),
            ));
        }
        data.features.push(row);
        data.labels.push(label);
    }
    if let Some(rows) = expected_rows.filter(|&r| r != data.len()) {
        return Err(error(
            1,
            1,
            format!("the header says {rows} rows, found {}", data.len()),
        ));
    }
    if class_names.is_empty() {
        let classes = data.labels.iter().max().map_or(0, |m| m + 1);
        class_names = (0..classes).map(|c| c.to_string()).collect();
    }
    data.class_names = class_names;
    Ok(data)
}

/// Which column of a CSV file holds the label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelColumn<'a> {
    /// The column with this name in the header row.
    Name(&'a str),
    /// The column at this 0-based position.
    Index(usize),
    /// The last column.
    Last,
}

/// How to read a CSV file with [`read_csv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsvOptions<'a> {
    /// The label's column; every other column is a feature.
    pub label: LabelColumn<'a>,
    /// Whether the first row holds the columns' names (default: yes).
    pub header: bool,
    /// The field separator (default: `,`).
    pub delimiter: u8,
}

impl Default for CsvOptions<'_> {
    fn default() -> Self {
        CsvOptions {
            label: LabelColumn::Last,
            header: true,
            delimiter: b',',
        }
    }
}

/// Reads a CSV file as people write them (with the `csv` crate): a header row of column names,
/// the label column chosen by name or position, quoted fields, CRLF line ends, a UTF-8
/// byte-order mark (Excel). Labels that are whole numbers (`2`, or `2.0` as pandas writes
/// them) are class indices; any other labels (`setosa`) are names, numbered in sorted order
/// and kept as the class names (for the confusion matrix). A missing value or a non-number
/// among the features is an error naming the line, the column and the column's name.
///
/// # Example
///
/// ```
/// use mlp::datasets::{read_csv, CsvOptions, LabelColumn};
///
/// let text = "\u{feff}sepal length,species,sepal width\r\n5.1,setosa,3.5\r\n7.0,\"versicolor\",3.2\r\n";
/// let options = CsvOptions { label: LabelColumn::Name("species"), ..CsvOptions::default() };
/// let data = read_csv::<2>(text, &options).unwrap();
/// assert_eq!(data.features[1], [7.0, 3.2]);
/// assert_eq!(data.class_names, ["setosa", "versicolor"]);
/// let error = read_csv::<2>("a,b,label\n1,,0\n", &CsvOptions::default()).unwrap_err();
/// assert_eq!(error.to_string(), "line 2, column 2 (`b`): expected a number, found an empty field");
/// ```
pub fn read_csv<const D: usize>(text: &str, options: &CsvOptions) -> Result<Dataset<D>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(options.delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let error = |line: u64, column: usize, message: String| CsvError {
        line: line as usize,
        column,
        message,
        name: String::new(),
    };
    let mut records = reader.records();
    let mut names: Vec<String> = Vec::new();
    let mut width = None;
    if options.header {
        match records.next() {
            Some(Ok(record)) => {
                names = record.iter().map(str::to_string).collect();
                width = Some(names.len());
            }
            Some(Err(e)) => return Err(csv_error(&e)),
            None => {
                return Err(error(
                    1,
                    1,
                    "expected a header row, found an empty file".into(),
                ))
            }
        }
    }
    let mut rows: Vec<([f64; D], String, u64)> = Vec::new();
    let mut label_at = None;
    for record in records {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record.get(0) == Some("") {
            continue; // a blank line
        }
        let columns = *width.get_or_insert(record.len());
        if record.len() != columns {
            return Err(error(
                line,
                record.len().min(columns) + 1,
                format!(
                    "expected {columns} fields like the first row, found {}",
                    record.len()
                ),
            ));
        }
        let label = match label_at {
            Some(at) => at,
            None => {
                let at = label_column(options.label, &names, columns)
                    .map_err(|message| error(line.max(1), 1, message))?;
                if columns != D + 1 {
                    return Err(error(
                        line,
                        1,
                        format!(
                            "expected {D} feature columns and a label, found {columns} columns"
                        ),
                    ));
                }
                label_at = Some(at);
                at
            }
        };
        let mut row = [0.0; D];
        let mut d = 0;
        for (column, field) in record.iter().enumerate() {
            if column == label {
                continue;
            }
            let found = if field.is_empty() {
                "an empty field".to_string()
            } else {
                quoted(field)
            };
            let value = field
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    error(
                        line,
                        column + 1,
                        format!("expected a number, found {found}"),
                    )
                    .named(column_name(names.get(column)))
                })?;
            row[d] = value;
            d += 1;
        }
        let text = record.get(label).unwrap_or("").to_string();
        if text.is_empty() {
            return Err(error(
                line,
                label + 1,
                "expected a label, found an empty field".into(),
            )
            .named(column_name(names.get(label))));
        }
        rows.push((row, text, line));
    }
    labels_to_classes(rows, label_at.unwrap_or(0) + 1)
}

/// The label column's position.
fn label_column(label: LabelColumn, names: &[String], columns: usize) -> Result<usize, String> {
    match label {
        LabelColumn::Last if columns > 0 => Ok(columns - 1),
        LabelColumn::Last => Err("expected at least one column".into()),
        LabelColumn::Index(i) if i < columns => Ok(i),
        LabelColumn::Index(i) => Err(format!(
            "the label column is {i} (0-based), but the file has {columns} columns"
        )),
        LabelColumn::Name(name) => names.iter().position(|n| n == name).ok_or_else(|| {
            let name = quoted(name);
            if names.is_empty() {
                format!("the label column {name} needs a header row (CsvOptions {{ header: true, .. }})")
            } else {
                format!(
                    "no column is called {name}; the header has {}",
                    names.iter().map(|n| quoted(n)).collect::<Vec<_>>().join(", ")
                )
            }
        }),
    }
}

/// Whole-number labels are class indices (bounded by the number of rows); any others are
/// names, numbered in sorted order. `column` is the label's, 1-based.
fn labels_to_classes<const D: usize>(
    rows: Vec<([f64; D], String, u64)>,
    column: usize,
) -> Result<Dataset<D>, CsvError> {
    let whole = |t: &str| -> Option<usize> {
        let v: f64 = t.parse().ok()?;
        (v >= 0.0 && v.fract() == 0.0 && v < 1e15).then_some(v as usize)
    };
    let mut data = Dataset {
        features: Vec::with_capacity(rows.len()),
        labels: Vec::with_capacity(rows.len()),
        class_names: Vec::new(),
    };
    if rows.iter().all(|(_, t, _)| whole(t).is_some()) {
        let bound = MAX_CLASS.max(rows.len());
        for (row, text, line) in rows {
            let class = whole(&text).unwrap_or(0);
            if class > bound {
                return Err(CsvError {
                    line: line as usize,
                    column,
                    message: format!(
                        "the class index {} is far beyond the {} rows: expected indices from 0",
                        quoted(&text),
                        data.labels.len() + 1
                    ),
                    name: String::new(),
                });
            }
            data.features.push(row);
            data.labels.push(class);
        }
        let classes = data.labels.iter().max().map_or(0, |m| m + 1);
        data.class_names = (0..classes).map(|c| c.to_string()).collect();
    } else {
        let mut names: Vec<String> = rows.iter().map(|(_, t, _)| t.clone()).collect();
        names.sort();
        names.dedup();
        for (row, text, _) in rows {
            data.features.push(row);
            data.labels.push(names.binary_search(&text).unwrap_or(0));
        }
        data.class_names = names;
    }
    Ok(data)
}

/// A CSV file from disk with [`read_csv`]; a file that cannot be read is an error at line 0.
pub fn load_csv<const D: usize>(
    path: impl AsRef<std::path::Path>,
    options: &CsvOptions,
) -> Result<Dataset<D>, CsvError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| CsvError {
        line: 0,
        column: 0,
        message: format!("cannot read {}: {e}", path.display()),
        name: String::new(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| CsvError {
        line: 0,
        column: 0,
        message: format!("{} is not UTF-8 text: {e}", path.display()),
        name: String::new(),
    })?;
    read_csv(&text, options)
}

fn csv_error(e: &csv::Error) -> CsvError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let (column, message) = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => (err.field() + 1, "the file is not UTF-8 text".into()),
        _ => (0, format!("{e}")),
    };
    CsvError {
        line,
        column,
        message,
        name: String::new(),
    }
}

/// Bundled data, parsed once per call. The files are checked by the test suite, so parsing
/// them cannot fail.
fn bundled<const D: usize>(text: &str, header: bool) -> Dataset<D> {
    parse_csv(text, header).unwrap_or_else(|e| panic!("bundled data set is malformed: {e}"))
}

/// Fisher's iris: 150 samples, 4 features, 3 classes (UCI, CC BY 4.0).
pub fn iris() -> Dataset<4> {
    bundled(include_str!("../data/iris.csv"), true)
}

/// Wine: 178 samples, 13 features, 3 classes (UCI, CC BY 4.0).
pub fn wine() -> Dataset<13> {
    bundled(include_str!("../data/wine_data.csv"), true)
}

/// Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, 2 classes (UCI, CC BY 4.0).
pub fn breast_cancer() -> Dataset<30> {
    bundled(include_str!("../data/breast_cancer.csv"), true)
}

/// Handwritten digits: 1797 8×8 images (pixels 0..16), 10 classes (UCI, CC BY 4.0).
pub fn digits() -> Dataset<64> {
    bundled(include_str!("../data/digits.csv"), false)
}

fn generated<const D: usize>(
    mut points: Vec<[f64; D]>,
    mut labels: Vec<usize>,
    classes: usize,
    rng: &mut Rng,
) -> Dataset<D> {
    // Shuffled together, so that consecutive samples do not share a class.
    let mut order: Vec<usize> = (0..labels.len()).collect();
    rng.shuffle(&mut order);
    points = order.iter().map(|&i| points[i]).collect();
    labels = order.iter().map(|&i| labels[i]).collect();
    Dataset {
        features: points,
        labels,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
    }
}

/// Isotropic Gaussian blobs, like scikit-learn's `make_blobs`: `centers` centres drawn
/// uniformly from `[-10, 10]ᵈ`, samples spread evenly over them with normal noise of standard
/// deviation `cluster_std`; shuffled, seeded.
///
/// # Example
///
/// ```
/// let data = mlp::datasets::make_blobs::<2>(200, 3, 0.5, 0);
/// assert_eq!((data.len(), data.classes()), (200, 3));
/// ```
pub fn make_blobs<const D: usize>(
    n_samples: usize,
    centers: usize,
    cluster_std: f64,
    seed: u64,
) -> Dataset<D> {
    let mut rng = Rng::new(seed);
    let centres: Vec<[f64; D]> = (0..centers)
        .map(|_| core::array::from_fn(|_| -10.0 + 20.0 * rng.uniform()))
        .collect();
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let c = i % centers.max(1);
        points.push(core::array::from_fn(|d| {
            centres[c][d] + cluster_std * rng.normal()
        }));
        labels.push(c);
    }
    generated(points, labels, centers, &mut rng)
}

/// Two interleaving half circles, like scikit-learn's `make_moons`.
pub fn make_moons(n_samples: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    let outer = n_samples / 2;
    for (class, count) in [(0usize, outer), (1, n_samples - outer)] {
        for i in 0..count {
            let t = core::f64::consts::PI * i as f64 / (count.max(2) - 1) as f64;
            let (x, y) = if class == 0 {
                (t.cos(), t.sin())
            } else {
                (1.0 - t.cos(), 0.5 - t.sin())
            };
            points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
            labels.push(class);
        }
    }
    generated(points, labels, 2, &mut rng)
}

/// Two concentric circles, like scikit-learn's `make_circles`: the inner one has radius
/// `factor` (in (0, 1)), the outer one 1.
pub fn make_circles(n_samples: usize, noise: f64, factor: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    let outer = n_samples / 2;
    for (class, count, radius) in [(0usize, outer, 1.0), (1, n_samples - outer, factor)] {
        for i in 0..count {
            let t = 2.0 * core::f64::consts::PI * i as f64 / count.max(1) as f64;
            points.push([
                radius * t.cos() + noise * rng.normal(),
                radius * t.sin() + noise * rng.normal(),
            ]);
            labels.push(class);
        }
    }
    generated(points, labels, 2, &mut rng)
}

/// `arms` interleaved spirals (CS231n's), one class per arm, radius 0 to 1 over 4 radians plus
/// normal angular noise of standard deviation `noise`.
pub fn make_spirals(n_samples: usize, arms: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let arms = arms.max(1);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for i in 0..n_samples {
        let arm = i % arms;
        let k = (i / arms) as f64;
        let per_arm = n_samples.div_ceil(arms).max(2) as f64 - 1.0;
        let r = k / per_arm;
        let t =
            arm as f64 * 2.0 * core::f64::consts::PI / arms as f64 + 4.0 * r + noise * rng.normal();
        points.push([r * t.sin(), r * t.cos()]);
        labels.push(arm);
    }
    generated(points, labels, arms, &mut rng)
}

/// XOR: points uniform in `[-1, 1]²` (plus normal noise), class 1 where exactly one
/// coordinate is positive.
pub fn make_xor(n_samples: usize, noise: f64, seed: u64) -> Dataset<2> {
    let mut rng = Rng::new(seed);
    let mut points = Vec::with_capacity(n_samples);
    let mut labels = Vec::with_capacity(n_samples);
    for _ in 0..n_samples {
        let (x, y) = (2.0 * rng.uniform() - 1.0, 2.0 * rng.uniform() - 1.0);
        labels.push(usize::from((x > 0.0) != (y > 0.0)));
        points.push([x + noise * rng.normal(), y + noise * rng.normal()]);
    }
    generated(points, labels, 2, &mut rng)
}

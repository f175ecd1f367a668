//! Data sets from CSV files, with errors that name the line and the column: scikit-learn's
//! layout ([`sklearn_csv_from_str`]), and files as spreadsheets and pandas write them
//! ([`csv_from_str`], [`csv_from_path`]).

use super::dataset::Dataset;
use core::fmt;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

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

/// A feature's field as a finite number, or the error's message.
fn feature(field: &str) -> Result<f64, String> {
    field
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            let found = if field.is_empty() {
                "an empty field".to_string()
            } else {
                quoted(field)
            };
            format!("expected a number, found {found}")
        })
}

impl std::error::Error for CsvError {}

impl CsvError {
    /// An error at `line` and `column` (1-based; 0 for none), without the column's name.
    fn at(line: usize, column: usize, message: String) -> CsvError {
        CsvError {
            line,
            column,
            message,
            name: String::new(),
        }
    }

    /// The same error with the column's name after the column (`column 2 (`b`)`).
    fn named(mut self, name: String) -> CsvError {
        self.name = name;
        self
    }
}

/// Parses the text of a CSV file in scikit-learn's layout for its bundled data sets (and
/// ours): numbers only, no quotes, `features…,label` rows of `D` features and a class index.
/// With `header`, the first line is `count,features,class names…` and both counts are checked.
/// Blank lines are skipped. For CSV files as spreadsheets and pandas write them, see
/// [`csv_from_str`].
///
/// # Example
///
/// ```
/// let data = mlp::datasets::sklearn_csv_from_str::<2>("2,2,no,yes\n0.5,1,0\n2,-1,1\n", true).unwrap();
/// assert_eq!((data.len(), data.classes()), (2, 2));
/// assert_eq!(data.class_names, ["no", "yes"]);
/// let error = mlp::datasets::sklearn_csv_from_str::<2>("0.5,x,0\n", false).unwrap_err();
/// assert_eq!(error.to_string(), "line 1, column 2: expected a number, found `x`");
/// ```
pub fn sklearn_csv_from_str<const D: usize>(
    text: &str,
    header: bool,
) -> Result<Dataset<D>, CsvError> {
    let error = CsvError::at;
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
            row[d] = feature(field).map_err(|message| error(number, d + 1, message))?;
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

/// How to read a CSV file with [`csv_from_str`] or [`csv_from_path`].
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

/// Parses the text of a CSV file as people write them (with the `csv` crate): a header row of
/// column names,
/// the label column chosen by name or position, quoted fields, CRLF line ends, a UTF-8
/// byte-order mark (Excel). Labels that are whole numbers (`2`, or `2.0` as pandas writes
/// them) are class indices; any other labels (`setosa`) are names, numbered in sorted order
/// and kept as the class names (for the confusion matrix). A missing value or a non-number
/// among the features is an error naming the line, the column and the column's name.
///
/// # Example
///
/// ```
/// use mlp::datasets::{csv_from_str, CsvOptions, LabelColumn};
///
/// let text = "\u{feff}sepal length,species,sepal width\r\n5.1,setosa,3.5\r\n7.0,\"versicolor\",3.2\r\n";
/// let options = CsvOptions { label: LabelColumn::Name("species"), ..CsvOptions::default() };
/// let data = csv_from_str::<2>(text, &options).unwrap();
/// assert_eq!(data.features[1], [7.0, 3.2]);
/// assert_eq!(data.class_names, ["setosa", "versicolor"]);
/// let error = csv_from_str::<2>("a,b,label\n1,,0\n", &CsvOptions::default()).unwrap_err();
/// assert_eq!(error.to_string(), "line 2, column 2 (`b`): expected a number, found an empty field");
/// ```
pub fn csv_from_str<const D: usize>(
    text: &str,
    options: &CsvOptions,
) -> Result<Dataset<D>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(options.delimiter)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let error = |line: u64, column, message| CsvError::at(line as usize, column, message);
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
            row[d] = feature(field).map_err(|message| {
                error(line, column + 1, message).named(column_name(names.get(column)))
            })?;
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
                return Err(CsvError::at(
                    line as usize,
                    column,
                    format!(
                        "the class index {} is far beyond the {} rows: expected indices from 0",
                        quoted(&text),
                        data.labels.len() + 1
                    ),
                ));
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

/// Reads a CSV file from disk and parses it with [`csv_from_str`]; a file that cannot be read
/// (or is not UTF-8 text) is an error at line 0.
pub fn csv_from_path<const D: usize>(
    path: impl AsRef<std::path::Path>,
    options: &CsvOptions,
) -> Result<Dataset<D>, CsvError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path)
        .map_err(|e| CsvError::at(0, 0, format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| CsvError::at(0, 0, format!("{} is not UTF-8 text: {e}", path.display())))?;
    csv_from_str(&text, options)
}

fn csv_error(e: &::csv::Error) -> CsvError {
    let line = e.position().map_or(0, |p| p.line() as usize);
    let (column, message) = match e.kind() {
        ::csv::ErrorKind::Utf8 { err, .. } => {
            (err.field() + 1, "the file is not UTF-8 text".into())
        }
        _ => (0, format!("{e}")),
    };
    CsvError::at(line, column, message)
}

/// The old name of [`sklearn_csv_from_str`].
#[deprecated(note = "renamed `sklearn_csv_from_str`: scikit-learn's layout, from text")]
pub fn parse_csv<const D: usize>(text: &str, header: bool) -> Result<Dataset<D>, CsvError> {
    sklearn_csv_from_str(text, header)
}

/// The old name of [`csv_from_str`].
#[deprecated(note = "renamed `csv_from_str`: a CSV file as people write them, from text")]
pub fn read_csv<const D: usize>(text: &str, options: &CsvOptions) -> Result<Dataset<D>, CsvError> {
    csv_from_str(text, options)
}

/// The old name of [`csv_from_path`].
#[deprecated(note = "renamed `csv_from_path`: a CSV file as people write them, from disk")]
pub fn load_csv<const D: usize>(
    path: impl AsRef<std::path::Path>,
    options: &CsvOptions,
) -> Result<Dataset<D>, CsvError> {
    csv_from_path(path, options)
}

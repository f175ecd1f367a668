//! Data sets (needs the `std` feature): seeded generators for the lecture's pictures, CSV
//! readers with errors that name the line and column, the UCI sets bundled with their
//! attribution (`data/README.md`), a seeded split and standardization.
//!
//! Two kinds of CSV file: [`sklearn_csv_from_str`] parses scikit-learn's layout (numbers only,
//! the class index last, an optional `count,features,class names…` header), in which the
//! bundled sets are written; [`csv_from_str`] and [`csv_from_path`] read files as people write
//! them (a header row of names, the label column by name or position, quotes, names as
//! labels), from text or from disk.

mod bundled;
mod csv;
mod dataset;
mod generators;

pub use self::bundled::{breast_cancer, digits, iris, wine};
pub use self::csv::{
    csv_from_path, csv_from_str, sklearn_csv_from_str, CsvError, CsvOptions, LabelColumn,
};
#[allow(deprecated)]
pub use self::csv::{load_csv, parse_csv, read_csv};
pub use self::dataset::{Dataset, Standardizer};
pub use self::generators::{make_blobs, make_circles, make_moons, make_spirals, make_xor};

//! The UCI data sets bundled with the crate, with their attribution (`data/README.md`).

use super::csv::sklearn_csv_from_str;
use super::dataset::Dataset;

/// Bundled data, parsed once per call. The files are checked by the test suite, so parsing
/// them cannot fail.
fn bundled<const D: usize>(text: &str, header: bool) -> Dataset<D> {
    sklearn_csv_from_str(text, header)
        .unwrap_or_else(|e| panic!("bundled data set is malformed: {e}"))
}

/// Fisher's iris: 150 samples, 4 features, 3 classes (UCI, CC BY 4.0).
pub fn iris() -> Dataset<4> {
    bundled(include_str!("../../../data/iris.csv"), true)
}

/// Wine: 178 samples, 13 features, 3 classes (UCI, CC BY 4.0).
pub fn wine() -> Dataset<13> {
    bundled(include_str!("../../../data/wine_data.csv"), true)
}

/// Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, 2 classes (UCI, CC BY 4.0).
pub fn breast_cancer() -> Dataset<30> {
    bundled(include_str!("../../../data/breast_cancer.csv"), true)
}

/// Handwritten digits: 1797 8×8 images (pixels 0..16), 10 classes (UCI, CC BY 4.0).
pub fn digits() -> Dataset<64> {
    bundled(include_str!("../../../data/digits.csv"), false)
}

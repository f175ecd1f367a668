//! Plain-text tables whose columns line up: each column as wide as its widest cell.

/// Where a column's cells sit in its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text: every cell starts where the column does.
    Left,
    /// Numbers: every cell ends where the column does.
    Right,
}

/// The header and the rows, one line each: every column as wide as its widest cell (header
/// included), counted in characters (`∂`, `→` count one), columns two spaces apart, no
/// trailing spaces.
///
/// # Panics
///
/// When a row does not have one cell per column.
pub fn table<S: AsRef<str>>(columns: &[(&str, Align)], rows: &[Vec<S>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = columns.iter().map(|(name, _)| width(name)).collect();
    for row in rows {
        assert_eq!(row.len(), columns.len(), "one cell per column");
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell.as_ref()));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let text: Vec<String> = cells
            .zip(columns)
            .zip(&widths)
            .map(|((cell, (_, align)), &w)| match align {
                Align::Left => format!("{cell:<w$}"),
                Align::Right => format!("{cell:>w$}"),
            })
            .collect();
        text.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&mut columns.iter().map(|(name, _)| *name));
    for row in rows {
        out += &line(&mut row.iter().map(AsRef::as_ref));
    }
    out
}

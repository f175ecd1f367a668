//! Pictures as PNG files (feature `plot`): the decision regions of a 2-D classifier with its
//! data on top, and the loss and accuracy curves of a training history, each with a title,
//! axes with ticks and labels, and a legend.
//!
//! The text is drawn with DejaVu Sans, bundled in the crate (`fonts/DejaVuSans.ttf`, its
//! licence in `fonts/LICENSE-DejaVu.txt`): no system font is needed.

use crate::hosted::fit::{EpochRecord, History};
use crate::network::Network;
use crate::train::metrics::{argmax, to_f64};
use core::fmt;
use nalgebra::{RealField, SVector};
use plotters::prelude::*;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

/// A picture could not be drawn or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not draw the picture: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

fn plot_error(e: impl fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// The bundled font, registered once as plotters' "sans-serif".
fn font() -> Result<(), PlotError> {
    static FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
                .map_err(|_| "the bundled font could not be read".to_string())
        })
        .clone()
        .map_err(PlotError)
}

/// The texts of a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Labels<'a> {
    /// Above the picture.
    pub title: &'a str,
    /// Under the horizontal axis.
    pub x: &'a str,
    /// Beside the vertical axis.
    pub y: &'a str,
    /// The classes' names in the legend, by class index (missing ones are "class k").
    pub classes: &'a [&'a str],
}

impl Default for Labels<'_> {
    fn default() -> Self {
        Labels {
            title: "Decision regions",
            x: "x₁",
            y: "x₂",
            classes: &[],
        }
    }
}

/// Where the data went: the plotting area in pixels and the data ranges it shows, so that a
/// data point's pixel can be found (`pixel`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Left, top, right and bottom pixel of the plotting area (right and bottom excluded).
    pub area: (i32, i32, i32, i32),
    /// The horizontal data range, left to right.
    pub x: (f64, f64),
    /// The vertical data range, bottom to top.
    pub y: (f64, f64),
}

impl Frame {
    /// The pixel of data point `(x, y)`.
    pub fn pixel(&self, x: f64, y: f64) -> (i32, i32) {
        let (left, top, right, bottom) = self.area;
        let px = left as f64 + (x - self.x.0) / (self.x.1 - self.x.0) * (right - left) as f64;
        let py = top as f64 + (self.y.1 - y) / (self.y.1 - self.y.0) * (bottom - top) as f64;
        (px.round() as i32, py.round() as i32)
    }
}

/// Class colours: regions use the light version, points the dark one.
const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

fn colour(class: usize, light: bool) -> RGBColor {
    let (r, g, b) = PALETTE[class % PALETTE.len()];
    let mix = |c: u8| {
        if light {
            ((c as u16 + 3 * 255) / 4) as u8
        } else {
            c
        }
    };
    RGBColor(mix(r), mix(g), mix(b))
}

/// The class a network predicts: the most probable one, or `ŷ > 0.5` for one output.
fn predicted<T: RealField + Copy, const K: usize>(output: &SVector<T, K>) -> usize {
    if K == 1 {
        usize::from(output[0] > nalgebra::convert(0.5))
    } else {
        argmax(output.as_slice())
    }
}

/// Draws `net`'s decision regions over the plane around `points`, with the points on top in
/// their class colours, as a `width × height` PNG at `path`: titled "Decision regions", axes
/// x₁ and x₂, a legend of the classes. See [`decision_regions_labelled`] for other texts.
///
/// # Example
///
/// ```no_run
/// # use mlp::nalgebra::SVector;
/// #[mlp::network(x -> Linear(2, 8) -> ReLU -> Linear(8, 2) -> Softmax -> CE)]
/// struct Net;
/// let net = Net::<f32>::zeros();
/// let points = vec![(SVector::<f32, 2>::new(0.0, 1.0), 1)];
/// mlp::plot::decision_regions(&net, &points, "regions.png", (400, 400))?;
/// # Ok::<(), mlp::plot::PlotError>(())
/// ```
pub fn decision_regions<T, N, const K: usize>(
    net: &N,
    points: &[(SVector<T, 2>, usize)],
    path: impl AsRef<Path>,
    size: (u32, u32),
) -> Result<Frame, PlotError>
where
    T: RealField + Copy,
    N: Network<T, Input = SVector<T, 2>, Output = SVector<T, K>>,
{
    decision_regions_labelled(net, points, path, size, &Labels::default())
}

/// [`decision_regions`] with your own title, axis labels and class names.
pub fn decision_regions_labelled<T, N, const K: usize>(
    net: &N,
    points: &[(SVector<T, 2>, usize)],
    path: impl AsRef<Path>,
    (width, height): (u32, u32),
    labels: &Labels,
) -> Result<Frame, PlotError>
where
    T: RealField + Copy,
    N: Network<T, Input = SVector<T, 2>, Output = SVector<T, K>>,
{
    font()?;
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (p, _) in points {
        let (x, y) = (to_f64(p[0]), to_f64(p[1]));
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if points.is_empty() {
        (x0, x1, y0, y1) = (-1.0, 1.0, -1.0, 1.0);
    }
    let (mx, my) = (0.1 * (x1 - x0).max(1e-9), 0.1 * (y1 - y0).max(1e-9));
    let (x0, x1, y0, y1) = (x0 - mx, x1 + mx, y0 - my, y1 + my);

    let root = BitMapBackend::new(path.as_ref(), (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let text = (height / 28).clamp(11, 18);
    let mut chart = ChartBuilder::on(&root)
        .caption(labels.title, ("sans-serif", text + 4))
        .margin(8)
        .x_label_area_size(text * 2 + 8)
        .y_label_area_size(text * 3 + 8)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(plot_error)?;
    let (w, h) = chart.plotting_area().dim_in_pixel();
    // The regions, in cells of 2×2 pixels.
    let (dx, dy) = (
        2.0 * (x1 - x0) / w.max(1) as f64,
        2.0 * (y1 - y0) / h.max(1) as f64,
    );
    let mut cells = Vec::new();
    let mut y = y0;
    while y < y1 {
        let mut x = x0;
        while x < x1 {
            let (cx, cy) = (x + dx / 2.0, y + dy / 2.0);
            let input = SVector::<T, 2>::new(nalgebra::convert(cx), nalgebra::convert(cy));
            let c = colour(predicted(&net.forward(&input)), true);
            cells.push(Rectangle::new([(x, y), (x + dx, y + dy)], c.filled()));
            x += dx;
        }
        y += dy;
    }
    chart.draw_series(cells).map_err(plot_error)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .label_style(("sans-serif", text))
        .axis_desc_style(("sans-serif", text))
        .draw()
        .map_err(plot_error)?;
    let classes = points.iter().map(|(_, c)| c + 1).max().unwrap_or(0);
    for class in 0..classes {
        let dark = colour(class, false);
        let name = labels
            .classes
            .get(class)
            .map_or_else(|| std::format!("class {class}"), |n| n.to_string());
        let here = points.iter().filter(|(_, c)| *c == class).map(|(p, _)| {
            let centre = (to_f64(p[0]), to_f64(p[1]));
            EmptyElement::at(centre)
                + Circle::new((0, 0), 4, dark.filled())
                + Circle::new((0, 0), 4, BLACK.stroke_width(1))
        });
        chart
            .draw_series(here)
            .map_err(plot_error)?
            .label(name)
            .legend(move |(x, y)| Circle::new((x + 6, y), 4, dark.filled()));
    }
    if classes > 0 {
        chart
            .configure_series_labels()
            .label_font(("sans-serif", text))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(least_crowded_corner(points, (x0, x1), (y0, y1)))
            .draw()
            .map_err(plot_error)?;
    }
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let frame = Frame {
        area: (xs.start, ys.start, xs.end, ys.end),
        x: (x0, x1),
        y: (y0, y1),
    };
    root.present().map_err(plot_error)?;
    Ok(frame)
}

/// The corner of the plot where the legend hides the fewest points.
fn least_crowded_corner<T: RealField + Copy>(
    points: &[(SVector<T, 2>, usize)],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> SeriesLabelPosition {
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let hidden = |right: bool, upper: bool| {
        points
            .iter()
            .filter(|(p, _)| {
                let (u, v) = (
                    (to_f64(p[0]) - x0) / (x1 - x0),
                    (to_f64(p[1]) - y0) / (y1 - y0),
                );
                (if right { u > 0.6 } else { u < 0.4 }) && (if upper { v > 0.65 } else { v < 0.35 })
            })
            .count()
    };
    corners
        .into_iter()
        .min_by_key(|&(_, right, upper)| hidden(right, upper))
        .map_or(SeriesLabelPosition::UpperRight, |c| c.0)
}

/// Points of one curve: (epoch, value).
type Curve = Vec<(f64, f64)>;

/// Draws a history's curves as a `width × height` PNG: the loss on top and the accuracy below,
/// each against the epoch, training (blue) and validation (orange) in a legend.
pub fn training_curves(
    history: &History,
    path: impl AsRef<Path>,
    (width, height): (u32, u32),
) -> Result<(), PlotError> {
    font()?;
    let root = BitMapBackend::new(path.as_ref(), (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let (top, bottom) = root.split_vertically(height / 2);
    let text = (height / 30).clamp(10, 18);
    let epochs = history.epochs.len().max(2) as f64;
    let losses: Vec<f64> = history
        .epochs
        .iter()
        .flat_map(|r| [Some(r.loss), r.validation_loss])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    let max_loss = losses.iter().cloned().fold(1e-9, f64::max) * 1.05;
    let panels = [
        (&top, 0.0..max_loss, true, "Loss"),
        (&bottom, 0.0..1.0, false, "Accuracy"),
    ];
    for (area, range, loss, title) in panels {
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", text + 2))
            .margin(8)
            .margin_right(20)
            .x_label_area_size(text * 2 + 6)
            .y_label_area_size(text * 3 + 6)
            .build_cartesian_2d(1.0..epochs, range)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_label_formatter(&|v| std::format!("{v:.0}"))
            .x_desc("epoch")
            .y_desc(if loss { "mean loss" } else { "accuracy" })
            .label_style(("sans-serif", text))
            .axis_desc_style(("sans-serif", text))
            .draw()
            .map_err(plot_error)?;
        let series = |pick: &dyn Fn(&EpochRecord) -> Option<f64>| -> Curve {
            history
                .epochs
                .iter()
                .filter_map(|r| {
                    pick(r)
                        .filter(|v| v.is_finite())
                        .map(|v| (r.epoch as f64, v))
                })
                .collect()
        };
        let (train, validation) = if loss {
            (series(&|r| Some(r.loss)), series(&|r| r.validation_loss))
        } else {
            (series(&|r| r.accuracy), series(&|r| r.validation_accuracy))
        };
        let mut drawn = false;
        for (points, class, name) in [(train, 0, "training"), (validation, 1, "validation")] {
            if !points.is_empty() {
                let c = colour(class, false);
                chart
                    .draw_series(LineSeries::new(points, c.stroke_width(2)))
                    .map_err(plot_error)?
                    .label(name)
                    .legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2))
                    });
                drawn = true;
            }
        }
        if drawn {
            chart
                .configure_series_labels()
                .label_font(("sans-serif", text))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(if loss {
                    SeriesLabelPosition::UpperRight
                } else {
                    SeriesLabelPosition::LowerRight
                })
                .draw()
                .map_err(plot_error)?;
        }
    }
    root.present().map_err(plot_error)
}

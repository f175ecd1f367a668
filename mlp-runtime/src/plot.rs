//! Pictures as PNG files (needs the `std` feature): the decision regions of a 2-D classifier
//! with its data on top, and the loss and accuracy curves of a training history.
//!
//! Nothing here draws text, so no font is needed at run time (plotters' bitmap backend only).

use crate::fit::History;
use crate::metrics::{argmax, to_f64};
use crate::Network;
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
/// their class colours, as a `width × height` PNG at `path`.
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
    (width, height): (u32, u32),
) -> Result<(), PlotError>
where
    T: RealField + Copy,
    N: Network<T, Input = SVector<T, 2>, Output = SVector<T, K>>,
{
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
    let to_plane = |px: u32, py: u32| {
        let x = x0 + (x1 - x0) * (px as f64 + 0.5) / width as f64;
        let y = y1 - (y1 - y0) * (py as f64 + 0.5) / height as f64;
        (x, y)
    };
    let to_pixel = |x: f64, y: f64| {
        let px = ((x - x0) / (x1 - x0) * width as f64) as i32;
        let py = ((y1 - y) / (y1 - y0) * height as f64) as i32;
        (px, py)
    };
    // The regions, in 2×2-pixel cells.
    for py in (0..height).step_by(2) {
        for px in (0..width).step_by(2) {
            let (x, y) = to_plane(px, py);
            let input = SVector::<T, 2>::new(nalgebra::convert(x), nalgebra::convert(y));
            let c = colour(predicted(&net.forward(&input)), true);
            let cell = [(px as i32, py as i32), (px as i32 + 2, py as i32 + 2)];
            root.draw(&Rectangle::new(cell, c.filled()))
                .map_err(plot_error)?;
        }
    }
    for (p, class) in points {
        let centre = to_pixel(to_f64(p[0]), to_f64(p[1]));
        root.draw(&Circle::new(centre, 4, colour(*class, false).filled()))
            .map_err(plot_error)?;
        root.draw(&Circle::new(centre, 4, BLACK.stroke_width(1)))
            .map_err(plot_error)?;
    }
    root.present().map_err(plot_error)
}

/// Points of one curve: (epoch, value).
type Curve = Vec<(f64, f64)>;

/// Draws a history's curves as a `width × height` PNG: the training loss (blue) and validation
/// loss (orange) on top, scaled to the largest loss; training accuracy (blue) and validation
/// accuracy (orange) below, from 0 to 100 %.
pub fn training_curves(
    history: &History,
    path: impl AsRef<Path>,
    (width, height): (u32, u32),
) -> Result<(), PlotError> {
    let root = BitMapBackend::new(path.as_ref(), (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_error)?;
    let (top, bottom) = root.split_vertically(height / 2);
    let epochs = history.epochs.len().max(2) as f64;
    let losses: Vec<f64> = history
        .epochs
        .iter()
        .flat_map(|r| [Some(r.loss), r.validation_loss])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    let max_loss = losses.iter().cloned().fold(1e-9, f64::max) * 1.05;
    let panels = [(&top, 0.0..max_loss, true), (&bottom, 0.0..1.0, false)];
    for (area, range, loss) in panels {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .build_cartesian_2d(1.0..epochs, range)
            .map_err(plot_error)?;
        chart
            .plotting_area()
            .draw(&Rectangle::new(
                [(1.0, 0.0), (epochs, if loss { max_loss } else { 1.0 })],
                BLACK.stroke_width(1),
            ))
            .map_err(plot_error)?;
        let series = |pick: &dyn Fn(&crate::fit::EpochRecord) -> Option<f64>| -> Curve {
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
        for (points, class) in [(train, 0), (validation, 1)] {
            if !points.is_empty() {
                chart
                    .draw_series(LineSeries::new(
                        points,
                        colour(class, false).stroke_width(2),
                    ))
                    .map_err(plot_error)?;
            }
        }
    }
    root.present().map_err(plot_error)
}

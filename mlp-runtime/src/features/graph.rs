//! The computational graph as a picture (feature `plot`): a network's `GRAPH_DOT`, rendered to
//! SVG in pure Rust by the layout-rs crate, so that no Graphviz is needed.
//!
//! ```
//! #[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
//! pub struct Classifier;
//!
//! let svg = mlp::graph::svg(Classifier::<f32>::GRAPH_DOT).unwrap();
//! assert!(svg.contains("<svg") && svg.contains("softmax(θ)"));
//! ```

use core::fmt;
use layout::backends::svg::SVGWriter;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{get_size_for_str, Point};
use layout::core::style::StyleAttr;
use layout::gv::{DotParser, GraphBuilder};
use std::format;
use std::string::{String, ToString};

/// A DOT text that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphError(pub String);

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not read the DOT graph: {}", self.0)
    }
}

impl std::error::Error for GraphError {}

/// Lays out a DOT graph (as `GRAPH_DOT` gives it) and draws it as an SVG document whose canvas
/// fits the drawing, with a margin of 5 pixels.
pub fn svg(dot: &str) -> Result<String, GraphError> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process().map_err(|e| GraphError(e.to_string()))?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = Fitted::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}

/// The blank border around the drawing, in pixels.
const MARGIN: f64 = 5.0;

/// layout-rs's SVG writer, with the canvas measured from what is drawn: the writer's own
/// measure grows the canvas downwards by ten pixels per byte of every text (it swaps the
/// text's width and height), which left half of a graph's canvas empty below it.
struct Fitted {
    svg: SVGWriter,
    /// The drawing's top-left and bottom-right corners.
    min: Point,
    max: Point,
}

impl Fitted {
    fn new() -> Fitted {
        Fitted {
            svg: SVGWriter::new(),
            min: Point::new(f64::INFINITY, f64::INFINITY),
            max: Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
        }
    }

    /// Takes in the box from `corner` to `corner + size`.
    fn grow(&mut self, corner: Point, size: Point) {
        for p in [corner, corner.add(size)] {
            self.min = Point::new(self.min.x.min(p.x), self.min.y.min(p.y));
            self.max = Point::new(self.max.x.max(p.x), self.max.y.max(p.y));
        }
    }

    /// The writer's document with its `<svg>` element sized to the drawing.
    fn finalize(&self) -> String {
        let document = self.svg.finalize();
        if self.min.x > self.max.x {
            return document; // nothing drawn
        }
        let (x, y) = (self.min.x - MARGIN, self.min.y - MARGIN);
        let (width, height) = (
            self.max.x - self.min.x + 2.0 * MARGIN,
            self.max.y - self.min.y + 2.0 * MARGIN,
        );
        let (Some(start), Some(namespace)) = (document.find("<svg "), document.find(" xmlns=\""))
        else {
            return document;
        };
        format!(
            "{}<svg width=\"{width}\" height=\"{height}\" viewBox=\"{x} {y} {width} {height}\"{}",
            &document[..start],
            &document[namespace..]
        )
    }
}

impl RenderBackend for Fitted {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        clip: Option<ClipHandle>,
    ) {
        self.grow(xy, size);
        self.svg.draw_rect(xy, size, look, properties, clip);
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(start, Point::zero());
        self.grow(stop, Point::zero());
        self.svg.draw_line(start, stop, look, properties);
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
    ) {
        self.grow(xy.sub(size.scale(0.5)), size);
        self.svg.draw_circle(xy, size, look, properties);
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        // Centred on `xy`. The layout's measure gives every character a full em; Times, the
        // font the SVG asks for, averages about half of one.
        let em = get_size_for_str(text, look.font_size);
        let size = Point::new(em.x * 0.5, em.y);
        self.grow(xy.sub(size.scale(0.5)), size);
        self.svg.draw_text(xy, text, look);
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        properties: Option<String>,
        text: &str,
    ) {
        for &(point, control) in path {
            self.grow(point, Point::zero());
            self.grow(control, Point::zero());
        }
        self.svg
            .draw_arrow(path, dashed, head, look, properties, text);
    }

    fn create_clip(&mut self, xy: Point, size: Point, rounded_px: usize) -> ClipHandle {
        self.svg.create_clip(xy, size, rounded_px)
    }
}

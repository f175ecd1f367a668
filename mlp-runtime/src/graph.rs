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
use layout::gv::{DotParser, GraphBuilder};
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

/// Lays out a DOT graph (as `GRAPH_DOT` gives it) and draws it as an SVG document.
pub fn svg(dot: &str) -> Result<String, GraphError> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process().map_err(|e| GraphError(e.to_string()))?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}

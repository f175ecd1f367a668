//! The pictures are real PNG files of the asked size, and show what they should.

use mlp::fit::{EpochRecord, History};
use mlp::nalgebra::{SMatrix, SVector};

#[mlp::network(x -> Linear(2, 2) -> Softmax -> CE)]
struct Split;

fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let file = std::fs::File::open(path).expect("the picture was written");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("one frame");
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

fn temporary(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mlp-test-{}-{name}", std::process::id()))
}

/// Dark pixels (text, axes, ticks) among `pixels` of a `width`-wide RGB image in the rectangle.
fn dark_pixels(pixels: &[u8], width: u32, (x0, y0, x1, y1): (i32, i32, i32, i32)) -> usize {
    let mut n = 0;
    for y in y0.max(0)..y1 {
        for x in x0.max(0)..x1 {
            let i = 3 * (y as usize * width as usize + x as usize);
            if let Some(p) = pixels.get(i..i + 3) {
                n += usize::from(p.iter().map(|&c| c as u32).sum::<u32>() < 400);
            }
        }
    }
    n
}

#[test]
fn decision_regions_png() {
    // Class 1 where x > 0: the left half is one region colour, the right half the other.
    let mut net = Split::<f64>::zeros();
    net.w = SMatrix::from_row_slice(&[-1.0, 0.0, 1.0, 0.0]);
    let points = vec![
        (SVector::<f64, 2>::new(-1.0, 0.0), 0),
        (SVector::<f64, 2>::new(1.0, 0.5), 1),
        (SVector::<f64, 2>::new(-0.5, -1.0), 0),
    ];
    let path = temporary("regions.png");
    let labels = mlp::plot::Labels {
        title: "Two halves",
        classes: &["left", "right"],
        ..mlp::plot::Labels::default()
    };
    let frame = mlp::plot::decision_regions_labelled(&net, &points, &path, (320, 240), &labels)
        .expect("drawn");
    let (width, height, pixels) = decode(&path);
    assert_eq!((width, height), (320, 240));
    let at = |(x, y): (i32, i32)| {
        let i = 3 * (y as usize * width as usize + x as usize);
        (pixels[i], pixels[i + 1], pixels[i + 2])
    };
    let (left, top, right, bottom) = frame.area;
    assert!(
        left > 0 && top > 0 && right < 320 && bottom < 240,
        "{frame:?}"
    );
    // Regions: left and right differ, the boundary is vertical (away from the legend).
    let low_left = (left + 3, bottom - 3);
    assert_ne!(
        at(low_left),
        at((right - 3, bottom - 3)),
        "two classes, two region colours"
    );
    assert_eq!(
        at(low_left),
        at((left + 3, (top + bottom) / 2)),
        "the boundary is vertical"
    );
    // The known point: (1, 0.5) of class 1 is drawn in class 1's colour at its pixel.
    assert_eq!(at(frame.pixel(1.0, 0.5)), (255, 127, 14));
    assert_eq!(at(frame.pixel(-1.0, 0.0)), (31, 119, 180));
    // Text: the title above the plotting area, tick labels and axis names left of it and below.
    assert!(
        dark_pixels(&pixels, width, (0, 0, 320, top - 2)) > 20,
        "a title"
    );
    assert!(
        dark_pixels(&pixels, width, (0, top, left - 4, bottom)) > 20,
        "vertical axis labels"
    );
    assert!(
        dark_pixels(&pixels, width, (left, bottom + 4, right, 240)) > 20,
        "horizontal axis labels"
    );
    std::fs::remove_file(&path).ok();
}

#[test]
fn training_curves_png() {
    let history = History {
        epochs: (1..=10)
            .map(|epoch| EpochRecord {
                epoch,
                loss: 1.0 / epoch as f64,
                accuracy: Some(0.5 + 0.04 * epoch as f64),
                validation_loss: Some(1.2 / epoch as f64),
                validation_accuracy: Some(0.45 + 0.04 * epoch as f64),
            })
            .collect(),
        ..History::default()
    };
    let path = temporary("curves.png");
    mlp::plot::training_curves(&history, &path, (300, 400)).expect("drawn");
    let (width, height, pixels) = decode(&path);
    assert_eq!((width, height), (300, 400));
    assert!(
        dark_pixels(&pixels, width, (100, 0, 200, 24)) > 10,
        "the title `Loss`"
    );
    assert!(
        dark_pixels(&pixels, width, (0, 20, 30, 90)) > 10,
        "the loss axis' labels"
    );
    // Both curves and their legend, in their colours.
    let count = |rgb: [u8; 3]| pixels.chunks(3).filter(|p| *p == rgb).count();
    assert!(count([31, 119, 180]) > 50 && count([255, 127, 14]) > 50);
    std::fs::remove_file(&path).ok();
}

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

#[test]
fn computational_graph_svg() {
    let svg = mlp::graph::svg(Card::<f64>::GRAPH_DOT).expect("laid out");
    assert!(svg.contains("<svg"));
    // Every forward value, its gradient, and the local Jacobians on the edges, as the
    // derivation writes them (XML escapes `>` in the text).
    for text in [
        "z = W·x + b₁ [16×1]",
        "h = ReLU(z) [16×1]",
        "ŷ = softmax(θ) [3×1]",
        "∂J/∂θ = ŷ − y",
        "∂J/∂ŷ: fused away (fuse_softmax_ce)",
        "∂θ/∂h = U",
        "∂ŷ/∂θ = diag(ŷ) − ŷ·ŷᵀ",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
    assert!(mlp::graph::svg("digraph { a -> ; }").is_err());
}

/// The numbers of attribute `name` in the tag `tag` (`<rect x="1" ...`), as written.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let pattern = format!("{name}=\"");
    let mut from = 0;
    while let Some(at) = tag[from..].find(&pattern) {
        let start = from + at;
        let before = tag[..start].chars().next_back();
        from = start + pattern.len();
        if before.is_some_and(char::is_whitespace) {
            let value = &tag[from..];
            return value.find('"').map(|end| &value[..end]);
        }
    }
    None
}

fn number(tag: &str, name: &str) -> f64 {
    let text = attribute(tag, name).unwrap_or_else(|| panic!("no {name} in {tag}"));
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{name}={text}"))
}

/// The smallest box around every shape, path and text anchor of an SVG drawn by layout-rs:
/// `(left, top, right, bottom)`.
fn drawn_extent(svg: &str) -> (f64, f64, f64, f64) {
    let mut extent = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut grow = |x: f64, y: f64| {
        extent = (
            extent.0.min(x),
            extent.1.min(y),
            extent.2.max(x),
            extent.3.max(y),
        );
    };
    for (at, _) in svg.match_indices('<') {
        let tag = &svg[at..at + svg[at..].find('>').unwrap_or(0)];
        if tag.starts_with("<rect") {
            let (x, y) = (number(tag, "x"), number(tag, "y"));
            grow(x, y);
            grow(x + number(tag, "width"), y + number(tag, "height"));
        } else if tag.starts_with("<ellipse") {
            let (x, y) = (number(tag, "cx"), number(tag, "cy"));
            let (rx, ry) = (number(tag, "rx"), number(tag, "ry"));
            grow(x - rx, y - ry);
            grow(x + rx, y + ry);
        } else if tag.starts_with("<path") {
            let d = attribute(tag, "d").expect("a path has d");
            let numbers: Vec<f64> = d
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter_map(|t| t.parse().ok())
                .collect();
            for point in numbers.chunks_exact(2) {
                grow(point[0], point[1]);
            }
        } else if tag.starts_with("<line") {
            grow(number(tag, "x1"), number(tag, "y1"));
            grow(number(tag, "x2"), number(tag, "y2"));
        } else if tag.starts_with("<text ") {
            grow(number(tag, "x"), number(tag, "y"));
        }
    }
    extent
}

/// The canvas fits the drawing: nothing drawn falls outside the view box, and the view box is
/// no more than a small margin larger than what is drawn (layout-rs's own SVG writer grows
/// the canvas downwards by ten pixels per byte of every text, leaving half of it empty).
#[test]
fn computational_graph_svg_fits_its_content() {
    let svg = mlp::graph::svg(Card::<f64>::GRAPH_DOT).expect("laid out");
    let header = &svg[svg.find("<svg").expect("an svg element")..];
    let header = &header[..header.find('>').unwrap_or(0)];
    let view: Vec<f64> = attribute(header, "viewBox")
        .expect("a view box")
        .split_whitespace()
        .map(|v| v.parse().expect("a number"))
        .collect();
    let (left, top, right, bottom) = (view[0], view[1], view[0] + view[2], view[1] + view[3]);
    assert_eq!(
        (number(header, "width"), number(header, "height")),
        (view[2], view[3]),
        "the canvas is drawn at its view box's size"
    );
    let content = drawn_extent(&svg);
    assert!(
        left <= content.0 && top <= content.1 && content.2 <= right && content.3 <= bottom,
        "the drawing {content:?} is cut by the view box {view:?}"
    );
    let margin = 40.0;
    assert!(
        view[3] <= content.3 - content.1 + margin,
        "canvas {} high for a drawing {} high",
        view[3],
        content.3 - content.1
    );
    assert!(
        view[2] <= content.2 - content.0 + margin,
        "canvas {} wide for a drawing {} wide",
        view[2],
        content.2 - content.0
    );
}

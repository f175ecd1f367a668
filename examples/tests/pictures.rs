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

#[test]
fn decision_regions_png() {
    // Class 1 where x > 0: the left half is one region colour, the right half the other.
    let mut net = Split::<f64>::zeros();
    net.w = SMatrix::from_row_slice(&[-1.0, 0.0, 1.0, 0.0]);
    let points = vec![
        (SVector::<f64, 2>::new(-1.0, 0.0), 0),
        (SVector::<f64, 2>::new(1.0, 0.5), 1),
    ];
    let path = temporary("regions.png");
    mlp::plot::decision_regions(&net, &points, &path, (120, 80)).expect("drawn");
    let (width, height, pixels) = decode(&path);
    assert_eq!((width, height), (120, 80));
    let at = |x: usize, y: usize| {
        let i = 3 * (y * width as usize + x);
        (pixels[i], pixels[i + 1], pixels[i + 2])
    };
    assert_ne!(at(2, 2), at(117, 2), "two classes, two region colours");
    assert_eq!(at(2, 2), at(2, 77), "the boundary is vertical");
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
    mlp::plot::training_curves(&history, &path, (300, 200)).expect("drawn");
    let (width, height, pixels) = decode(&path);
    assert_eq!((width, height), (300, 200));
    assert!(
        pixels.chunks(3).any(|p| p != [255, 255, 255]),
        "something was drawn"
    );
    std::fs::remove_file(&path).ok();
}

//! safetensors both ways: PyTorch's own file and outputs (fixtures written by
//! `scripts/pytorch_roundtrip.py`, no Python needed here), round trips in every scalar type,
//! every error case with the network left unchanged, and 12,000 mutated files without a panic.

use mlp::nalgebra::SVector;
use mlp::safetensors::{self as st, Error, LoadOptions};
use mlp::Network;
use safetensors::tensor::SafeTensors;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

#[mlp::network(x -> Linear(2, 4) -> ReLU -> Linear(4, 3) -> Softmax -> CE)]
struct Small;

#[mlp::network(x -> Linear(3, 6) -> Maxout(6, 2, 3) -> Linear(2, 1) -> Sigmoid -> BCE)]
struct WithMaxout;

const MODEL: &[u8] = include_bytes!("../../tests/fixtures/pytorch/model.safetensors");
const IO: &[u8] = include_bytes!("../../tests/fixtures/pytorch/io.safetensors");

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[test]
fn pytorch_file_gives_pytorchs_probabilities() {
    let mut net = Card::<f32>::zeros();
    let report = st::load(&mut net, MODEL).expect("PyTorch's state_dict loads");
    assert_eq!(report.converted().count(), 0);
    let io = SafeTensors::deserialize(IO).expect("the fixture");
    let inputs = f32s(io.tensor("inputs").expect("inputs").data());
    let expected = f32s(io.tensor("probabilities").expect("probabilities").data());
    let mut worst = 0.0f32;
    for (x, p) in inputs.chunks_exact(2).zip(expected.chunks_exact(3)) {
        let y_hat = net.forward(&SVector::<f32, 2>::new(x[0], x[1]));
        for (a, b) in y_hat.iter().zip(p) {
            worst = worst.max((a - b).abs());
        }
    }
    println!("largest difference from PyTorch's probabilities: {worst:e}");
    assert!(worst <= 1e-6, "{worst}");
    // And back: what Rust writes is PyTorch's layout, byte for byte the same numbers.
    let again = SafeTensors::deserialize(MODEL).expect("the fixture");
    let ours = st::to_bytes(&net);
    let ours = SafeTensors::deserialize(&ours).expect("our file");
    for name in ["0.weight", "0.bias", "2.weight", "2.bias"] {
        let (a, b) = (
            again.tensor(name).expect("theirs"),
            ours.tensor(name).expect("ours"),
        );
        assert_eq!(a.shape(), b.shape(), "{name}");
        assert_eq!(a.data(), b.data(), "{name}");
    }
}

#[test]
fn round_trips_in_every_scalar_type() {
    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 2);
    let mut same = Card::<f32>::zeros();
    assert_eq!(
        st::load(&mut same, &st::to_bytes(&net))
            .expect("f32")
            .converted()
            .count(),
        0
    );
    assert_eq!(same, net);

    let mut wide = Card::<f64>::zeros();
    let report = st::load(&mut wide, &st::to_bytes(&net)).expect("f32 into f64");
    assert_eq!(report.converted().count(), 4, "{report}");
    assert_eq!(wide.u[(2, 5)], f64::from(net.u[(2, 5)]));

    let mut narrow = Card::<f32>::zeros();
    st::load(&mut narrow, &st::to_bytes(&wide)).expect("f64 into f32");
    assert_eq!(narrow, net);

    // Gradients, with the parameters' names.
    let (_, grads) = net.loss_and_gradients(&SVector::<f32, 2>::new(0.5, -1.0), &2);
    let bytes = st::gradients_to_bytes::<f32, Card<f32>>(&grads);
    let mut back = CardGradients::<f32>::zeros();
    st::load_gradients::<f32, Card<f32>>(&mut back, &bytes).expect("gradients");
    assert_eq!(back, grads);

    // Files.
    let path = std::env::temp_dir().join(format!("mlp-st-{}.safetensors", std::process::id()));
    st::save_file(&net, &path).expect("saved");
    let mut from_file = Card::<f32>::zeros();
    st::load_file(&mut from_file, &path).expect("loaded");
    assert_eq!(from_file, net);
    let _ = std::fs::remove_file(path);
}

#[test]
fn maxout_weight_is_its_affine_layer() {
    let mut net = WithMaxout::<f64>::zeros();
    mlp::init::xavier_uniform(&mut net, 1);
    let bytes = st::to_bytes(&net);
    let file = SafeTensors::deserialize(&bytes).expect("ours");
    assert_eq!(file.tensor("0.weight").expect("weight").shape(), &[6, 3]);
    assert_eq!(file.tensor("0.bias").expect("bias").shape(), &[6]);
    assert_eq!(file.tensor("2.weight").expect("weight").shape(), &[1, 2]);
}

/// A safetensors file written by hand: `(name, dtype, shape, data)`.
fn handmade(tensors: &[(&str, &str, &[usize], Vec<u8>)]) -> Vec<u8> {
    let mut header = String::from("{");
    let mut data = Vec::new();
    for (k, (name, dtype, shape, bytes)) in tensors.iter().enumerate() {
        let shape: Vec<String> = shape.iter().map(|s| s.to_string()).collect();
        header += &format!(
            "{}\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
            if k > 0 { "," } else { "" },
            shape.join(","),
            data.len(),
            data.len() + bytes.len()
        );
        data.extend_from_slice(bytes);
    }
    header += "}";
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header.as_bytes());
    file.extend_from_slice(&data);
    file
}

fn small_tensors(dtype: &str, size: usize) -> Vec<(&'static str, String, Vec<usize>, Vec<u8>)> {
    [
        ("0.weight", vec![4, 2]),
        ("0.bias", vec![4]),
        ("2.weight", vec![3, 4]),
        ("2.bias", vec![3]),
    ]
    .into_iter()
    .map(|(name, shape)| {
        let n: usize = shape.iter().product();
        (name, dtype.to_string(), shape, vec![0x3c; n * size])
    })
    .collect()
}

fn build(tensors: &[(&'static str, String, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &str, &[usize], Vec<u8>)> = tensors
        .iter()
        .map(|(n, d, s, b)| (*n, d.as_str(), s.as_slice(), b.clone()))
        .collect();
    handmade(&refs)
}

#[test]
fn half_precision_files_load_converted() {
    for dtype in ["F16", "BF16"] {
        let mut net = Small::<f32>::zeros();
        let report = st::load(&mut net, &build(&small_tensors(dtype, 2))).expect(dtype);
        assert_eq!(report.converted().count(), 4);
        // 0x3c3c: 1.0585938 in f16, 0.011474609 in bf16.
        let want = if dtype == "F16" {
            1.0585938
        } else {
            0.011474609
        };
        assert!(
            (net.w[(0, 0)] - want).abs() < 1e-6,
            "{dtype}: {}",
            net.w[(0, 0)]
        );
    }
}

/// Loading `bytes` fails as `check` says and leaves the network as it was.
fn refused(bytes: &[u8], check: impl Fn(&Error) -> bool) {
    let mut net = Small::<f32>::zeros();
    mlp::init::he_normal(&mut net, 9);
    let before = net;
    let error = st::load(&mut net, bytes).expect_err("refused");
    assert!(check(&error), "unexpected error: {error}");
    assert!(!error.to_string().is_empty());
    assert_eq!(net, before, "unchanged after: {error}");
}

#[test]
fn every_error_names_what_is_wrong() {
    let good = small_tensors("F32", 4);

    let missing: Vec<_> = good.iter().filter(|t| t.0 != "2.bias").cloned().collect();
    refused(
        &build(&missing),
        |e| matches!(e, Error::Missing { tensor } if tensor == "2.bias"),
    );

    let mut extra = good.clone();
    extra.push(("4.weight", "F32".into(), vec![2], vec![0; 8]));
    refused(
        &build(&extra),
        |e| matches!(e, Error::Extra { tensor } if tensor == "4.weight"),
    );
    let mut net = Small::<f32>::zeros();
    let report = st::load_with(&mut net, &build(&extra), LoadOptions { ignore_extra: true })
        .expect("extras ignored when asked");
    assert_eq!(report.ignored, vec!["4.weight".to_string()]);

    let mut transposed = good.clone();
    transposed[0].2 = vec![2, 4];
    refused(&build(&transposed), |e| {
        matches!(e, Error::Shape { tensor, expected, found }
            if tensor == "0.weight" && expected == &vec![4, 2] && found == &vec![2, 4])
    });

    let mut integers = good.clone();
    integers[1].1 = "I32".into();
    refused(
        &build(&integers),
        |e| matches!(e, Error::Dtype { tensor, dtype } if tensor == "0.bias" && dtype == "I32"),
    );

    let whole = build(&good);
    refused(&whole[..whole.len() - 5], |e| {
        matches!(e, Error::Corrupt { .. })
    });
    refused(&whole[..20], |e| matches!(e, Error::Corrupt { .. }));
    refused(b"not a safetensors file at all", |e| {
        matches!(e, Error::Corrupt { .. })
    });
    refused(&[], |e| matches!(e, Error::Corrupt { .. }));

    // Offsets that lie: the bias claims bytes past the end.
    let lying = handmade(&[
        ("0.weight", "F32", &[4, 2], vec![0; 32]),
        ("0.bias", "F32", &[4], vec![0; 8]),
    ]);
    refused(&lying, |e| matches!(e, Error::Corrupt { .. }));

    // A header that claims 10¹² elements: an error, not an allocation.
    let huge = {
        let header =
            r#"{"0.weight":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,32]}}"#;
        let mut file = (header.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(header.as_bytes());
        file.extend_from_slice(&[0; 32]);
        file
    };
    refused(&huge, |e| matches!(e, Error::Corrupt { .. }));
    // A header length of 2⁶⁴ − 1.
    let mut absurd = u64::MAX.to_le_bytes().to_vec();
    absurd.extend_from_slice(b"{}");
    refused(&absurd, |e| matches!(e, Error::Corrupt { .. }));
}

/// A file whose header is `header`, followed by `data`.
fn with_header(header: &[u8], data: &[u8]) -> Vec<u8> {
    let mut file = (header.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(header);
    file.extend_from_slice(data);
    file
}

#[test]
fn corrupt_files_are_described_in_words() {
    let good = build(&small_tensors("F32", 4));
    let mut absurd = u64::MAX.to_le_bytes().to_vec();
    absurd.extend_from_slice(b"{}");
    let cases: [(&str, Vec<u8>, &str); 8] = [
        ("a header length of 2⁶⁴ − 1", absurd, "header"),
        (
            "plain text",
            b"not a safetensors file at all".to_vec(),
            "header",
        ),
        (
            "a header that is not JSON",
            with_header(b"{nope", &[]),
            "JSON",
        ),
        (
            "a header that is not UTF-8",
            with_header(b"{\xff\xfe}", &[]),
            "UTF-8",
        ),
        (
            "a header that is JSON of another shape",
            with_header(br#"{"0.weight":{"dtype":"F32"}}"#, &[]),
            "JSON",
        ),
        ("5 bytes", good[..5].to_vec(), "shorter"),
        (
            "a truncated file",
            good[..good.len() - 5].to_vec(),
            "truncated",
        ),
        ("a truncated header", good[..20].to_vec(), "header"),
    ];
    // The safetensors reader's names for its errors, which mean nothing to a user.
    let internal = [
        "HeaderTooLarge",
        "HeaderTooSmall",
        "InvalidHeader",
        "InvalidHeaderStart",
        "InvalidHeaderDeserialization",
        "InvalidHeaderLength",
        "InvalidOffset",
        "InvalidTensorView",
        "MetadataIncompleteBuffer",
        "TensorInvalidInfo",
        "TensorNotFound",
        "ValidationOverflow",
        "JsonError",
        "IoError",
    ];
    for (what, bytes, word) in cases {
        let error = st::load(&mut Small::<f32>::zeros(), &bytes).expect_err(what);
        let message = error.to_string();
        for name in internal {
            assert!(!message.contains(name), "{what}: {message}");
        }
        assert!(message.contains(word), "{what}: `{word}` not in {message}");
    }
}

/// xorshift, for the mutations.
struct Bits(u64);
impl Bits {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn twelve_thousand_mutated_files_never_panic() {
    let seeds = [MODEL.to_vec(), st::to_bytes(&Card::<f64>::zeros())];
    let mut rng = Bits(0x9E37_79B9_7F4A_7C15);
    let (mut loaded, mut refused) = (0, 0);
    for n in 0..12_000 {
        let mut file = seeds[n % 2].clone();
        let header_end = 8 + u64::from_le_bytes(file[..8].try_into().expect("8 bytes")) as usize;
        match n % 4 {
            // Bit flips anywhere.
            0 => {
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(file.len());
                    file[i] ^= 1 << rng.below(8);
                }
            }
            // Truncation.
            1 => file.truncate(rng.below(file.len())),
            // Header edits: a digit, a quote or a bracket somewhere in the JSON.
            2 => {
                let i = 8 + rng.below(header_end - 8);
                file[i] = b"0123456789\"[]{},:-eE"[rng.below(20)];
            }
            // The length prefix.
            _ => {
                let length = rng.next() >> rng.below(64);
                file[..8].copy_from_slice(&length.to_le_bytes());
            }
        }
        let mut net = Card::<f32>::zeros();
        match st::load(&mut net, &file) {
            Ok(_) => loaded += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    println!("12,000 mutated files: {loaded} loaded, {refused} refused, no panic");
    assert_eq!(loaded + refused, 12_000);
    assert!(refused > 6_000);
}

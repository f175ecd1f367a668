//! `mlp::tflite` on corrupt files: more than 10,000 mutations of the four fixture models, none
//! of which may panic.
//!
//! Deterministic: a xorshift generator with fixed seeds. The mutations: random byte flips,
//! 4-byte overwrites with boundary values (0, 0x7fffffff, 0xffffffff, 0x80000000, small
//! offsets, the file's length and its neighbours), truncation at random lengths (and at every
//! length, for the sine model), insertion and removal of bytes, empty, tiny and random inputs,
//! every aligned word of a file made to lie by one (a vector length or offset one too far), and
//! a file whose vectors of tensors, of operators and of one buffer's data claim more than the
//! file holds. For each: [`Model::parse`], every accessor on every tensor and operator, then
//! [`Model::expect_chain`] with the fixture's chain and every binding helper, and the
//! `from_tflite` that `#[mlp::network]` generates for the fixture's chain, each returning `Ok`
//! or `Err`; a panic is caught (with its case's name and seed) and fails the test. The
//! test prints how many cases ended `Ok` and how many in each kind of error.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use mlp::tflite::{Error, Expected, Model};

const SINE: &[u8] = include_bytes!("fixtures/tflite/sine.tflite");
const PER_CHANNEL: &[u8] = include_bytes!("fixtures/tflite/classifier_per_channel.tflite");
const PER_TENSOR: &[u8] = include_bytes!("fixtures/tflite/classifier_per_tensor.tflite");
const DIGITS: &[u8] = include_bytes!("fixtures/tflite/digits.tflite");

/// xorshift64* (Vigna): small, deterministic, good enough to pick positions and values.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // A zero state stays zero; mix the seed first.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn fc(inputs: usize, outputs: usize, relu: bool) -> Expected {
    Expected::FullyConnected {
        inputs,
        outputs,
        relu,
    }
}

struct Fixture {
    name: &'static str,
    bytes: &'static [u8],
    chain: Vec<Expected>,
    /// Every FULLY_CONNECTED of the chain bound at its sizes, and the softmax's beta.
    bind: fn(&Model<'_>) -> Result<(), Error>,
}

// The networks whose generated `NameInt8::from_tflite` reads each mutated file too.
#[mlp::network(x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE)]
struct Sine;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Classifier;

#[mlp::network(x -> Linear(64, 32) -> ReLU -> Linear(32, 10) -> Softmax -> CE)]
struct Digits;

fn fixtures() -> Vec<Fixture> {
    fn classifier(m: &Model<'_>) -> Result<(), Error> {
        m.fully_connected::<2, 16>(0)?;
        m.fully_connected::<16, 3>(1)?;
        m.operator(2)?.softmax_beta()?;
        ClassifierInt8::from_tflite(m.bytes())?;
        Ok(())
    }
    vec![
        Fixture {
            name: "sine",
            bytes: SINE,
            chain: vec![fc(1, 16, true), fc(16, 16, true), fc(16, 1, false)],
            bind: |m| {
                m.fully_connected::<1, 16>(0)?;
                m.fully_connected::<16, 16>(1)?;
                m.fully_connected::<16, 1>(2)?;
                SineInt8::from_tflite(m.bytes())?;
                Ok(())
            },
        },
        Fixture {
            name: "classifier_per_channel",
            bytes: PER_CHANNEL,
            chain: vec![fc(2, 16, true), fc(16, 3, false), Expected::Softmax],
            bind: classifier,
        },
        Fixture {
            name: "classifier_per_tensor",
            bytes: PER_TENSOR,
            chain: vec![fc(2, 16, true), fc(16, 3, false), Expected::Softmax],
            bind: classifier,
        },
        Fixture {
            name: "digits",
            bytes: DIGITS,
            chain: vec![fc(64, 32, true), fc(32, 10, false), Expected::Softmax],
            bind: |m| {
                m.fully_connected::<64, 32>(0)?;
                m.fully_connected::<32, 10>(1)?;
                m.operator(2)?.softmax_beta()?;
                DigitsInt8::from_tflite(m.bytes())?;
                Ok(())
            },
        },
    ]
}

/// Every accessor on every tensor and operator (at most a few hundred of each: a corrupt
/// vector may claim millions), every error formatted. Only that nothing panics matters here.
fn touch(model: &Model<'_>) -> usize {
    let mut seen = 0usize;
    let mut note = |r: Result<String, Error>| {
        seen += match r {
            Ok(s) => s.len(),
            Err(e) => e.to_string().len(),
        }
    };
    for i in 0..model.operator_count().min(64) {
        match model.operator(i) {
            Ok(op) => {
                note(Ok(op.builtin().to_string()));
                note(Ok(format!("{:?} {:?}", op.inputs(), op.outputs())));
                note(op.fused_activation().map(|a| a.to_string()));
                note(op.keep_num_dims().map(|k| k.to_string()));
                note(op.weights_format().map(|w| w.to_string()));
                note(op.softmax_beta().map(|b| b.to_string()));
                note(op.leaky_relu_alpha().map(|a| a.to_string()));
                note(model.operator_io(i).map(|io| format!("{io:?}")));
                // The wrong sizes too: every check on the way must hold.
                note(model.fully_connected::<4, 4>(i).map(|_| String::new()));
                note(model.fully_connected::<1, 1>(i).map(|_| String::new()));
            }
            Err(e) => note(Err(e)),
        }
    }
    for t in 0..model.tensor_count().min(256) {
        match model.tensor(t) {
            Ok(tensor) => {
                note(tensor.name().map(str::to_string));
                note(
                    tensor
                        .shape()
                        .map(|s| format!("{s:?} {}", s.iter().count())),
                );
                note(tensor.element_type().map(|t| t.to_string()));
                note(tensor.buffer().map(|b| b.to_string()));
                note(tensor.data().map(|d| d.len().to_string()));
                note(tensor.quantization().map(|q| format!("{q:?}")));
                note(model.quantization(t).map(|q| format!("{q:?}")));
            }
            Err(e) => note(Err(e)),
        }
    }
    note(model.input().map(|i| i.to_string()));
    note(model.output().map(|o| o.to_string()));
    seen
}

/// Parse, look at everything, then the chain and the binding helpers: the first error.
fn exercise(fixture: &Fixture, bytes: &[u8]) -> Result<(), Error> {
    let model = Model::parse(bytes)?;
    std::hint::black_box(touch(&model));
    model.expect_chain(&fixture.chain)?;
    (fixture.bind)(&model)?;
    model.quantization(model.input()?)?;
    model.quantization(model.output()?)?;
    Ok(())
}

/// The kind of an error: its variant's name.
fn kind(e: &Error) -> String {
    let debug = format!("{e:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_string()
}

struct Tally {
    cases: usize,
    outcomes: BTreeMap<String, usize>,
    panics: Vec<String>,
    /// Cases that must be errors and were not.
    accepted: Vec<String>,
}

impl Tally {
    fn run(
        &mut self,
        fixture: &Fixture,
        case: &str,
        seed: u64,
        bytes: &[u8],
    ) -> Option<Result<(), Error>> {
        self.cases += 1;
        match catch_unwind(AssertUnwindSafe(|| exercise(fixture, bytes))) {
            Ok(result) => {
                let key = match &result {
                    Ok(()) => "Ok".to_string(),
                    Err(e) => format!("Err({})", kind(e)),
                };
                *self.outcomes.entry(key).or_default() += 1;
                Some(result)
            }
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.panics.push(format!(
                    "{} / {case} / seed {seed:#x} / {} bytes: {message}",
                    fixture.name,
                    bytes.len()
                ));
                None
            }
        }
    }

    fn must_fail(&mut self, fixture: &Fixture, case: &str, seed: u64, bytes: &[u8]) {
        if let Some(Ok(())) = self.run(fixture, case, seed, bytes) {
            self.accepted
                .push(format!("{} / {case} / seed {seed:#x}", fixture.name));
        }
    }
}

/// The boundary values a 4-byte overwrite writes.
fn boundary(rng: &mut Rng, len: usize, old: u32) -> u32 {
    let len = len as u32;
    match rng.below(12) {
        0 => 0,
        1 => 0x7fff_ffff,
        2 => 0xffff_ffff,
        3 => 0x8000_0000,
        4 => rng.below(16) as u32,
        5 => len,
        6 => len.wrapping_sub(rng.below(8) as u32),
        7 => len.wrapping_add(1),
        8 => old.wrapping_add(4),
        9 => old.wrapping_sub(4),
        10 => old.wrapping_add(1),
        _ => rng.next() as u32,
    }
}

/// Where field `slot` of the table at `table` is, read without the reader (the file is a
/// fixture: this may index freely).
fn field(bytes: &[u8], table: usize, slot: usize) -> usize {
    let soffset = i32::from_le_bytes(bytes[table..table + 4].try_into().unwrap());
    let vtable = (table as i64 - soffset as i64) as usize;
    let at = vtable + 4 + 2 * slot;
    table + u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()) as usize
}

fn follow(bytes: &[u8], at: usize) -> usize {
    at + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

/// The positions of the length words of: the subgraph's tensors, its operators, and the data
/// of the first layer's weights.
fn length_words(bytes: &[u8]) -> Vec<usize> {
    let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let root = follow(bytes, 0);
    let subgraphs = follow(bytes, field(bytes, root, 2));
    let subgraph = follow(bytes, subgraphs + 4);
    let tensors = follow(bytes, field(bytes, subgraph, 0));
    let operators = follow(bytes, field(bytes, subgraph, 3));
    let op0 = follow(bytes, operators + 4);
    let inputs = follow(bytes, field(bytes, op0, 1));
    let weights = follow(bytes, tensors + 4 + 4 * word(inputs + 4 + 4));
    let buffer = word(field(bytes, weights, 2));
    let buffers = follow(bytes, field(bytes, root, 4));
    let buffer = follow(bytes, buffers + 4 + 4 * buffer);
    let data = follow(bytes, field(bytes, buffer, 0));
    vec![tensors, operators, data]
}

#[test]
fn ten_thousand_corrupt_files_and_no_panic() {
    let start = Instant::now();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut tally = Tally {
        cases: 0,
        outcomes: BTreeMap::new(),
        panics: Vec::new(),
        accepted: Vec::new(),
    };
    let fixtures = fixtures();
    for (f, fixture) in fixtures.iter().enumerate() {
        let original = fixture.bytes;
        let len = original.len();
        // The fixture itself reads.
        assert!(
            exercise(fixture, original).is_ok(),
            "{} reads",
            fixture.name
        );
        let seed_base = (f as u64 + 1) << 32;

        // Random byte flips: 1 to 4 bytes XORed with a non-zero value.
        for case in 0..1000u64 {
            let seed = seed_base | case;
            let mut rng = Rng::new(seed);
            let mut b = original.to_vec();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(len);
                b[at] ^= 1 + rng.below(255) as u8;
            }
            tally.run(fixture, "flip", seed, &b);
        }
        // 4-byte overwrites with boundary values, half of them at aligned positions.
        for case in 0..1000u64 {
            let seed = seed_base | 0x1_0000 | case;
            let mut rng = Rng::new(seed);
            let mut b = original.to_vec();
            let mut at = rng.below(len - 3);
            if rng.below(2) == 0 {
                at &= !3;
            }
            let old = u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
            let value = boundary(&mut rng, len, old);
            b[at..at + 4].copy_from_slice(&value.to_le_bytes());
            tally.run(fixture, "overwrite", seed, &b);
        }
        // Truncation at random lengths.
        for case in 0..400u64 {
            let seed = seed_base | 0x2_0000 | case;
            let mut rng = Rng::new(seed);
            let cut = rng.below(len);
            tally.run(fixture, "truncate", seed, &original[..cut]);
        }
        // Insertion and removal of 1 to 16 bytes.
        for case in 0..600u64 {
            let seed = seed_base | 0x3_0000 | case;
            let mut rng = Rng::new(seed);
            let mut b = original.to_vec();
            let at = rng.below(len);
            let n = 1 + rng.below(16);
            if case % 2 == 0 {
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(at..at, bytes);
                tally.run(fixture, "insert", seed, &b);
            } else {
                b.drain(at..(at + n).min(len));
                tally.run(fixture, "remove", seed, &b);
            }
        }
        // Every aligned word one more than it is (a length or offset one too far), and a few
        // with the top bit set.
        for at in (0..len - 3).step_by(4) {
            let seed = seed_base | 0x4_0000 | at as u64;
            let old = u32::from_le_bytes(original[at..at + 4].try_into().unwrap());
            for (k, value) in [old.wrapping_add(1), old | 0x8000_0000]
                .into_iter()
                .enumerate()
            {
                if k == 1 && at % 64 != 0 {
                    continue;
                }
                let mut b = original.to_vec();
                b[at..at + 4].copy_from_slice(&value.to_le_bytes());
                tally.run(fixture, "word+1", seed | (k as u64) << 24, &b);
            }
        }
        // Vectors that claim more than the file holds: these must be errors.
        for (w, at) in length_words(original).into_iter().enumerate() {
            for (k, value) in [0x7fff_ffffu32, 0xffff_ffff, len as u32, (len / 4) as u32]
                .into_iter()
                .enumerate()
            {
                let seed = seed_base | 0x5_0000 | (w as u64) << 8 | k as u64;
                let mut b = original.to_vec();
                b[at..at + 4].copy_from_slice(&value.to_le_bytes());
                tally.must_fail(fixture, "vector length lies", seed, &b);
            }
        }
    }

    // Truncation of the sine model at every length: never a model.
    let sine = &fixtures[0];
    for cut in 0..SINE.len() {
        tally.must_fail(sine, "truncate at every length", cut as u64, &SINE[..cut]);
    }
    // Empty, tiny and random inputs.
    for case in 0..600u64 {
        let seed = 0x6_0000 | case;
        let mut rng = Rng::new(seed);
        let n = if case < 400 {
            rng.below(33)
        } else {
            rng.below(4096)
        };
        let mut b: Vec<u8> = match case % 4 {
            0 => vec![0; n],
            1 => vec![0xff; n],
            2 => (0..n).map(|_| rng.next() as u8).collect(),
            _ => SINE[..n.min(SINE.len())].to_vec(),
        };
        // Half with a TFL3 identifier and a random root offset.
        if case % 2 == 1 && b.len() >= 8 {
            b[4..8].copy_from_slice(b"TFL3");
            let root = boundary(&mut rng, n, 8);
            b[0..4].copy_from_slice(&root.to_le_bytes());
        }
        tally.must_fail(sine, "tiny or random", seed, &b);
    }

    std::panic::set_hook(quiet);
    let elapsed = start.elapsed();
    println!(
        "tflite fuzz: {} cases in {:.2} s; outcomes:",
        tally.cases,
        elapsed.as_secs_f64()
    );
    for (outcome, n) in &tally.outcomes {
        println!("  {outcome:<28} {n}");
    }
    assert!(
        tally.panics.is_empty(),
        "{} cases panicked:\n{}",
        tally.panics.len(),
        tally.panics.join("\n")
    );
    assert!(
        tally.accepted.is_empty(),
        "corrupt files read as models:\n{}",
        tally.accepted.join("\n")
    );
    assert!(tally.cases >= 10_000, "{} cases", tally.cases);
    assert_eq!(
        tally.outcomes.values().sum::<usize>(),
        tally.cases,
        "every case is counted once"
    );
}

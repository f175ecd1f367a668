//! Networks and gradients as safetensors files (feature `safetensors`), laid out as PyTorch's
//! `state_dict()` of the equivalent `nn.Sequential`: weights `[out, in]` row-major, biases
//! `[out]`, named `0.weight`, `0.bias`, `2.weight`, ... (a `Maxout(in, out, k)` weight is its
//! `(k·out)×in` affine layer). PyTorch, candle, burn and dfdx read and write the same files.
//!
//! Loading checks everything before it changes anything: a missing, extra (unless allowed),
//! misshapen or unreadable tensor, a truncated file or a header whose offsets or sizes lie is a
//! typed [`Error`] naming the tensor, and the network is left as it was. f32, f64, f16 and bf16
//! files load into either scalar type; the [`Report`] says which tensors were converted.
//! Memory stays bounded: nothing is allocated from the header's claims, only the network's own
//! tensor sizes.
//!
//! ```
//! # fn main() -> Result<(), mlp::safetensors::Error> {
//! #[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
//! pub struct Classifier;
//!
//! let mut net = Classifier::<f32>::zeros();
//! mlp::init::he_normal(&mut net, 1);
//! let bytes = mlp::safetensors::to_bytes(&net);
//!
//! let mut again = Classifier::<f64>::zeros();
//! let report = mlp::safetensors::load(&mut again, &bytes)?;
//! assert!(report.converted().count() == 4); // f32 in the file, f64 in the network
//! assert_eq!(again.w[(3, 1)], f64::from(net.w[(3, 1)]));
//! # Ok(())
//! # }
//! ```

use crate::network::{Layout, Network, ParamLayout, Parameters};
use ::safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, TensorView};
use nalgebra::RealField;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

/// Why a file could not be loaded (or saved). Loading leaves the network unchanged.
#[derive(Debug)]
pub enum Error {
    /// The network has this tensor; the file does not.
    Missing {
        /// The state-dict key (`0.weight`).
        tensor: String,
    },
    /// The file has a tensor the network does not (see [`LoadOptions::ignore_extra`]).
    Extra {
        /// The tensor's name in the file.
        tensor: String,
    },
    /// A tensor of the wrong shape.
    Shape {
        /// The state-dict key.
        tensor: String,
        /// The network's shape, PyTorch's way (`[16, 2]`, `[16]`).
        expected: Vec<usize>,
        /// The file's.
        found: Vec<usize>,
    },
    /// A tensor whose element type is not f32, f64, f16 or bf16.
    Dtype {
        /// The state-dict key.
        tensor: String,
        /// The file's element type.
        dtype: String,
    },
    /// Not a safetensors file, or a truncated one, or a header whose offsets or sizes do not
    /// match the data.
    Corrupt {
        /// What is wrong, in words (the safetensors reader's error, translated).
        reason: String,
    },
    /// Reading or writing the file failed.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Missing { tensor } => write!(f, "the file has no tensor `{tensor}`"),
            Error::Extra { tensor } => write!(
                f,
                "the file has a tensor `{tensor}` the network does not have (LoadOptions {{ ignore_extra: true, .. }} loads it anyway)"
            ),
            Error::Shape {
                tensor,
                expected,
                found,
            } => write!(
                f,
                "tensor `{tensor}` has shape {found:?} in the file, the network expects {expected:?}"
            ),
            Error::Dtype { tensor, dtype } => write!(
                f,
                "tensor `{tensor}` holds {dtype}: only F32, F64, F16 and BF16 load into a network"
            ),
            Error::Corrupt { reason } => write!(f, "not a valid safetensors file: {reason}"),
            Error::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Io(e)
    }
}

/// The safetensors reader's error in words (its own `Display` prints the variant's name).
fn corrupt(e: SafeTensorError) -> Error {
    let reason = match e {
        SafeTensorError::HeaderTooSmall => {
            "the file is shorter than the 8 bytes that give its header's length".into()
        }
        SafeTensorError::HeaderTooLarge => "the header is larger than the 100 MB a safetensors \
            header may have (its length is the file's first 8 bytes: is this a safetensors file?)"
            .into(),
        SafeTensorError::InvalidHeaderLength => {
            "the header's length points past the end of the file (truncated?)".into()
        }
        SafeTensorError::InvalidHeader => "the header is not UTF-8 text".into(),
        SafeTensorError::InvalidHeaderStart => {
            "the header is not a JSON object (it does not start with `{`)".into()
        }
        SafeTensorError::InvalidHeaderDeserialization => "the header is not valid JSON, or not \
            the JSON of a safetensors header (each tensor's dtype, shape and data_offsets)"
            .into(),
        SafeTensorError::JsonError(e) => format!("the header is not valid JSON: {e}"),
        SafeTensorError::InvalidOffset(name) => {
            format!("the offsets of tensor `{name}` lie outside the data or overlap")
        }
        SafeTensorError::MetadataIncompleteBuffer => {
            "the tensors' offsets do not cover the data exactly (truncated or padded file)".into()
        }
        SafeTensorError::TensorInvalidInfo | SafeTensorError::ValidationOverflow => {
            "a tensor's shape and element type do not match its size in the file".into()
        }
        SafeTensorError::InvalidTensorView(dtype, shape, size) => {
            format!("a {dtype:?} tensor of shape {shape:?} cannot be {size} bytes long")
        }
        SafeTensorError::TensorNotFound(name) => format!("the file has no tensor `{name}`"),
        SafeTensorError::IoError(e) => format!("it could not be read: {e}"),
    };
    Error::Corrupt { reason }
}

/// How to load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Load even if the file has tensors the network does not (an optimizer's state, a head
    /// you dropped); by default they are an [`Error::Extra`].
    pub ignore_extra: bool,
}

/// What a successful load did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Every tensor loaded: its key, the file's element type, and whether it was converted to
    /// the network's scalar type.
    pub tensors: Vec<(String, String, bool)>,
    /// Tensors of the file the network does not have, skipped ([`LoadOptions::ignore_extra`]).
    pub ignored: Vec<String>,
}

impl Report {
    /// The keys of the tensors converted from another element type.
    pub fn converted(&self) -> impl Iterator<Item = &str> {
        self.tensors.iter().filter(|t| t.2).map(|t| t.0.as_str())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, dtype, converted) in &self.tensors {
            let note = if *converted { ", converted" } else { "" };
            writeln!(f, "{key}: {dtype}{note}")?;
        }
        for key in &self.ignored {
            writeln!(f, "{key}: ignored (not in the network)")?;
        }
        Ok(())
    }
}

/// The network's parameters as a safetensors file (element type `T`: F32 or F64).
pub fn to_bytes<T, N>(net: &N) -> Vec<u8>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    write(&N::LAYOUT, net)
}

/// The gradients of a network `N` as a safetensors file, with the parameters' names.
pub fn gradients_to_bytes<T, N>(grads: &N::Gradients) -> Vec<u8>
where
    T: RealField + Copy,
    N: Network<T>,
{
    write(&N::LAYOUT, grads)
}

/// Loads a file into `net` (see the module's documentation); extra tensors are an error.
pub fn load<T, N>(net: &mut N, bytes: &[u8]) -> Result<Report, Error>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    read(&N::LAYOUT, net, bytes, LoadOptions::default())
}

/// [`load`] with options.
pub fn load_with<T, N>(net: &mut N, bytes: &[u8], options: LoadOptions) -> Result<Report, Error>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    read(&N::LAYOUT, net, bytes, options)
}

/// Loads gradients of a network `N`, like [`load`].
pub fn load_gradients<T, N>(grads: &mut N::Gradients, bytes: &[u8]) -> Result<Report, Error>
where
    T: RealField + Copy,
    N: Network<T>,
{
    read(&N::LAYOUT, grads, bytes, LoadOptions::default())
}

/// [`to_bytes`] into a file.
pub fn save_file<T, N>(net: &N, path: impl AsRef<Path>) -> Result<(), Error>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    std::fs::write(path, to_bytes(net))?;
    Ok(())
}

/// [`load`] from a file.
pub fn load_file<T, N>(net: &mut N, path: impl AsRef<Path>) -> Result<Report, Error>
where
    T: RealField + Copy,
    N: Network<T> + Parameters<T>,
{
    load(net, &std::fs::read(path)?)
}

/// [`gradients_to_bytes`] into a file.
pub fn save_gradients_file<T, N>(grads: &N::Gradients, path: impl AsRef<Path>) -> Result<(), Error>
where
    T: RealField + Copy,
    N: Network<T>,
{
    std::fs::write(path, gradients_to_bytes::<T, N>(grads))?;
    Ok(())
}

/// [`load_gradients`] from a file.
pub fn load_gradients_file<T, N>(
    grads: &mut N::Gradients,
    path: impl AsRef<Path>,
) -> Result<Report, Error>
where
    T: RealField + Copy,
    N: Network<T>,
{
    load_gradients::<T, N>(grads, &std::fs::read(path)?)
}

/// PyTorch's shape of a parameter: `[out, in]` for a weight, `[out]` for a bias.
fn torch_shape(p: &ParamLayout) -> Vec<usize> {
    if p.key.ends_with("bias") && p.cols == 1 {
        std::vec![p.rows]
    } else {
        std::vec![p.rows, p.cols]
    }
}

/// Whether `T` is f32 (else it is written as f64).
fn is_f32<T: 'static>() -> bool {
    core::any::TypeId::of::<T>() == core::any::TypeId::of::<f32>()
}

fn write<T: RealField + Copy, P: Parameters<T>>(layout: &Layout, params: &P) -> Vec<u8> {
    let single = is_f32::<T>();
    let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (k, p) in layout.params.iter().enumerate() {
        let values = params.tensor(k);
        let mut bytes = Vec::with_capacity(values.len() * if single { 4 } else { 8 });
        // Row-major: element (i, j) of nalgebra's column-major storage is at j·rows + i.
        for i in 0..p.rows {
            for j in 0..p.cols {
                let v = values.get(j * p.rows + i).copied().unwrap_or_else(T::zero);
                let v: f64 = nalgebra::try_convert(v).unwrap_or(f64::NAN);
                if single {
                    bytes.extend_from_slice(&(v as f32).to_le_bytes());
                } else {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        buffers.push((p.key.to_string(), torch_shape(p), bytes));
    }
    let dtype = if single { Dtype::F32 } else { Dtype::F64 };
    let views: Vec<(String, TensorView<'_>)> = buffers
        .iter()
        .filter_map(|(name, shape, bytes)| {
            TensorView::new(dtype, shape.clone(), bytes)
                .ok()
                .map(|v| (name.clone(), v))
        })
        .collect();
    let metadata: HashMap<String, String> = [
        ("format".to_string(), "pt".to_string()),
        ("mlp.network".to_string(), layout.name.to_string()),
        ("mlp.chain".to_string(), layout.chain.to_string()),
    ]
    .into_iter()
    .collect();
    // Every view was built from its own shape and bytes: serializing cannot fail.
    ::safetensors::tensor::serialize(views, &Some(metadata)).unwrap_or_default()
}

/// One element of a tensor's data as f64.
fn element(dtype: Dtype, data: &[u8], index: usize) -> f64 {
    let at = |n: usize| data.get(index * n..index * n + n);
    match dtype {
        Dtype::F32 => at(4).map_or(f64::NAN, |b| {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        Dtype::F64 => at(8).map_or(f64::NAN, |b| {
            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        }),
        Dtype::F16 => at(2).map_or(f64::NAN, |b| {
            half::f16::from_le_bytes([b[0], b[1]]).to_f64()
        }),
        Dtype::BF16 => at(2).map_or(f64::NAN, |b| {
            half::bf16::from_le_bytes([b[0], b[1]]).to_f64()
        }),
        _ => f64::NAN,
    }
}

fn read<T: RealField + Copy, P: Parameters<T>>(
    layout: &Layout,
    params: &mut P,
    bytes: &[u8],
    options: LoadOptions,
) -> Result<Report, Error> {
    let file = SafeTensors::deserialize(bytes).map_err(corrupt)?;
    let wanted: BTreeSet<&str> = layout.params.iter().map(|p| p.key).collect();
    let mut report = Report::default();
    let mut names: Vec<String> = file.names().into_iter().cloned().collect();
    names.sort();
    for name in names {
        if !wanted.contains(name.as_str()) {
            if options.ignore_extra {
                report.ignored.push(name);
            } else {
                return Err(Error::Extra { tensor: name });
            }
        }
    }
    let single = is_f32::<T>();
    // Everything is read and checked first; the network changes only once all of it is good.
    let mut staged: Vec<Vec<T>> = Vec::with_capacity(layout.params.len());
    for p in layout.params {
        let view = file.tensor(p.key).map_err(|_| Error::Missing {
            tensor: p.key.to_string(),
        })?;
        let expected = torch_shape(p);
        if view.shape() != expected.as_slice() {
            return Err(Error::Shape {
                tensor: p.key.to_string(),
                expected,
                found: view.shape().to_vec(),
            });
        }
        let dtype = view.dtype();
        if !matches!(dtype, Dtype::F32 | Dtype::F64 | Dtype::F16 | Dtype::BF16) {
            return Err(Error::Dtype {
                tensor: p.key.to_string(),
                dtype: format!("{dtype:?}"),
            });
        }
        let data = view.data();
        let mut values = std::vec![T::zero(); p.rows * p.cols];
        for i in 0..p.rows {
            for j in 0..p.cols {
                values[j * p.rows + i] = nalgebra::convert(element(dtype, data, i * p.cols + j));
            }
        }
        let native = (single && dtype == Dtype::F32) || (!single && dtype == Dtype::F64);
        report
            .tensors
            .push((p.key.to_string(), format!("{dtype:?}"), !native));
        staged.push(values);
    }
    for (k, values) in staged.into_iter().enumerate() {
        let target = params.tensor_mut(k);
        if target.len() != values.len() {
            return Err(Error::Corrupt {
                reason: format!("internal error: tensor {k} has another size in the network"),
            });
        }
        target.copy_from_slice(&values);
    }
    Ok(report)
}

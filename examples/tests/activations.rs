//! `Elementwise(...)` activations against PyTorch's own modules: `nn.SiLU`, `nn.Softplus` and
//! `nn.GELU(approximate="tanh")` in `nn.Sequential(Linear(3, 5), <activation>, Linear(5, 3))`,
//! float64, the loss and autograd's gradient of eight samples each, written by
//! `python scripts/pytorch_roundtrip.py activations` (no Python needed here).

use mlp::nalgebra::{DMatrix, SVector};
use mlp::Network;
use safetensors::tensor::SafeTensors;

#[mlp::network(x -> Linear(3, 5) -> Elementwise(z * sigmoid(z)) -> Linear(5, 3) -> Softmax -> CE)]
struct Silu;

#[mlp::network(x -> Linear(3, 5) -> Elementwise((1.0 + z.exp()).ln()) -> Linear(5, 3) -> Softmax -> CE)]
struct Softplus;

#[mlp::network(x -> Linear(3, 5) -> Elementwise(0.5 * z * (1.0 + (0.7978845608028654 * (z + 0.044715 * z.powi(3))).tanh())) -> Linear(5, 3) -> Softmax -> CE)]
struct Gelu;

fn f64s(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

/// The largest difference, relative to the gradient's size, between PyTorch's and ours.
fn compare<N>(file: &[u8]) -> f64
where
    N: Network<f64, Input = SVector<f64, 3>, Target = usize> + mlp::Parameters<f64> + Default,
{
    let mut net = N::default();
    // The file holds the inputs and PyTorch's gradients beside the state_dict.
    let options = mlp::safetensors::LoadOptions { ignore_extra: true };
    mlp::safetensors::load_with(&mut net, file, options).expect("PyTorch's weights load");
    let st = SafeTensors::deserialize(file).expect("the fixture");
    let tensor = |name: &str| f64s(st.tensor(name).expect(name).data());
    let (x, y, loss) = (tensor("x"), tensor("y"), tensor("loss"));
    let mut worst: f64 = 0.0;
    for i in 0..8 {
        let input = SVector::<f64, 3>::from_column_slice(&x[3 * i..3 * i + 3]);
        let (ours, grads) = net.loss_and_gradients(&input, &(y[i] as usize));
        assert!(
            (ours - loss[i]).abs() <= 1e-12 * loss[i].abs().max(1.0),
            "loss {ours} vs {}",
            loss[i]
        );
        mlp::Parameters::visit_params(&grads, |name, values| {
            let shape = st
                .tensor(&format!("grad.{name}"))
                .expect(name)
                .shape()
                .to_vec();
            let theirs = tensor(&format!("grad.{name}"));
            let per_sample = values.len();
            // PyTorch's rows × columns, row-major; ours column-major.
            let (rows, cols) = (shape[1], shape.get(2).copied().unwrap_or(1));
            let theirs =
                DMatrix::from_row_slice(rows, cols, &theirs[i * per_sample..(i + 1) * per_sample]);
            let scale = theirs.amax().max(1e-3);
            for (k, v) in values.iter().enumerate() {
                let (r, c) = (k % rows, k / rows);
                let e = (v - theirs[(r, c)]).abs() / scale;
                assert!(
                    e < 1e-10,
                    "{name}[{r}, {c}] sample {i}: {v} vs {}",
                    theirs[(r, c)]
                );
                worst = worst.max(e);
            }
        });
    }
    worst
}

#[test]
fn silu_softplus_gelu_give_pytorchs_gradients() {
    let silu = compare::<Silu<f64>>(include_bytes!(
        "../../tests/fixtures/pytorch/silu.safetensors"
    ));
    let softplus = compare::<Softplus<f64>>(include_bytes!(
        "../../tests/fixtures/pytorch/softplus.safetensors"
    ));
    let gelu = compare::<Gelu<f64>>(include_bytes!(
        "../../tests/fixtures/pytorch/gelu.safetensors"
    ));
    println!("largest relative differences from PyTorch: SiLU {silu:.1e}, softplus {softplus:.1e}, GELU (tanh) {gelu:.1e}");
}

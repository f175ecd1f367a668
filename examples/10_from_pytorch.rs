//! From PyTorch to a microcontroller in one command: read a `model.safetensors` that PyTorch
//! wrote for `nn.Sequential(Linear(2, 16), ReLU(), Linear(16, 3))` (its `state_dict()`, as
//! `safetensors.torch.save_file` writes it) into the card's network, and write the Rust source
//! of a `const` that a firmware `include!`s: the weights in flash, exactly.
//!
//! Run: `cargo run --release --example 10_from_pytorch -- tests/fixtures/pytorch/model.safetensors card_weights.rs`
//!
//! With `--to-pytorch DIR` it also writes `DIR/rust_model.safetensors` (the network as Rust
//! saves it) and `DIR/rust_io.safetensors` (inputs and Rust's probabilities), for
//! `python scripts/pytorch_roundtrip.py check DIR`, which loads the Rust file into
//! `nn.Sequential` and compares.

#[path = "../firmware/src/models.rs"]
mod models;

use mlp::nalgebra::SVector;
use mlp::Network;
use models::Card;
use std::collections::HashMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(output)) = (args.first(), args.get(1)) else {
        return Err("usage: 10_from_pytorch MODEL.safetensors OUT.rs [--to-pytorch DIR]".into());
    };
    let mut net = Card::<f32>::zeros();
    let report = mlp::safetensors::load_file(&mut net, input)?;
    print!("read {input}:\n{report}");
    std::fs::write(output, mlp::export::rust_const(&net))?;
    println!("wrote {output}: `static NET: Card<f32> = include!(\"{output}\");` in the firmware");

    if let Some(i) = args.iter().position(|a| a == "--to-pytorch") {
        let dir = std::path::Path::new(args.get(i + 1).ok_or("--to-pytorch needs a folder")?);
        std::fs::create_dir_all(dir)?;
        mlp::safetensors::save_file(&net, dir.join("rust_model.safetensors"))?;
        let mut rng = mlp::rng::Rng::new(3);
        let inputs: Vec<SVector<f32, 2>> = (0..32)
            .map(|_| SVector::<f32, 2>::from_fn(|_, _| 3.0 * rng.normal() as f32))
            .collect();
        let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let x: Vec<f32> = inputs.iter().flat_map(|x| [x[0], x[1]]).collect();
        let p: Vec<f32> = inputs
            .iter()
            .flat_map(|x| net.forward(x).data.0[0])
            .collect();
        let (xb, pb) = (bytes(&x), bytes(&p));
        use safetensors::tensor::{Dtype, TensorView};
        let tensors = [
            ("inputs", TensorView::new(Dtype::F32, vec![32, 2], &xb)?),
            (
                "probabilities",
                TensorView::new(Dtype::F32, vec![32, 3], &pb)?,
            ),
        ];
        let io = safetensors::tensor::serialize(tensors, &None::<HashMap<String, String>>)?;
        std::fs::write(dir.join("rust_io.safetensors"), io)?;
        println!(
            "wrote {0}/rust_model.safetensors and {0}/rust_io.safetensors: now `python scripts/pytorch_roundtrip.py check {0}`",
            dir.display()
        );
    }
    Ok(())
}

// A network with a layer without an integer form has no int8 twin: calling `quantize` is an
// error that names the layer (with `int8 = true` on the chain, the chain itself is the error:
// int8_without_integer_form.rs).
#[mlp::network(x -> Linear(2, 8) -> Elementwise(z * sigmoid(z)) -> Linear(8, 3) -> Softmax -> CE)]
pub struct Swish;

fn main() {
    let net = Swish::<f32>::zeros();
    let calibration = [mlp::nalgebra::SVector::<f32, 2>::new(0.5, -1.0)];
    let _ = net.quantize(&calibration);
}

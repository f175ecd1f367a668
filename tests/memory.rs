//! Memory known at compile time: the size constants of every generated network against
//! `size_of`, the `_into` forms that write gradients into storage the caller owns, and an
//! MNIST-sized network training on a thread with a default 2 MiB stack.

mod common;

use common::randomize;
use mlp::nalgebra::SVector;
use mlp::optim::{Adam, Sgd};
use mlp::rng::Rng;
use mlp::Network;
use std::mem::size_of;

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

#[mlp::network(x -> Linear(1, 16) -> ReLU -> Linear(16, 16) -> ReLU -> Linear(16, 1) -> MSE)]
struct Sine;

#[mlp::network(x -> Linear(4, 6) -> Maxout(6, 3, 2) -> Tanh -> Linear(3, 1) -> Sigmoid -> BCE)]
struct MaxoutBce;

#[mlp::network(x -> Linear(3, 5) -> ELU -> Linear(5, 4) -> LeakyReLU -> Linear(4, 3) -> Softmax -> CE, jacobians = full)]
struct Full;

#[mlp::network(x -> Linear(784, 256) -> ReLU -> Linear(256, 10) -> Softmax -> CE)]
struct Mnist;

macro_rules! sizes {
    ($net:ident, $t:ty) => {{
        assert_eq!(
            $net::<$t>::PARAM_BYTES,
            size_of::<$net<$t>>(),
            "{}",
            stringify!($net)
        );
        assert_eq!(
            $net::<$t>::GRADIENT_BYTES,
            size_of::<<$net<$t> as Network<$t>>::Gradients>()
        );
        assert_eq!(
            $net::<$t>::TAPE_BYTES,
            size_of::<<$net<$t> as Network<$t>>::Tape>()
        );
        assert_eq!($net::<$t>::SGD_BYTES, size_of::<Sgd<$t, $net<$t>>>());
        assert_eq!($net::<$t>::ADAM_BYTES, size_of::<Adam<$t, $net<$t>>>());
        // The optimizers' state is what their algorithms need, plus settings.
        let g = $net::<$t>::GRADIENT_BYTES;
        assert!($net::<$t>::SGD_BYTES >= g && $net::<$t>::SGD_BYTES <= g + 64);
        assert!($net::<$t>::ADAM_BYTES >= 2 * g && $net::<$t>::ADAM_BYTES <= 2 * g + 64);
    }};
}

#[test]
fn size_constants_are_the_sizes() {
    sizes!(Card, f32);
    sizes!(Card, f64);
    sizes!(Sine, f32);
    sizes!(MaxoutBce, f32);
    sizes!(Full, f64);
    sizes!(Mnist, f32);
    // The card's numbers, as the README states them.
    assert_eq!(Card::<f32>::PARAM_BYTES, (32 + 16 + 48 + 3) * 4);
    assert_eq!(Card::<f32>::TAPE_BYTES, (2 + 16 + 16 + 3) * 4);
}

/// `loss_and_gradients_into` and `backward_into` give what the by-value forms give.
macro_rules! into_forms {
    ($net:ident, $inputs:literal, $target:expr) => {{
        let mut net = $net::<f64>::zeros();
        randomize(&mut net, 4, 0.8);
        let mut rng = Rng::new(8);
        let x = SVector::<f64, $inputs>::from_fn(|_, _| rng.normal());
        let target = $target;
        let (loss, grads) = net.loss_and_gradients(&x, &target);
        let mut into = <$net<f64> as Network<f64>>::Gradients::zeros();
        into.visit_params_mut(|_, v| v.iter_mut().for_each(|e| *e = f64::NAN));
        assert_eq!(net.loss_and_gradients_into(&x, &target, &mut into), loss);
        assert_eq!(into, grads, "{}", stringify!($net));
        let (_, tape) = net.forward_cached(&x);
        let mut from_tape = <$net<f64> as Network<f64>>::Gradients::zeros();
        net.backward_into(&tape, &target, &mut from_tape);
        assert_eq!(from_tape, net.backward(&tape, &target));
    }};
}

#[test]
fn into_forms_equal_the_by_value_forms() {
    into_forms!(Card, 2, 2usize);
    into_forms!(Sine, 1, SVector::<f64, 1>::new(0.3));
    into_forms!(MaxoutBce, 4, 1.0);
    into_forms!(Full, 3, 1usize);
}

#[test]
fn mnist_sized_network_trains_on_a_2_mib_thread() {
    // Made on a thread with room for the 800 kB values `zeros()` returns (a debug build copies
    // them through the stack on their way into a `Box`), then moved, boxed, to a thread with the
    // default 2 MiB stack of a test, a rayon or a tokio worker.
    let (mut net, mut grads) = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            let mut net = Box::new(Mnist::<f32>::zeros());
            mlp::init::he_normal(&mut *net, 1);
            (net, Box::new(MnistGradients::<f32>::zeros()))
        })
        .expect("a thread")
        .join()
        .expect("made");
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let x = Box::new(SVector::<f32, 784>::from_fn(|i, _| (i % 13) as f32 / 13.0));
            let first = net.train_step(&x, &3, 0.01);
            let mut loss = first;
            for _ in 0..5 {
                loss = net.train_step(&x, &3, 0.01);
            }
            // The gradients in storage the caller owns (203k scalars, 800 kB, on the heap).
            let again = net.loss_and_gradients_into(&x, &3, &mut grads);
            (first, loss, again, grads.b2.iter().all(|g| g.is_finite()))
        })
        .expect("a thread");
    let (first, last, again, finite) = handle.join().expect("no stack overflow");
    assert!(last < first, "the loss fell: {first} → {last}");
    assert!((again - last).abs() < last.max(1e-3), "{again} vs {last}");
    assert!(finite);
}

/// Fits: 396 B of parameters, 148 B of tape, 396 B of gradients.
#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE, ram_budget = 940)]
struct Budgeted;

/// A network as a `static`: its `ZERO` constant, no stack and no heap.
static STATIC_NET: Mnist<f32> = Mnist::<f32>::ZERO;

#[test]
fn zero_constants() {
    assert!(STATIC_NET.w.iter().all(|&w| w == 0.0));
    assert_eq!(Card::<f64>::ZERO, Card::<f64>::zeros());
    assert_eq!(Sine::<f32>::ZERO, Sine::<f32>::zeros());
}

#[test]
fn a_network_within_its_budget_compiles() {
    let total = 2 * Budgeted::<f32>::PARAM_BYTES + Budgeted::<f32>::TAPE_BYTES;
    assert_eq!(total, 940);
}

//! Forward, backward and the update never touch the heap: a counting global allocator sees
//! zero allocations, reallocations and frees while they run.
//!
//! The counter is per thread, so the test harness's own threads do not disturb it.

mod expressions;

use mlp::nalgebra::SVector;
use mlp::Network;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static EVENTS: Cell<usize> = const { Cell::new(0) };
}

fn record() {
    // `try_with`: during thread teardown the slot may be gone; those events are not ours.
    let _ = EVENTS.try_with(|e| e.set(e.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        record();
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap events on this thread while `f` runs.
fn heap_events(f: impl FnOnce()) -> usize {
    let before = EVENTS.with(Cell::get);
    f();
    EVENTS.with(Cell::get) - before
}

#[mlp::network(x -> Linear(2, 16) -> ReLU -> Linear(16, 3) -> Softmax -> CE)]
struct Card;

#[mlp::network(x -> Linear(64, 32) -> Tanh -> Linear(32, 32) -> Sigmoid -> Linear(32, 16) -> ReLU -> Linear(16, 10) -> Softmax -> MSE)]
struct Wide;

#[test]
fn the_counter_counts() {
    assert!(
        heap_events(|| {
            let _ = std::hint::black_box(vec![1u8; 10]);
        }) >= 2
    );
}

#[test]
fn card_network_training_step_f32_and_f64() {
    let mut net = Card::<f32>::zeros();
    net.w.fill(0.1);
    let x = SVector::<f32, 2>::new(0.5, -0.25);
    let events = heap_events(|| {
        for _ in 0..100 {
            let (y_hat, tape) = net.forward_cached(&x);
            let grads = net.backward(&tape, &1);
            net.sgd_step(&grads, 0.1);
            std::hint::black_box(y_hat);
        }
    });
    assert_eq!(events, 0);

    let mut net = Card::<f64>::zeros();
    let x = SVector::<f64, 2>::new(0.5, -0.25);
    let events = heap_events(|| {
        let y = net.forward(&x);
        let (loss, grads) = net.loss_and_gradients(&x, &2);
        let (_, tape) = net.forward_cached(&x);
        let (g2, d_x) = net.backward_with_input(&tape, &2);
        net.sgd_step(&grads, 0.01);
        let fused = net.train_step(&x, &1, 0.01);
        std::hint::black_box((y, loss, g2, d_x, net.loss(&x, &0), fused));
    });
    assert_eq!(events, 0);
}

#[test]
fn optimizer_steps() {
    use mlp::optim::{Adam, AdamConfig, Optimizer, Sgd, SgdConfig};
    let mut net = Card::<f32>::zeros();
    mlp::init::he_normal(&mut net, 3);
    let x = SVector::<f32, 2>::new(0.5, -0.25);
    // The optimizers' state is created outside the measured region: it lives on the stack too.
    let mut adam = Adam::new(AdamConfig::default());
    let mut nesterov = Sgd::new(SgdConfig {
        momentum: 0.9,
        nesterov: true,
        weight_decay: 1e-4,
        ..SgdConfig::default()
    });
    let events = heap_events(|| {
        for _ in 0..20 {
            let (_, grads) = net.loss_and_gradients(&x, &2);
            adam.step(&mut net, &grads);
            nesterov.step(&mut net, &grads);
        }
        mlp::init::xavier_uniform(&mut net, 9);
    });
    assert_eq!(events, 0);
}

#[test]
fn batches() {
    let net = Card::<f32>::zeros();
    let batch = [(SVector::<f32, 2>::new(0.1, 0.2), 1usize); 8];
    let mut order = [0usize, 1, 2, 3, 4, 5, 6, 7];
    let mut rng = mlp::rng::Rng::new(1);
    let events = heap_events(|| {
        for indices in mlp::batch::shuffled_batches(&mut order, 4, &mut rng) {
            let samples = indices.iter().map(|&i| (&batch[i].0, &batch[i].1));
            std::hint::black_box(mlp::batch::mean_loss_and_gradients(&net, samples));
        }
    });
    assert_eq!(events, 0);
}

#[test]
fn wide_network_with_mse() {
    let mut net = Wide::<f64>::zeros();
    net.w1.fill(0.01);
    let x = SVector::<f64, 64>::repeat(0.5);
    let y = SVector::<f64, 10>::repeat(0.1);
    let events = heap_events(|| {
        let (_, tape) = net.forward_cached(&x);
        let grads = net.backward(&tape, &y);
        net.sgd_step(&grads, 0.1);
        std::hint::black_box(net.train_step(&x, &y, 0.1));
        std::hint::black_box(net.loss_and_gradients(&x, &y));
    });
    assert_eq!(events, 0);
}

#[mlp::network(x -> Linear(4, 6) -> Maxout(6, 3, 2) -> LeakyReLU -> Linear(3, 2) -> Softmax -> CE, jacobians = full)]
struct MaxoutFull;

#[test]
fn batched_methods() {
    use mlp::nalgebra::SMatrix;
    let mut card = Card::<f32>::zeros();
    mlp::init::he_normal(&mut card, 5);
    let x = SMatrix::<f32, 2, 32>::from_fn(|i, j| (i * j) as f32 / 64.0 - 0.25);
    let classes: [usize; 32] = std::array::from_fn(|j| j % 3);
    let mut wide = Wide::<f64>::zeros();
    wide.w1.fill(0.01);
    let xw = SMatrix::<f64, 64, 8>::repeat(0.5);
    let yw = [SVector::<f64, 10>::repeat(0.1); 8];
    let mut full = MaxoutFull::<f64>::zeros();
    mlp::init::xavier_uniform(&mut full, 2);
    let xf = SMatrix::<f64, 4, 3>::repeat(0.2);
    let events = heap_events(|| {
        std::hint::black_box(card.forward_batch(&x));
        std::hint::black_box(card.loss_and_gradients_batch(&x, &classes));
        std::hint::black_box(card.train_step_batch(&x, &classes, 0.1));
        std::hint::black_box(wide.forward_batch(&xw));
        std::hint::black_box(wide.loss_and_gradients_batch(&xw, &yw));
        std::hint::black_box(wide.train_step_batch(&xw, &yw, 0.1));
        std::hint::black_box(full.forward_batch(&xf));
        std::hint::black_box(full.train_step_batch(&xf, &[0, 1, 1], 0.1));
    });
    assert_eq!(events, 0);
}

/// Every function `#[mlp::grad]` generated in `tests/expressions`, and a trace written to a
/// fixed buffer on the stack.
#[test]
fn grad_functions_and_traces() {
    struct Buffer {
        bytes: [u8; 1024],
        len: usize,
    }
    impl std::fmt::Write for Buffer {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
            slot.copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut buffer = Buffer {
        bytes: [0; 1024],
        len: 0,
    };
    let mut total = 0.0;
    let events = heap_events(|| {
        for k in 0..100 {
            total += expressions::call_every_generated_function(f64::from(k) * 0.01);
        }
        expressions::f_trace(-2.0, 5.0, -4.0, &mut buffer).expect("fits in 1 kB");
    });
    assert_eq!(events, 0, "heap events in generated gradient functions");
    assert!(total.is_finite());
    let text = std::str::from_utf8(&buffer.bytes[..buffer.len]).expect("UTF-8");
    assert!(text.contains("q = x + y = 3"), "{text}");
}

/// `#[mlp::grad]`'s forward mode (`_jvp`) and Hessians (`_hessian`): no heap either.
#[test]
fn grad_jvp_and_hessian_functions() {
    use expressions::*;
    use mlp::nalgebra::SMatrix;
    let mut total = 0.0;
    let events = heap_events(|| {
        for k in 0..100 {
            let t = f64::from(k) * 0.01;
            let v3 = SVector::<f64, 3>::new(0.5 + t, -0.25, 1.0);
            let w3 = SVector::<f64, 3>::new(0.75, 1.5 - t, 0.5);
            let m32 = SMatrix::<f64, 3, 2>::repeat(t);
            let v2 = SVector::<f64, 2>::new(0.2, -0.4 + t);
            total += f_hessian(-2.0, 5.0, t).2 .2 .0 + f_jvp(-2.0, 5.0, t, 1.0, t, 0.5).1;
            total += neuron_hessian(v3, &w3).2 .0 .1[(1, 2)] + neuron_jvp(v3, &w3, w3, &v3).1;
            total += trigonometry_hessian(1.0 + t, 1.5).2 .1 .0 + nested_hessian(t, 0.25).2 .0 .1;
            total += mapped_methods_hessian(v3, w3).2 .1 .1[(2, 2)];
            total += map_closure_hessian(v3, t).2 .1 .0[1] + map_closure_hessian(v3, t).2 .0 .1[2];
            total += logsumexp_hessian(SVector::<f64, 4>::new(t, 1.0, 2.0, 3.0))
                .2
                 .0
                 .0[(0, 1)];
            total += linear_jvp(m32, v2, m32, v2).1[2] + softmax_jvp(v3, w3).1[0];
            total += quadratic_jvp(SMatrix::<f64, 3, 3>::identity(), v3, SMatrix::zeros(), w3).1;
        }
    });
    assert_eq!(events, 0, "heap events in _jvp and _hessian functions");
    assert!(total.is_finite());
}

/// A network with an `Elementwise` activation: forward, backward and the update.
#[test]
fn elementwise_activation_training_step() {
    #[mlp::network(x -> Linear(2, 8) -> Elementwise(z * sigmoid(z)) -> Linear(8, 3) -> Softmax -> CE)]
    struct Silu;
    let mut net = Silu::<f32>::zeros();
    mlp::init::he_normal(&mut net, 1);
    let x = SVector::<f32, 2>::new(0.5, -0.5);
    let events = heap_events(|| {
        for _ in 0..100 {
            let (_, tape) = net.forward_cached(&x);
            let grads = net.backward(&tape, &1);
            net.sgd_step(&grads, 0.05);
            net.train_step(&x, &2, 0.05);
        }
    });
    assert_eq!(events, 0);
}

#[mlp::network(x -> Maxout(4, 8, 3) -> LeakyReLU(0.1) -> Linear(8, 8) -> ELU -> Linear(8, 1) -> Sigmoid -> BCE)]
struct Pieces;

#[test]
fn int8_twins_quantize_and_infer_without_the_heap() {
    let calibration: Vec<SVector<f32, 2>> = (0..20)
        .map(|i| SVector::<f32, 2>::new(i as f32 / 5.0 - 2.0, 1.0 - i as f32 / 10.0))
        .collect();
    let mut card = Card::<f32>::zeros();
    mlp::init::xavier_uniform(&mut card, 1);
    let mut q = None;
    assert_eq!(heap_events(|| q = Some(card.quantize(&calibration))), 0);
    let q = q.expect("quantized");
    let x = q.quantize_input(&calibration[3]);
    assert_eq!(
        heap_events(|| {
            let _ = std::hint::black_box(q.forward_int8(&x));
        }),
        0
    );
    assert_eq!(
        heap_events(|| {
            let _ = std::hint::black_box(q.forward(&calibration[5]));
        }),
        0
    );

    let mut wide = Wide::<f32>::zeros();
    mlp::init::xavier_uniform(&mut wide, 2);
    let inputs: Vec<SVector<f32, 64>> = (0..8)
        .map(|k| SVector::<f32, 64>::from_fn(|i, _| ((i * 7 + k * 3) % 17) as f32 / 17.0))
        .collect();
    let q = wide.quantize(&inputs);
    let x = q.quantize_input(&inputs[1]);
    assert_eq!(
        heap_events(|| {
            let _ = std::hint::black_box(q.forward_int8(&x));
        }),
        0
    );

    let mut pieces = Pieces::<f32>::zeros();
    mlp::init::xavier_uniform(&mut pieces, 3);
    let inputs: Vec<SVector<f32, 4>> = (0..8)
        .map(|k| SVector::<f32, 4>::from_fn(|i, _| (i as f32 - k as f32) / 4.0))
        .collect();
    let q = pieces.quantize(&inputs);
    let x = q.quantize_input(&inputs[2]);
    assert_eq!(
        heap_events(|| {
            let _ = std::hint::black_box(q.forward_int8(&x));
        }),
        0
    );
}

#[test]
fn reading_a_tflite_file_needs_no_heap() {
    let bytes = include_bytes!("fixtures/tflite/classifier_per_channel.tflite");
    let mut q = None;
    assert_eq!(heap_events(|| q = Some(CardInt8::from_tflite(bytes))), 0);
    assert!(q.expect("ran").is_ok());
}

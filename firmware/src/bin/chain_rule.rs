//! The chain rule for any expression, on a Cortex-M4F with no heap: functions differentiated by
//! `#[mlp::grad]` (the lecture's (x + y)·z and (5 − 6x)⁵, one neuron: `mlp_firmware::lecture`,
//! shared with `examples/08_chain_rule.rs`) checked in f32 against the lecture's numbers, the
//! derivation of (x + y)·z at (−2, 5, −4) written line by line with its numbers (`f_trace`,
//! through `core::fmt`, no allocator), and the card's classifier with SiLU, an
//! `Elementwise(z * sigmoid(z))` activation, trained on the device. Exits with success only if
//! every check holds.
#![no_std]
#![no_main]

use mlp::nalgebra::{ComplexField, SVector};
use mlp::Network;
use mlp_firmware::entry;
use mlp_firmware::lecture::{
    f, f_grad, f_trace, h, h_grad, huber, huber_grad, neuron, neuron_grad, rosenbrock,
    rosenbrock_hessian,
};
use mlp_firmware::{exit, print, print_f32, print_u32, stack_high_water, Counter, CLUSTERS};

/// The card's classifier with SiLU, an activation written as an expression.
#[mlp::network(x -> Linear(2, 8) -> Elementwise(z * sigmoid(z)) -> Linear(8, 3) -> Softmax -> CE)]
struct SiluCard;

/// Semihosting output as a `core::fmt::Write`, for `f_trace`.
struct Console;

impl core::fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print(s);
        Ok(())
    }
}

fn check(name: &str, ok: bool) -> bool {
    print(name);
    print(if ok { ": ok\n" } else { ": FAILED\n" });
    ok
}

/// Epochs of `train_step` on the compiled-in clusters: the mean loss of the first and the last.
#[inline(never)]
fn train(net: &mut SiluCard<f32>) -> (f32, f32) {
    let n = CLUSTERS.len() as f32;
    let (mut first, mut last) = (0.0, 0.0);
    for epoch in 0..30 {
        let mut total = 0.0;
        for &(x, y) in CLUSTERS.iter() {
            total += net.train_step(&SVector::<f32, 2>::new(x[0], x[1]), &y, 0.05);
        }
        if epoch == 0 {
            first = total / n;
        }
        last = total / n;
    }
    (first, last)
}

#[entry]
fn main() -> ! {
    let counter = Counter::take();
    let per_tick = counter.instructions_per_tick();
    let mut ok = true;

    let (value, (dx, dy, dz)) = f_grad(-2.0, 5.0, -4.0);
    ok &= check(
        "f(x, y, z) = (x + y)·z at (-2, 5, -4) = -12, gradient (-4, -4, 3)",
        (value, dx, dy, dz) == (-12.0, -4.0, -4.0, 3.0) && value == f(-2.0, 5.0, -4.0),
    );
    print("the derivation at that point:\n");
    ok &= check("f_trace", f_trace(-2.0, 5.0, -4.0, &mut Console).is_ok());

    let mut close = true;
    for x in [-0.5f32, 0.0, 0.5, 1.0] {
        let (value, (derivative,)) = h_grad(x);
        let lecture = -30.0 * (5.0 - 6.0 * x).powi(4);
        close &= (derivative - lecture).abs() <= 1e-6 * lecture.abs() && value == h(x);
    }
    ok &= check("h'(x) = -30(5 - 6x)^4 at four points", close);

    let w = SVector::<f32, 3>::new(0.5, -0.25, 1.0);
    let x = SVector::<f32, 3>::new(0.5, -1.0, 2.0);
    let start = counter.now();
    let (p, (dw, _)) = neuron_grad(core::hint::black_box(w), core::hint::black_box(x));
    let ticks = counter.since(start);
    let expected = x * (p * (1.0 - p));
    ok &= check(
        "neuron: dσ(<w, x>)/dw = σ(1 - σ)·x",
        (dw - expected).norm() < 1e-6 && p == neuron(w, x),
    );
    print("instructions for neuron_grad: ");
    print_u32(ticks * per_tick);
    print("\n");

    // A branch: Huber's loss, both sides.
    let inside = huber_grad(0.5f32);
    let outside = huber_grad(-3.0f32);
    ok &= check(
        "huber: 0.5r^2 inside (r = 0.5: 0.125, slope 0.5), |r| - 0.5 outside (r = -3: 2.5, slope -1)",
        inside == (0.125, (0.5,)) && outside == (2.5, (-1.0,)) && inside.0 == huber(0.5),
    );

    // A Hessian: Rosenbrock's at its minimum, then one Newton step from (0.5, 0.5).
    let start = counter.now();
    let (value, _, ((haa, hab), (hba, hbb))) =
        rosenbrock_hessian(core::hint::black_box(1.0f32), core::hint::black_box(1.0f32));
    let ticks = counter.since(start);
    ok &= check(
        "rosenbrock Hessian at (1, 1) = [[802, -400], [-400, 200]]",
        value == 0.0 && (haa, hab, hba, hbb) == (802.0, -400.0, -400.0, 200.0),
    );
    print("instructions for rosenbrock_hessian: ");
    print_u32(ticks * per_tick);
    print("\n");
    let (a, b) = (0.5f32, 0.5f32);
    let (before, (ga, gb), ((haa, hab), (_, hbb))) = rosenbrock_hessian(a, b);
    let det = haa * hbb - hab * hab;
    let (da, db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
    let after = rosenbrock(a - da, b - db);
    ok &= check(
        "rosenbrock: a Newton step from (0.5, 0.5) lowers it",
        after < before,
    );

    let mut net = SiluCard::<f32>::zeros();
    mlp::init::he_normal(&mut net, 3);
    let (before, after) = train(&mut net);
    let right = CLUSTERS.iter().all(|&(x, y)| {
        let y_hat = net.forward(&SVector::<f32, 2>::new(x[0], x[1]));
        net.prediction_correct(&y_hat, &y) == Some(true)
    });
    print("SiLU network trained on the device: mean loss ");
    print_f32(before);
    print(" -> ");
    print_f32(after);
    print("\n");
    ok &= check(
        "SiLU network: loss fell, every point right",
        after < before && right,
    );

    print("stack high-water mark: ");
    print_u32(stack_high_water());
    print(" bytes\n");
    print(if ok {
        "chain_rule: ok\n"
    } else {
        "chain_rule: FAILED\n"
    });
    exit(ok)
}

//! Issue: the whole lecture. Every new layer and loss against finite differences; Maxout's
//! layout and winner-takes-the-gradient rule; soft targets; the full-Jacobian mode agreeing with
//! the simplified one; stability at logits of ±1e4; and the gradient check catching a bug.

mod common;

use common::{random_vector, randomize, relative_error};
use mlp::nalgebra::{SMatrix, SVector};
use mlp::rng::Rng;
use mlp::{Network, Parameters};

const TOLERANCE: f64 = 1e-6;

/// Runs `mlp::gradcheck` on `trials` random draws of weights, input and target.
fn check<N, const I: usize>(
    mut net: N,
    trials: u64,
    mut target: impl FnMut(&mut Rng) -> N::Target,
) -> f64
where
    N: Network<f64, Input = SVector<f64, I>>,
{
    let mut worst: f64 = 0.0;
    for seed in 0..trials {
        randomize(&mut net, 100 + seed, 0.8);
        let mut rng = Rng::new(5000 + seed);
        let x = random_vector::<I>(&mut rng, 1.5);
        let y = target(&mut rng);
        let report = mlp::gradcheck(&mut net, &x, &y);
        for (name, err) in report.tensors() {
            assert!(
                err < TOLERANCE,
                "seed {seed}: {name} relative error {err:e}\n{report}"
            );
        }
        worst = worst.max(report.worst());
    }
    worst
}

fn class<const K: usize>(rng: &mut Rng) -> usize {
    rng.below(K)
}

fn vector<const K: usize>(rng: &mut Rng) -> SVector<f64, K> {
    random_vector::<K>(rng, 1.0)
}

fn probability(rng: &mut Rng) -> f64 {
    rng.uniform()
}

#[mlp::network(x -> Linear(3, 6) -> LeakyReLU -> Linear(6, 3) -> Softmax -> CE)]
struct Leaky;

#[mlp::network(x -> Linear(3, 6) -> LeakyReLU(0.25) -> Linear(6, 2) -> MSE)]
struct LeakySlope;

#[mlp::network(x -> Linear(3, 6) -> ELU -> Linear(6, 3) -> Softmax -> CE)]
struct Elu;

#[mlp::network(x -> Linear(3, 6) -> ELU(0.5) -> Linear(6, 2) -> MSE)]
struct EluAlpha;

#[mlp::network(x -> Maxout(3, 4, 2) -> Linear(4, 3) -> Softmax -> CE)]
struct Maxout2;

#[mlp::network(x -> Maxout(3, 4, 3) -> Maxout(4, 3, 2) -> Linear(3, 2) -> MSE)]
struct Maxout3;

/// The lecture's logistic regression.
#[mlp::network(x -> Linear(2, 1) -> Sigmoid -> BCE)]
struct Logistic;

#[mlp::network(x -> Linear(3, 5) -> Tanh -> Linear(5, 1) -> Sigmoid -> BCE)]
struct DeepLogistic;

#[mlp::network(x -> Linear(3, 4) -> Identity -> ReLU -> Linear(4, 2) -> Identity -> MSE)]
struct WithIdentity;

/// Every new layer in one chain, four hidden layers.
#[mlp::network(x -> Linear(4, 6) -> LeakyReLU(0.2) -> Maxout(6, 5, 3) -> ELU -> Linear(5, 5) -> Identity -> Tanh -> Linear(5, 4) -> Sigmoid -> Linear(4, 3) -> Softmax -> CE)]
struct Mixed;

#[test]
fn leaky_relu() {
    println!(
        "LeakyReLU      {:.1e}",
        check::<_, 3>(Leaky::zeros(), 15, class::<3>)
    );
    println!(
        "LeakyReLU(.25) {:.1e}",
        check::<_, 3>(LeakySlope::zeros(), 15, vector::<2>)
    );
}

#[test]
fn elu() {
    println!(
        "ELU            {:.1e}",
        check::<_, 3>(Elu::zeros(), 15, class::<3>)
    );
    println!(
        "ELU(0.5)       {:.1e}",
        check::<_, 3>(EluAlpha::zeros(), 15, vector::<2>)
    );
}

#[test]
fn maxout_two_and_three_pieces() {
    println!(
        "Maxout k=2     {:.1e}",
        check::<_, 3>(Maxout2::zeros(), 15, class::<3>)
    );
    println!(
        "Maxout k=3     {:.1e}",
        check::<_, 3>(Maxout3::zeros(), 15, vector::<2>)
    );
}

#[test]
fn binary_cross_entropy() {
    println!(
        "BCE            {:.1e}",
        check::<_, 2>(Logistic::zeros(), 15, probability)
    );
    println!(
        "BCE deep       {:.1e}",
        check::<_, 3>(DeepLogistic::zeros(), 15, probability)
    );
}

#[test]
fn identity_layers() {
    println!(
        "Identity       {:.1e}",
        check::<_, 3>(WithIdentity::zeros(), 15, vector::<2>)
    );
}

#[test]
fn deep_mixed_chain() {
    println!(
        "Mixed          {:.1e}",
        check::<_, 4>(Mixed::zeros(), 15, class::<3>)
    );
}

/// Logistic regression's gradient is the lecture's (p − y)·xᵀ.
#[test]
fn logistic_regression_gradient_is_p_minus_y() {
    let mut net = Logistic::<f64>::zeros();
    net.w = SMatrix::from_row_slice(&[0.5, -1.5]);
    net.b[0] = 0.25;
    let x = SVector::<f64, 2>::new(2.0, 1.0);
    let (_, grads) = net.loss_and_gradients(&x, &1.0);
    let p = 1.0 / (1.0 + f64::exp(-(0.5 * 2.0 - 1.5 + 0.25)));
    assert!((grads.b[0] - (p - 1.0)).abs() < 1e-15);
    assert!((grads.w - SMatrix::from_row_slice(&[2.0 * (p - 1.0), p - 1.0])).norm() < 1e-15);
    assert!(Logistic::<f64>::DERIVATION.contains("fuse_sigmoid_bce"));
}

#[test]
fn maxout_layout_and_winner_takes_the_gradient() {
    let mut net = Maxout2::<f64>::zeros();
    let mut shapes = Vec::new();
    net.visit_params(|name, v| shapes.push((name.to_string(), v.len())));
    assert_eq!(
        shapes[..2],
        [("0.weight".into(), 8 * 3), ("0.bias".into(), 8)]
    );
    let _: &SMatrix<f64, 8, 3> = &net.w;

    // Unit i's piece j is row j·4 + i. Give unit 1 the pieces (b = 2, b = 5): piece 1 wins.
    net.b1[1] = 2.0;
    net.b1[4 + 1] = 5.0;
    // Unit 2 has a tie (3, 3): the lowest piece, 0, wins.
    net.b1[2] = 3.0;
    net.b1[4 + 2] = 3.0;
    net.u.fill(1.0);
    let x = SVector::<f64, 3>::zeros();
    let (_, tape) = net.forward_cached(&x);
    assert_eq!(tape.h[1], 5.0);
    let grads = net.backward(&tape, &0);
    let upstream = net.u.tr_mul(&grads.b2);
    assert_eq!(grads.b1[1], 0.0, "the losing piece gets nothing");
    assert_eq!(
        grads.b1[4 + 1],
        upstream[1],
        "the winning piece gets the whole gradient"
    );
    assert_eq!(grads.b1[2], upstream[2], "ties go to the lowest piece");
    assert_eq!(grads.b1[4 + 2], 0.0);
}

#[mlp::network(x -> Linear(3, 5) -> ReLU -> Linear(5, 4) -> Softmax -> CE)]
struct Soft;

#[test]
fn soft_targets() {
    let mut net = Soft::<f64>::zeros();
    randomize(&mut net, 9, 0.8);
    let x = SVector::<f64, 3>::new(0.4, -0.3, 1.2);
    // One-hot soft targets give the class-index results.
    let one_hot = SVector::<f64, 4>::new(0.0, 0.0, 1.0, 0.0);
    let (a, ga) = net.loss_and_gradients(&x, &2);
    let (b, gb) = net.soft_loss_and_gradients(&x, &one_hot);
    assert!((a - b).abs() < 1e-14);
    assert!((ga.w - gb.w).norm() < 1e-14 && (ga.b2 - gb.b2).norm() < 1e-14);
    // A real distribution, against finite differences of `soft_loss`.
    let y = SVector::<f64, 4>::new(0.1, 0.2, 0.6, 0.1);
    let (loss, grads) = net.soft_loss_and_gradients(&x, &y);
    assert_eq!(loss, net.soft_loss(&x, &y));
    let (_, tape) = net.forward_cached(&x);
    assert_eq!(grads, net.soft_backward(&tape, &y));
    let mut analytic = Vec::new();
    grads.visit_params(|_, g| analytic.extend_from_slice(g));
    let mut k = 0;
    let mut worst: f64 = 0.0;
    let params = net;
    for tensor in 0..4 {
        let len = [15, 5, 20, 4][tensor];
        for i in 0..len {
            let numeric = mlp::gradcheck::central_difference(
                |delta| {
                    let mut moved = params;
                    let mut t = 0;
                    moved.visit_params_mut(|_, v| {
                        if t == tensor {
                            v[i] += delta;
                        }
                        t += 1;
                    });
                    moved.soft_loss(&x, &y)
                },
                mlp::gradcheck::STEP,
            );
            worst = worst.max(relative_error(analytic[k], numeric));
            k += 1;
        }
    }
    assert!(worst < TOLERANCE, "{worst:e}");
}

/// A hand-written network whose backward pass forgets a factor: the check must notice.
#[test]
fn gradcheck_catches_a_wrong_gradient() {
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Buggy {
        w: SVector<f64, 2>,
    }
    impl Parameters<f64> for Buggy {
        fn visit_params(&self, mut f: impl FnMut(&str, &[f64])) {
            f("0.weight", self.w.as_slice());
        }
        fn visit_params_mut(&mut self, mut f: impl FnMut(&str, &mut [f64])) {
            f("0.weight", self.w.as_mut_slice());
        }
        fn tensor_count(&self) -> usize {
            1
        }
        fn tensor(&self, k: usize) -> &[f64] {
            if k == 0 {
                self.w.as_slice()
            } else {
                &[]
            }
        }
        fn tensor_mut(&mut self, k: usize) -> &mut [f64] {
            if k == 0 {
                self.w.as_mut_slice()
            } else {
                &mut []
            }
        }
    }
    // J = (w·x)², ∂J/∂w = 2(w·x)·x; the bug drops the 2.
    impl Network<f64> for Buggy {
        const LAYOUT: mlp::Layout = mlp::Layout {
            name: "Buggy",
            chain: "x -> (w·x)²",
            params: &[mlp::ParamLayout {
                field: "w",
                key: "w",
                rows: 2,
                cols: 1,
            }],
        };
        type Input = SVector<f64, 2>;
        type Output = SVector<f64, 1>;
        type Target = ();
        type Tape = SVector<f64, 2>;
        type Gradients = Buggy;
        type InputBatch<const B: usize> = [SVector<f64, 2>; B];
        type OutputBatch<const B: usize> = [SVector<f64, 1>; B];
        fn forward_batch<const B: usize>(&self, x: &[SVector<f64, 2>; B]) -> [SVector<f64, 1>; B] {
            x.map(|x| self.forward(&x))
        }
        fn loss_and_gradients_batch<const B: usize>(
            &self,
            x: &[SVector<f64, 2>; B],
            _: &[(); B],
        ) -> (f64, Buggy) {
            let n = B as f64;
            let mut w = SVector::<f64, 2>::zeros();
            let mut loss = 0.0;
            for x in x {
                let (l, g) = self.loss_and_gradients(x, &());
                loss += l / n;
                w += g.w / n;
            }
            (loss, Buggy { w })
        }
        fn train_step_batch<const B: usize>(
            &mut self,
            x: &[SVector<f64, 2>; B],
            t: &[(); B],
            lr: f64,
        ) -> f64 {
            let (l, g) = self.loss_and_gradients_batch(x, t);
            self.sgd_step(&g, lr);
            l
        }
        fn input_batch<const B: usize>(columns: &[&SVector<f64, 2>; B]) -> [SVector<f64, 2>; B] {
            columns.map(|c| *c)
        }
        fn forward(&self, x: &Self::Input) -> Self::Output {
            SVector::<f64, 1>::new(self.w.dot(x))
        }
        fn forward_cached(&self, x: &Self::Input) -> (Self::Output, Self::Tape) {
            (self.forward(x), *x)
        }
        fn backward(&self, x: &Self::Tape, _: &()) -> Buggy {
            Buggy {
                w: x * self.w.dot(x),
            }
        }
        fn backward_with_input(&self, x: &Self::Tape, t: &()) -> (Buggy, Self::Input) {
            (self.backward(x, t), self.w * 2.0 * self.w.dot(x))
        }
        fn loss(&self, x: &Self::Input, _: &()) -> f64 {
            self.w.dot(x).powi(2)
        }
        fn loss_and_gradients(&self, x: &Self::Input, t: &()) -> (f64, Buggy) {
            (self.loss(x, t), self.backward(x, t))
        }
        fn train_step(&mut self, x: &Self::Input, t: &(), lr: f64) -> f64 {
            let (l, g) = self.loss_and_gradients(x, t);
            self.sgd_step(&g, lr);
            l
        }
        fn visit_params(&self, f: impl FnMut(&str, &[f64])) {
            Parameters::visit_params(self, f)
        }
        fn visit_params_mut(&mut self, f: impl FnMut(&str, &mut [f64])) {
            Parameters::visit_params_mut(self, f)
        }
        fn sgd_step(&mut self, g: &Buggy, lr: f64) {
            self.w -= g.w * lr;
        }
    }
    let mut net = Buggy {
        w: SVector::<f64, 2>::new(0.5, -0.25),
    };
    let report = mlp::gradcheck(&mut net, &SVector::<f64, 2>::new(1.0, 1.0), &()); // w·x = 0.25
    assert!(
        report.parameters.w.max() > 0.4,
        "the halved gradient is caught: {report}"
    );
    assert!(
        report.input.max() < 1e-8,
        "the right input gradient passes: {report}"
    );
}

#[mlp::network(x -> Linear(1, 1) -> Sigmoid -> BCE)]
struct Logit;

#[mlp::network(x -> Linear(1, 1) -> Sigmoid -> BCE, jacobians = full)]
struct LogitFull;

#[mlp::network(x -> Linear(3, 3) -> Softmax -> CE, jacobians = full)]
struct ClassesFull;

#[mlp::network(x -> Linear(2, 2) -> Sigmoid -> MSE)]
struct Squashed;

/// Every loss and its gradient stay finite and right at logits of ±1e4, in f32 and f64.
#[test]
fn extreme_logits() {
    for theta in [1e4f64, -1e4] {
        for y in [0.0, 1.0] {
            // BCE(y, σ(θ)) = softplus(θ) − y·θ: 1e4 when the label disagrees, 0 when it agrees.
            let expected = if (theta > 0.0) == (y == 1.0) {
                0.0
            } else {
                1e4
            };
            let mut net = Logit::<f64>::zeros();
            net.w[0] = 1.0;
            let x = SVector::<f64, 1>::new(theta);
            let (loss, grads) = net.loss_and_gradients(&x, &y);
            assert!(
                (loss - expected).abs() < 1e-9,
                "θ = {theta}, y = {y}: {loss}"
            );
            let p = if theta > 0.0 { 1.0 } else { 0.0 };
            assert!((grads.b[0] - (p - y)).abs() < 1e-12, "∂J/∂b = p − y");

            let mut net32 = Logit::<f32>::zeros();
            net32.w[0] = 1.0;
            let (loss32, grads32) = net32.loss_and_gradients(&x.cast(), &(y as f32));
            assert!((f64::from(loss32) - expected).abs() < 1.0, "f32: {loss32}");
            assert!(grads32.w[0].is_finite() && grads32.b[0].is_finite());

            // Full mode's loss is stable too (the loss-value rules apply in both modes); its
            // gradient is the unsimplified (p − y) ⊘ (p ⊙ (1 − p)) times σ′, which is 0·(0/0)
            // once p saturates: the reason `fuse_sigmoid_bce` exists.
            let mut full = LogitFull::<f64>::zeros();
            full.w[0] = 1.0;
            assert!((full.loss(&x, &y) - expected).abs() < 1e-9);
        }

        let mut ce = ClassesFull::<f32>::zeros();
        ce.w = SMatrix::identity();
        let x = SVector::<f32, 3>::new(theta as f32, 0.0, -theta as f32);
        let loss = ce.loss(&x, &1);
        assert!((f64::from(loss) - 1e4).abs() < 1.0, "full-mode CE: {loss}");

        // Soft targets too: the stable log-sum-exp serves probability vectors.
        let mut soft = Soft::<f32>::zeros();
        soft.w.fill(0.0);
        soft.b2 = SVector::<f32, 4>::new(theta as f32, 0.0, -theta as f32, 0.0);
        let y = SVector::<f32, 4>::new(0.0, 0.5, 0.0, 0.5);
        let (loss, grads) = soft.soft_loss_and_gradients(&SVector::zeros(), &y);
        assert!((f64::from(loss) - 1e4).abs() < 1.0, "soft CE: {loss}");
        assert!(grads.b2.iter().all(|g| g.is_finite()));

        let mut mse = Squashed::<f32>::zeros();
        mse.w = SMatrix::identity();
        let (loss, grads) = mse.loss_and_gradients(
            &SVector::<f32, 2>::new(theta as f32, -theta as f32),
            &SVector::<f32, 2>::new(0.5, 0.5),
        );
        assert!((loss - 0.25).abs() < 1e-6 && grads.w.iter().all(|g| g.is_finite()));
    }
}

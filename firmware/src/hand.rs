//! The card's training step written by hand in nalgebra the way an expert writes it (as in
//! `benches/common/mod.rs`): one exponential pass shared by ŷ and the loss, each weight
//! updated in place by a rank-1 `ger`, each bias by an `axpy`.

use mlp::nalgebra::{SMatrix, SVector};

/// `Linear(I, H) -> ReLU -> Linear(H, K) -> Softmax -> CE`, by hand.
#[derive(Clone, Copy)]
pub struct Hand<const I: usize, const H: usize, const K: usize> {
    pub w: SMatrix<f32, H, I>,
    pub b1: SVector<f32, H>,
    pub u: SMatrix<f32, K, H>,
    pub b2: SVector<f32, K>,
}

impl<const I: usize, const H: usize, const K: usize> Hand<I, H, K> {
    /// One SGD step on one sample; the loss before it. A function of its own, as the generated
    /// `train_step` is, so that both are measured as calls.
    #[inline(never)]
    pub fn step(&mut self, x: &SVector<f32, I>, y: usize, lr: f32) -> f32 {
        let mut z = self.b1;
        z.gemv(1.0, &self.w, x, 1.0);
        let h = z.map(|v| if v < 0.0 { 0.0 } else { v });
        let mut theta = self.b2;
        theta.gemv(1.0, &self.u, &h, 1.0);
        let m = theta.max();
        let e = theta.map(|t| mlp::nalgebra::ComplexField::exp(t - m));
        let s = e.sum();
        let loss = m + mlp::nalgebra::ComplexField::ln(s) - theta[y];
        let mut d_theta = e / s;
        d_theta[y] -= 1.0;
        let d_h = self.u.tr_mul(&d_theta);
        self.u.ger(-lr, &d_theta, &h, 1.0);
        self.b2.axpy(-lr, &d_theta, 1.0);
        let d_z = d_h.zip_map(&z, |g, z| if z > 0.0 { g } else { 0.0 });
        self.w.ger(-lr, &d_z, x, 1.0);
        self.b1.axpy(-lr, &d_z, 1.0);
        loss
    }
}

//! A small seeded random generator that works without `std`.

use crate::float;
use nalgebra::{ComplexField, RealField};

/// SplitMix64: 64 bits of state, fast, and good enough for initialization and sampling.
/// The same seed gives the same sequence on every platform.
///
/// # Example
///
/// ```
/// let mut a = mlp::rng::Rng::new(7);
/// let mut b = mlp::rng::Rng::new(7);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let u = a.uniform();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform index in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        // Lemire's multiply-shift; the bias is below 2⁻³² for any n that fits in memory.
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// A standard normal number (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]: the logarithm stays finite
        let u2 = self.uniform();
        ComplexField::sqrt(-2.0 * ComplexField::ln(u1))
            * ComplexField::cos(2.0 * core::f64::consts::PI * u2)
    }
}

impl Rng {
    /// A uniform number in `[0, 1)` in the scalar type `T`: an `f32` from 24 random bits with
    /// single-precision arithmetic only (no `f64` on an `f32` microcontroller), any other type
    /// from [`Rng::uniform`].
    ///
    /// # Example
    ///
    /// ```
    /// let mut rng = mlp::rng::Rng::new(3);
    /// let u: f32 = rng.uniform_in();
    /// assert!((0.0..1.0).contains(&u));
    /// ```
    pub fn uniform_in<T: RealField + Copy>(&mut self) -> T {
        if float::is_f32::<T>() {
            let u = ((self.next_u64() >> 40) as u32) as f32 * (1.0 / (1u32 << 24) as f32);
            // SAFETY: `T` is `f32` (checked).
            return unsafe { *(&u as *const f32 as *const T) };
        }
        nalgebra::convert(self.uniform())
    }

    /// A standard normal number in the scalar type `T` (Marsaglia's polar method: one
    /// logarithm and one square root, no trigonometry), computed in `T` throughout.
    ///
    /// # Example
    ///
    /// ```
    /// let mut rng = mlp::rng::Rng::new(3);
    /// let n = 10_000;
    /// let mean: f32 = (0..n).map(|_| rng.normal_in::<f32>()).sum::<f32>() / n as f32;
    /// assert!(mean.abs() < 0.05);
    /// ```
    pub fn normal_in<T: RealField + Copy>(&mut self) -> T {
        let (one, two) = (T::one(), T::one() + T::one());
        loop {
            let u = two * self.uniform_in::<T>() - one;
            let v = two * self.uniform_in::<T>() - one;
            let s = u * u + v * v;
            if s > T::zero() && s < one {
                return u * float::sqrt(-two * ComplexField::ln(s) / s);
            }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

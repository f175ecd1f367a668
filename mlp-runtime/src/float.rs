//! Scalar helpers that pick the fastest exact form on each target.

use core::any::TypeId;
use nalgebra::{ComplexField, RealField};

/// `√x`. On a Cortex-M with a single-precision FPU (`eabihf`), an `f32` takes the FPU's
/// `vsqrt.f32`: `libm`'s `sqrtf`, which `no_std` code would get otherwise, is software.
#[inline]
pub fn sqrt<T: RealField + Copy>(x: T) -> T {
    #[cfg(all(target_arch = "arm", target_abi = "eabihf"))]
    if is_f32::<T>() {
        // SAFETY: `T` is `f32` (checked), so reading it as one and writing one back is exact.
        unsafe {
            let f = *(&x as *const T as *const f32);
            let r = vsqrt(f);
            return *(&r as *const f32 as *const T);
        }
    }
    ComplexField::sqrt(x)
}

/// The FPU's square root (the register class of `s0` is not nameable on stable Rust, so the
/// value moves through a core register and `s0` is saved around it).
#[cfg(all(target_arch = "arm", target_abi = "eabihf"))]
#[inline]
fn vsqrt(x: f32) -> f32 {
    let mut bits = x.to_bits();
    // SAFETY: the instructions touch only `s0`, which is saved and restored, and the
    // register holding `bits`; no memory but the stack slot of the push and pop.
    unsafe {
        core::arch::asm!(
            "vpush {{s0}}",
            "vmov s0, {b}",
            "vsqrt.f32 s0, s0",
            "vmov {b}, s0",
            "vpop {{s0}}",
            b = inout(reg) bits,
            options(preserves_flags),
        );
    }
    f32::from_bits(bits)
}

/// Whether `T` is `f32`: the single-precision paths (the random generator's, the AVX2
/// kernels', the safetensors writer's).
#[inline]
pub fn is_f32<T: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<f32>()
}

#[cfg(test)]
mod tests {
    #[test]
    fn square_roots() {
        assert_eq!(super::sqrt(2.25f32), 1.5);
        assert_eq!(super::sqrt(6.25f64), 2.5);
    }
}

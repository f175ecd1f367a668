//! What the generated code computes with, beyond [`functions`](crate::functions): statically
//! sized, allocation-free, no `std`. Not public API: the generated code reaches these through
//! `mlp::__private` (the crate's [`__private`](crate::__private) list); only the [`simd`]
//! switch is for users.
//!
//! ```text
//! sample.rs   per-sample kernels: softmax_parts, exp_sum, maxout and its gradient
//! columns.rs  the same for a batch, one sample per column
//! update.rs   writes into the caller's storage: sgd_update, sub_outer, set_outer
//! gemm.rs     register-blocked matrix products: mul, mul_tr, tr_mul, affine, affine_columns
//! simd.rs     their AVX2 + FMA versions for f32 on x86-64, and the switch
//! trace.rs    how #[mlp::grad]'s traces print a matrix
//! ```

pub(crate) mod columns;
pub(crate) mod gemm;
pub(crate) mod sample;
pub mod simd;
pub(crate) mod trace;
pub(crate) mod update;

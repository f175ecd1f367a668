//! The optional features, each off by default and each with `std`: pictures (`plot`: PNG
//! plots and the computational graph as SVG) and safetensors files (`safetensors`).

#[cfg(feature = "plot")]
pub mod graph;
#[cfg(feature = "plot")]
pub mod plot;
#[cfg(feature = "safetensors")]
pub mod safetensors;

//! The progress bar of `fit`: indicatif's with the `progress` feature, one that draws
//! nothing without it.

/// The progress bar: indicatif's with the `progress` feature, nothing without it.
#[cfg(feature = "progress")]
pub(crate) struct Bar(indicatif::ProgressBar);

#[cfg(feature = "progress")]
impl Bar {
    pub(crate) fn new(visible: bool, len: u64) -> Bar {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(len), target);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} batches  {msg}") {
            bar.set_style(style);
        }
        Bar(bar)
    }
    pub(crate) fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    pub(crate) fn abandon(&self) {
        self.0.abandon();
    }
    pub(crate) fn set_message(&self, message: std::string::String) {
        self.0.set_message(message);
    }
    pub(crate) fn finish_and_clear(&self) {
        self.0.finish_and_clear();
    }
}

#[cfg(not(feature = "progress"))]
pub(crate) struct Bar;

#[cfg(not(feature = "progress"))]
impl Bar {
    pub(crate) fn new(_visible: bool, _len: u64) -> Bar {
        Bar
    }
    pub(crate) fn inc(&self, _n: u64) {}
    pub(crate) fn abandon(&self) {}
    pub(crate) fn set_message(&self, _message: std::string::String) {}
    pub(crate) fn finish_and_clear(&self) {}
}

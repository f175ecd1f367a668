//! Training on a Cortex-M4F: the design card's classifier, initialized on the device from a
//! seed, trained with `train_step` (plain SGD) and then Adam on three small clusters compiled
//! in, the Adam steps' gradients written by `loss_and_gradients_into` into storage the program
//! owns. Exits with success only if the loss fell and every point is classified right. Also
//! runs the same step written by hand by an expert (`mlp_firmware::hand`) and reports the
//! instructions per step of both. The program is `mlp_firmware::card`, shared with
//! `card_by_value`.
#![no_std]
#![no_main]

use mlp_firmware::entry;

#[entry]
fn main() -> ! {
    mlp_firmware::card::run::<false>("card")
}

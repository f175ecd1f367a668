//! The card firmware (`mlp_firmware::card`) with the Adam steps' gradients returned by value
//! (`let (loss, grads) = net.loss_and_gradients(&x, &y)`), the form a user writes first:
//! `report.sh` checks that it needs no more stack than `card`, which writes them with
//! `loss_and_gradients_into`.
#![no_std]
#![no_main]

use mlp_firmware::entry;

#[entry]
fn main() -> ! {
    mlp_firmware::card::run::<true>("card_by_value")
}

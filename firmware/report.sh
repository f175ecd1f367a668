#!/usr/bin/env bash
# Builds the firmwares, runs them on an emulated Cortex-M4F (QEMU's mps2-an386), and prints
# for each: flash (.vector_table + .text + .rodata), static RAM (.data + .bss), the stack's
# high-water mark and instructions per step, as the firmwares measure them; for the sine model
# also the network's own share of flash (its code and weights). `card` and `card_by_value` are
# the same program but for how the Adam steps get their gradients (`loss_and_gradients_into`,
# `loss_and_gradients`); for its Adam phase the by-value form may need one gradients value more
# (the copy `let (loss, grads) = net.loss_and_gradients(..)` makes out of the returned tuple,
# which rustc and LLVM do not elide) and BY_VALUE_STACK_SLACK bytes, no more. Exits
# non-zero if a firmware fails its checks or that comparison fails.
#
# Needs: the thumbv7em-none-eabihf target (rust-toolchain.toml), qemu-system-arm and
# binutils-arm-none-eabi (Debian packages of those names).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet --bins
dir=${CARGO_TARGET_DIR:-target}/thumbv7em-none-eabihf/release
# How much more stack than `loss_and_gradients_into` and one gradients value the by-value
# `loss_and_gradients` may need.
BY_VALUE_STACK_SLACK=64

section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2 }'; }
flash() { echo $(( $(section "$1" .vector_table) + $(section "$1" .text) + $(section "$1" .rodata) )); }
ram() { echo $(( $(section "$1" .data) + $(section "$1" .bss) )); }

status=0
declare -A adam_stack flash_of gradient_bytes
for bin in sine card card_by_value chain_rule; do
    elf="$dir/$bin"
    echo "== $bin"
    if ! out=$(cargo run --release --quiet --bin "$bin" 2>&1); then
        status=1
    fi
    echo "$out" | sed 's/^/   /'
    flash_of[$bin]=$(flash "$elf")
    adam_stack[$bin]=$(echo "$out" | sed -n 's/^Adam phase.*: stack \([0-9]*\) bytes.*/\1/p')
    gradient_bytes[$bin]=$(echo "$out" | sed -n 's/^Adam phase.*(the gradients: \([0-9]*\) bytes)$/\1/p')
    echo "   flash: ${flash_of[$bin]} B, static RAM: $(ram "$elf") B"
    if [ "$bin" = sine ]; then
        share=0
        while read -r _ size _ name; do
            echo "     $((16#$size)) B  $name"
            share=$((share + 16#$size))
        done < <(arm-none-eabi-nm --size-sort -S -C "$elf" | grep -E " sine::(NET|predict)$")
        echo "   the network's share (its code and weights): $share B"
    fi
done

echo "== loss_and_gradients by value against loss_and_gradients_into (card_by_value against card)"
into=${adam_stack[card]:-} by_value=${adam_stack[card_by_value]:-}
gradients=${gradient_bytes[card_by_value]:-}
if [ -z "$into" ] || [ -z "$by_value" ] || [ -z "$gradients" ]; then
    echo "   the Adam phase's stack or the gradients' size is missing from the output: FAILED"
    status=1
else
    allowed=$((into + gradients + BY_VALUE_STACK_SLACK))
    echo "   the Adam phase's stack: $by_value B by value, $into B into, $((by_value - into)) B more (the gradients: $gradients B)"
    echo "   flash: ${flash_of[card_by_value]} B by value, ${flash_of[card]} B into, $((flash_of[card_by_value] - flash_of[card])) B more"
    if [ "$by_value" -gt "$allowed" ]; then
        echo "   by value needs more than the _into form, one gradients value and $BY_VALUE_STACK_SLACK B ($allowed B): FAILED"
        status=1
    else
        echo "   by value within the _into form, one gradients value and $BY_VALUE_STACK_SLACK B ($allowed B): ok"
    fi
fi
exit $status

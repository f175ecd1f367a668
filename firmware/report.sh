#!/usr/bin/env bash
# Builds the firmwares, runs them on an emulated Cortex-M4F (QEMU's mps2-an386), and prints
# for each: flash (.vector_table + .text + .rodata), static RAM (.data + .bss), the stack's
# high-water mark and instructions per step, as the firmwares measure them; for the sine model
# also the network's own share of flash (its code and weights). Exits non-zero if a firmware
# fails its checks.
#
# Needs: the thumbv7em-none-eabihf target (rust-toolchain.toml), qemu-system-arm and
# binutils-arm-none-eabi (Debian packages of those names).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --quiet --bins
dir=target/thumbv7em-none-eabihf/release

section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2 }'; }
flash() { echo $(( $(section "$1" .vector_table) + $(section "$1" .text) + $(section "$1" .rodata) )); }
ram() { echo $(( $(section "$1" .data) + $(section "$1" .bss) )); }

status=0
for bin in sine card chain_rule; do
    elf="$dir/$bin"
    echo "== $bin"
    if ! out=$(cargo run --release --quiet --bin "$bin" 2>&1); then
        status=1
    fi
    echo "$out" | sed 's/^/   /'
    echo "   flash: $(flash "$elf") B, static RAM: $(ram "$elf") B"
    if [ "$bin" = sine ]; then
        share=0
        while read -r _ size _ name; do
            echo "     $((16#$size)) B  $name"
            share=$((share + 16#$size))
        done < <(arm-none-eabi-nm --size-sort -S -C "$elf" | grep -E " sine::(NET|predict)$")
        echo "   the network's share (its code and weights): $share B"
    fi
done
exit $status

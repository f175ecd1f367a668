#!/usr/bin/env bash
# Builds the firmwares for three cores, runs them under QEMU, and prints for each: flash (the
# sections the image loads: .vector_table + .text + .rodata + .data on the Arm cores, .text +
# riscv-rt's .init.rust + .rodata + .data on RISC-V), static RAM (.data +
# .bss), the stack's high-water mark and instructions per inference or step, as the firmwares
# measure them; for the sine models also the network's own share of flash (its parameters and
# its forward code, from the symbol table). Then a table: per core, the sine model in f32 and in
# int8.
#
# The cores, one package (this one) built for three targets; build.rs picks the board's memory
# map by the target, .cargo/config.toml the QEMU runner:
# - Cortex-M4F (thumbv7em-none-eabihf, QEMU's mps2-an386): every firmware, `sine_int8` included;
# - Cortex-M0 (thumbv6m-none-eabi, QEMU's microbit, an nRF51: no FPU, 16 KiB RAM): `sine` (f32
#   through the compiler's soft-float routines) and `sine_int8`;
# - RV32IMAC (riscv32imac-unknown-none-elf, QEMU's sifive_e, a HiFive1: no F extension, 16 KiB
#   RAM): `sine` (soft-float) and `sine_int8`.
# f32 and int8 are separate binaries, so that each one's flash is its own.
#
# Instructions: SysTick on the Arm cores under `-icount shift=0`, calibrated by each firmware on
# a loop of 131,072 instructions (the mps2-an386's SysTick ticks every 40 instructions, the
# micro:bit's every 62.5); `minstret` on RISC-V, which QEMU derives from its instruction count
# under `-icount` (checked here: the calibration loop must read 131,072 and at most 8 more).
#
# Fails (exit 1) if a firmware fails its checks (the f32 outputs equal the host's bits, the
# int8 outputs the host's int8 outputs), or if one of these is missed:
# - the int8 sine on the Cortex-M0: flash ≤ M0_INT8_FLASH, stack ≤ M0_INT8_STACK, the network's
#   share ≤ M0_INT8_NETWORK, and at least INT8_SPEEDUP times fewer instructions than the f32
#   model on the same core;
# - `card_by_value` against `card` on the Cortex-M4F: for its Adam phase the by-value form
#   (`loss_and_gradients`) may need one gradients value more than `loss_and_gradients_into` (the
#   copy `let (loss, grads) = net.loss_and_gradients(..)` makes of the returned tuple, which
#   rustc and LLVM do not elide) and BY_VALUE_STACK_SLACK bytes, no more.
#
# Needs: the three targets (rust-toolchain.toml), qemu-system-arm, qemu-system-riscv32 and
# binutils-arm-none-eabi (Debian packages qemu-system-arm, qemu-system-misc and
# binutils-arm-none-eabi; .ci/run installs them), and the host's readelf and nm (binutils) for
# the RISC-V ELF files.
set -euo pipefail
cd "$(dirname "$0")"

M0_INT8_FLASH=2048
M0_INT8_STACK=512
M0_INT8_NETWORK=1024
INT8_SPEEDUP=5
BY_VALUE_STACK_SLACK=64

M4F=thumbv7em-none-eabihf
M0=thumbv6m-none-eabi
RV=riscv32imac-unknown-none-elf
declare -A core_name=([$M4F]="Cortex-M4F" [$M0]="Cortex-M0" [$RV]="RV32IMAC")
declare -A bins=([$M4F]="sine sine_int8 card card_by_value chain_rule" [$M0]="sine sine_int8" [$RV]="sine sine_int8")
declare -A nm_tool=([$M4F]=arm-none-eabi-nm [$M0]=arm-none-eabi-nm [$RV]=nm)

for target in $M4F $M0 $RV; do
    args=()
    for bin in ${bins[$target]}; do args+=(--bin "$bin"); done
    cargo build --release --quiet --target "$target" "${args[@]}"
done

# The sizes of the sections the image loads (type PROGBITS, flag A), or of the named ones.
# readelf -S -W: "[Nr] Name Type Address Off Size ES Flg ...", sizes in hexadecimal.
sections() { readelf -S -W "$1" | sed -n 's/^ *\[ *[0-9]*\] //p'; }
loaded() {
    local sum=0 name type addr off size es flags rest
    while read -r name type addr off size es flags rest; do
        if [ "$type" = PROGBITS ] && [[ $flags == *A* ]]; then sum=$((sum + 16#$size)); fi
    done < <(sections "$1")
    echo $sum
}
section() {
    local sum=0 name type addr off size rest
    while read -r name type addr off size rest; do
        if [ "$name" = "$2" ]; then sum=$((sum + 16#$size)); fi
    done < <(sections "$1")
    echo $sum
}
ram() { echo $(( $(section "$1" .data) + $(section "$1" .bss) + $(section "$1" .uninit) )); }
field() { echo "$1" | sed -n "s/^$2 \([0-9]*\).*/\1/p" | head -1; }

status=0
fail() { echo "   $1: FAILED"; status=1; }
declare -A adam_stack gradient_bytes flash_of stack_of instr_of share_of ram_of

for target in $M4F $M0 $RV; do
    dir=${CARGO_TARGET_DIR:-target}/$target/release
    for bin in ${bins[$target]}; do
        key="$target/$bin"
        elf="$dir/$bin"
        echo "== $bin on the ${core_name[$target]} ($target)"
        if ! out=$(cargo run --release --quiet --target "$target" --bin "$bin" 2>&1); then
            fail "$bin on the ${core_name[$target]}: its checks or its run"
        fi
        echo "$out" | sed 's/^/   /'
        flash_of[$key]=$(loaded "$elf")
        ram_of[$key]=$(ram "$elf")
        stack_of[$key]=$(field "$out" "stack high-water mark:")
        instr_of[$key]=$(field "$out" "instructions per inference:")
        adam_stack[$key]=$(echo "$out" | sed -n 's/^Adam phase.*: stack \([0-9]*\) bytes.*/\1/p')
        gradient_bytes[$key]=$(echo "$out" | sed -n 's/^Adam phase.*(the gradients: \([0-9]*\) bytes)$/\1/p')
        echo "   flash: ${flash_of[$key]} B, static RAM: ${ram_of[$key]} B"
        if [ "$bin" = sine ] || [ "$bin" = sine_int8 ]; then
            # The network's parameters (the static) and forward code: `predict` and what it calls
            # of mlp's that is not inlined into it (the int8 layers' loop).
            share=0
            while read -r _ size _ name; do
                echo "     $((16#$size)) B  $name"
                share=$((share + 16#$size))
            done < <("${nm_tool[$target]}" --size-sort -S -C "$elf" |
                grep -E " (sine(_int8)?::(NET|NET_INT8|predict)|mlp_runtime::quant::.*|.*SineInt8.*)$")
            share_of[$key]=$share
            echo "   the network's share (its code and parameters): $share B"
            helpers=$("${nm_tool[$target]}" --size-sort -S -C "$elf" |
                { grep -E " (__aeabi_[a-z0-9]+|__(mul|div|udiv|mod|umod|ashl|ashr|lshr|add|sub|cmp|gt|lt|ge|le|eq|ne|fix|float|extend|trunc|un)[a-z0-9]*|compiler_builtins::.*)$" || true; } |
                while read -r _ size _ _; do echo $((16#$size)); done | awk '{ s += $1; n++ } END { print n + 0, s + 0 }')
            echo "   the compiler's helper routines in this image (soft-float, 64-bit, division): ${helpers#* } B in ${helpers%% *} functions"
        fi
        if [ "$target" = $RV ]; then
            calibration=$(field "$out" "calibration:")
            if [ -z "$calibration" ] || [ "$calibration" -lt 131072 ] || [ "$calibration" -gt 131080 ]; then
                fail "minstret does not count guest instructions (calibration: ${calibration:-missing} for 131072)"
            else
                echo "   minstret counted the calibration loop's 131072 instructions as $calibration: ok"
            fi
        fi
    done
done

echo "== the int8 sine on the Cortex-M0"
f32_instr=${instr_of[$M0/sine]:-} int8_instr=${instr_of[$M0/sine_int8]:-}
int8_flash=${flash_of[$M0/sine_int8]:-} int8_stack=${stack_of[$M0/sine_int8]:-}
int8_share=${share_of[$M0/sine_int8]:-}
if [ -z "$f32_instr" ] || [ -z "$int8_instr" ] || [ -z "$int8_stack" ] || [ -z "$int8_share" ]; then
    fail "a measurement is missing from the output"
else
    check() { # what, value, limit
        if [ "$2" -le "$3" ]; then echo "   $1: $2 B ≤ $3 B: ok"; else fail "$1: $2 B > $3 B"; fi
    }
    check flash "$int8_flash" $M0_INT8_FLASH
    check stack "$int8_stack" $M0_INT8_STACK
    check "the network's share" "$int8_share" $M0_INT8_NETWORK
    ratio="$((f32_instr / int8_instr)).$(((f32_instr * 10 / int8_instr) % 10))"
    if [ $((int8_instr * INT8_SPEEDUP)) -le "$f32_instr" ]; then
        echo "   instructions: $int8_instr in int8, $f32_instr in f32 (soft-float): ${ratio}× fewer, at least ${INT8_SPEEDUP}×: ok"
    else
        fail "instructions: $int8_instr in int8, $f32_instr in f32 (soft-float): ${ratio}× fewer, not ${INT8_SPEEDUP}×"
    fi
fi

echo "== loss_and_gradients by value against loss_and_gradients_into (card_by_value against card)"
into=${adam_stack[$M4F/card]:-} by_value=${adam_stack[$M4F/card_by_value]:-}
gradients=${gradient_bytes[$M4F/card_by_value]:-}
if [ -z "$into" ] || [ -z "$by_value" ] || [ -z "$gradients" ]; then
    fail "the Adam phase's stack or the gradients' size is missing from the output"
else
    allowed=$((into + gradients + BY_VALUE_STACK_SLACK))
    echo "   the Adam phase's stack: $by_value B by value, $into B into, $((by_value - into)) B more (the gradients: $gradients B)"
    echo "   flash: ${flash_of[$M4F/card_by_value]} B by value, ${flash_of[$M4F/card]} B into, $((flash_of[$M4F/card_by_value] - flash_of[$M4F/card])) B more"
    if [ "$by_value" -gt "$allowed" ]; then
        fail "by value needs more than the _into form, one gradients value and $BY_VALUE_STACK_SLACK B ($allowed B)"
    else
        echo "   by value within the _into form, one gradients value and $BY_VALUE_STACK_SLACK B ($allowed B): ok"
    fi
fi

echo "== the sine model per core (flash, static RAM, stack in bytes; instructions per inference)"
printf '   %-11s %-5s %7s %5s %6s %13s %9s\n' core model flash RAM stack instructions network
for target in $M4F $M0 $RV; do
    for bin in sine sine_int8; do
        key="$target/$bin"
        model=f32
        [ "$bin" = sine_int8 ] && model=int8
        printf '   %-11s %-5s %7s %5s %6s %13s %9s\n' "${core_name[$target]}" $model \
            "${flash_of[$key]:-?}" "${ram_of[$key]:-?}" "${stack_of[$key]:-?}" "${instr_of[$key]:-?}" "${share_of[$key]:-?}"
    done
done
if [ $status -ne 0 ]; then
    echo "== FAILED"
fi
exit $status

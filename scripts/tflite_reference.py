#!/usr/bin/env python3
"""TensorFlow Lite's int8 fixed-point arithmetic in plain Python, and the fixture it writes.

A second, independent implementation of what `mlp::quant` computes, written from TFLite's
formulas with C's integer semantics emulated explicitly (int32 wrapping, division truncating
toward zero, arithmetic right shifts), so that `tests/quant.rs` can compare bit for bit:

- gemmlowp `SaturatingRoundingDoublingHighMul` and `RoundingDivideByPOT` (fixedpoint.h);
- TFLite `MultiplyByQuantizedMultiplier(int32, int32, int)`, the double-rounding branch
  (TFLITE_SINGLE_ROUNDING off, the default), tensorflow/lite/kernels/internal/common.cc;
- TFLite `QuantizeMultiplier(double)` (quantization_util.cc): frexp, round(q * 2^31) with ties
  away from zero, 2^31 folded into 2^30 with shift + 1, shifts below -31 flushed to zero;
- TFLite `reference_integer_ops::FullyConnectedPerChannel` / `FullyConnected` (int8, weights'
  zero point 0), fully_connected.h, with the activation range of
  `CalculateActivationRangeQuantized` (none or ReLU).

Standard library only. Run from the repository root:

    python3 scripts/tflite_reference.py

It writes tests/fixtures/quant/fixed_point.txt (seeded: the same file every run). Lines:

    srdhm A B RESULT
    rdbp X EXPONENT RESULT
    mbqm X MULTIPLIER SHIFT RESULT
    qm BITS MULTIPLIER SHIFT          (BITS: the IEEE-754 bits of the double, hex)
    fc KIND IN OUT IN_ZP OUT_ZP ACT_MIN ACT_MAX | INPUT | WEIGHTS (row per output) | BIAS
       | MULTIPLIERS | SHIFTS | OUTPUT   (on one line; KIND is per_channel or per_tensor)
"""

import math
import os
import random
import struct

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap32(v):
    """C's int32 arithmetic as two's-complement hardware does it."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def c_div(a, b):
    """C's integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def srdhm(a, b):
    if a == b and a == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    return c_div(ab + nudge, 1 << 31)


def rdbp(x, exponent):
    assert 0 <= exponent <= 31
    mask = (1 << exponent) - 1  # computed in 64 bits in gemmlowp, fits an int32
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def mbqm(x, multiplier, shift):
    left_shift = shift if shift > 0 else 0
    right_shift = 0 if shift > 0 else -shift
    return rdbp(srdhm(wrap32(x * wrap32(1 << left_shift)), multiplier), right_shift)


def tflite_round(v):
    """std::round: half away from zero."""
    return math.floor(v + 0.5) if v >= 0 else -math.floor(-v + 0.5)


def quantize_multiplier(real):
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(tflite_round(q * (1 << 31)))  # exact: q has 53 bits, 2^31 scales exactly
    assert abs(q_fixed) <= 1 << 31
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift = 0
        q_fixed = 0
    return q_fixed, shift


def fully_connected(inp, in_zp, weights, bias, mults, shifts, out_zp, act_min, act_max):
    out = []
    for c, row in enumerate(weights):
        acc = 0
        for w, x in zip(row, inp):
            acc = wrap32(acc + w * (x - in_zp))
        acc = wrap32(acc + bias[c])
        acc = mbqm(acc, mults[c], shifts[c])
        acc = wrap32(acc + out_zp)
        out.append(min(max(acc, act_min), act_max))
    return out


def double_bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def interesting_i32(rng):
    """Uniform int32s mixed with edges, powers of two and their neighbours."""
    r = rng.random()
    if r < 0.4:
        return rng.randint(INT32_MIN, INT32_MAX)
    if r < 0.55:
        return rng.choice([INT32_MIN, INT32_MAX, 0, 1, -1, INT32_MIN + 1, INT32_MAX - 1])
    if r < 0.8:
        p = rng.randint(0, 30)
        return rng.choice([1, -1]) * (1 << p) + rng.randint(-2, 2)
    return rng.randint(-(1 << rng.randint(1, 20)), 1 << rng.randint(1, 20))


def main():
    rng = random.Random(17)
    lines = [
        "# TFLite int8 fixed-point reference values, written by scripts/tflite_reference.py",
        "# (seed 17). Do not edit: rerun the script. Formats in the script's docstring.",
    ]
    counts = {}

    def emit(kind, *fields):
        counts[kind] = counts.get(kind, 0) + 1
        lines.append(" ".join([kind] + [str(f) for f in fields]))

    # SaturatingRoundingDoublingHighMul: random pairs, edges, and exact ties (a·b = (2k+1)·2^30).
    for _ in range(4000):
        a, b = interesting_i32(rng), interesting_i32(rng)
        emit("srdhm", a, b, srdhm(a, b))
    for _ in range(1000):
        odd = rng.randint(-(1 << 20), 1 << 20) * 2 + 1
        p = rng.randint(0, 10)
        a, b = odd << p, (1 << 30) >> p
        if rng.random() < 0.5:
            a, b = b, a
        emit("srdhm", a, b, srdhm(a, b))

    # RoundingDivideByPOT: every exponent, random x and exact ties x = (2k+1)·2^(e−1).
    for _ in range(4000):
        e = rng.randint(0, 31)
        x = interesting_i32(rng)
        emit("rdbp", x, e, rdbp(x, e))
    for _ in range(1000):
        e = rng.randint(1, 31)
        k = rng.randint(-(1 << (31 - e)), (1 << (31 - e)) - 1)
        x = k * (1 << e) + (1 << (e - 1))
        if INT32_MIN <= x <= INT32_MAX:
            emit("rdbp", x, e, rdbp(x, e))

    # MultiplyByQuantizedMultiplier: multipliers from quantize_multiplier of real scales,
    # x such that x·2^shift fits in an int32 (as TFLite assumes).
    for _ in range(5000):
        real = math.ldexp(rng.uniform(0.5, 1.0), rng.randint(-30, 8))
        m, s = quantize_multiplier(real)
        if rng.random() < 0.1:
            m = rng.choice([0, 1 << 30, INT32_MAX, rng.randint(1 << 30, INT32_MAX)])
        if s > 0:
            bound = (1 << (31 - s)) - 1
            x = rng.randint(-bound, bound)
        else:
            x = interesting_i32(rng)
        emit("mbqm", x, m, s, mbqm(x, m, s))

    # QuantizeMultiplier: scales over the whole range, including flushed and rounding-up ones.
    for _ in range(3000):
        r = rng.random()
        if r < 0.7:
            real = math.ldexp(rng.uniform(0.5, 1.0), rng.randint(-40, 20))
        elif r < 0.8:
            real = math.ldexp(1.0 - rng.randint(0, 1 << 22) * 2.0**-53, rng.randint(-33, 5))
        elif r < 0.9:
            real = -math.ldexp(rng.uniform(0.5, 1.0), rng.randint(-32, 4))
        else:
            real = rng.choice([0.0, 1.0, 0.5, 2.0**-31, 2.0**-32, 2.0**-33, 1e-300, 5e-324])
        m, s = quantize_multiplier(real)
        emit("qm", format(double_bits(real), "x"), m, s)

    # Fully-connected layers: realistic scales (s_in · s_w / s_out), both kinds, ReLU or none.
    shapes = [(1, 16), (16, 16), (16, 1), (2, 16), (16, 3), (64, 32), (32, 10), (3, 5), (7, 4)]
    for n in range(400):
        n_in, n_out = shapes[n % len(shapes)]
        per_channel = n % 2 == 0
        in_scale = rng.uniform(0.001, 0.1)
        in_zp = rng.randint(-128, 127)
        out_zp = rng.randint(-128, 127)
        if per_channel:
            w_scales = [rng.uniform(0.0005, 0.05) for _ in range(n_out)]
        else:
            w_scales = [rng.uniform(0.0005, 0.05)] * n_out
        weights = [[rng.randint(-127, 127) for _ in range(n_in)] for _ in range(n_out)]
        bias = [rng.randint(-(1 << 16), 1 << 16) for _ in range(n_out)]
        inp = [rng.randint(-128, 127) for _ in range(n_in)]
        # The output scale as a calibration would set it: the largest |output| of this input
        # lands at 50 to 200 quantization steps, so most outputs fall inside the int8 range.
        reals = [
            (sum(w * (x - in_zp) for w, x in zip(row, inp)) + b) * in_scale * ws
            for row, b, ws in zip(weights, bias, w_scales)
        ]
        out_scale = max(max(abs(r) for r in reals), 1e-6) / rng.uniform(50, 200)
        qms = [quantize_multiplier(in_scale * ws / out_scale) for ws in w_scales]
        mults = [m for m, _ in qms]
        shifts = [s for _, s in qms]
        relu = rng.random() < 0.5
        act_min, act_max = (max(-128, out_zp), 127) if relu else (-128, 127)
        out = fully_connected(inp, in_zp, weights, bias, mults, shifts, out_zp, act_min, act_max)

        def join(v):
            return " ".join(str(x) for x in v)

        kind = "per_channel" if per_channel else "per_tensor"
        emit(
            "fc",
            kind, n_in, n_out, in_zp, out_zp, act_min, act_max,
            "|", join(inp),
            "|", join(w for row in weights for w in row),
            "|", join(bias),
            "|", join(mults),
            "|", join(shifts),
            "|", join(out),
        )

    lines.insert(2, "# counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    path = os.path.join("tests", "fixtures", "quant", "fixed_point.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(path, counts)


if __name__ == "__main__":
    main()

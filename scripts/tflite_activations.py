#!/usr/bin/env python3
"""int8 activation operators of TFLite, run by LiteRT's reference kernels: the fixtures of
`tests/tflite_activations.rs`.

Each case is a one-operator Keras model, `Input(shape=(n,))` -> the activation, converted by
TensorFlow's converter to a fully integer int8 model (int8 input and output, representative
dataset with a known calibration range [min, max] of the input) and run by LiteRT's
`BUILTIN_REF` op resolver (the reference kernels). The script checks that the converted model
is exactly that one operator (no QUANTIZE/DEQUANTIZE around it) with int8 input and output.

    /work/venv-tf/bin/python scripts/tflite_activations.py

writes tests/fixtures/tflite/activations/<kind>.txt for kind in logistic, tanh, relu,
leaky_relu, elu, softmax. No training, no randomness but numpy's seeded generator: running it
twice gives the same files.

The elementwise operators (LOGISTIC, TANH, RELU, LEAKY_RELU, ELU) get a model of width 256 and
one input holding every int8 value -128..127 (exhaustive), for 6 input ranges, and for the
table-based ones (LOGISTIC, TANH, ELU) 3 more whose upper end is chosen so that some input's
exact output lies within 2e-6 of a rounding boundary (`tie<k>` cases, see near_tie_ranges); SOFTMAX gets widths 3, 10 and 16,
random int8 vectors (uniform, and clustered within a few steps of each other so that the
outputs are not all -128/127), edge cases (all equal, one maximum, the extremes) and up to 150
rows whose exact softmax lies within 1e-4 of a rounding boundary of the int8 output (where an
approximation shows), one vector per invocation.

File format (plain text, one file per operator kind):

    # comments
    case <name> op=<TFLITE OPERATOR> n=<width> [alpha=<f32>] [beta=<f32>]
    calibration_min <f32 decimal> <f32 bits>      the representative dataset's minimum
    calibration_max <f32 decimal> <f32 bits>      ... and maximum (the input's calibrated range)
    input_scale <f32 decimal> <f32 bits>          the converted model's int8 input tensor
    input_zero_point <int>
    output_scale <f32 decimal> <f32 bits>
    output_zero_point <int>
    sample <n int8 inputs> | <n int8 outputs of LiteRT BUILTIN_REF>
    sample ...
    end

(`resolver=BUILTIN_WITHOUT_DEFAULT_DELEGATES` after the width: that case ran with the builtin
resolver without XNNPACK instead of BUILTIN_REF, see ELU.)

Bits are the IEEE-754 bit patterns of the f32 values, `0x%08x`.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_DETERMINISTIC_OPS"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

from importlib import metadata  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)

import keras  # noqa: E402
from ai_edge_litert import interpreter as litert  # noqa: E402
from ai_edge_litert import schema_py_generated as schema  # noqa: E402

# The number formatting and the version lookup of the model fixtures' script.
from tflite_fixtures import f32, f32_bits, ints, version  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "tflite", "activations")
COMMAND = "/work/venv-tf/bin/python scripts/tflite_activations.py"
N_CALIBRATION = 64

VERSIONS = (
    f"tensorflow-cpu {version('tensorflow-cpu')} (tf.__version__ {tf.__version__}), "
    f"keras {keras.__version__}, ai-edge-litert {version('ai-edge-litert')}, "
    f"numpy {np.__version__}, python {sys.version.split()[0]}"
)


OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}


def flatbuffer_ops(content):
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAs(bytearray(content), 0))
    ops = []
    for op in m.subgraphs[0].operators:
        code = m.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        opts = {}
        o = op.builtinOptions
        if isinstance(o, schema.SoftmaxOptionsT):
            opts["beta"] = float(np.float32(o.beta))
        elif isinstance(o, schema.LeakyReluOptionsT):
            opts["alpha"] = float(np.float32(o.alpha))
        ops.append((OP_NAMES[builtin], opts))
    return ops


def calibration(n, lo, hi, seed):
    """N_CALIBRATION float32 vectors uniform in [lo, hi]; the first holds lo and hi exactly, so
    the calibrated range of the input is exactly [lo, hi]."""
    rng = np.random.default_rng(seed)
    data = rng.uniform(lo, hi, size=(N_CALIBRATION, n)).astype(np.float32)
    data = np.clip(data, np.float32(lo), np.float32(hi))
    data[0, 0] = np.float32(lo)
    data[0, min(1, n - 1)] = np.float32(hi)
    if n == 1:
        data[1, 0] = np.float32(hi)
    assert data.min() == np.float32(lo) and data.max() == np.float32(hi)
    return data


def convert(model, data):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative_dataset():
        for row in data:
            yield [row.reshape(1, -1)]

    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def interpreter(content, resolver):
    it = litert.Interpreter(
        model_content=content,
        experimental_op_resolver_type=resolver,
    )
    it.allocate_tensors()
    return it


def qparams(detail):
    q = detail["quantization_parameters"]
    (s,), (z,) = q["scales"], q["zero_points"]
    return np.float32(s), int(z)


def layer_for(op, alpha=None):
    if op == "LOGISTIC":
        return keras.layers.Activation("sigmoid", name="act")
    if op == "TANH":
        return keras.layers.Activation("tanh", name="act")
    if op == "RELU":
        return keras.layers.Activation("relu", name="act")
    if op == "ELU":
        return keras.layers.Activation("elu", name="act")
    if op == "LEAKY_RELU":
        return keras.layers.LeakyReLU(negative_slope=alpha, name="act")
    if op == "SOFTMAX":
        return keras.layers.Softmax(name="act")
    raise ValueError(op)


def from_min_max(lo, hi):
    """The int8 quantization TensorFlow's converter gives a calibrated range [lo, hi]: its MLIR
    quantizer's ConvertStatsToQDQs widens the range to contain 0 and, with legacy_float_scale
    (what TFLiteConverter's post-training quantization asks for), DownCastScale recomputes the
    parameters in float32: scale = (f32(hi) - f32(lo)) / 255 in float32, zero point
    round(float32(-128 - lo / scale)) clamped (C round, half away from zero). Checked below
    against the converter on every case's input tensor (the float64 getNudgedScaleAndZeroPoint
    of FakeQuantSupport.cc, which runs first, differs by one ulp for some ranges)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32(np.float32(hi) - np.float32(lo)) / np.float32(255.0)
    zp = np.float32(-128.0 - lo / float(scale))
    if zp < -128.0:
        nudged = -128
    elif zp > 127.0:
        nudged = 127
    else:
        nudged = int(np.sign(zp) * np.floor(abs(float(zp)) + 0.5))
    return np.float32(scale), nudged


def elu_from_relu(content, lo, hi):
    """TF 2.21's converter leaves ELU in float (DEQUANTIZE -> ELU -> QUANTIZE). The int8 ELU
    model is made from the converted int8 RELU model of the same input range: the operator
    code becomes ELU (version 1) and the output tensor gets the quantization
    the converter's formula gives the calibrated output range [expm1(min), max]."""
    import flatbuffers

    m = schema.ModelT.InitFromObj(schema.Model.GetRootAs(bytearray(content), 0))
    assert len(m.operatorCodes) == 1 and len(m.subgraphs[0].operators) == 1
    code = m.operatorCodes[0]
    assert max(code.builtinCode, code.deprecatedBuiltinCode) == schema.BuiltinOperator.RELU
    code.builtinCode = schema.BuiltinOperator.ELU
    code.deprecatedBuiltinCode = schema.BuiltinOperator.ELU
    code.version = 1
    op = m.subgraphs[0].operators[0]
    out = m.subgraphs[0].tensors[op.outputs[0]]
    scale, zp = from_min_max(np.expm1(np.float64(lo)), hi)
    out.quantization.scale = [float(scale)]
    out.quantization.zeroPoint = [zp]
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def run_case(name, op, n, lo, hi, samples, alpha=None, seed=0):
    keras.utils.set_random_seed(1234)
    built = "RELU" if op == "ELU" else op
    model = keras.Sequential([keras.Input((n,)), layer_for(built, alpha)], name=name)
    content = convert(model, calibration(n, lo, hi, seed))
    if op == "ELU":
        content = elu_from_relu(content, lo, hi)
    ops = flatbuffer_ops(content)
    assert [o[0] for o in ops] == [op], (name, ops)
    opts = ops[0][1]
    # LiteRT's BUILTIN_REF resolver registers no ELU (tflite/kernels/register_ref.cc); ELU has
    # one int8 kernel, a lookup table (activations.cc EluPrepare/EluEval, no kernel variants),
    # which the builtin resolver runs (without XNNPACK, which would take the operator over).
    resolver = (
        litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        if op == "ELU"
        else litert.OpResolverType.BUILTIN_REF
    )
    it = interpreter(content, resolver)
    assert [o["op_name"] for o in it._get_ops_details()] == [op]
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    assert inp["dtype"] == np.int8 and out["dtype"] == np.int8, (inp, out)
    assert list(inp["shape"]) == [1, n], inp["shape"]
    in_s, in_z = qparams(inp)
    out_s, out_z = qparams(out)
    assert (in_s, in_z) == from_min_max(lo, hi), (name, in_s, in_z, from_min_max(lo, hi))
    lines = []
    head = f"case {name} op={op} n={n}"
    if op == "ELU":
        head += " resolver=BUILTIN_WITHOUT_DEFAULT_DELEGATES"
    if "alpha" in opts:
        head += f" alpha={f32(opts['alpha'])}"
    if "beta" in opts:
        head += f" beta={f32(opts['beta'])}"
    lines.append(head)
    lines.append(f"calibration_min {f32(lo)} {f32_bits(lo)}")
    lines.append(f"calibration_max {f32(hi)} {f32_bits(hi)}")
    lines.append(f"input_scale {f32(in_s)} {f32_bits(in_s)}")
    lines.append(f"input_zero_point {in_z}")
    lines.append(f"output_scale {f32(out_s)} {f32_bits(out_s)}")
    lines.append(f"output_zero_point {out_z}")
    for x in samples:
        x = np.asarray(x, dtype=np.int8).reshape(1, n)
        it.set_tensor(inp["index"], x)
        it.invoke()
        y = it.get_tensor(out["index"]).reshape(-1).copy()
        lines.append(f"sample {ints(x)} | {ints(y)}")
    lines.append("end")
    lines.append("")
    print(f"{name}: {op} n={n} range [{lo}, {hi}] -> input scale {in_s} zp {in_z}, "
          f"output scale {out_s} zp {out_z}, {len(samples)} samples", flush=True)
    return lines


def header(kind, description):
    return [
        f"# {kind}: {description}",
        "# Keras Input(shape=(n,)) -> the activation alone, converted by "
        "tf.lite.TFLiteConverter.from_keras_model with optimizations [Optimize.DEFAULT], a "
        f"representative_dataset of {N_CALIBRATION} float32 vectors uniform in "
        "[calibration_min, calibration_max] (both ends present), supported_ops "
        "[TFLITE_BUILTINS_INT8], inference_input_type = inference_output_type = int8; the "
        "converted model is checked to be exactly the one operator",
        "# run by ai_edge_litert.interpreter.Interpreter(model_content=..., "
        "experimental_op_resolver_type=OpResolverType.BUILTIN_REF), one sample per invoke",
        f"# made by: {COMMAND}",
        f"# versions: {VERSIONS}",
        "# format: 'case <name> op=<OP> n=<width> [alpha=..] [beta=..]', then "
        "'calibration_min|calibration_max|input_scale|output_scale <f32> <f32 bits>', "
        "'input_zero_point|output_zero_point <int>', one 'sample <n int8 inputs> | "
        "<n int8 outputs>' per invocation, 'end'",
        "",
    ]


def write(kind, lines):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f"{kind}.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")


ALL_INT8 = [np.arange(-128, 128, dtype=np.int8)]

# Input ranges [min, max] of the elementwise cases: symmetric, asymmetric both ways, small.
RANGES = [
    ("sym4", -4.0, 4.0),
    ("m1p3", -1.0, 3.0),
    ("m8p2", -8.0, 2.0),
    ("m05p6", -0.5, 6.0),
    ("small", -0.375, 0.25),
    # where the converter's float32 scale and the float64 one differ by one ulp
    ("ulp", -3.0, 3.6484129428863525),
]


def near_tie_ranges(op, count=3, lo=-3.0, tolerance=2e-6):
    """Input ranges [lo, hi] (hi an f32) for which some int8 input's exact output, in output
    steps, lies within `tolerance` of a rounding boundary: there a table computed in f32, the
    exact function and a fixed-point kernel can round to different sides. Chosen from the
    float64 function of the dequantized inputs and the converter's formula for the
    quantizations (from_min_max), not from LiteRT's outputs."""
    q = np.arange(-128, 128)
    found = []
    for k in range(1, 400000):
        hi = float(np.float32(1.0 + k * 0.000731))
        s, z = from_min_max(lo, hi)
        x = (np.float32(s) * (q - z).astype(np.float32)).astype(np.float64)
        if op == "LOGISTIC":
            y, keep = 256.0 / (1.0 + np.exp(-x)), lambda y: y < 255.0
        elif op == "TANH":
            y, keep = 128.0 * np.tanh(x), lambda y: np.abs(y) < 127.0
        else:  # ELU: the output range [expm1(lo), hi]
            os_, _ = from_min_max(np.expm1(lo), hi)
            y = np.where(x < 0, np.expm1(x), x) / np.float64(os_)
            keep = lambda y: np.abs(y) < 120.0  # noqa: E731
        dist = np.abs(y - np.floor(y) - 0.5)
        if np.any((dist < tolerance) & keep(y)):
            found.append((f"tie{len(found)}", lo, hi))
            if len(found) == count:
                return found
    raise RuntimeError(f"no near-tie range for {op}")


def elementwise(kind, op, description, ranges=RANGES, alphas=(None,)):
    if op in ("LOGISTIC", "TANH", "ELU"):
        ranges = ranges + near_tie_ranges(op)
    lines = header(kind, description)
    seed = 0
    for alpha in alphas:
        for tag, lo, hi in ranges:
            name = f"{kind}_{tag}" + ("" if alpha is None else f"_alpha{alpha}")
            lines += run_case(name, op, 256, lo, hi, ALL_INT8, alpha=alpha, seed=seed)
            seed += 1
    write(kind, lines)


def softmax_samples(n, rng):
    s = []
    # edge cases
    for v in (-128, -1, 0, 5, 127):
        s.append(np.full(n, v))
    for pos in (0, n - 1):
        e = np.full(n, -128)
        e[pos] = 127
        s.append(e)
        e = np.full(n, 0)
        e[pos] = 1
        s.append(e)
        e = np.full(n, 100)
        e[pos] = 99
        s.append(e)
    s.append(np.arange(n) * (255 // max(n - 1, 1)) - 128)
    two = np.full(n, -20)
    two[0] = two[-1] = 30
    s.append(two)
    # uniform random
    for _ in range(300):
        s.append(rng.integers(-128, 128, size=n))
    # clustered: within a few steps of each other
    for _ in range(150):
        base = int(rng.integers(-120, 120))
        spread = int(rng.integers(1, 24))
        s.append(np.clip(base + rng.integers(-spread, spread + 1, size=n), -128, 127))
    return [np.asarray(x, dtype=np.int8) for x in s]


def near_ties(n, scale, rng, count=150, candidates=40000):
    """Rows whose exact softmax, times 256, lies within 1e-4 of a half-integer for some output:
    where any approximation of exp or of the division (gemmlowp's fixed point, a float table)
    can round to the other side. Chosen from the float64 softmax of the dequantized input
    (computed here, not from LiteRT's outputs), so that the fixture tells the integer softmax
    from an exact one."""
    picked = []
    for _ in range(candidates):
        base = int(rng.integers(-100, 100))
        spread = int(rng.integers(1, 40))
        x = np.clip(base + rng.integers(-spread, spread + 1, size=n), -128, 127)
        v = float(scale) * (x - x.max()).astype(np.float64)
        p = np.exp(v) / np.exp(v).sum() * 256.0
        frac = p - np.floor(p)
        if np.any(np.abs(frac - 0.5) < 1e-4):
            picked.append(np.asarray(x, dtype=np.int8))
            if len(picked) == count:
                break
    return picked


SOFTMAX_RANGES = [
    ("sym4", -4.0, 4.0),
    ("m10p6", -10.0, 6.0),
    ("m15p25", -1.5, 2.5),
    ("m40p24", -40.0, 24.0),
    ("wide", -5000.0, 3000.0),  # input_scale · 2²⁶ above 2³⁰ − 1: the multiplier is capped
]


def softmax():
    lines = header("softmax", "int8 SOFTMAX (beta 1) on vectors of width 3, 10 and 16")
    rng = np.random.default_rng(4242)
    seed = 100
    for n in (3, 10, 16):
        for tag, lo, hi in SOFTMAX_RANGES:
            scale, _ = from_min_max(lo, hi)
            rows = softmax_samples(n, rng) + near_ties(n, scale, rng)
            lines += run_case(f"softmax_n{n}_{tag}", "SOFTMAX", n, lo, hi, rows, seed=seed)
            seed += 1
    write("softmax", lines)


def main():
    only = set(sys.argv[1:])
    if not only or "logistic" in only:
        elementwise("logistic", "LOGISTIC", "int8 LOGISTIC (Keras sigmoid), every int8 input")
    if not only or "tanh" in only:
        elementwise("tanh", "TANH", "int8 TANH, every int8 input")
    if not only or "relu" in only:
        elementwise("relu", "RELU", "int8 RELU (standalone), every int8 input")
    if not only or "leaky_relu" in only:
        elementwise("leaky_relu", "LEAKY_RELU", "int8 LEAKY_RELU, every int8 input",
                    alphas=(0.2, 0.01, 0.5))
    if not only or "elu" in only:
        elementwise("elu", "ELU", "int8 ELU, every int8 input. TF 2.21's converter leaves ELU "
                    "in float (DEQUANTIZE -> ELU -> QUANTIZE), so each model is the converted "
                    "int8 RELU model of the same input range with its operator code set to ELU "
                    "(version 1) and its output quantization set by the converter's formula "
                    "(from_min_max) to the output range [expm1(min), max]. LiteRT's "
                    "BUILTIN_REF resolver has no ELU: these cases ran with the BUILTIN_WITHOUT_DEFAULT_DELEGATES "
                    "resolver; ELU has a single int8 kernel, the lookup table built in "
                    "EluPrepare (activations.cc), whatever the resolver")
    if not only or "softmax" in only:
        softmax()


if __name__ == "__main__":
    main()

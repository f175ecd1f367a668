#!/usr/bin/env python3
"""Fully integer (int8) TFLite models and LiteRT reference-kernel outputs, for issue 17.

Small Keras `Sequential` models equivalent to the project's networks are trained (fixed seeds),
converted by TensorFlow's converter to fully integer int8 `.tflite` files (int8 input and output),
and run through LiteRT's *reference* kernels (`OpResolverType.BUILTIN_REF`). The Rust tests read
the committed files in `tests/fixtures/tflite/` without serde; Python never runs in the tests.

    python3 -m venv /work/venv-tf
    /work/venv-tf/bin/pip install tensorflow-cpu ai-edge-litert numpy scikit-learn
    /work/venv-tf/bin/python scripts/tflite_fixtures.py

Models (the name is the file stem):

    sine                    1-16-16-1   Dense(16, relu) -> Dense(16, relu) -> Dense(1)
    classifier_per_channel  2-16-3      Dense(16, relu) -> Dense(3) -> Softmax   (per-channel)
    classifier_per_tensor   2-16-3      the same trained network, per-tensor weight scales
    digits                  64-32-10    Dense(32, relu) -> Dense(10) -> Softmax

For each: `<name>.tflite`, `<name>.txt` (header + one line per sample), `<name>.layers.txt`
(int8 weights, int32 biases, scales and zero points as read back from the interpreter), and per
trained network `<net>.calibration.txt` (the converter's representative dataset, in order).

Determinism: the script re-executes itself with PYTHONHASHSEED=0, enables TF op determinism,
turns oneDNN off (TF_ENABLE_ONEDNN_OPTS=0), runs TF single-threaded and seeds everything with fixed seeds; running it twice gives
byte-identical files (checked when the fixtures were made).

Note for the Rust side (checked by hand on sine.txt from sine.layers.txt with an integer-only
re-implementation): this LiteRT's BUILTIN_REF FULLY_CONNECTED requantizes with *single rounding*
(TFLITE_SINGLE_ROUNDING: quantize_multiplier(s_in * s_w / s_out) as double -> (q, shift), then
(acc * q + 2^(30 - shift)) >> (31 - shift)), which gives 200/200 sine outputs exactly; the
double-rounding form (SaturatingRoundingDoublingHighMul then RoundingDivideByPOT) gives 192/200.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_DETERMINISTIC_OPS"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # oneDNN may reorder float sums

import math  # noqa: E402
from importlib import metadata  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.experimental.enable_op_determinism()

import keras  # noqa: E402
from ai_edge_litert import interpreter as litert  # noqa: E402
from ai_edge_litert import schema_py_generated as schema  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "tflite")
COMMAND = "/work/venv-tf/bin/python scripts/tflite_fixtures.py"
N_SAMPLES = 200
N_CALIBRATION = 200


def version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


VERSIONS = (
    f"tensorflow-cpu {version('tensorflow-cpu')} (tf.__version__ {tf.__version__}), "
    f"keras {keras.__version__}, ai-edge-litert {version('ai-edge-litert')}, "
    f"numpy {np.__version__}, scikit-learn {version('scikit-learn')}, "
    f"python {sys.version.split()[0]}"
)


# ---- number formatting ---------------------------------------------------------------------


def f32(v):
    """The shortest decimal that parses back (as f32, or as f64 then `as f32`) to this f32."""
    return np.format_float_positional(np.float32(v), unique=True, trim="0")


def f32_bits(v):
    return "0x%08x" % int(np.array(v, dtype=np.float32).view(np.uint32))


def ints(a):
    return " ".join(str(int(v)) for v in np.asarray(a).reshape(-1))


def floats(a):
    return " ".join(f32(v) for v in np.asarray(a, dtype=np.float32).reshape(-1))


# ---- quantization of the input, as LiteRT's reference QUANTIZE kernel does it ---------------


def quantize(x, scale, zero_point):
    """int8 of float32 `x`: clamp(round_half_away_from_zero(x / scale) + zero_point, -128, 127).

    `x / scale` is a float32 division (both operands float32), rounded like C's `round()`
    (TfLiteRound), as tflite::reference_ops::AffineQuantize computes it. Checked in this script
    against the QUANTIZE op of a float-input conversion of the same model run with BUILTIN_REF.
    """
    v = np.asarray(x, dtype=np.float32) / np.float32(scale)  # float32 / float32 in float32
    v = v.astype(np.float64)  # exact; |v| + 0.5 is exact in f64 for these magnitudes
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return np.clip(r + zero_point, -128, 127).astype(np.int8)


# ---- data and training ---------------------------------------------------------------------


def dense_model(n_in, layers, name):
    """Layers named fc0, fc1, ... and softmax, so tensor names in the .tflite do not depend on
    what else this process built before."""
    keras.utils.set_random_seed(1234)
    named = []
    for i, layer in enumerate(layers):
        config = layer.get_config()
        config["name"] = "softmax" if isinstance(layer, keras.layers.Softmax) else f"fc{i}"
        named.append(type(layer).from_config(config))
    return keras.Sequential([keras.Input((n_in,))] + named, name=name)


def train_sine():
    rng = np.random.default_rng(17)
    x_train = rng.uniform(0.0, 2 * math.pi, size=(1000, 1)).astype(np.float32)
    y_train = np.sin(x_train).astype(np.float32)
    model = dense_model(
        1,
        [
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ],
        "sine",
    )
    schedule = keras.optimizers.schedules.CosineDecay(0.02, 400 * (1000 // 50))
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    model.fit(x_train, y_train, epochs=400, batch_size=50, shuffle=True, verbose=0)
    calibration = x_train[:N_CALIBRATION]
    # samples: inside [0, 2π], plus a few outside it (the int8 input clamps there)
    inside = rng.uniform(0.0, 2 * math.pi, size=(N_SAMPLES - 6, 1)).astype(np.float32)
    outside = np.array([[-1.0], [-0.05], [6.3], [6.5], [7.0], [10.0]], dtype=np.float32)
    samples = np.concatenate([inside, outside])
    grid = np.linspace(0.0, 2 * math.pi, 1001, dtype=np.float32).reshape(-1, 1)
    return dict(
        model=model,
        calibration=calibration,
        samples=samples,
        held_out=(grid, np.sin(grid)),
        task="regression",
        data="x uniform in [0, 2π] (1000 training points, seed 17), target sin x; "
        "Adam(cosine decay from 0.02 over 400 epochs), MSE, 400 epochs, batch 50",
        samples_note=f"{N_SAMPLES - 6} x uniform in [0, 2π], then 6 outside it "
        "(-1, -0.05, 6.3, 6.5, 7, 10: the int8 input clamps)",
    )


CENTERS = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]], dtype=np.float32)


def blobs(rng, n_per_class):
    xs, ys = [], []
    for k, c in enumerate(CENTERS):
        xs.append(c + 0.9 * rng.standard_normal((n_per_class, 2)))
        ys.append(np.full(n_per_class, k))
    x = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys).astype(np.int64)
    perm = rng.permutation(len(y))
    return x[perm], y[perm]


def train_classifier():
    rng = np.random.default_rng(23)
    x_train, y_train = blobs(rng, 200)
    x_test, y_test = blobs(rng, 200)
    model = dense_model(
        2,
        [
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3),
            keras.layers.Softmax(),
        ],
        "classifier",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy"
    )
    model.fit(x_train, y_train, epochs=100, batch_size=32, shuffle=True, verbose=0)
    samples = np.concatenate(
        [x_test[: N_SAMPLES - 4], np.array([[-6.0, -5.0], [6.0, -5.0], [0.0, 7.0], [0.0, 0.0]])]
    ).astype(np.float32)
    return dict(
        model=model,
        calibration=x_train[:N_CALIBRATION],
        samples=samples,
        held_out=(x_test, y_test),
        task="classification",
        data="three Gaussian blobs, centres (-2,-1), (2,-1), (0,2), standard deviation 0.9, "
        "200 training points per class (seed 23), 200 held-out per class; Adam(0.01), "
        "sparse categorical cross-entropy, 100 epochs, batch 32",
        samples_note=f"the first {N_SAMPLES - 4} held-out points, then (-6,-5), (6,-5), (0,7) "
        "(outside the calibration range: the int8 input clamps) and (0,0)",
    )


def train_digits():
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
        x = (d.data / 16.0).astype(np.float32)  # pixels 0..16 -> k/16, exact in f32
        y = d.target.astype(np.int64)
        source = "scikit-learn's digits (load_digits, 1797 8x8 images), pixels divided by 16"
    except ImportError:
        rng = np.random.default_rng(31)
        protos = rng.uniform(0, 1, size=(10, 64))
        y = rng.integers(0, 10, size=1797)
        x = np.clip(protos[y] + 0.25 * rng.standard_normal((1797, 64)), 0, 1).astype(np.float32)
        source = "SYNTHETIC 64-feature 10-class problem (scikit-learn not installed)"
    perm = np.random.default_rng(29).permutation(len(y))
    x, y = x[perm], y[perm]
    x_train, y_train, x_test, y_test = x[:1297], y[:1297], x[1297:], y[1297:]
    model = dense_model(
        64,
        [
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10),
            keras.layers.Softmax(),
        ],
        "digits",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy"
    )
    model.fit(x_train, y_train, epochs=60, batch_size=32, shuffle=True, verbose=0)
    return dict(
        model=model,
        calibration=x_train[:N_CALIBRATION],
        samples=x_test[:N_SAMPLES],
        held_out=(x_test, y_test),
        task="classification",
        data=f"{source}; shuffled (seed 29), 1297 training, 500 held-out; Adam(0.005), "
        "sparse categorical cross-entropy, 60 epochs, batch 32",
        samples_note=f"the first {N_SAMPLES} held-out images",
    )


# ---- conversion and the interpreter --------------------------------------------------------


def convert(model, calibration, per_tensor, int8_io=True):
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative_dataset():
        for row in calibration:
            yield [row.reshape(1, -1).astype(np.float32)]

    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if int8_io:
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    if per_tensor:
        converter._experimental_disable_per_channel = True
    return converter.convert()


def interpreter(content, preserve=False):
    it = litert.Interpreter(
        model_content=content,
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
        experimental_preserve_all_tensors=preserve,
    )
    it.allocate_tensors()
    return it


def run(it, x):
    """Outputs of one input each (batch 1), stacked."""
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    ys = []
    for row in x:
        it.set_tensor(inp["index"], row.reshape(inp["shape"]).astype(inp["dtype"]))
        it.invoke()
        ys.append(it.get_tensor(out["index"]).reshape(-1).copy())
    return np.stack(ys)


def qparams(detail):
    q = detail["quantization_parameters"]
    return q["scales"], q["zero_points"], q["quantized_dimension"]


OP_NAMES = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
ACT_NAMES = {v: k for k, v in vars(schema.ActivationFunctionType).items() if not k.startswith("_")}


def flatbuffer_ops(content):
    """(op name, options dict) per operator of subgraph 0, read with LiteRT's schema module."""
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAs(bytearray(content), 0))
    ops = []
    for op in m.subgraphs[0].operators:
        code = m.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        opts = {}
        o = op.builtinOptions
        if isinstance(o, schema.FullyConnectedOptionsT):
            opts = dict(
                fused_activation=ACT_NAMES[o.fusedActivationFunction],
                keep_num_dims=bool(o.keepNumDims),
                weights_format=o.weightsFormat,
            )
        elif isinstance(o, schema.SoftmaxOptionsT):
            opts = dict(beta=f32(o.beta))
        ops.append((OP_NAMES[builtin], list(op.inputs), list(op.outputs), opts))
    return ops


def describe_tensor(details, index):
    d = details[index]
    s, z, qd = qparams(d)
    return d, s, z, qd


def layers_text(it, content):
    """The per-operator dump (weights, biases, scales), from the interpreter's tensor details."""
    details = {d["index"]: d for d in it.get_tensor_details()}
    lines = []
    summary = []
    ops = flatbuffer_ops(content)
    interp_ops = it._get_ops_details()
    assert [o["op_name"] for o in interp_ops] == [o[0] for o in ops], (interp_ops, ops)
    for i, (name, inputs, outputs, opts) in enumerate(ops):
        opt_text = " ".join(f"{k}={v}" for k, v in opts.items())
        lines.append(f"op {i} {name} {opt_text}".rstrip())
        roles = ["input", "weights", "bias"] if name == "FULLY_CONNECTED" else ["input"]
        for role, t in zip(roles, inputs):
            d, s, z, qd = describe_tensor(details, t)
            dtype = np.dtype(d["dtype"]).name
            lines.append(
                f"{role} tensor={t} name={d['name']} dtype={dtype} shape={ints(d['shape'])} "
                f"quantized_dimension={qd}"
            )
            lines.append(f"{role}_scales {floats(s)}")
            lines.append(f"{role}_scales_bits {' '.join(f32_bits(v) for v in s)}")
            lines.append(f"{role}_zero_points {ints(z)}")
            if role in ("weights", "bias"):
                values = it.get_tensor(t)
                if role == "weights":
                    # one line per output channel (row of the [out, in] matrix)
                    for r, row in enumerate(values.reshape(values.shape[0], -1)):
                        lines.append(f"weights_row {r} {ints(row)}")
                else:
                    lines.append(f"bias_values {ints(values)}")
                summary.append(
                    f"#   op {i} {name} {role} ({dtype}, shape {ints(d['shape'])}): "
                    f"scales {floats(s)}; zero points {ints(z)}"
                )
        for t in outputs:
            d, s, z, qd = describe_tensor(details, t)
            lines.append(
                f"output tensor={t} name={d['name']} dtype={np.dtype(d['dtype']).name} "
                f"shape={ints(d['shape'])}"
            )
            lines.append(f"output_scales {floats(s)}")
            lines.append(f"output_scales_bits {' '.join(f32_bits(v) for v in s)}")
            lines.append(f"output_zero_points {ints(z)}")
            summary.append(f"#   op {i} {name} output: scale {floats(s)} ({f32_bits(s[0])}), "
                           f"zero point {ints(z)}" + (f", {opt_text}" if opt_text else ""))
        lines.append("")
    return lines, summary, ops


# ---- one fixture ---------------------------------------------------------------------------


def keras_text(model):
    parts = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            act = layer.get_config()["activation"]
            parts.append(f"Dense({layer.units}{', ' + act if act != 'linear' else ''})")
        else:
            parts.append(type(layer).__name__ + "()")
    return " -> ".join(parts)


def accuracy_lines(net, it, in_s, in_z, out_s, out_z):
    x, y = net["held_out"]
    yf = net["model"](x, training=False).numpy()
    yq = run(it, quantize(x, in_s, in_z))
    yd = (yq.astype(np.float32) - out_z) * out_s
    if net["task"] == "regression":
        ef = float(np.max(np.abs(yf - y)))
        eq = float(np.max(np.abs(yd - y)))
        return [
            f"# float accuracy: max |keras(x) - sin x| = {ef:.4f} on 1001 points of [0, 2π]",
            f"# int8 accuracy:  max |dequantized int8 output - sin x| = {eq:.4f} on the same",
        ]
    af = float(np.mean(np.argmax(yf, 1) == y)) * 100
    aq = float(np.mean(np.argmax(yq, 1) == y)) * 100
    return [
        f"# float accuracy: {af:.2f}% on {len(y)} held-out inputs (Keras)",
        f"# int8 accuracy:  {aq:.2f}% on the same (LiteRT BUILTIN_REF, argmax of int8 output)",
    ]


def check_input_quantization(net, content_float_io, it_int8, in_s, in_z):
    """The float-input conversion's QUANTIZE op gives exactly `quantize(...)`, and the same
    int8 outputs pre-dequantization; checks the input rule recorded in the fixtures."""
    it = interpreter(content_float_io, preserve=True)
    ops = it._get_ops_details()
    assert ops[0]["op_name"] == "QUANTIZE", ops[0]
    q_out = ops[0]["outputs"][0]
    inp = it.get_input_details()[0]
    x = np.concatenate([net["samples"], net["held_out"][0]])
    mine = quantize(x, in_s, in_z)
    for row, expect in zip(x, mine):
        it.set_tensor(inp["index"], row.reshape(inp["shape"]))
        it.invoke()
        got = it.get_tensor(q_out).reshape(-1)
        assert np.array_equal(got, expect), (row, got, expect)


def write_fixture(name, net, per_tensor, description):
    model = net["model"]
    content = convert(model, net["calibration"], per_tensor)
    with open(os.path.join(OUT, f"{name}.tflite"), "wb") as f:
        f.write(content)
    it = interpreter(content)
    inp = it.get_input_details()[0]
    out = it.get_output_details()[0]
    assert inp["dtype"] == np.int8 and out["dtype"] == np.int8, (inp, out)
    (in_s,), (in_z,), _ = qparams(inp)
    (out_s,), (out_z,), _ = qparams(out)

    content_float = convert(model, net["calibration"], per_tensor, int8_io=False)
    check_input_quantization(net, content_float, it, in_s, in_z)

    layer_lines, summary, ops = layers_text(it, content)
    x = net["samples"]
    xq = quantize(x, in_s, in_z)
    yq = run(it, xq)
    yf = model(x, training=False).numpy()

    head = [
        f"# {name}: {description}",
        f"# Keras Sequential: {keras_text(model)}",
        f"# training: {net['data']}",
        "# converted by tf.lite.TFLiteConverter.from_keras_model (input shape [1, IN]), "
        "optimizations [Optimize.DEFAULT], representative_dataset = "
        f"{len(net['calibration'])} calibration inputs (the calibration.txt file, in order), "
        "supported_ops [TFLITE_BUILTINS_INT8], inference_input_type = inference_output_type = "
        "int8" + (", _experimental_disable_per_channel = True (per-tensor weight scales)"
                  if per_tensor else " (per-channel weight scales: the converter's default)"),
        "# run by ai_edge_litert.interpreter.Interpreter(model_content=..., "
        "experimental_op_resolver_type=OpResolverType.BUILTIN_REF), one input at a time",
        f"# made by: {COMMAND}",
        f"# versions: {VERSIONS}",
        f"# input quantization: scale {f32(in_s)} ({f32_bits(in_s)}), zero point {in_z}",
        f"# output quantization: scale {f32(out_s)} ({f32_bits(out_s)}), zero point {out_z}",
        "# input rule: q = clamp(round(x / scale) + zero_point, -128, 127), x / scale a float32 "
        "division, round half away from zero (C round()); identical to LiteRT's reference "
        "QUANTIZE kernel (checked on every sample and held-out input)",
        "# operators (weights, biases and activations; full dump in the .layers.txt file):",
    ] + summary + accuracy_lines(net, it, in_s, in_z, out_s, out_z) + [
        f"# samples: {net['samples_note']}",
        "# columns (tab-separated, numbers space-separated): float input (f32) | int8 input fed "
        "to the interpreter | int8 output of BUILTIN_REF | float output of the Keras model (f32)",
    ]
    lines = [
        "\t".join([floats(a), ints(b), ints(c), floats(d)]) for a, b, c, d in zip(x, xq, yq, yf)
    ]
    write_text(f"{name}.txt", head + lines)

    lhead = [
        f"# {name}: per-operator tensors of {name}.tflite, read back from the interpreter's "
        "get_tensor_details() / get_tensor() (fused activation and softmax beta from the "
        "flatbuffer's operator options)",
        f"# made by: {COMMAND}",
        f"# versions: {VERSIONS}",
        "# blocks: 'op <i> <OPERATOR> [options]', then per operand: '<role> tensor=.. name=.. "
        "dtype=.. shape=.. quantized_dimension=..', '<role>_scales' (f32), '<role>_scales_bits' "
        "(the f32 bit patterns), '<role>_zero_points';",
        "# FULLY_CONNECTED weights are int8 [out, in], one 'weights_row <r>' per output channel "
        "(per-channel scales index the rows); 'bias_values' are int32 at scale "
        "input_scale * weight_scale[r]",
        "",
    ]
    write_text(f"{name}.layers.txt", lhead + layer_lines)
    return ops


def write_text(filename, lines):
    with open(os.path.join(OUT, filename), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")


def write_calibration(stem, net):
    head = [
        f"# {stem}: the converter's representative_dataset, in order, one float32 input a line "
        "(space-separated), each given as a batch of 1",
        f"# made by: {COMMAND}",
    ]
    write_text(f"{stem}.calibration.txt", head + [floats(r) for r in net["calibration"]])


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])

    if not only or "sine" in only:
        net = train_sine()
        write_calibration("sine", net)
        write_fixture("sine", net, False, "1-16-16-1 regression of sin x on [0, 2π]")
    if not only or "classifier" in only:
        net = train_classifier()
        write_calibration("classifier", net)
        write_fixture("classifier_per_channel", net, False,
                      "2-16-3 classifier of three Gaussian blobs, per-channel weight scales")
        write_fixture("classifier_per_tensor", net, True,
                      "2-16-3 classifier of three Gaussian blobs (the same trained network), "
                      "per-tensor weight scales")
    if not only or "digits" in only:
        net = train_digits()
        write_calibration("digits", net)
        write_fixture("digits", net, False, "64-32-10 classifier of 8x8 digits, per-channel")


if __name__ == "__main__":
    main()

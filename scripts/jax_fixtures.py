#!/usr/bin/env python3
"""Values, gradients, Jacobians and Hessians from JAX in float64, for `tests/methods.rs`.

Every function below is written twice: here with `jax.numpy`, and in `tests/methods/functions.rs`
as a `#[mlp::grad]` Rust function of the same name (its Rust form is in `RUST`, and in the
fixture file's header). The test reads `tests/fixtures/jax/grad.txt` without serde; Python never
runs in the tests.

    python3 -m venv /work/venv-jax && /work/venv-jax/bin/pip install jax
    /work/venv-jax/bin/python scripts/jax_fixtures.py

The output is deterministic: fixed points, no randomness, numbers with `repr()` (the shortest
text that parses back to the same f64).
"""

import math
import os
import sys

import jax
import jaxlib

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402 (after the x64 switch)
import numpy as np  # noqa: E402

S = 0  # a scalar argument; a positive integer n is an `SVector<f64, n>` argument


def fn(name, args, rust, points, vector=False):
    """One function: its Rust name, argument shapes, Rust form, and points (flattened args)."""
    return dict(name=name, args=args, rust=rust, points=points, vector=vector)


def python_forms():
    """name -> the function over JAX arrays (scalars, or 1-D arrays for vector arguments)."""
    f = {}
    # ---- one method each ------------------------------------------------------------------
    f["sin_cos"] = lambda x, y: jnp.sin(x) * jnp.cos(y)
    f["tan_x"] = lambda x: jnp.tan(x)
    f["asin_acos"] = lambda x, y: jnp.arcsin(x) + jnp.arccos(y)
    f["atan_times"] = lambda x, y: jnp.arctan(x) * y
    f["atan2_yx"] = lambda x, y: jnp.arctan2(y, x)
    f["sinh_cosh"] = lambda x, y: jnp.sinh(x) - jnp.cosh(y)
    f["tanh_x"] = lambda x: jnp.tanh(x)
    f["asinh_x"] = lambda x: jnp.arcsinh(x)
    f["acosh_x"] = lambda x: jnp.arccosh(x)
    f["atanh_x"] = lambda x: jnp.arctanh(x)
    f["exp2_x"] = lambda x: jnp.exp2(x)
    f["exp_m1_x"] = lambda x: jnp.expm1(x)
    f["ln_1p_x"] = lambda x: jnp.log1p(x)
    f["log_base"] = lambda x, y: jnp.log(x) / jnp.log(y)
    f["log2_x"] = lambda x: jnp.log2(x)
    f["log10_x"] = lambda x: jnp.log10(x)
    f["cbrt_x"] = lambda x: jnp.cbrt(x)
    f["powf_xy"] = lambda x, y: jnp.power(x, y)
    f["powf_const"] = lambda x: jnp.power(x, 1.5)
    f["recip_x"] = lambda x: jnp.reciprocal(x)
    f["abs_x"] = lambda x: jnp.abs(x)
    f["signum_times"] = lambda x, y: jnp.sign(x) * y
    f["copysign_xy"] = lambda x, y: jnp.copysign(x, y)
    f["hypot_xy"] = lambda x, y: jnp.hypot(x, y)
    f["mul_add_xyz"] = lambda x, y, z: x * y + z
    f["min_xy"] = lambda x, y: jnp.minimum(x, y)
    f["max_xy"] = lambda x, y: jnp.maximum(x, y)
    f["min_const"] = lambda x: jnp.minimum(x, 0.5)
    f["max_const"] = lambda x: jnp.maximum(x, 0.5)
    f["clamp_x"] = lambda x: jnp.clip(x, -1.0, 1.0)
    f["sqrt_x"] = lambda x: jnp.sqrt(x)
    f["exp_x"] = lambda x: jnp.exp(x)
    f["ln_x"] = lambda x: jnp.log(x)
    f["powi3_x"] = lambda x: x**3
    f["powi_neg"] = lambda x: x ** (-2)
    f["degrees_radians"] = lambda x, y: jnp.degrees(x) + jnp.radians(y)
    # ---- composites -----------------------------------------------------------------------
    f["softplus_ln_1p"] = lambda x: jnp.log1p(jnp.exp(x))
    f["polar"] = lambda r, th: jnp.stack([r * jnp.cos(th), r * jnp.sin(th)])
    f["spherical"] = lambda r, th, ph: jnp.stack(
        [r * jnp.sin(th) * jnp.cos(ph), r * jnp.sin(th) * jnp.sin(ph), r * jnp.cos(th)]
    )
    f["pendulum_energy"] = lambda th, w: 0.5 * w * w - 9.81 * (1.0 - jnp.cos(th))

    def logistic_nll(w, x, y):
        p = jnp.dot(w, x)
        return jnp.log(1.0 + jnp.exp(p)) - y * p

    f["logistic_nll"] = logistic_nll

    def rosenbrock_terms(v):
        return sum(100.0 * (v[i + 1] - v[i] * v[i]) ** 2 + (1.0 - v[i]) ** 2 for i in range(4))

    f["rosenbrock_indexed"] = rosenbrock_terms
    f["rosenbrock"] = lambda a, b, c, d, e: rosenbrock_terms([a, b, c, d, e])
    f["huber"] = lambda r: jnp.where(jnp.abs(r) <= 1.0, 0.5 * r * r, jnp.abs(r) - 0.5)

    def horner(x):
        acc = 4.0
        for c in (3.0, 2.0, 1.0):
            acc = acc * x + c
        return acc

    f["horner"] = horner
    f["horner_loop"] = horner
    f["map_sin_sum"] = lambda v: jnp.sum(jnp.sin(v))
    f["map_abs_dot"] = lambda v, w: jnp.dot(jnp.abs(v), w)
    f["map_atan_norm_squared"] = lambda v: jnp.sum(jnp.arctan(v) ** 2)
    f["map_sin_exp"] = lambda v: jnp.sin(v) * jnp.exp(v)
    f["map_atan_scaled"] = lambda v, s: jnp.arctan(v) * jnp.cosh(s)
    f["mixed_sin_exp"] = lambda x, y, z: jnp.exp(jnp.sin(x * y)) / jnp.sqrt(1.0 + z * z)
    f["mixed_cosh_tanh"] = lambda x, y, z: jnp.log(jnp.cosh(x)) - jnp.tanh(y) * z
    f["mixed_powf_hypot"] = lambda x, y, z: jnp.hypot(jnp.power(x, 2.5) + jnp.cbrt(y), z)
    f["mixed_atan2_exp2"] = lambda x, y, z: jnp.arctan2(jnp.sin(x) + jnp.exp2(y), jnp.cosh(z))
    f["mixed_log_chain"] = lambda x, y: jnp.log2(jnp.hypot(x, y)) * jnp.arcsinh(x * y) + jnp.log10(
        1.0 + x * x
    )
    return f


def functions():
    """The functions, their Rust forms, and the points (flattened arguments) to evaluate."""
    return [
        # ---- one method each --------------------------------------------------------------
        fn("sin_cos", [S, S], "x.sin() * y.cos()",
           [[0.3, -1.2], [1.7, 0.4], [-2.5, 2.9], [0.0, 0.0], [4.1, -3.3]]),
        fn("tan_x", [S], "x.tan()", [[0.3], [-1.1], [1.3], [2.0], [-0.05]]),
        fn("asin_acos", [S, S], "x.asin() + y.acos()  (|x|, |y| < 1)",
           [[0.3, -0.6], [-0.9, 0.2], [0.75, 0.95], [-0.1, -0.85], [0.0, 0.5]]),
        fn("atan_times", [S, S], "x.atan() * y",
           [[0.3, 2.0], [-4.0, 0.7], [12.5, -1.5], [-0.2, -3.0]]),
        fn("atan2_yx", [S, S], "y.atan2(x)  (all four quadrants)",
           [[1.5, 0.5], [-0.8, 1.2], [-2.0, -0.3], [0.4, -1.7], [3.0, 0.0001]]),
        fn("sinh_cosh", [S, S], "x.sinh() - y.cosh()",
           [[0.3, -1.2], [2.5, 0.4], [-1.7, 3.1], [0.0, 0.0]]),
        fn("tanh_x", [S], "x.tanh()", [[0.3], [-1.4], [2.2], [-0.01], [5.0]]),
        fn("asinh_x", [S], "x.asinh()", [[0.3], [-1.4], [25.0], [-7.5], [0.001]]),
        fn("acosh_x", [S], "x.acosh()  (x > 1)", [[1.2], [2.0], [7.5], [40.0], [1.1]]),
        fn("atanh_x", [S], "x.atanh()  (|x| < 1)", [[0.3], [-0.6], [0.9], [-0.85], [0.02]]),
        fn("exp2_x", [S], "x.exp2()", [[0.3], [-1.4], [3.5], [-6.25], [10.0]]),
        fn("exp_m1_x", [S], "x.exp_m1()", [[0.3], [-1.4], [1e-5], [-2e-8], [4.5]]),
        fn("ln_1p_x", [S], "x.ln_1p()  (x > -1)", [[0.3], [-0.6], [1e-6], [-3e-9], [12.0]]),
        fn("log_base", [S, S], "x.log(y)  (x, y > 0, y != 1; ln x / ln y)",
           [[8.0, 2.0], [0.3, 10.0], [5.5, 0.5], [1.7, 3.2], [0.05, 0.25]]),
        fn("log2_x", [S], "x.log2()", [[0.3], [1.7], [8.0], [123.4], [0.01]]),
        fn("log10_x", [S], "x.log10()", [[0.3], [1.7], [1000.0], [55.5], [0.002]]),
        fn("cbrt_x", [S], "x.cbrt()  (x != 0, both signs)",
           [[0.3], [-0.3], [27.0], [-8.5], [1.9]]),
        fn("powf_xy", [S, S], "x.powf(y)  (x > 0)",
           [[1.5, 2.5], [0.3, -1.2], [2.0, 0.5], [4.2, 1.0], [0.8, 3.3]]),
        fn("powf_const", [S], "x.powf(1.5)  (x > 0)", [[0.3], [1.7], [4.0], [10.5]]),
        fn("recip_x", [S], "x.recip()", [[0.3], [-1.4], [25.0], [-0.07]]),
        fn("abs_x", [S], "x.abs()  (both signs, not 0)", [[0.3], [-0.3], [2.5], [-7.25]]),
        fn("signum_times", [S, S], "x.signum() * y  (x != 0)",
           [[0.3, 2.0], [-0.3, 2.0], [5.0, -1.5], [-2.5, -0.4]]),
        fn("copysign_xy", [S, S], "x.copysign(y)  (x, y != 0)",
           [[0.3, 2.0], [-0.3, 2.0], [1.5, -1.5], [-2.5, -0.4]]),
        fn("hypot_xy", [S, S], "x.hypot(y)",
           [[3.0, 4.0], [-0.3, 1.2], [2.5, -0.01], [-1.1, -1.9]]),
        fn("mul_add_xyz", [S, S, S], "x.mul_add(y, z)",
           [[0.3, -1.2, 0.7], [2.0, 3.0, 4.0], [-1.5, 0.25, -0.125], [0.5, 0.5, 10.0]]),
        fn("min_xy", [S, S], "x.min(y)  (no ties)",
           [[0.3, -1.2], [-1.2, 0.3], [2.0, 2.5], [-0.5, -0.75]]),
        fn("max_xy", [S, S], "x.max(y)  (no ties)",
           [[0.3, -1.2], [-1.2, 0.3], [2.0, 2.5], [-0.5, -0.75]]),
        fn("min_const", [S], "x.min(0.5)  (not at 0.5)", [[0.3], [-1.2], [0.7], [2.5]]),
        fn("max_const", [S], "x.max(0.5)  (not at 0.5)", [[0.3], [-1.2], [0.7], [2.5]]),
        fn("clamp_x", [S], "x.clamp(-1.0, 1.0)  (inside and outside, not at -1 or 1)",
           [[0.3], [-0.7], [1.5], [-2.0], [0.99], [-1.01]]),
        fn("sqrt_x", [S], "x.sqrt()", [[0.3], [2.0], [16.0], [0.0004]]),
        fn("exp_x", [S], "x.exp()", [[0.3], [-1.4], [3.5], [-10.0]]),
        fn("ln_x", [S], "x.ln()", [[0.3], [1.0], [2.5], [1e-3], [1e3]]),
        fn("powi3_x", [S], "x.powi(3)", [[0.3], [-1.4], [2.5], [0.0]]),
        fn("powi_neg", [S], "x.powi(-2)  (x != 0)", [[0.3], [-1.4], [2.5], [-7.0]]),
        fn("degrees_radians", [S, S], "x.to_degrees() + y.to_radians()",
           [[0.3, 45.0], [-1.4, 180.0], [3.0, -90.0], [0.0, 1.0]]),
        # ---- composites -------------------------------------------------------------------
        fn("softplus_ln_1p", [S], "x.exp().ln_1p()", [[0.3], [-4.0], [2.5], [-0.7], [8.0]]),
        fn("polar", [S, S], "(r cos th, r sin th): SVector<f64, 2>",
           [[1.0, 0.3], [2.5, 2.0], [0.4, -1.2], [3.0, 4.0]], vector=True),
        fn("spherical", [S, S, S],
           "(r sin th cos ph, r sin th sin ph, r cos th): SVector<f64, 3>",
           [[1.0, 0.3, 0.5], [2.5, 2.0, -1.0], [0.4, 1.2, 3.0], [3.0, 0.7, 5.5]], vector=True),
        fn("pendulum_energy", [S, S], "0.5 * w * w - 9.81 * (1.0 - th.cos())  (args th, w)",
           [[0.3, 1.0], [-1.2, 0.5], [2.8, -2.0], [0.0, 0.0]]),
        fn("logistic_nll", [3, 3, S],
           "let p = w.dot(&x); (1.0 + p.exp()).ln() - y * p  (w, x: SVector<f64, 3>; y: f64)",
           [[0.5, -1.0, 2.0, 1.0, 0.25, -0.5, 1.0],
            [0.1, 0.2, 0.3, -1.0, 2.0, 0.5, 0.0],
            [-1.5, 0.7, 0.2, 0.3, 0.9, -2.0, 1.0],
            [2.0, 1.0, -0.5, 1.5, -0.5, 0.25, 0.0]]),
        fn("rosenbrock_indexed", [5],
           "sum over i < 4 of 100 (v[i+1] - v[i]^2)^2 + (1 - v[i])^2, written with v[0]..v[4]",
           [[1.0, 1.0, 1.0, 1.0, 1.0], [-1.2, 1.0, 0.5, -0.3, 2.0],
            [0.1, 0.2, 0.3, 0.4, 0.5], [1.5, -0.5, 0.8, 1.1, -2.0]]),
        fn("rosenbrock", [S, S, S, S, S], "the same with five scalars a, b, c, d, e",
           [[1.0, 1.0, 1.0, 1.0, 1.0], [-1.2, 1.0, 0.5, -0.3, 2.0],
            [0.1, 0.2, 0.3, 0.4, 0.5], [1.5, -0.5, 0.8, 1.1, -2.0]]),
        fn("huber", [S], "if r.abs() <= 1.0 { 0.5 * r * r } else { r.abs() - 0.5 }",
           [[0.3], [-0.8], [1.7], [-2.5], [0.0]]),
        fn("horner", [S], "1 + 2x + 3x^2 + 4x^3 as 1.0 + x * (2.0 + x * (3.0 + x * 4.0))",
           [[0.3], [-1.4], [2.5], [0.0], [-0.6]]),
        fn("horner_loop", [S], "the same as a loop over the coefficients [4, 3, 2, 1]",
           [[0.3], [-1.4], [2.5], [0.0], [-0.6]]),
        fn("map_sin_sum", [3], "v.map(|t| t.sin()).sum()",
           [[0.3, -1.2, 2.0], [0.0, 1.5, -3.0], [4.0, 0.1, -0.7], [-2.2, 2.2, 0.9]]),
        fn("map_abs_dot", [3, 3], "v.map(|t| t.abs()).dot(&w)  (v without zeros)",
           [[0.3, -1.2, 2.0, 1.0, 0.5, -0.25], [-0.4, 1.5, -3.0, 2.0, -1.0, 0.7],
            [4.0, 0.1, -0.7, -0.3, 0.3, 1.1], [-2.2, 2.2, 0.9, 0.0, 1.0, -2.0]]),
        fn("map_atan_norm_squared", [3], "v.map(|t| t.atan()).norm_squared()",
           [[0.3, -1.2, 2.0], [0.0, 1.5, -3.0], [4.0, 0.1, -0.7], [-12.0, 2.2, 0.9]]),
        fn("map_sin_exp", [3], "v.map(|t| t.sin() * t.exp()): SVector<f64, 3>",
           [[0.3, -1.2, 2.0], [0.0, 1.5, -3.0], [4.0, 0.1, -0.7], [-2.2, 2.2, 0.9]],
           vector=True),
        fn("map_atan_scaled", [3, S], "v.map(|t| t.atan()) * s.cosh(): SVector<f64, 3>",
           [[0.3, -1.2, 2.0, 0.5], [0.0, 1.5, -3.0, -1.1], [4.0, 0.1, -0.7, 0.0],
            [-2.2, 2.2, 0.9, 2.4]], vector=True),
        fn("mixed_sin_exp", [S, S, S], "(x * y).sin().exp() / (1.0 + z * z).sqrt()",
           [[0.3, -1.2, 0.7], [2.0, 1.5, -3.0], [-0.5, 0.25, 0.0], [1.1, -2.3, 4.0]]),
        fn("mixed_cosh_tanh", [S, S, S], "x.cosh().ln() - y.tanh() * z",
           [[0.3, -1.2, 0.7], [2.0, 1.5, -3.0], [-0.5, 0.25, 0.0], [4.1, -2.3, 4.0]]),
        fn("mixed_powf_hypot", [S, S, S], "(x.powf(2.5) + y.cbrt()).hypot(z)  (x > 0, y != 0)",
           [[0.3, -1.2, 0.7], [2.0, 1.5, -3.0], [0.5, 0.25, 0.1], [1.1, -2.3, 4.0]]),
        fn("mixed_atan2_exp2", [S, S, S], "(x.sin() + y.exp2()).atan2(z.cosh())",
           [[0.3, -1.2, 0.7], [2.0, 1.5, -3.0], [-2.5, -4.0, 0.0], [4.1, 0.3, 1.0]]),
        fn("mixed_log_chain", [S, S],
           "x.hypot(y).log2() * (x * y).asinh() + (1.0 + x * x).log10()  ((x, y) != 0)",
           [[0.3, -1.2], [2.0, 1.5], [-0.5, 0.25], [4.1, -2.3]]),
    ]


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def text(values):
    for v in values:
        if not math.isfinite(v):
            raise ValueError(f"not finite: {values}")
    return " ".join(repr(v) for v in values)


def unflatten(args, p):
    out, at = [], 0
    for n in args:
        if n == S:
            out.append(p[at])
            at += 1
        else:
            out.append(p[at : at + n])
            at += n
    return out


def evaluate(spec, f):
    args = spec["args"]
    size = sum(1 if n == S else n for n in args)

    def on_flat(p):
        return f(*unflatten(args, p))

    lines = []
    for point in spec["points"]:
        if len(point) != size:
            raise ValueError(f"{spec['name']}: {point} has not {size} numbers")
        p = jnp.asarray(point, dtype=jnp.float64)
        value = on_flat(p)
        if spec["vector"]:
            # Row i of the Jacobian is the gradient of output i by every argument, in order.
            values = flat(value)
            derivative = flat(jax.jacrev(on_flat)(p))
            hessian = "-"
        else:
            values = [float(value)]
            # jax.grad by every argument (argnums), flattened in argument order; it equals the
            # gradient of the flattened function, which the check below confirms.
            parts = unflatten(args, p)
            grads = jax.grad(f, argnums=tuple(range(len(args))))(*parts)
            derivative = [v for g in grads for v in flat(g)]
            assert np.allclose(derivative, flat(jax.grad(on_flat)(p)), rtol=0, atol=0)
            hessian = text(flat(jax.hessian(on_flat)(p)))
        lines.append(
            "\t".join([spec["name"], text(flat(p)), text(values), text(derivative), hessian])
        )
    return lines


HEADER = """\
# Values, gradients, Jacobians and Hessians of the functions of tests/methods/functions.rs,
# computed by JAX {jax} (jaxlib {jaxlib}, NumPy {numpy}) in float64 (jax_enable_x64):
#     /work/venv-jax/bin/python scripts/jax_fixtures.py
# Do not edit: run the script again. Read by tests/methods.rs.
#
# One line per point, five fields separated by tabs:
#   name      the Rust function (snake_case), as in the list below
#   args      the arguments flattened in order (an SVector<f64, n> as its n entries)
#   value     f, or the n entries of a vector result
#   gradient  jax.grad by every argument, flattened argument by argument (a matrix argument
#             would be column-major, as nalgebra stores it); for a vector result the Jacobian
#             jax.jacrev, row by row: row i is the gradient of entry i by every argument
#   hessian   jax.hessian of f over the flattened argument vector, row-major; `-` for a vector
#             result
# Numbers are Python repr() of float64: the shortest decimal that parses back to the same f64.
# Points lie inside each domain and away from kinks and ties.
#
# Functions ({count}; {points} points), argument shapes (s scalar, n an SVector<f64, n>):
"""


def main():
    forms = python_forms()
    specs = functions()
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names) or set(names) != set(forms):
        raise SystemExit(f"names differ: {sorted(set(names) ^ set(forms))}")
    lines = []
    for spec in specs:
        lines.extend(evaluate(spec, forms[spec["name"]]))
    head = HEADER.format(
        jax=jax.__version__,
        jaxlib=jaxlib.__version__,
        numpy=np.__version__,
        count=len(specs),
        points=len(lines),
    )
    for spec in specs:
        shapes = ", ".join("s" if n == S else str(n) for n in spec["args"])
        head += f"#   {spec['name']}({shapes}): {spec['rust']}\n"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "tests", "fixtures", "jax", "grad.txt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as file:
        file.write(head)
        file.write("\n".join(lines) + "\n")
    print(f"{out}: {len(specs)} functions, {len(lines)} points", file=sys.stderr)


if __name__ == "__main__":
    main()

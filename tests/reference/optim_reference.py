"""Reference parameter sequences for tests/optimizers.rs, computed independently of the Rust code.

A plain-Python transcription of the update rules documented for torch.optim.SGD (dampening 0)
and torch.optim.Adam (amsgrad False, L2 weight decay), applied elementwise to three parameters
(a 1x2 weight and a bias) for three steps with fixed gradients.
Run `python3 tests/reference/optim_reference.py` to print the literals the test pins.
"""
import math

P0 = [0.5, -0.3, 0.1]
GRADS = [[0.2, -0.4, 1.0], [0.1, 0.3, -0.5], [-0.25, 0.05, 0.4]]


def sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    p, buf, out = list(P0), [None] * 3, []
    for g in GRADS:
        for i in range(3):
            d = g[i] + weight_decay * p[i]
            if momentum != 0.0:
                buf[i] = d if buf[i] is None else momentum * buf[i] + d
                d = d + momentum * buf[i] if nesterov else buf[i]
            p[i] -= lr * d
        out.append(list(p))
    return out


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    p, m, v, out = list(P0), [0.0] * 3, [0.0] * 3, []
    for t, g in enumerate(GRADS, start=1):
        for i in range(3):
            d = g[i] + weight_decay * p[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            m_hat = m[i] / (1 - beta1 ** t)
            v_hat = v[i] / (1 - beta2 ** t)
            p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(p))
    return out


CASES = {
    "SGD": sgd(0.1),
    "MOMENTUM": sgd(0.1, momentum=0.9),
    "NESTEROV": sgd(0.1, momentum=0.9, nesterov=True),
    "MOMENTUM_DECAY": sgd(0.1, momentum=0.9, weight_decay=0.01),
    "ADAM": adam(0.1),
    "ADAM_DECAY": adam(0.1, weight_decay=0.01),
}
for name, steps in CASES.items():
    rows = ", ".join("[" + ", ".join(repr(v) for v in s) + "]" for s in steps)
    print(f"const {name}: [[f64; 3]; 3] = [{rows}];")

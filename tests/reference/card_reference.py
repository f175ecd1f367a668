"""Reference values for tests/known_values.rs, computed independently of the Rust code.

The card's network x -> Linear(2, 4) -> ReLU -> Linear(4, 3) -> Softmax -> CE, written out by
hand in plain Python (no libraries): forward pass, loss, and the backward pass from the
lecture's formulas (dθ = ŷ − y, dU = dθ·hᵀ, dh = Uᵀ·dθ, dz = dh ⊙ 1[z > 0], dW = dz·xᵀ).
Run `python3 tests/reference/card_reference.py` to print the literals the test pins.
"""
import math

W = [[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2], [0.4, 0.4]]
b1 = [0.1, -0.2, 0.05, 0.0]
U = [[0.3, -0.5, 0.2, 0.7], [-0.4, 0.6, 0.1, -0.2], [0.25, 0.15, -0.35, 0.05]]
b2 = [0.01, -0.02, 0.03]
x = [1.5, -0.5]
y = 2

z = [sum(W[i][k] * x[k] for k in range(2)) + b1[i] for i in range(4)]
h = [max(v, 0.0) for v in z]
theta = [sum(U[i][k] * h[k] for k in range(4)) + b2[i] for i in range(3)]
m = max(theta)
e = [math.exp(t - m) for t in theta]
y_hat = [v / sum(e) for v in e]
J = -math.log(y_hat[y])

d_theta = [y_hat[i] - (1.0 if i == y else 0.0) for i in range(3)]
d_U = [[d_theta[i] * h[j] for j in range(4)] for i in range(3)]
d_h = [sum(U[i][j] * d_theta[i] for i in range(3)) for j in range(4)]
d_z = [d_h[i] if z[i] > 0 else 0.0 for i in range(4)]
d_W = [[d_z[i] * x[j] for j in range(2)] for i in range(4)]
d_x = [sum(W[i][j] * d_z[i] for i in range(4)) for j in range(2)]


def rust(name, rows):
    flat = [v for row in rows for v in row] if isinstance(rows[0], list) else rows
    print(f"const {name}: [f64; {len(flat)}] = [{', '.join(repr(v) for v in flat)}];")


rust("Y_HAT", y_hat)
print(f"const J: f64 = {J!r};")
rust("D_W_ROW_MAJOR", d_W)
rust("D_B1", d_z)
rust("D_U_ROW_MAJOR", d_U)
rust("D_B2", d_theta)
rust("D_X", d_x)

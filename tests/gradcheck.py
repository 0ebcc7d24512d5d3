"""Central finite differences, the independent referee for every gradient the engine computes."""

from __future__ import annotations

import numpy as np

from tinytorch import Tensor, no_grad


def numeric_grads(fn, arrays: list[np.ndarray], weights: np.ndarray, eps: float = 1e-6) -> list[np.ndarray]:
    """d/d(arrays) of sum(fn(*arrays) * weights), one element at a time.

    Random weights make the scalar loss sensitive to every output element, so a wrong gradient
    anywhere shows up.
    """
    def loss(values):
        with no_grad():
            out = fn(*[Tensor(v) for v in values])
        return float(np.sum(out.data * weights))

    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [v.copy() for v in arrays]
            minus = [v.copy() for v in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        grads.append(g)
    return grads


def engine_grads(fn, arrays: list[np.ndarray], weights: np.ndarray) -> list[np.ndarray]:
    inputs = [Tensor(a) for a in arrays]
    out = fn(*inputs)
    out.backward(weights)
    return [t.grad.data for t in inputs]


def assert_grads_match(fn, arrays, rng, rtol=1e-5, atol=1e-7):
    out_shape = fn(*[Tensor(a) for a in arrays]).shape
    weights = rng.standard_normal(out_shape)
    got = engine_grads(fn, arrays, weights)
    want = numeric_grads(fn, arrays, weights)
    for g, w, a in zip(got, want, arrays):
        assert g.shape == a.shape
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)

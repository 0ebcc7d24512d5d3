"""Two-class toy data in the plane, made with numpy alone: moons, circles and xor.

    >>> from lessons.datasets import make
    >>> X, y = make("moons", n=200, noise=0.1, seed=0)
    >>> X.shape, y.shape, int(y.sum())
    ((200, 2), (200,), 100)

Each set has n//2 points of class 0 and the rest of class 1, in shuffled order, with Gaussian
noise of standard deviation `noise` added to both coordinates. The same (name, n, noise, seed)
always gives the same arrays (`np.random.default_rng(seed)`); the arrays are read-only, so a
cached data set can be shared between sessions.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

__all__ = ["DATASETS", "MAX_NOISE", "MAX_POINTS", "MIN_POINTS", "make"]

MIN_POINTS, MAX_POINTS = 4, 5000  # xor needs a point in each quadrant
MAX_NOISE = 1.0  # beyond this every shape is a blur (the sets span about 2 units)
CIRCLE_RATIO = 0.5  # radius of the inner circle, the outer one being 1


def _moons(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    """Two interleaved half circles: class 0 the upper one, class 1 the lower one, shifted right."""
    upper = np.linspace(0, np.pi, n0)
    lower = np.linspace(0, np.pi, n1)
    return np.concatenate([np.column_stack([np.cos(upper), np.sin(upper)]),
                           np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])


def _circles(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    """Two circles around the origin: class 0 the outer one, class 1 the inner one."""
    outer = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    return np.concatenate([np.column_stack([np.cos(outer), np.sin(outer)]),
                           CIRCLE_RATIO * np.column_stack([np.cos(inner), np.sin(inner)])])


def _xor(rng: np.random.Generator, n0: int, n1: int) -> np.ndarray:
    """Uniform points in the four quadrants of [-1, 1]²: class 1 where x and y differ in sign."""
    def quadrants(count: int, signs: tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
        corner = np.array(signs)[np.arange(count) % 2]  # alternate the two quadrants of the class
        return corner * rng.uniform(0, 1, size=(count, 2))

    return np.concatenate([quadrants(n0, ((1, 1), (-1, -1))), quadrants(n1, ((1, -1), (-1, 1)))])


_SHAPES = MappingProxyType({"moons": _moons, "circles": _circles, "xor": _xor})
DATASETS = tuple(_SHAPES)


def make(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): n points as an n×2 float array and their classes as an int array of 0 and 1.

    Raises ValueError for an unknown name, n outside MIN_POINTS..MAX_POINTS or noise outside
    [0, MAX_NOISE].
    """
    if name not in _SHAPES:
        raise ValueError(f"Unknown data set {name!r}: choose one of {', '.join(DATASETS)}.")
    if isinstance(n, bool) or int(n) != n or not MIN_POINTS <= n <= MAX_POINTS:
        raise ValueError(f"The number of points must be a whole number from {MIN_POINTS} to {MAX_POINTS}, "
                         f"not {n!r}.")
    noise = float(noise) + 0.0  # -0.0 passes the bounds check, but numpy's normal() rejects it as < 0
    if not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"The noise must be between 0 and {MAX_NOISE:g}, not {noise!r}.")
    rng = np.random.default_rng(seed)
    n = int(n)
    n0 = n // 2
    X = _SHAPES[name](rng, n0, n - n0)
    y = np.repeat(np.array([0, 1]), [n0, n - n0])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(n)  # shuffled, as real data comes: nothing may rely on the order
    X, y = X[order], y[order]
    X.flags.writeable = y.flags.writeable = False
    return X, y

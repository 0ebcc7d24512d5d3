"""f(x, y) and both partial derivatives, over a grid, along two slices and at one point: numpy only.

The "Two variables" page shows the seed article's trick for partial derivatives, "treat y as a
constant", three ways:

* `grid`: f, ∂f/∂x and ∂f/∂y on an n×n meshgrid, for a contour plot. The whole grid goes through
  the engine as one tensor: one forward pass and one `grad(f, (x, y))` (201×201 takes a few ms).
* `slices`: the two cuts through (x0, y0), f(·, y0) and f(x0, ·), each as a `Curve` carrying the
  partial derivative along it, so each cut is an ordinary one-variable function with its slope.
* `gradient_at`: f, ∂f/∂x and ∂f/∂y at the point itself.

`build(x, y)` gets two Tensors of the same shape and must work elementwise, as the expressions
do; for a parsed expression pass `lambda x, y: expr(x=x, y=y)`. It may ignore one variable
(`x*2`) or both (`3`): f is then spread over the grid and the missing partial is zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tinytorch.tensor import Tensor, enable_grad, grad

from .curves import Curve, _fits, _frozen

__all__ = ["Build2", "GradientAt", "Slices", "Surface", "GRID_POINTS", "MAX_GRID_POINTS", "MAX_SLICE_POINTS",
           "SLICE_POINTS", "gradient_at", "grid", "slices"]

Build2 = Callable[[Tensor, Tensor], Tensor]

GRID_POINTS = 201  # per side: 40,401 points, one pass through the engine
MAX_GRID_POINTS = 1001  # per side; a million points is already ~100 MB of intermediates
SLICE_POINTS = 401
MAX_SLICE_POINTS = 100_001


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays has no single truth value
class Surface:
    """f and its partials on a grid, as read-only float arrays.

    `xs` and `ys` are the n grid coordinates along each axis. The 2-D arrays are indexed
    [row, column] = [y index, x index], as plotly's `z` is: `f[i, j]` is f(xs[j], ys[i]).
    """

    xs: np.ndarray
    ys: np.ndarray
    f: np.ndarray
    dfdx: np.ndarray
    dfdy: np.ndarray

    def __post_init__(self):
        # Freeze whatever was passed in, so a Surface built by hand is as safe to share.
        shape = (np.size(self.ys), np.size(self.xs))
        object.__setattr__(self, "xs", _frozen(self.xs, np.shape(self.xs)))
        object.__setattr__(self, "ys", _frozen(self.ys, np.shape(self.ys)))
        for name in ("f", "dfdx", "dfdy"):
            object.__setattr__(self, name, _frozen(getattr(self, name), shape))

    def __reduce__(self):  # unpickling (st.cache_data) goes through __init__: arrays stay frozen
        return Surface, (self.xs, self.ys, self.f, self.dfdx, self.dfdy)


@dataclass(frozen=True)
class Slices:
    """The two cuts through (x0, y0).

    `along_x` is f(x, y0) over the x range, its `df` being ∂f/∂x (y held at y0); `along_y` is
    f(x0, y) over the y range, its `df` being ∂f/∂y (x held at x0). Each is a `Curve`, so the
    one-variable helpers (`curves.tangent`, `curves.nonfinite_summary`) apply to it.
    """

    x0: float
    y0: float
    along_x: Curve
    along_y: Curve


class GradientAt(NamedTuple):
    """f(x0, y0) and its two partial derivatives there, as plain floats."""

    f: float
    dfdx: float
    dfdy: float


def _check_range(name: str, bounds) -> tuple[float, float]:
    lo, hi = (float(v) for v in bounds)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be two finite numbers with the smaller first, not {bounds}")
    return lo, hi


def _check_points(n: int, least: int, most: int) -> int:
    if isinstance(n, bool) or int(n) != n or not least <= n <= most:
        raise ValueError(f"n must be a whole number from {least} to {most}, not {n!r}")
    return int(n)


def _evaluate(build: Build2, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f, ∂f/∂x and ∂f/∂y at the points (x[k], y[k]): one forward and one backward pass."""
    tx, ty = Tensor(x), Tensor(y)
    with enable_grad():  # evaluating inside someone's no_grad() must still give partials
        f = build(tx, ty)
        if not isinstance(f, Tensor):
            f = Tensor.constant(f)
        if not _fits(f.shape, x.shape):
            raise ValueError(f"build(x, y) must give one value per point, not shape {f.shape}")
        # grad gives zeros for a variable f does not use, so `x*2` has ∂f/∂y = 0 everywhere.
        dfdx, dfdy = grad(f, (tx, ty))
    spread = np.broadcast_to(f.data, x.shape)  # a constant f fills the grid
    return spread, dfdx.data, dfdy.data


def grid(build: Build2, x_range: tuple[float, float], y_range: tuple[float, float],
         n: int = GRID_POINTS) -> Surface:
    """f, ∂f/∂x and ∂f/∂y at n×n evenly spaced points covering x_range × y_range.

    Every grid point is its own element of the x and y tensors, so the backward pass gives the
    partial derivative at each point (a row vector of x broadcast against a column of y would
    sum ∂f/∂x over each column instead).
    """
    xs = np.linspace(*_check_range("x_range", x_range), _check_points(n, 2, MAX_GRID_POINTS))
    ys = np.linspace(*_check_range("y_range", y_range), n)
    x, y = np.meshgrid(xs, ys)  # x[i, j] = xs[j], y[i, j] = ys[i]
    return Surface(xs, ys, *_evaluate(build, x, y))


def slices(build: Build2, x0: float, y0: float, x_range: tuple[float, float], y_range: tuple[float, float],
           n: int = SLICE_POINTS) -> Slices:
    """f(·, y0) with ∂f/∂x along it, and f(x0, ·) with ∂f/∂y along it, at n points each.

    Both cuts go through the engine together, as one batch of 2n points.
    """
    xs = np.linspace(*_check_range("x_range", x_range), _check_points(n, 2, MAX_SLICE_POINTS))
    ys = np.linspace(*_check_range("y_range", y_range), n)
    x0, y0 = float(x0), float(y0)
    x = np.concatenate([xs, np.full(n, x0)])  # first n points: y held at y0; last n: x held at x0
    y = np.concatenate([np.full(n, y0), ys])
    f, dfdx, dfdy = _evaluate(build, x, y)
    return Slices(x0, y0, Curve(xs, f[:n], dfdx[:n]), Curve(ys, f[n:], dfdy[n:]))


def gradient_at(build: Build2, x0: float, y0: float) -> GradientAt:
    """f(x0, y0), ∂f/∂x and ∂f/∂y there (nan or ±inf where they are not defined)."""
    f, dfdx, dfdy = _evaluate(build, np.array([float(x0)]), np.array([float(y0)]))
    return GradientAt(float(f[0]), float(dfdx[0]), float(dfdy[0]))

"""f, f′ and f″ sampled over a range, for plotting: numpy only.

The whole grid goes through the engine as one vector, so f′ at 1001 points costs one forward
and one backward pass (the seed article's plot loop ran backward once per point). The arrays
of a `Curve` are read-only, because the app caches curves and shares them between sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinytorch.tensor import Tensor, enable_grad, grad, no_grad

from .i18n import _, count, join, ngettext
from .viz import format_number

__all__ = ["Curve", "fd_error", "finite_difference", "nonfinite_summary", "sample", "tangent", "to_csv"]

Build = Callable[[Tensor], Tensor]


def _frozen(values, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only float64 copy of `values` broadcast to `shape` (a constant f fills the grid)."""
    array = np.array(np.broadcast_to(np.asarray(values, dtype=np.float64), shape))
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays has no single truth value
class Curve:
    """f, f′ and (when asked for) f″ at the points x, as read-only float arrays."""

    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray | None = None

    def __post_init__(self):
        # Freeze whatever was passed in, so a Curve built by hand is as safe to share.
        shape = np.shape(self.x)
        for name in ("x", "f", "df", "d2f"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen(value, shape))

    def __reduce__(self):
        # Unpickling (st.cache_data stores pickles) goes through __init__, so arrays stay frozen.
        return Curve, (self.x, self.f, self.df, self.d2f)


def _data(y) -> np.ndarray:
    return y.data if isinstance(y, Tensor) else np.asarray(y, dtype=np.float64)


def sample(build: Build, lo: float, hi: float, n: int = 1001, *, second: bool = False) -> Curve:
    """f = build(x) and its derivatives at n evenly spaced x in [lo, hi].

    `build` must work elementwise (f at each x depends on that x only), as the expressions
    do. It may return something that does not depend on x (a constant): f is then spread over
    the grid and f′ is zero.
    """
    x = Tensor(np.linspace(lo, hi, n))
    with enable_grad():  # sampling inside someone's no_grad() must still give derivatives
        y = build(x)
        if not isinstance(y, Tensor):
            y = Tensor.constant(y)
        if not _fits(y.shape, x.shape):
            raise ValueError(f"build(x) must give one value per x, not shape {y.shape}")
        (d1,) = grad(y, x, create_graph=second)
        d2 = grad(d1, x)[0].data if second else None
    return Curve(x.data, y.data, d1.data, d2)


def to_csv(curve: Curve) -> str:
    """The curve as CSV text (x, f, f′[, f″]), full precision, nan/inf spelled as numpy does."""
    columns = [("x", curve.x), ("f", curve.f), ("df", curve.df)]
    if curve.d2f is not None:
        columns.append(("d2f", curve.d2f))
    lines = [",".join(name for name, _values in columns)]
    lines += [",".join(repr(float(v)) for v in row) for row in zip(*(values for _name, values in columns))]
    return "\n".join(lines) + "\n"


def _fits(shape: tuple[int, ...], grid: tuple[int, ...]) -> bool:
    """Whether values of `shape` spread over the grid (one per x, or one for all)."""
    try:
        return np.broadcast_shapes(shape, grid) == grid
    except ValueError:
        return False


def finite_difference(build: Build, x, h=None) -> np.ndarray:
    """The central difference (f(x+h) − f(x−h)) / 2h at every x: an independent check of f′.

    The default step cbrt(eps)·max(1, |x|) balances the truncation error (~h²) against the
    rounding error (~eps/h) of a central difference.
    """
    x = np.asarray(x, dtype=np.float64)
    if h is None:
        h = np.cbrt(np.finfo(np.float64).eps) * np.maximum(1.0, np.abs(x))
    # Divide by the step actually taken: x + h is rounded, and that error would otherwise
    # show up in the quotient.
    up, down = x + h, x - h
    with no_grad(), np.errstate(all="ignore"):
        f_up = _data(build(Tensor(up)))
        f_down = _data(build(Tensor(down)))
        return np.broadcast_to((f_up - f_down) / (up - down), x.shape).copy()


def fd_error(fd: np.ndarray, df: np.ndarray) -> np.ndarray:
    """|finite difference − autodiff f′| at each point (nan where either is not finite)."""
    fd, df = np.asarray(fd, dtype=np.float64), np.asarray(df, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(fd) & np.isfinite(df), np.abs(fd - df), np.nan)


def tangent(x0: float, f0: float, slope: float, lo: float, hi: float):
    """The ends ((lo, y_lo), (hi, y_hi)) of the tangent line at (x0, f0), or None if undefined."""
    if not (np.isfinite(f0) and np.isfinite(slope)):
        return None
    return (lo, f0 + slope * (lo - x0)), (hi, f0 + slope * (hi - x0))


# ---- plain-language notes on nan and inf ------------------------------------------------------

_MAX_PLACES = 3  # intervals named per note; the rest are counted


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True in `mask`."""
    edges = np.diff(mask.astype(np.int8), prepend=0, append=0)
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def _place(x: np.ndarray, first: int, last: int) -> str:
    """Where a run of points lies, bounded by its nearest good neighbours: "x < 0", "x = 2"."""
    def num(i):
        return format_number(x[i], 3)

    if first == last:
        return f"x = {num(first)}"
    if first == 0:
        return f"x < {num(last + 1)}"  # (a run over the whole grid is reported before this)
    if last == len(x) - 1:
        return f"x > {num(first - 1)}"
    return f"{num(first - 1)} < x < {num(last + 1)}"


def _where(x: np.ndarray, mask: np.ndarray, total: int) -> str:
    """"at x = 0", "at 500 of 1001 points, where x < 0", or "everywhere in the range"."""
    runs = _runs(mask)
    points = int(mask.sum())
    if points == total:
        return _("everywhere in the range")
    named = [_place(x, a, b) for a, b in runs[:_MAX_PLACES]]
    if len(runs) > _MAX_PLACES:
        more = len(runs) - _MAX_PLACES
        places = ngettext("{places} and {more} more place", "{places} and {more} more places", more).format(
            places=", ".join(named), more=count(more))
    else:
        places = join(named, "or")
    if points == 1:
        return _("at {places}").format(places=places)
    return _("at {count} of {total} points, where {places}").format(count=points, total=total,
                                                                    places=places)


def nonfinite_summary(curve: Curve) -> list[str]:
    """Short notes such as "f is undefined (nan) at 500 of 1001 points, where x < 0"."""
    notes = []
    for name, values in (("f", curve.f), ("f′", curve.df), ("f″", curve.d2f)):
        if values is None:
            continue
        nan, inf = np.isnan(values), np.isinf(values)
        if nan.any():
            notes.append(_("{name} is undefined (nan) {where}").format(name=name,
                                                                       where=_where(curve.x, nan, values.size)))
        if inf.any():
            signs = set(np.sign(values[inf]))
            sign = "" if len(signs) > 1 else (" (+∞)" if signs == {1.0} else " (−∞)")
            notes.append(_("{name} is infinite{sign} {where}").format(name=name, sign=sign,
                                                                      where=_where(curve.x, inf, values.size)))
    return notes

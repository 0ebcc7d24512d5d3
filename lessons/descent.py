"""Gradient descent on f(x), one engine gradient per step, with a plain-language verdict: numpy only.

    >>> from lessons.descent import run
    >>> result = run(lambda x: (x - 2)**2, x0=0.0, lr=0.1, steps=100)
    >>> result.status, round(float(result.xs[-1]), 4)
    ('converged', 2.0)

Each step is x ← x − lr·f′(x), where f′(x) comes from the engine (`curves.sample` at one point:
one forward pass and `grad(f, x)`), never from a finite difference. A learning rate that is too
large is part of the lesson, so a run that bounces or blows up is recorded and explained rather
than raised: `DescentRun.status` says what happened and `DescentRun.message` says why.

How a run ends (checked in this order at every iterate x_k):

1. "not finite": f(x_k) or f′(x_k) is nan or ±inf (x = 0 in log(x)), or the update x − lr·f′
   overflows. The run stops there.
2. "diverged": |x_k| > DIVERGENCE_LIMIT. The run stops there.
3. "converged": |f′(x_k)| ≤ GRAD_TOL (f is flat: a minimum, or a maximum or saddle the run
   landed on), or the last step moved x by at most STEP_TOL·(1 + |x|) (x has practically stopped
   moving: with a tiny learning rate on a gentle slope, the message then says f′ is not yet 0).
4. After all the steps: "oscillating" when each of the last OSCILLATION_WINDOW steps went the
   other way from the one before and none shrank below OSCILLATION_KEEP times the one before;
   otherwise "ran all steps".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinytorch.tensor import Tensor, enable_grad, grad

from .curves import _frozen, sample
from .viz import format_number

__all__ = ["DescentRun", "STATUSES", "CONVERGED", "RAN_ALL_STEPS", "DIVERGED", "OSCILLATING", "NOT_FINITE",
           "GRAD_TOL", "STEP_TOL", "DIVERGENCE_LIMIT", "OSCILLATION_WINDOW", "OSCILLATION_KEEP",
           "MAX_STEPS", "MIN_LR", "MAX_LR", "MAX_START", "run"]

Build = Callable[[Tensor], Tensor]

CONVERGED, RAN_ALL_STEPS, DIVERGED, OSCILLATING, NOT_FINITE = (
    "converged", "ran all steps", "diverged", "oscillating", "not finite")
STATUSES = (CONVERGED, RAN_ALL_STEPS, DIVERGED, OSCILLATING, NOT_FINITE)

# ---- when a run ends -------------------------------------------------------------------------

GRAD_TOL = 1e-6  # converged: |f′(x)| at most this
STEP_TOL = 1e-9  # converged: the last step moved x by at most this × (1 + |x|), relative to x as floats are
DIVERGENCE_LIMIT = 1e6  # diverged: |x| beyond this
OSCILLATION_WINDOW = 6  # oscillating: this many steps in a row, each reversing the one before...
OSCILLATION_KEEP = 0.99  # ...and each at least this fraction of the one before (not settling)

# ---- what a run may ask for --------------------------------------------------------------------

MAX_STEPS = 500
MIN_LR, MAX_LR = 1e-4, 10.0
MAX_START = DIVERGENCE_LIMIT  # |x0|; a start beyond the divergence limit would end before it begins


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays has no single truth value
class DescentRun:
    """The iterates actually computed, and how the run ended.

    `xs[k]`, `fs[k]` and `grads[k]` are x, f(x) and f′(x) after k steps (read-only arrays;
    `xs[0]` is x0). `status` is one of STATUSES and `message` one plain-language sentence
    about it. `lr` is the learning rate used.
    """

    xs: np.ndarray
    fs: np.ndarray
    grads: np.ndarray
    status: str
    message: str
    lr: float

    def __post_init__(self):
        shape = np.shape(self.xs)
        for name in ("xs", "fs", "grads"):
            object.__setattr__(self, name, _frozen(getattr(self, name), shape))
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    def __reduce__(self):  # unpickling (st.cache_data) goes through __init__: arrays stay frozen
        return DescentRun, (self.xs, self.fs, self.grads, self.status, self.message, self.lr)

    @property
    def steps(self) -> int:
        """How many steps were taken (one fewer than the iterates)."""
        return len(self.xs) - 1


def _number(v: float) -> str:
    return format_number(v, 4)


def _steps(k: int) -> str:
    return f"{k} step{'s' * (k != 1)}"


def _power_of_ten(v: float) -> str:
    """1e-06 as "1e-6", the way people write it."""
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _check(x0: float, lr: float, steps: int) -> tuple[float, float, int]:
    """The inputs as numbers, or a ValueError whose message a page can show as it is."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"The number of steps must be a whole number from 1 to {MAX_STEPS}, not {steps!r}.")
    x0, lr = float(x0), float(lr)
    if not math.isfinite(x0):
        raise ValueError(f"The starting point x₀ must be an ordinary number, not {x0}.")
    if abs(x0) > MAX_START:
        raise ValueError(f"The starting point x₀ must lie within ±{MAX_START:,.0f}, not {_number(x0)}.")
    if not (math.isfinite(lr) and MIN_LR <= lr <= MAX_LR):
        raise ValueError(f"The learning rate must be between {_power_of_ten(MIN_LR)} and {MAX_LR:g}, "
                         f"not {_number(lr)}.")
    return x0, lr, int(steps)


def _value_and_slope(build: Build, x: float) -> tuple[float, float]:
    """f(x) and f′(x) from the engine, on one number: the engine's float path, the same bits as a
    one-point array (`curves.sample`) at a quarter of the cost (500 steps of a 149-op f: 0.14 s)."""
    xt = Tensor(x)
    with enable_grad():  # a run inside someone's no_grad() still needs f′
        y = build(xt)
        if not isinstance(y, Tensor):  # f does not use x at all
            return float(y), 0.0
        (slope,) = grad(y, xt)
    return float(y.item()), float(slope.item())


def _not_finite_message(x: float, f: float, slope: float) -> str:
    name, value = ("f(x)", f) if not math.isfinite(f) else ("f′(x)", slope)
    what = "not defined" if math.isnan(value) else "infinite"
    shown = "nan" if math.isnan(value) else _number(value)
    return f"{name} is {what} at x = {_number(x)} ({shown}) — the run stops there."


def _oscillates(xs: list[float]) -> bool:
    """Whether the last OSCILLATION_WINDOW steps each reversed direction without shrinking."""
    steps = np.diff(xs[-OSCILLATION_WINDOW - 1:])
    if len(steps) < OSCILLATION_WINDOW:
        return False
    before, after = steps[:-1], steps[1:]
    return bool(np.all(before * after < 0) and np.all(np.abs(after) >= OSCILLATION_KEEP * np.abs(before)))


def _curvature_hint(build: Build, x: float, lr: float) -> str:
    """Why the rate is too large, near a minimum where f″ > 0: steps overshoot once lr > 2/f″.

    Near a minimum f looks like a parabola with f″ = c, and one step maps x − x* to
    (1 − lr·c)(x − x*): the distance shrinks only while |1 − lr·c| < 1, that is lr < 2/c.
    """
    curvature = float(sample(build, x, x, n=1, second=True).d2f[0])
    if not (math.isfinite(curvature) and curvature > 0):
        return ""
    return f" Here f″ ≈ {_number(curvature)}, so steps settle only for lr < 2/f″ ≈ {_number(2 / curvature)}."


def _diverged_message(xs: list[float], fs: list[float]) -> str:
    steps = len(xs) - 1
    where = f"|x| exceeds {DIVERGENCE_LIMIT:,.0f} after {_steps(steps)}"
    moves = np.diff(xs[-OSCILLATION_WINDOW - 1:])
    if len(moves) > 1 and np.all(moves[:-1] * moves[1:] < 0):
        return (f"The steps grow, jumping across the minimum further each time: the learning rate is too "
                f"large for this function ({where}).")
    if fs[-1] < fs[0]:
        return (f"x runs off while f keeps decreasing: f has no minimum in that direction, so descent never "
                f"stops ({where}).")
    return f"The steps grow: the learning rate is too large for this function ({where})."


def _end_of_run_message(build: Build, xs: list[float], lr: float) -> tuple[str, str]:
    steps = len(xs) - 1
    if _oscillates(xs):
        moves = np.abs(np.diff(xs[-OSCILLATION_WINDOW - 1:]))
        swings = "ever wider" if moves[-1] * OSCILLATION_KEEP > moves[0] else "without settling"
        return OSCILLATING, (f"x bounces back and forth {swings}: each step overshoots, so the learning rate "
                             f"{_number(lr)} is too large here.{_curvature_hint(build, xs[-1], lr)}")
    return RAN_ALL_STEPS, (f"All {steps} steps done without converging: |f′(x)| is still above "
                           f"{_power_of_ten(GRAD_TOL)} at x = {_number(xs[-1])}. More steps or a larger "
                           f"learning rate would get further.")


def _stop(xs: list[float], fs: list[float], grads: list[float]) -> tuple[str, str] | None:
    """Whether the run ends at its latest iterate, and why (checks 1 to 3 of the module docstring)."""
    x, f, slope, k = xs[-1], fs[-1], grads[-1], len(xs) - 1
    if not (math.isfinite(f) and math.isfinite(slope)):
        return NOT_FINITE, _not_finite_message(x, f, slope)
    if abs(x) > DIVERGENCE_LIMIT:
        return DIVERGED, _diverged_message(xs, fs)
    if abs(slope) <= GRAD_TOL:
        return CONVERGED, (f"Converged after {_steps(k)}: f′(x) ≈ 0 at x = {_number(x)}, where f is flat "
                           f"(|f′| ≤ {_power_of_ten(GRAD_TOL)}).")
    if k and abs(x - xs[-2]) <= STEP_TOL * (1 + abs(x)):
        return CONVERGED, (f"Converged in x after {_steps(k)}: the last step moved x by less than "
                           f"{_power_of_ten(STEP_TOL)}·(1 + |x|), so x has practically stopped at "
                           f"{_number(x)}, although f′(x) = {_number(slope)} is not yet 0.")
    return None


def run(build: Build, x0: float, lr: float, steps: int) -> DescentRun:
    """Up to `steps` steps of x ← x − lr·f′(x) from x0, stopping early as described above.

    `build(x)` gets a one-element Tensor and returns f(x); for a parsed expression pass
    `lambda x: expr(x=x)`. Raises ValueError (with a message fit for the page) when x0, lr or
    steps are out of bounds: see MAX_START, MIN_LR, MAX_LR and MAX_STEPS.
    """
    x, lr, steps = _check(x0, lr, steps)
    xs: list[float] = []
    fs: list[float] = []
    grads: list[float] = []
    verdict = None
    for k in range(steps + 1):  # k: steps taken so far
        f, slope = _value_and_slope(build, x)
        xs.append(x)
        fs.append(f)
        grads.append(slope)
        verdict = _stop(xs, fs, grads)
        if verdict or k == steps:
            break
        step = lr * slope
        if not math.isfinite(x - step):  # f′ is finite but huge: lr·f′ overflows
            verdict = NOT_FINITE, (f"The step from x = {_number(x)} overflows (lr·f′ = {_number(step)}): the "
                                   f"learning rate is far too large — the run stops there.")
            break
        x -= step
    status, message = verdict or _end_of_run_message(build, xs, lr)
    return DescentRun(np.array(xs), np.array(fs), np.array(grads), status, message, lr)

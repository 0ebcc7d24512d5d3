"""Gradient descent on f(x), one engine gradient per step, with a plain-language verdict: numpy only.

    >>> from lessons.descent import run
    >>> result = run(lambda x: (x - 2)**2, x0=0.0, lr=0.1, steps=100)
    >>> result.status, round(float(result.xs[-1]), 4)
    ('converged', 2.0)

Each step is x ← x − lr·f′(x), where f′(x) comes from the engine (`curves.sample` at one point:
one forward pass and `grad(f, x)`), never from a finite difference. A learning rate that is too
large is part of the lesson, so a run that bounces or blows up is recorded and explained rather
than raised: `DescentRun.status` says what happened and `DescentRun.message` says why, and what
to change.

How a run ends (checked in this order at every iterate x_k; STOPPING_RULE says it in words):

1. "not finite": f(x_k) or f′(x_k) is nan or ±inf (x = 0 in log(x)), or the update x − lr·f′
   overflows. The run stops there.
2. "diverged": |x_k| > DIVERGENCE_LIMIT. The run stops there.
3. |f′(x_k)| ≤ GRAD_TOL: f is flat there. "converged" when it is a minimum: f″ > 0, or f goes
   no lower a little to either side (a kink or a flat bottom); otherwise "stalled" (a maximum,
   a saddle, or a slope too gentle to see).
4. "stalled": the last step moved x by at most STEP_TOL·(1 + |x|) while f′ is not yet ≈ 0: the
   steps lr·f′ are too small to move x at all.
5. After all the steps: "oscillating" when each of the last OSCILLATION_WINDOW steps went the
   other way from the one before and none shrank below OSCILLATION_KEEP times the one before;
   otherwise "ran all steps".

The advice comes from the run's own dynamics: near a point where f″ = c > 0, f looks like a
parabola, and one step maps the distance d to the minimum to (1 − lr·c)·d. So steps shrink
steadily while lr·c < 1, overshoot but settle while 1 < lr·c < 2, bounce for ever at lr·c = 2
and grow beyond: the stable range is lr < 2/f″, the fastest rate lr = 1/f″. c is the engine's
f″ (it differentiates its own f′ graph) at the last iterate, or at x₀ for a run that diverged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinytorch.tensor import Tensor, enable_grad, grad

from .curves import _frozen, sample
from .viz import format_number

__all__ = ["DescentRun", "STATUSES", "CONVERGED", "STALLED", "RAN_ALL_STEPS", "DIVERGED", "OSCILLATING",
           "NOT_FINITE", "GRAD_TOL", "STEP_TOL", "DIVERGENCE_LIMIT", "OSCILLATION_WINDOW", "OSCILLATION_KEEP",
           "MAX_STEPS", "MIN_LR", "MAX_LR", "MAX_START", "STOPPING_RULE", "run"]

Build = Callable[[Tensor], Tensor]

CONVERGED, STALLED, RAN_ALL_STEPS, DIVERGED, OSCILLATING, NOT_FINITE = (
    "converged", "stalled", "ran all steps", "diverged", "oscillating", "not finite")
STATUSES = (CONVERGED, STALLED, RAN_ALL_STEPS, DIVERGED, OSCILLATING, NOT_FINITE)

# ---- when a run ends -------------------------------------------------------------------------

GRAD_TOL = 1e-6  # flat: |f′(x)| at most this
STEP_TOL = 1e-9  # stalled: the last step moved x by at most this × (1 + |x|), relative to x as floats are
DIVERGENCE_LIMIT = 1e6  # diverged: |x| beyond this
OSCILLATION_WINDOW = 6  # oscillating: this many steps in a row, each reversing the one before...
OSCILLATION_KEEP = 0.99  # ...and each at least this fraction of the one before (not settling)
# Is a flat point a minimum? Compare f a little to either side: at least NEIGHBOUR_MIN·(1 + |x|)
# away (so a kink or a flat bottom is seen), at most NEIGHBOUR_MAX·(1 + |x|), and otherwise
# NEIGHBOUR_REACH·|f′|/|f″| (far enough that the curvature outweighs a slope below GRAD_TOL).
NEIGHBOUR_MIN, NEIGHBOUR_MAX, NEIGHBOUR_REACH = 1e-3, 0.1, 10.0
FLATTENING = 4  # a run slows as f flattens when f″ where it ends is below f″ at x₀ by this factor

# ---- what a run may ask for --------------------------------------------------------------------

MAX_STEPS = 500
MIN_LR, MAX_LR = 1e-4, 10.0
MAX_START = DIVERGENCE_LIMIT  # |x0|; a start beyond the divergence limit would end before it begins


def _power_of_ten(v: float) -> str:
    """1e-06 as "1e-6", the way people write it."""
    mantissa, exponent = f"{v:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


STOPPING_RULE = (f"A run stops when f is flat, |f′(x)| ≤ {_power_of_ten(GRAD_TOL)}: converged if that is a "
                 f"minimum (f curves up there, f″ > 0, or goes no lower on either side), stalled if not. It also "
                 f"stops when a step no longer moves x, when |x| passes {DIVERGENCE_LIMIT:,.0f} (diverged), "
                 f"when f or f′ is not a number, or after the steps asked for.")


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays has no single truth value
class DescentRun:
    """The iterates actually computed, and how the run ended.

    `xs[k]`, `fs[k]` and `grads[k]` are x, f(x) and f′(x) after k steps (read-only arrays;
    `xs[0]` is x0). `status` is one of STATUSES and `message` a plain-language paragraph
    about it. `lr` is the learning rate used; `curvature` is the engine's f″ where the advice
    was read: at the last iterate, or at x₀ for a run that diverged (nan where f″ is not defined).
    """

    xs: np.ndarray
    fs: np.ndarray
    grads: np.ndarray
    status: str
    message: str
    lr: float
    curvature: float = math.nan

    def __post_init__(self):
        shape = np.shape(self.xs)
        for name in ("xs", "fs", "grads"):
            object.__setattr__(self, name, _frozen(getattr(self, name), shape))
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")

    def __reduce__(self):  # unpickling (st.cache_data) goes through __init__: arrays stay frozen
        return DescentRun, (self.xs, self.fs, self.grads, self.status, self.message, self.lr, self.curvature)

    @property
    def steps(self) -> int:
        """How many steps were taken (one fewer than the iterates)."""
        return len(self.xs) - 1

    @property
    def stable_lr(self) -> float | None:
        """2/f″ where the advice was read: the largest learning rate whose steps settle there
        (None where f does not curve up)."""
        return 2 / self.curvature if math.isfinite(self.curvature) and self.curvature > 0 else None


def _number(v: float) -> str:
    return format_number(v, 4)


def _steps(k: int) -> str:
    return f"{k} step{'s' * (k != 1)}"


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


def _curvature(build: Build, x: float) -> float:
    """f″(x) from the engine (it differentiates its own f′ graph); nan where it is not finite."""
    with np.errstate(all="ignore"):
        c = float(sample(build, x, x, n=1, second=True).d2f[0])
    return c if math.isfinite(c) else math.nan


def _lower_sides(build: Build, x: float, f: float, slope: float, c: float) -> tuple[bool, bool]:
    """Whether f goes lower a little to the left, and a little to the right, of x (see NEIGHBOUR_*).
    A few units in the last place of f count as level: rounding, not a slope."""
    scale = 1 + abs(x)
    reach = NEIGHBOUR_REACH * abs(slope) / abs(c) if math.isfinite(c) and c else 0.0
    h = min(max(reach, NEIGHBOUR_MIN * scale), NEIGHBOUR_MAX * scale)
    sides = sample(build, x - h, x + h, n=2).f
    level = f - 4 * np.spacing(abs(f))
    with np.errstate(invalid="ignore"):
        return bool(sides[0] < level), bool(sides[1] < level)


# ---- the advice: from lr·f″, where the run ended ---------------------------------------------------


def _rates(c: float) -> str:
    """The stable range and the fastest rate where f″ = c > 0."""
    return f"steps settle for lr < 2/f″ ≈ {_number(2 / c)} and are fastest near lr = 1/f″ ≈ {_number(1 / c)}"


def _curving_up(c: float) -> bool:
    return math.isfinite(c) and c > 0


def _converged_message(k: int, x: float, c: float, lr: float) -> str:
    done = (f"A minimum after {_steps(k)}: |f′(x)| ≤ {_power_of_ten(GRAD_TOL)} at x = {_number(x)}, and f goes "
            f"no lower on either side.")
    if not _curving_up(c):
        return done + " f″ is 0 there: a kink or a flat bottom rather than a parabola."
    r = lr * c
    if k == 0:
        return done + f" There, f″ ≈ {_number(c)}: {_rates(c)}."
    if r < 0.9:
        pace = (f"each step covered about lr·f″ ≈ {r:.0%} of the remaining way; a larger learning rate "
                f"would get there in fewer steps")
    elif r <= 1.1:
        pace = "lr·f″ ≈ 1, so each step landed almost on the minimum: as fast as it gets"
    else:
        pace = (f"each step jumped across the minimum (lr·f″ ≈ {_number(r)} > 1) and settled anyway; a "
                f"smaller learning rate would get there without bouncing")
    return done + f" Near it f″ ≈ {_number(c)}: {pace} ({_rates(c)})."


def _stalled_flat_message(k: int, x: float, slope: float, c: float, lower: tuple[bool, bool]) -> str:
    where = f"f′(x) = {_number(slope)} at x = {_number(x)}" + (f" after {_steps(k)}" if k else "")
    if all(lower):
        what = ("but this is a maximum: f goes lower on both sides" +
                (f" and curves down (f″ ≈ {_number(c)})" if math.isfinite(c) and c < 0 else ""))
    else:
        side = "left" if lower[0] else "right"
        what = (f"but this is not a minimum: f still goes lower to the {side} (a saddle, or a slope too gentle "
                f"to follow)")
    return (f"Stuck where f is flat: {where}, {what}. Gradient descent needs a slope to move and finds "
            f"none here: start from another x₀.")


def _stalled_step_message(k: int, x: float, slope: float, lr: float, c: float) -> str:
    bound = f" (near here {_rates(c)})" if _curving_up(c) else ""
    return (f"Stalled after {_steps(k)}: the last step moved x by less than {_power_of_ten(STEP_TOL)}·(1 + |x|), "
            f"although f′(x) = {_number(slope)} at x = {_number(x)} is not yet 0. The steps lr·f′ are too small "
            f"to move x: raise the learning rate{bound}.")


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


def _diverged_message(xs: list[float], fs: list[float], c: float) -> str:
    where = f"|x| exceeds {DIVERGENCE_LIMIT:,.0f} after {_steps(len(xs) - 1)}"
    moves = np.diff(xs[-OSCILLATION_WINDOW - 1:])
    bouncing = len(moves) > 1 and bool(np.all(moves[:-1] * moves[1:] < 0))
    if fs[-1] < fs[0] and not bouncing:
        return (f"x runs off while f keeps decreasing: f has no minimum in that direction, so descent never "
                f"stops ({where}).")
    lead = "The steps grow, jumping across the minimum further each time" if bouncing else "The steps grow"
    advice = (f" At x₀, f″ ≈ {_number(c)}: near there {_rates(c)}, so try a learning rate below "
              f"{_number(2 / c)}." if _curving_up(c) else " Try a smaller learning rate.")
    return f"{lead}: the learning rate is too large for this function ({where}).{advice}"


def _oscillating_message(xs: list[float], lr: float, c: float) -> str:
    moves = np.abs(np.diff(xs[-OSCILLATION_WINDOW - 1:]))
    swings = "ever wider" if moves[-1] * OSCILLATION_KEEP > moves[0] else "without settling"
    lead = f"x bounces back and forth {swings}: each step overshoots"
    if _curving_up(c):
        return (f"{lead}, since lr·f″ ≈ {_number(lr * c)} ≥ 2 here: the learning rate {_number(lr)} is too "
                f"large. Here f″ ≈ {_number(c)}: {_rates(c)}.")
    return (f"{lead}: the slope does not shrink towards the bottom (a kink), so every step is lr·|f′| long. "
            f"A smaller learning rate makes the bounces smaller.")


def _ran_all_message(xs: list[float], grads: list[float], lr: float, c: float, c0: float) -> str:
    done = (f"All {len(xs) - 1} steps done without converging: |f′(x)| = {_number(abs(grads[-1]))} at "
            f"x = {_number(xs[-1])}, still above {_power_of_ten(GRAD_TOL)}.")
    if not math.isfinite(c):
        return done + " More steps would get further."
    if c <= 0:
        return (done + f" f is straight or curves down here (f″ ≈ {_number(c)}), so nothing but the slope sets "
                f"the step: more steps or a larger learning rate would get further.")
    r = lr * c
    if r < 1:
        # f″ shrinking along the way: the slope and the steps fade together (a saddle, a flat bottom)
        flattening = (f" It slows down as f flattens out: f″ fell from {_number(c0)} at x₀, so the slope and "
                      f"the steps shrink together, as near a saddle or a flat minimum." if c < c0 / FLATTENING else "")
        return (done + f" Still approaching: each step here covers about lr·f″ ≈ {r:.0%} of the remaining way "
                f"(f″ ≈ {_number(c)}).{flattening} More steps would get further, and so would a larger learning "
                f"rate: near here {_rates(c)}.")
    if r < 2:
        return (done + f" Overshooting but settling: each step jumps across the minimum (lr·f″ ≈ {_number(r)} "
                f"> 1) and lands {abs(1 - r):.0%} as far on the other side. More steps would settle it; a "
                f"smaller learning rate would be faster, not a larger one: near here {_rates(c)}.")
    return (done + f" The steps do not shrink (lr·f″ ≈ {_number(r)} ≥ 2): the learning rate is too large. Near "
            f"here {_rates(c)}.")


def _stop(build: Build, xs: list[float], fs: list[float], grads: list[float],
          lr: float) -> tuple[str, str, float] | None:
    """Whether the run ends at its latest iterate: (status, message, f″ read), or None (checks 1 to 4)."""
    x, f, slope, k = xs[-1], fs[-1], grads[-1], len(xs) - 1
    if not (math.isfinite(f) and math.isfinite(slope)):
        return NOT_FINITE, _not_finite_message(x, f, slope), math.nan
    if abs(x) > DIVERGENCE_LIMIT:
        c = _curvature(build, xs[0])
        return DIVERGED, _diverged_message(xs, fs, c), c
    if abs(slope) <= GRAD_TOL:
        c = _curvature(build, x)
        lower = (False, False) if _curving_up(c) else _lower_sides(build, x, f, slope, c)
        if not any(lower):
            return CONVERGED, _converged_message(k, x, c, lr), c
        return STALLED, _stalled_flat_message(k, x, slope, c, lower), c
    if k and abs(x - xs[-2]) <= STEP_TOL * (1 + abs(x)):
        c = _curvature(build, x)
        return STALLED, _stalled_step_message(k, x, slope, lr, c), c
    return None


def _end_of_run(build: Build, xs: list[float], grads: list[float], lr: float) -> tuple[str, str, float]:
    c = _curvature(build, xs[-1])
    if _oscillates(xs):
        return OSCILLATING, _oscillating_message(xs, lr, c), c
    return RAN_ALL_STEPS, _ran_all_message(xs, grads, lr, c, _curvature(build, xs[0])), c


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
        verdict = _stop(build, xs, fs, grads, lr)
        if verdict or k == steps:
            break
        step = lr * slope
        if not math.isfinite(x - step):  # f′ is finite but huge: lr·f′ overflows
            verdict = NOT_FINITE, (f"The step from x = {_number(x)} overflows (lr·f′ = {_number(step)}): the "
                                   f"learning rate is far too large — the run stops there."), math.nan
            break
        x -= step
    status, message, curvature = verdict or _end_of_run(build, xs, grads, lr)
    return DescentRun(np.array(xs), np.array(fs), np.array(grads), status, message, lr, curvature)

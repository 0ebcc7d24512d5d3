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
from .i18n import _, count, ngettext, percent, sentences
from .viz import format_number

__all__ = ["DescentRun", "STATUSES", "CONVERGED", "STALLED", "RAN_ALL_STEPS", "DIVERGED", "OSCILLATING",
           "NOT_FINITE", "GRAD_TOL", "STEP_TOL", "DIVERGENCE_LIMIT", "OSCILLATION_WINDOW", "OSCILLATION_KEEP",
           "MAX_STEPS", "MIN_LR", "MAX_LR", "MAX_START", "run", "stopping_rule"]

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


def stopping_rule() -> str:
    """When a run stops, in words (the page's caption under the verdict)."""
    return _("A run stops when f is flat, |f′(x)| ≤ {tolerance}: converged if that is a minimum (f curves up there, "
             "f″ > 0, or goes no lower on either side), stalled if not. It also stops when a step no longer moves x, "
             "when |x| passes {limit} (diverged), when f or f′ is not a number, or after the steps asked for.").format(
        tolerance=_power_of_ten(GRAD_TOL), limit=count(DIVERGENCE_LIMIT))


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
    return ngettext("{count} step", "{count} steps", k).format(count=k)


def _check(x0: float, lr: float, steps: int) -> tuple[float, float, int]:
    """The inputs as numbers, or a ValueError whose message a page can show as it is."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(_("The number of steps must be a whole number from 1 to {limit}, not {value}.").format(
            limit=MAX_STEPS, value=repr(steps)))
    x0, lr = float(x0), float(lr)
    if not math.isfinite(x0):
        raise ValueError(_("The starting point x₀ must be an ordinary number, not {value}.").format(value=x0))
    if abs(x0) > MAX_START:
        raise ValueError(_("The starting point x₀ must lie within ±{limit}, not {value}.").format(
            limit=count(MAX_START), value=_number(x0)))
    if not (math.isfinite(lr) and MIN_LR <= lr <= MAX_LR):
        raise ValueError(_("The learning rate must be between {low} and {high}, not {value}.").format(
            low=_power_of_ten(MIN_LR), high=f"{MAX_LR:g}", value=_number(lr)))
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
    return _("steps settle for lr < 2/f″ ≈ {stable} and are fastest near lr = 1/f″ ≈ {fastest}").format(
        stable=_number(2 / c), fastest=_number(1 / c))


def _curving_up(c: float) -> bool:
    return math.isfinite(c) and c > 0


def _converged_message(k: int, x: float, c: float, lr: float) -> str:
    done = _("A minimum after {steps}: |f′(x)| ≤ {tolerance} at x = {x}, and f goes no lower on either side.").format(
        steps=_steps(k), tolerance=_power_of_ten(GRAD_TOL), x=_number(x))
    if not _curving_up(c):
        return sentences(done, _("f″ is 0 there: a kink or a flat bottom rather than a parabola."))
    r = lr * c
    if k == 0:
        return sentences(done, _("There, f″ ≈ {c}: {rates}.").format(c=_number(c), rates=_rates(c)))
    if r < 0.9:
        pace = _("each step covered about lr·f″ ≈ {share} of the remaining way; a larger learning rate would get "
                 "there in fewer steps").format(share=percent(r))
    elif r <= 1.1:
        pace = _("lr·f″ ≈ 1, so each step landed almost on the minimum: as fast as it gets")
    else:
        pace = _("each step jumped across the minimum (lr·f″ ≈ {r} > 1) and settled anyway; a smaller learning rate "
                 "would get there without bouncing").format(r=_number(r))
    return sentences(done, _("Near it f″ ≈ {c}: {pace} ({rates}).").format(c=_number(c), pace=pace, rates=_rates(c)))


def _stalled_flat_message(k: int, x: float, slope: float, c: float, lower: tuple[bool, bool]) -> str:
    numbers = {"slope": _number(slope), "x": _number(x), "steps": _steps(k)}
    where = (_("f′(x) = {slope} at x = {x} after {steps}") if k else _("f′(x) = {slope} at x = {x}")).format(**numbers)
    if all(lower) and math.isfinite(c) and c < 0:
        what = _("but this is a maximum: f goes lower on both sides and curves down (f″ ≈ {c})").format(c=_number(c))
    elif all(lower):
        what = _("but this is a maximum: f goes lower on both sides")
    elif lower[0]:
        what = _("but this is not a minimum: f still goes lower to the left (a saddle, or a slope too gentle to "
                 "follow)")
    else:
        what = _("but this is not a minimum: f still goes lower to the right (a saddle, or a slope too gentle to "
                 "follow)")
    return _("Stuck where f is flat: {where}, {what}. Gradient descent needs a slope to move and finds none here: "
             "start from another x₀.").format(where=where, what=what)


def _stalled_step_message(k: int, x: float, slope: float, lr: float, c: float) -> str:
    stalled = _("Stalled after {steps}: the last step moved x by less than {tolerance}·(1 + |x|), although "
                "f′(x) = {slope} at x = {x} is not yet 0.").format(steps=_steps(k), tolerance=_power_of_ten(STEP_TOL),
                                                                   slope=_number(slope), x=_number(x))
    advice = (_("The steps lr·f′ are too small to move x: raise the learning rate (near here {rates}).").format(
        rates=_rates(c)) if _curving_up(c) else _("The steps lr·f′ are too small to move x: raise the learning rate."))
    return sentences(stalled, advice)


def _not_finite_message(x: float, f: float, slope: float) -> str:
    name, value = ("f(x)", f) if not math.isfinite(f) else ("f′(x)", slope)
    template = (_("{name} is not defined at x = {x} ({value}) — the run stops there.") if math.isnan(value) else
                _("{name} is infinite at x = {x} ({value}) — the run stops there."))
    return template.format(name=name, x=_number(x), value="nan" if math.isnan(value) else _number(value))


def _oscillates(xs: list[float]) -> bool:
    """Whether the last OSCILLATION_WINDOW steps each reversed direction without shrinking."""
    steps = np.diff(xs[-OSCILLATION_WINDOW - 1:])
    if len(steps) < OSCILLATION_WINDOW:
        return False
    before, after = steps[:-1], steps[1:]
    return bool(np.all(before * after < 0) and np.all(np.abs(after) >= OSCILLATION_KEEP * np.abs(before)))


def _diverged_message(xs: list[float], fs: list[float], c: float) -> str:
    where = _("|x| exceeds {limit} after {steps}").format(limit=count(DIVERGENCE_LIMIT), steps=_steps(len(xs) - 1))
    moves = np.diff(xs[-OSCILLATION_WINDOW - 1:])
    bouncing = len(moves) > 1 and bool(np.all(moves[:-1] * moves[1:] < 0))
    if fs[-1] < fs[0] and not bouncing:
        return _("x runs off while f keeps decreasing: f has no minimum in that direction, so descent never stops "
                 "({where}).").format(where=where)
    grows = (_("The steps grow, jumping across the minimum further each time: the learning rate is too large for "
               "this function ({where}).") if bouncing else
             _("The steps grow: the learning rate is too large for this function ({where})."))
    advice = (_("At x₀, f″ ≈ {c}: near there {rates}, so try a learning rate below {stable}.").format(
        c=_number(c), rates=_rates(c), stable=_number(2 / c)) if _curving_up(c) else _("Try a smaller learning rate."))
    return sentences(grows.format(where=where), advice)


def _oscillating_message(xs: list[float], lr: float, c: float) -> str:
    moves = np.abs(np.diff(xs[-OSCILLATION_WINDOW - 1:]))
    wider = moves[-1] * OSCILLATION_KEEP > moves[0]
    if _curving_up(c):
        template = (_("x bounces back and forth ever wider: each step overshoots, since lr·f″ ≈ {r} ≥ 2 here: the "
                      "learning rate {lr} is too large. Here f″ ≈ {c}: {rates}.") if wider else
                    _("x bounces back and forth without settling: each step overshoots, since lr·f″ ≈ {r} ≥ 2 here: "
                      "the learning rate {lr} is too large. Here f″ ≈ {c}: {rates}."))
        return template.format(r=_number(lr * c), lr=_number(lr), c=_number(c), rates=_rates(c))
    return (_("x bounces back and forth ever wider: each step overshoots: the slope does not shrink towards the "
              "bottom (a kink), so every step is lr·|f′| long. A smaller learning rate makes the bounces smaller.")
            if wider else
            _("x bounces back and forth without settling: each step overshoots: the slope does not shrink towards "
              "the bottom (a kink), so every step is lr·|f′| long. A smaller learning rate makes the bounces "
              "smaller."))


def _ran_all_message(xs: list[float], grads: list[float], lr: float, c: float, c0: float) -> str:
    k = len(xs) - 1
    done = ngettext("All {count} step done without converging: |f′(x)| = {slope} at x = {x}, still above "
                    "{tolerance}.", "All {count} steps done without converging: |f′(x)| = {slope} at x = {x}, still "
                    "above {tolerance}.", k).format(count=k, slope=_number(abs(grads[-1])), x=_number(xs[-1]),
                                                    tolerance=_power_of_ten(GRAD_TOL))
    if not math.isfinite(c):
        return sentences(done, _("More steps would get further."))
    if c <= 0:
        return sentences(done, _("f is straight or curves down here (f″ ≈ {c}), so nothing but the slope sets the "
                                 "step: more steps or a larger learning rate would get further.").format(c=_number(c)))
    r = lr * c
    if r < 1:
        approaching = _("Still approaching: each step here covers about lr·f″ ≈ {share} of the remaining way "
                        "(f″ ≈ {c}).").format(share=percent(r), c=_number(c))
        further = _("More steps would get further, and so would a larger learning rate: near here {rates}.").format(
            rates=_rates(c))
        if c < c0 / FLATTENING:  # f″ shrinking along the way: the slope and the steps fade together
            flattening = _("It slows down as f flattens out: f″ fell from {c0} at x₀, so the slope and the steps "
                           "shrink together, as near a saddle or a flat minimum.").format(c0=_number(c0))
            return sentences(done, approaching, flattening, further)
        return sentences(done, approaching, further)
    if r < 2:
        return sentences(done, _("Overshooting but settling: each step jumps across the minimum (lr·f″ ≈ {r} > 1) "
                                 "and lands {share} as far on the other side. More steps would settle it; a smaller "
                                 "learning rate would be faster, not a larger one: near here {rates}.").format(
            r=_number(r), share=percent(abs(1 - r)), rates=_rates(c)))
    return sentences(done, _("The steps do not shrink (lr·f″ ≈ {r} ≥ 2): the learning rate is too large. Near here "
                             "{rates}.").format(r=_number(r), rates=_rates(c)))


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
            verdict = NOT_FINITE, _("The step from x = {x} overflows (lr·f′ = {step}): the learning rate is far too "
                                    "large — the run stops there.").format(x=_number(x), step=_number(step)), math.nan
            break
        x -= step
    status, message, curvature = verdict or _end_of_run(build, xs, grads, lr)
    return DescentRun(np.array(xs), np.array(fs), np.array(grads), status, message, lr, curvature)

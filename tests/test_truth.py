"""f, f′, f″ and f‴ of random formulas against the truth, computed to 50 digits.

The engine differentiates by reverse mode in float64, and gets the higher orders by
differentiating its own backward rules (`create_graph=True`). The truth here shares none of
that. Each formula is parsed by the expression language (its text is never run as Python), and
a small evaluator of our own walks the parsed steps in forward mode, on truncated Taylor series
of mpmath numbers at 50 digits, with each function's derivatives taken from a table that is
itself checked against mpmath's differentiation.

Points are compared only where the truth is a fair referee for float64 arithmetic:

* inside the domain, with a margin: no log or sqrt of (nearly) 0 or less, no asin of (nearly)
  ±1, no kink of abs, relu, max or min within reach, a positive base under an exponent that
  depends on x, every value and derivative between 1e-100 and 1e100 in size (or 0);
* well conditioned: nudging every intermediate value and derivative by 1e-12 (as rounding
  would, by 1e-16) moves none of f to f‴ by more than 1e-5 of itself. The engine's rounding
  then moves them by about 1e-9 of themselves, far inside the tolerance, rtol 1e-7.

x is both a one-number Tensor and a vector of all the points at once.

Two hypothesis profiles, chosen by the environment variable TRUTH_PROFILE:

    python -m pytest tests/test_truth.py                       # "ci": 300 formulas, ~10 s
    TRUTH_PROFILE=long python -m pytest tests/test_truth.py    # "long": 20,000 formulas, ~5 min
"""

from __future__ import annotations

import os
import random

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tinytorch import Tensor, grad, ops
from tinytorch import expr as language
from tinytorch.expr import FUNCTIONS, MAX_LENGTH, ExpressionError, parse

RTOL = 1e-7
DIGITS = 50
ORDERS = ("f", "f′", "f″", "f‴")
MARGIN = 1e-6  # how far from a domain's edge or a kink a point must stay
NUDGE = 1e-12  # the relative change of every intermediate value in the conditioning check
STABLE = 1e-5  # how much of itself a derivative may move under that nudge
HUGE, TINY = 1e100, 1e-100  # sizes an intermediate value may have (or be 0)

settings.register_profile("truth-ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("truth-long", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
PROFILE = settings.get_profile(f"truth-{os.environ.get('TRUTH_PROFILE', 'ci')}")


# ---- the truth: the parsed steps, walked on truncated Taylor series of mpmath numbers -----------
#
# Each value is a "jet" (c0, c1, c2, c3), the Taylor coefficients f^(k)(x0)/k! of that
# sub-expression at x0. Jets add and multiply as polynomials cut after t^3, and a function
# applies through its own derivatives at c0 (the chain rule, to third order). That is
# forward-mode differentiation at 50 digits: nothing in common with the engine's reverse mode.

ORDER = 3


class Outside(Exception):
    """The point is outside the domain, or too close to an edge or a kink, to compare there."""


def _falling(n, m: int):
    """n (n-1) ... (n-m+1): the m-th derivative of u^n is that times u^(n-m)."""
    out = mpmath.mpf(1)
    for k in range(m):
        out *= n - k
    return out


def _sigmoid(u):
    s, r = 1 / (1 + mpmath.exp(-u)), 1 / (1 + mpmath.exp(u))  # r = 1 - s, without losing its digits
    return s, s * r, s * r * (r - s), s * r * (1 - 6 * s * r)


def _tan(u):
    t = mpmath.tan(u)
    return t, 1 + t * t, 2 * t * (1 + t * t), (1 + t * t) * (2 + 6 * t * t)


def _tanh(u):
    t, d = mpmath.tanh(u), mpmath.sech(u) ** 2  # d = 1 - t², without losing its digits
    return t, d, -2 * t * d, d * (6 * t * t - 2)


def _asin(u):
    r = 1 - u * u
    return mpmath.asin(u), r**-0.5, u * r**-1.5, (1 + 2 * u * u) * r**-2.5


# The function and its first three derivatives at u, from any table of derivatives
# (test_the_derivative_tables_agree_with_mpmath checks them against mpmath's differentiation).
DERIVATIVES = {
    "sin": lambda u: (mpmath.sin(u), mpmath.cos(u), -mpmath.sin(u), -mpmath.cos(u)),
    "cos": lambda u: (mpmath.cos(u), -mpmath.sin(u), -mpmath.cos(u), mpmath.sin(u)),
    "tan": _tan,
    "asin": _asin,
    "acos": lambda u: (mpmath.acos(u), *(-d for d in _asin(u)[1:])),
    "atan": lambda u: (mpmath.atan(u), 1 / (1 + u * u), -2 * u / (1 + u * u) ** 2, (6 * u * u - 2) / (1 + u * u) ** 3),
    "sinh": lambda u: (mpmath.sinh(u), mpmath.cosh(u), mpmath.sinh(u), mpmath.cosh(u)),
    "cosh": lambda u: (mpmath.cosh(u), mpmath.sinh(u), mpmath.cosh(u), mpmath.sinh(u)),
    "tanh": _tanh,
    "exp": lambda u: (mpmath.exp(u),) * 4,
    "log": lambda u: (mpmath.log(u), 1 / u, -1 / u**2, 2 / u**3),
    "sqrt": lambda u: (mpmath.sqrt(u), u**-0.5 / 2, -(u**-1.5) / 4, 3 * u**-2.5 / 8),
    "abs": lambda u: (abs(u), mpmath.sign(u), 0, 0),
    "relu": lambda u: (u, 1, 0, 0) if u > 0 else (0, 0, 0, 0),
    "sigmoid": _sigmoid,
    "softplus": lambda u: (mpmath.log1p(mpmath.exp(u)), *_sigmoid(u)[:3]),
}


def _apply(derivatives, u: tuple, nudge=None) -> tuple:
    """g(u) for a jet u, given g and its first three derivatives at u's value.

    With `nudge`, the derivatives are nudged as rounding in the engine's own rules moves them:
    the value by a part of itself, a derivative by a part of the largest of them up to its order
    (sigmoid‴ = s(1-s)(1-2s) near 0, or tanh′ = 1-tanh² for large x, lose digits that way)."""
    g = [mpmath.mpf(d) for d in derivatives]
    if nudge is not None:
        g = [g[0] * (1 + nudge())] + [g[m] + nudge() * max(abs(d) for d in g[:m + 1]) if g[m] else g[m]
                                      for m in range(1, ORDER + 1)]  # (a 0 here is no term of the rule)
    g0, g1, g2, g3 = g
    _, u1, u2, u3 = u
    return g0, g1 * u1, g1 * u2 + g2 / 2 * u1**2, g1 * u3 + g2 * u1 * u2 + g3 / 6 * u1**3


def _times(a: tuple, b: tuple) -> tuple:
    return tuple(sum(a[i] * b[k - i] for i in range(k + 1)) for k in range(ORDER + 1))


def _divided(a: tuple, b: tuple) -> tuple:
    q: list = []
    for k in range(ORDER + 1):
        q.append((a[k] - sum(b[j] * q[k - j] for j in range(1, k + 1))) / b[0])
    return tuple(q)


def _power(a: tuple, b: tuple, constant_exponent: bool) -> tuple:
    if constant_exponent:  # u^n through the derivatives of u^n (a negative u with a whole n too)
        n = b[0]
        return _apply([_falling(n, m) and _falling(n, m) * a[0] ** (n - m) for m in range(ORDER + 1)], a)
    exponent = _times(b, _apply(DERIVATIVES["log"](a[0]), a))  # a^b = exp(b log a), for a > 0
    return _apply(DERIVATIVES["exp"](exponent[0]), exponent)


def _inside(name: str, args: list, depends: list[bool]) -> bool:
    """Whether the operation `name` is far enough inside its domain, and from its kinks, at
    these argument values."""
    u = args[0]
    if name in ("log", "sqrt"):
        return u > MARGIN
    if name in ("asin", "acos"):
        return abs(u) < 1 - MARGIN
    if name == "tan":
        return abs(mpmath.cos(u)) > MARGIN
    if name in ("abs", "relu"):
        return abs(u) > MARGIN or not depends[0]
    if name in ("max", "min"):
        return abs(args[0] - args[1]) > MARGIN or not any(depends)
    if name == "/":
        return abs(args[1]) > MARGIN
    if name == "^":
        base, exponent = args
        if depends[1] or not mpmath.isint(exponent):  # real for every b near here only if a > 0
            return base > MARGIN
        return abs(base) > MARGIN or exponent > 0
    return True


def _operation(name: str, args: list[tuple], depends: list[bool], nudge=None) -> tuple:
    if name == "negate":
        return tuple(-c for c in args[0])
    if name in ("+", "-"):
        a, b = args
        return tuple(p + q if name == "+" else p - q for p, q in zip(a, b))
    if name == "*":
        return _times(*args)
    if name == "/":
        return _divided(*args)
    if name == "^":
        return _power(*args, constant_exponent=not depends[1])
    if name in ("max", "min"):
        a, b = args
        return a if (a[0] > b[0]) == (name == "max") else b
    return _apply(DERIVATIVES[name](args[0][0]), args[0], nudge)


def jets(steps, x0: float, nudge=None) -> tuple:
    """f at x0 as the Taylor coefficients (c0, c1, c2, c3), on mpmath numbers; Outside where
    x0 is not a fair point. With `nudge` (a function giving tiny random amounts), every
    coefficient of every operation's result is nudged by such a part of itself, and every
    function's derivatives as `_apply` says: what rounding does, and more."""
    stack: list[tuple[tuple, bool]] = []  # (jet, depends on x)
    zero = mpmath.mpf(0)
    for step in steps:
        if step.kind in (language._PUSH_NUMBER, language._PUSH_CONSTANT):
            jet, depends = (mpmath.mpf(step.value), zero, zero, zero), False  # the engine's float64, exactly
        elif step.kind == language._PUSH_VARIABLE:
            jet, depends = (mpmath.mpf(x0), mpmath.mpf(1), zero, zero), True
            if nudge is not None:  # each use of x apart: x/x is exactly 1 here, but not in reverse mode
                jet = (jet[0] * (1 + nudge()), jet[1] * (1 + nudge()), zero, zero)
        else:
            args, flags = (list(t) for t in zip(*stack[-step.arity:]))
            del stack[-step.arity:]
            depends = any(flags)
            name = "negate" if step.kind == language._NEGATE else step.name
            if not _inside(name, [a[0] for a in args], flags):
                raise Outside(name)
            jet = _operation(name, args, flags, nudge)
            exact = not depends and mpmath.isint(jet[0]) and abs(jet[0]) <= 2**53  # 1+1 and 3^2 are exact in float64
            if nudge is not None and not exact:
                jet = tuple(c * (1 + nudge()) for c in jet)
        for c in jet:
            if not (isinstance(c, mpmath.mpf) and (c == 0 or TINY < abs(c) < HUGE)):
                raise Outside(f"size {c}")
        stack.append((jet, depends))
    return stack[0][0]


def truth(steps, x0: float, nudge=None) -> list:
    """f, f′, f″, f‴ at x0 to DIGITS digits; Outside if x0 is not a fair point."""
    with mpmath.workdps(DIGITS):
        return [c * mpmath.factorial(k) for k, c in enumerate(jets(steps, x0, nudge))]


def well_conditioned(steps, x0: float, exact: list, seed: int) -> bool:
    """Whether rounding inside the formula cannot move f to f‴ much: nudge every coefficient of
    every intermediate result by up to ±NUDGE of itself (two random patterns), as rounding in a
    value or in a derivative would, and see how far f to f‴ move."""
    rng = random.Random(seed)
    for _ in range(2):
        try:
            # a random size, not just a random sign: 20δ - 10δ - 10δ would hide a large effect
            nudged = truth(steps, x0, lambda: NUDGE * rng.choice((-1, 1)) * rng.uniform(0.5, 1))
        except Outside:  # a nudge took it out of the domain
            return False
        for e, n in zip(exact, nudged):
            if abs(n - e) > STABLE * abs(e):
                return False
    return True


# ---- the engine, and the comparison -------------------------------------------------------------


def engine(expression, x: Tensor) -> list[np.ndarray]:
    """f, f′, f″, f‴ from the engine, each by differentiating the last one's graph."""
    results = [expression(x=x)]
    for _ in range(3):
        results.append(grad(results[-1], x, create_graph=True)[0])
    return [np.broadcast_to(r.data, x.shape).astype(np.float64) for r in results]


def check_formula(text: str, points, seed: int = 0) -> int:
    """Compare the engine with the truth at every fair point among `points`, one x at a time and
    all of them as one vector. Returns how many points were compared."""
    expression = parse(text)
    fair, truths = [], []
    for x0 in points:
        try:
            exact = truth(expression._steps, x0)
        except Outside:
            continue
        if well_conditioned(expression._steps, x0, exact, seed):
            fair.append(x0)
            truths.append([float(t) for t in exact])
    if not fair:
        return 0
    together = engine(expression, Tensor(np.array(fair)))
    for i, (x0, want) in enumerate(zip(fair, truths)):
        alone = engine(expression, Tensor(x0))
        for order, w in enumerate(want):
            for how, got in (("one x", float(alone[order])), ("a vector", float(together[order][i]))):
                assert abs(got - w) <= RTOL * abs(w), (
                    f"{ORDERS[order]} of {text} at x = {x0!r} ({how}): engine {got!r}, truth {w!r}")
    return len(fair)


# ---- every function, every operator, every spelling ---------------------------------------------

POINTS = [-2.31, -0.9, -0.35, 0.4, 1.3, 2.0, 2.7]
ONE_OF_EACH = [
    *(f"{name}(0.3x+0.2)" for name, (arity, _) in FUNCTIONS.items() if arity == 1),
    *(f"{name}(x^2, 2x-0.5)" for name, (arity, _) in FUNCTIONS.items() if arity == 2),
    "x+2", "x-2", "2*x", "x/3", "3/x", "-x", "+x", "x^3", "x**3", "x^-2", "x^0", "x^1", "x^0.5", "(x+3)^(1/3)",
    "2x", "2pi", "2pi*x", ".5x", "1.5e-1x", "2E1x", "2.x", "2(x+1)", "2sin(x)", "3x^2", "x/2x", "e^2x",
    "x^x", "2^x", "e^x", "x^(x-1)", "(x^2+1)^sin(x)", "2^-x", "2^3^x", "x^2^0.5",
    "sin(x)*exp(-x^2)", "(x^2+1)*sin(x^2+1)", "tanh(x)/(1+x**2)", "sigmoid(2x)*softplus(-x)",
    "max(x, 0)*min(x, 1)", "relu(x-1)^2+abs(x)^3", "log(1+x^2)^cos(x)", "asin(x/3)*acos(x/4)+atan(x)",
    "sinh(x)/cosh(x)-tanh(x)+sqrt(x^2+1)",
]


@pytest.mark.parametrize("text", ONE_OF_EACH)
def test_every_function_operator_and_spelling_matches_the_truth(text):
    assert check_formula(text, POINTS) >= 3, "too few fair points to be a test"


def test_the_formulas_above_use_every_function_of_the_language():
    used = {step.name for text in ONE_OF_EACH for step in parse(text)._steps if step.kind == language._CALL}
    assert used == set(FUNCTIONS) == {*DERIVATIVES, "max", "min"}


def test_the_truth_is_the_closed_form():
    """The referee checked against derivatives by hand: sin(x)·exp(−x²) and x^x."""
    x = mpmath.mpf(0.7)
    with mpmath.workdps(DIGITS):
        s, c, g = mpmath.sin(x), mpmath.cos(x), mpmath.exp(-x * x)
        by_hand = [s * g, g * (c - 2 * x * s), g * ((4 * x * x - 3) * s - 4 * x * c),
                   g * ((-8 * x**3 + 18 * x) * s + (12 * x * x - 7) * c)]
        for t, h in zip(truth(parse("sin(x)*exp(-x^2)")._steps, 0.7), by_hand):
            assert abs(t - h) <= mpmath.mpf(10) ** (5 - DIGITS) * abs(h)
        du, d2u = mpmath.log(x) + 1, 1 / x  # x^x = exp(u) with u = x log x
        f = x**x
        by_hand = [f, f * du, f * (du**2 + d2u), f * (du**3 + 3 * du * d2u - 1 / x**2)]
        for t, h in zip(truth(parse("x^x")._steps, 0.7), by_hand):
            assert abs(t - h) <= mpmath.mpf(10) ** (5 - DIGITS) * abs(h)


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
def test_the_derivative_tables_agree_with_mpmath(name):
    function = {"relu": lambda u: max(u, 0), "abs": abs}.get(name) or getattr(mpmath, name, None) \
        or (lambda u: DERIVATIVES[name](u)[0])
    for u in (-0.83, -0.2, 0.31, 0.77, 2.4):
        if name in ("log", "sqrt") and u < 0 or name in ("asin", "acos") and abs(u) > 1:
            continue
        with mpmath.workdps(DIGITS):
            u = mpmath.mpf(u)
            for table, numeric in zip(DERIVATIVES[name](u), mpmath.diffs(function, u, ORDER)):
                assert abs(table - numeric) <= mpmath.mpf(10) ** (10 - DIGITS) * (1 + abs(numeric)), (name, u)



@pytest.mark.parametrize("u", [-200.0, -30.0, -0.4, 0.0, 1.3, 45.0])
def test_sigmoid_and_softplus_in_the_tables_are_the_textbook_ones(u):
    with mpmath.workdps(6 * DIGITS):  # the textbook formulas, with digits to spare for 1 + e^-200
        s = 1 / (1 + mpmath.exp(-u))
        want = [s, s * (1 - s), mpmath.log(1 + mpmath.exp(u))]
    with mpmath.workdps(DIGITS):
        got = [*DERIVATIVES["sigmoid"](mpmath.mpf(u))[:2], DERIVATIVES["softplus"](mpmath.mpf(u))[0]]
        for g, w in zip(got, want):
            assert abs(g - w) <= mpmath.mpf(10) ** (2 - DIGITS) * w


def test_points_outside_the_domain_or_at_a_kink_are_not_compared():
    for text, x0 in [("log(x)", -1.0), ("sqrt(x)", 0.0), ("asin(x)", 1.0), ("abs(x-1)", 1.0),
                     ("max(x, 1)", 1.0), ("x^x", -0.5), ("(x-2)^0.5", 2.0), ("1/(x-1)", 1.0), ("exp(x^3)", 7.0)]:
        with pytest.raises(Outside):
            truth(parse(text)._steps, x0)
    steps = parse("(x+1e10)-1e10")._steps  # cancellation: 1e-16 of 1e10 is a large part of x
    assert not well_conditioned(steps, 1e-3, truth(steps, 1e-3), seed=0)
    steps = parse("(x+1)-1")._steps
    assert well_conditioned(steps, 0.5, truth(steps, 0.5), seed=0)


def _wrong_second_derivative(ctx, g, x, out):  # right value, but a constant to create_graph
    return g * np.cos(ops._value(x))


def _wrong_sign(ctx, g, x, out):
    return g * (1.0 + out * out)


@pytest.mark.parametrize(("op", "rule", "text", "order"), [
    ("Sin", _wrong_second_derivative, "sin(x)*x", "f″"),
    ("Tanh", _wrong_sign, "2tanh(x)", "f′"),
])
def test_a_broken_rule_is_caught(monkeypatch, op, rule, text, order):
    monkeypatch.setattr(getattr(ops, op), "backward", staticmethod(rule))
    with pytest.raises(AssertionError, match=f"{order} of"):
        check_formula(text, POINTS)


# ---- random formulas ----------------------------------------------------------------------------

ATOM, POWER, SIGNED, PRODUCT, SUM = 5, 4, 3, 2, 1  # how tightly each kind of text binds
LEAVES = ["x", "x", "x", "x", "pi", "e", "2", "3", "0.5", ".25", "2.", "1.5e-1", "2E1", "7", "10"]


def _bracketed(node, needed: bool, draw):
    """Brackets where the grammar needs them, and now and then where it does not."""
    text, precedence, number = node
    return (f"({text})", ATOM, False) if needed or draw(st.integers(0, 9)) == 9 else node


@st.composite
def formulas(draw, depth: int = 5):
    """(text, how tightly it binds, is a number literal): every function of the language, every
    operator, signs, both spellings of the power, implicit products, exponents with x in them."""
    if depth == 0 or (depth < 5 and draw(st.integers(0, 3)) == 3):
        leaf = draw(st.sampled_from(LEAVES))
        return leaf, ATOM, leaf[0] in "0123456789."
    kind = draw(st.sampled_from(["binary", "binary", "binary", "sign", "call", "call"]))
    space = draw(st.sampled_from(["", "", " "]))
    if kind == "sign":
        inner = draw(formulas(depth - 1))
        text, _, _ = _bracketed(inner, inner[1] < SIGNED, draw)
        return draw(st.sampled_from("-+")) + text, SIGNED, False
    if kind == "call":
        name = draw(st.sampled_from(sorted(FUNCTIONS)))
        args = [draw(formulas(depth - 1))[0] for _ in range(FUNCTIONS[name][0])]
        return f"{name}({f',{space}'.join(args)})", ATOM, False
    op = draw(st.sampled_from(["+", "-", "*", "/", "^", "^", "implicit"]))
    left, right = draw(formulas(depth - 1)), draw(formulas(depth - 1))
    if op == "implicit":  # 2x, 2pi, 2(x+1), 2sin(x), 3x^2: a number, then at once a power
        power = _bracketed(right, right[1] < POWER, draw)
        if left[2] and power[0][0] not in "eE0123456789.":  # (2e-1 would be a number)
            return left[0] + power[0], PRODUCT, False
        op = "*"
    if op == "^":  # the base is an atom; the exponent may carry a sign: 2^-x
        left, right = _bracketed(left, left[1] < ATOM, draw), _bracketed(right, right[1] < SIGNED, draw)
        return left[0] + draw(st.sampled_from(["^", "**"])) + right[0], POWER, False
    precedence = SUM if op in "+-" else PRODUCT
    left, right = _bracketed(left, left[1] < precedence, draw), _bracketed(right, right[1] <= precedence, draw)
    return f"{left[0]}{space}{op}{space}{right[0]}", precedence, False


POINT = st.one_of(st.floats(-3.0, 3.0, allow_subnormal=False), st.sampled_from([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]))


@PROFILE
@given(formulas(), st.lists(POINT, min_size=3, max_size=3), st.integers(0, 2**32 - 1))
def test_random_formulas_match_the_truth(formula, points, seed):
    text = formula[0]
    assume(len(text) <= MAX_LENGTH)
    try:
        parse(text)
    except ExpressionError:  # too many operations: the generator does not count them
        assume(False)
    assume(check_formula(text, points, seed) > 0)

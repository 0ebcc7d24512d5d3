"""Gradient descent: iterates against the analytic recurrence, and every way a run can end."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import tinytorch as tt
from lessons import curves
from lessons.descent import (
    CONVERGED,
    DIVERGED,
    DIVERGENCE_LIMIT,
    GRAD_TOL,
    MAX_LR,
    MAX_STEPS,
    MIN_LR,
    NOT_FINITE,
    OSCILLATING,
    OSCILLATION_WINDOW,
    RAN_ALL_STEPS,
    STALLED,
    STATUSES,
    DescentRun,
    _value_and_slope,
    run,
    stopping_rule,
)
from tinytorch import Tensor
from tinytorch.expr import parse
from ui.presets import PRESETS


def shifted_square(x):
    return (x - 2) ** 2


def square(x):
    return x**2


def test_iterates_follow_the_analytic_recurrence_and_converge_to_the_minimum():
    lr, x0 = 0.1, -1.0
    r = run(shifted_square, x0, lr, 200)
    # x_{k+1} = x_k - lr·2(x_k - 2), so x_k - 2 = (x0 - 2)(1 - 2 lr)^k
    k = np.arange(len(r.xs))
    np.testing.assert_allclose(r.xs, 2 + (x0 - 2) * (1 - 2 * lr) ** k, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r.fs, (r.xs - 2) ** 2, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(r.grads, 2 * (r.xs - 2), rtol=1e-12, atol=1e-300)
    assert r.status == CONVERGED and r.message.startswith("A minimum after")
    assert r.xs[-1] == pytest.approx(2, abs=1e-6)
    # it stops at the first iterate that is flat enough, not later
    assert abs(r.grads[-1]) <= GRAD_TOL < abs(r.grads[-2])
    assert r.steps == len(r.xs) - 1 == math.ceil(math.log(GRAD_TOL / 6) / math.log(0.8))


def test_a_parsed_expression_runs_as_the_page_calls_it():
    f = parse("(x - 2)^2")
    r = run(lambda x: f(x=x), 0.0, 0.25, 100)
    assert r.status == CONVERGED and r.xs[-1] == pytest.approx(2, abs=1e-6)


def test_each_step_uses_the_engine_gradient_not_a_numeric_one():
    # x times a detached copy of x: the engine's f′ is x (the copy is a constant), the true slope
    # 2x. With lr = 0.1 the engine's iterates shrink by 0.9 a step; a numeric f′ would give 0.8.
    def build(x):
        return x * Tensor.constant(x.data)

    r = run(build, 1.0, 0.1, 5)
    np.testing.assert_allclose(r.xs, 0.9 ** np.arange(6), rtol=1e-14)


@pytest.mark.parametrize("lr", [1.5, 2.0, 5.0])
def test_too_large_a_rate_on_x_squared_diverges(lr):
    r = run(square, 1.0, lr, MAX_STEPS)
    # each step multiplies x by 1 - 2 lr: |x| passes the limit after the first k with |1 - 2lr|^k > 1e6
    growth = abs(1 - 2 * lr)
    assert r.status == DIVERGED
    assert r.steps == math.floor(math.log(DIVERGENCE_LIMIT) / math.log(growth)) + 1
    assert abs(r.xs[-1]) > DIVERGENCE_LIMIT >= abs(r.xs[-2])
    assert np.all(np.diff(r.xs)[:-1] * np.diff(r.xs)[1:] < 0)  # it jumps from side to side
    assert "learning rate is too large" in r.message
    assert f"exceeds 1,000,000 after {r.steps} steps" in r.message


def test_rate_at_the_edge_bounces_for_ever():
    r = run(square, 1.0, 1.0, 40)  # x ← x − 2x = −x
    np.testing.assert_array_equal(r.xs, (-1.0) ** np.arange(41))
    assert r.status == OSCILLATING and r.steps == 40
    assert "bounces back and forth without settling" in r.message
    assert "2/f″ ≈ 1" in r.message  # f″ = 2 from the engine, so lr must stay below 1


def test_slowly_growing_bounces_are_oscillation_until_they_diverge():
    r = run(square, 1.0, 1.05, 30)  # |x| grows by 1.1 a step: 17 after 30 steps
    assert r.status == OSCILLATING and "ever wider" in r.message
    assert run(square, 1.0, 1.05, 200).status == DIVERGED


def test_a_kink_makes_constant_bounces_without_a_curvature_hint():
    r = run(abs, 0.05, 0.1, 50)  # f′ = ±1: x bounces between 0.05 and -0.05
    np.testing.assert_allclose(np.abs(r.xs), 0.05, rtol=1e-9)
    assert r.status == OSCILLATING and "f″" not in r.message


def test_shrinking_bounces_are_not_oscillation():
    r = run(square, 1.0, 0.9, OSCILLATION_WINDOW + 2)  # x ← −0.8x: bouncing, but settling
    assert r.status == RAN_ALL_STEPS and "without converging" in r.message


def test_no_minimum_runs_off_downhill():
    r = run(lambda x: -(x**2), 1.0, 0.1, MAX_STEPS)
    assert r.status == DIVERGED and "no minimum" in r.message
    assert np.all(np.diff(r.fs) < 0)


def test_an_undefined_slope_stops_the_run_there():
    # f = (sqrt x)^2 is 0 at 0, but its chain-rule slope is 2·sqrt(0) · 1/(2·sqrt 0) = 0·∞ = nan
    r = run(lambda x: tt.sqrt(x) ** 2, 0.0, 0.1, 10)
    assert r.status == NOT_FINITE and r.steps == 0
    assert r.message == "f′(x) is not defined at x = 0 (nan) — the run stops there."


def test_stepping_out_of_the_domain_stops_at_the_nan():
    r = run(tt.sqrt, 1.0, 1.0, 10)  # 1 → 0.5 → 0.5 − 0.707 < 0, where sqrt is nan
    np.testing.assert_allclose(r.xs, [1.0, 0.5, 0.5 - 1 / (2 * math.sqrt(0.5))])
    assert r.status == NOT_FINITE and math.isnan(r.fs[-1])
    assert r.message.startswith("f(x) is not defined at x = -0.2071 (nan)")


def test_landing_on_a_pole_stops_with_infinity():
    r = run(tt.log, 1.0, 1.0, 10)  # 1 − 1·(1/1) = 0, where log is −∞
    assert r.status == NOT_FINITE and r.xs[-1] == 0 and r.fs[-1] == -math.inf
    assert "f(x) is infinite at x = 0 (−∞)" in r.message


def test_an_overflowing_step_stops_the_run():
    r = run(tt.exp, 709.0, 10.0, 10)  # f′ = e^709 ≈ 8e307; ten times that is ∞
    assert r.status == NOT_FINITE and r.steps == 0 and "overflows" in r.message


def test_a_step_too_small_to_move_x_stalls_and_asks_for_a_larger_rate():
    r = run(lambda x: 2e-5 * x, 3.0, MIN_LR, 10)  # steps of 2e-9 while 1 + |x| = 4
    assert r.status == STALLED and r.steps == 1
    assert abs(r.grads[-1]) > GRAD_TOL and "not yet 0" in r.message and "raise the learning rate" in r.message


def test_a_flat_start_converges_at_once():
    r = run(lambda x: x * 0 + 3, 1.0, 0.1, 10)
    assert r.status == CONVERGED and r.steps == 0 and list(r.xs) == [1.0]


def test_a_run_that_neither_converges_nor_misbehaves_ran_all_steps():
    r = run(square, 1.0, 0.01, 20)
    np.testing.assert_allclose(r.xs, 0.98 ** np.arange(21), rtol=1e-13)
    assert r.status == RAN_ALL_STEPS and "All 20 steps" in r.message


@pytest.mark.parametrize(("x0", "lr", "steps", "message"), [
    (0.0, 0.1, 0, "number of steps"),
    (0.0, 0.1, MAX_STEPS + 1, "number of steps"),
    (0.0, 0.1, 2.5, "number of steps"),
    (0.0, 0.1, True, "number of steps"),
    (math.inf, 0.1, 10, "starting point"),
    (math.nan, 0.1, 10, "starting point"),
    (2 * DIVERGENCE_LIMIT, 0.1, 10, "starting point"),
    (0.0, 0.0, 10, "learning rate"),
    (0.0, MIN_LR / 2, 10, "learning rate"),
    (0.0, MAX_LR * 2, 10, "learning rate"),
    (0.0, math.nan, 10, "learning rate"),
])
def test_inputs_are_checked_with_clear_messages(x0, lr, steps, message):
    with pytest.raises(ValueError, match=message):
        run(square, x0, lr, steps)


def test_every_message_is_one_line_and_every_status_is_known():
    runs = [run(shifted_square, 0, 0.1, 100), run(square, 1, 1.5, 100), run(square, 1, 1, 30),
            run(square, 1, 0.01, 5), run(tt.log, 1, 1, 5), run(lambda x: -square(x), 0, 0.1, 5)]
    assert {r.status for r in runs} == set(STATUSES)
    for r in runs:
        assert "\n" not in r.message and r.message.endswith(".")


def test_run_arrays_are_read_only_and_survive_pickling():
    r = run(shifted_square, 0, 0.1, 10)
    for a in (r.xs, r.fs, r.grads):
        with pytest.raises(ValueError):
            a[0] = 1.0
    copy = pickle.loads(pickle.dumps(r))
    assert isinstance(copy, DescentRun) and not copy.xs.flags.writeable
    assert (copy.status, copy.message, copy.lr, copy.curvature) == (r.status, r.message, r.lr, r.curvature)
    with pytest.raises(ValueError, match="status"):
        DescentRun(r.xs, r.fs, r.grads, "fine", "", 0.1)


@pytest.mark.parametrize("text", [p.text for p in PRESETS] + ["x" + "-x" * 149, "3", "x-x"])
def test_each_step_uses_the_same_numbers_as_a_one_point_curve(text):
    # descent runs on the engine's float path (4x cheaper); it must give the same bits as the arrays.
    expr = parse(text)
    for x in (-2.5, -1.0, -0.1, 0.0, 0.3, 1.2, 7.0):
        curve = curves.sample(lambda t: expr(x=t), x, x, n=1)
        f, slope = _value_and_slope(lambda t: expr(x=t), x)
        np.testing.assert_array_equal([f, slope], [curve.f[0], curve.df[0]])


# ---- the advice, on functions where the right answer is known --------------------------------------
# On x², f″ = 2 everywhere and x ← (1 − 2·lr)·x: steps settle exactly for lr < 1, and lr = 0.5
# lands on the minimum in one step. The advice must say so, and following it must work.


def test_x_squared_at_lr_0_1_converges_and_names_the_stable_range():
    r = run(square, 2.0, 0.1, 100)
    assert r.status == CONVERGED and r.curvature == 2 and r.stable_lr == 1
    assert "lr < 2/f″ ≈ 1 " in r.message and "fastest near lr = 1/f″ ≈ 0.5" in r.message
    assert "a larger learning rate would get there in fewer steps" in r.message
    short = run(square, 2.0, 0.1, 20)  # the same run, stopped early: still approaching
    assert short.status == RAN_ALL_STEPS and "20%" in short.message  # lr·f″ = 0.2 of the way per step
    assert "a larger learning rate" in short.message and "lr < 2/f″ ≈ 1 " in short.message
    faster = run(square, 2.0, 0.5, 100)  # following the advice: 1/f″ lands on the minimum at once
    assert faster.status == CONVERGED and faster.steps == 1 and faster.xs[-1] == 0


def test_x_squared_at_lr_0_9_settles_and_the_advice_is_a_smaller_rate_never_a_larger_one():
    r = run(square, 2.0, 0.9, 50)  # x ← −0.8x: every step overshoots, each by less
    assert r.status == RAN_ALL_STEPS
    assert "larger learning rate would" not in r.message and "not a larger one" in r.message
    assert "a smaller learning rate would be faster" in r.message and "lr < 2/f″ ≈ 1 " in r.message
    assert "80% as far on the other side" in r.message  # |1 − lr·f″| = 0.8
    assert run(square, 2.0, 0.9, MAX_STEPS).status == CONVERGED  # more steps do settle it
    assert run(square, 2.0, 0.5, 50).steps < run(square, 2.0, 0.9, MAX_STEPS).steps


def test_x_squared_at_lr_1_bounces_at_the_edge_of_the_stable_range():
    r = run(square, 2.0, 1.0, 50)
    assert r.status == OSCILLATING and "lr·f″ ≈ 2 ≥ 2" in r.message and "lr < 2/f″ ≈ 1 " in r.message


def test_x_squared_at_lr_1_1_diverges_and_the_advised_rate_converges():
    r = run(square, 2.0, 1.1, MAX_STEPS)
    assert r.status == DIVERGED and "try a learning rate below 1." in r.message
    assert r.stable_lr == 1
    assert run(square, 2.0, 0.99 * r.stable_lr, MAX_STEPS).status != DIVERGED
    assert run(square, 2.0, 1.01 * r.stable_lr, MAX_STEPS).status in (DIVERGED, OSCILLATING)


def quartic(x):
    return x**4


def test_a_quartic_that_diverges_is_advised_a_rate_that_works():
    # f″ = 12x² is 48 at x₀ = 2: 2/f″ ≈ 0.0417 is stable near x₀ (and then everywhere closer in)
    r = run(quartic, 2.0, 0.2, 50)
    assert r.status == DIVERGED and r.curvature == pytest.approx(48, rel=1e-12)
    assert "try a learning rate below 0.04167." in r.message
    assert run(quartic, 2.0, 0.99 * r.stable_lr, MAX_STEPS).status in (CONVERGED, RAN_ALL_STEPS)


def test_a_quartic_whose_minimum_is_flat_is_told_a_larger_rate_gets_further():
    # f″ → 0 at the minimum, so the steps shrink with f′ = 4x³: the run crawls, and a larger
    # rate (still within 2/f″ where it ends) does get further
    r = run(quartic, 1.0, 0.1, 50)
    assert r.status == RAN_ALL_STEPS and "a larger learning rate" in r.message
    assert r.stable_lr > 1
    assert abs(run(quartic, 1.0, 0.4, 50).xs[-1]) < abs(r.xs[-1])


def test_a_quartic_with_two_valleys_converges_to_the_one_downhill_of_the_start():
    r = run(lambda x: x**4 - 3 * x**2 + x, 0.5, 0.05, 100)
    assert r.status == CONVERGED and r.xs[-1] == pytest.approx(1.1309, abs=1e-3)
    assert r.curvature == pytest.approx(12 * r.xs[-1] ** 2 - 6, rel=1e-12)


@pytest.mark.parametrize(("build", "x0", "status", "words"), [
    (lambda x: x**4 - 2 * x**2, 0.0, STALLED, "this is a maximum"),  # a hilltop between two valleys
    (lambda x: x**3, 0.0, STALLED, "f still goes lower to the left"),  # a saddle
    (lambda x: -tt.exp(-(x**2)), 4.0, STALLED, "f still goes lower to the left"),  # f′ ≈ 9e-7: a plateau
    (tt.relu, -1.0, CONVERGED, "a kink or a flat bottom"),  # relu's minimum, 0, is all of x ≤ 0
    (abs, 0.0, CONVERGED, "a kink or a flat bottom"),
    (square, 0.0, CONVERGED, "f″ ≈ 2"),
])
def test_a_flat_start_is_a_minimum_only_if_f_goes_no_lower_on_either_side(build, x0, status, words):
    r = run(build, x0, 0.1, 10)
    assert r.status == status and r.steps == 0 and words in r.message
    if status == STALLED:
        assert "start from another x₀" in r.message


def test_the_stopping_rule_names_the_tolerances():
    assert "|f′(x)| ≤ 1e-6" in stopping_rule() and "1,000,000" in stopping_rule()

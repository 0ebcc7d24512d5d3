"""Sampled curves: f, f′, f″ against closed forms, read-only arrays, finite differences, notes."""

from __future__ import annotations

import dataclasses
import math
import pickle
import warnings

import numpy as np
import pytest

import tinytorch as tt
from lessons.curves import Curve, fd_error, finite_difference, nonfinite_summary, sample, tangent
from tinytorch import Tensor, no_grad

# (build, f, f′, f″) as numpy closed forms.
SMOOTH = {
    "x^3+2x": (lambda x: x**3 + 2 * x,
               lambda x: x**3 + 2 * x, lambda x: 3 * x**2 + 2, lambda x: 6 * x),
    "sin(x)exp(-x^2)": (lambda x: tt.sin(x) * tt.exp(-(x**2)),
                        lambda x: np.sin(x) * np.exp(-(x**2)),
                        lambda x: (np.cos(x) - 2 * x * np.sin(x)) * np.exp(-(x**2)),
                        lambda x: ((4 * x**2 - 3) * np.sin(x) - 4 * x * np.cos(x)) * np.exp(-(x**2))),
    "log(1+x^2)": (lambda x: tt.log(1 + x**2),
                   lambda x: np.log1p(x**2), lambda x: 2 * x / (1 + x**2),
                   lambda x: 2 * (1 - x**2) / (1 + x**2) ** 2),
}


@pytest.mark.parametrize("name", SMOOTH)
def test_f_and_derivatives_match_closed_forms(name):
    build, f, df, d2f = SMOOTH[name]
    curve = sample(build, -3, 3, 1001, second=True)
    x = np.linspace(-3, 3, 1001)
    np.testing.assert_array_equal(curve.x, x)
    np.testing.assert_allclose(curve.f, f(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(curve.df, df(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(curve.d2f, d2f(x), rtol=1e-11, atol=1e-13)


def test_second_derivative_only_when_asked():
    assert sample(SMOOTH["x^3+2x"][0], -1, 1).d2f is None


def test_sample_grid_and_dtype():
    curve = sample(tt.sin, 0, 1, n=11)
    assert curve.x.shape == curve.f.shape == curve.df.shape == (11,)
    assert curve.x[0] == 0 and curve.x[-1] == 1
    assert all(a.dtype == np.float64 for a in (curve.x, curve.f, curve.df))


@pytest.mark.parametrize("build", [
    lambda x: 2.0, lambda x: Tensor.constant(2.0), lambda x: Tensor(2.0), lambda x: x * 0 + 2,
])
def test_a_constant_fills_the_grid_with_zero_slope(build):
    curve = sample(build, -1, 1, 101, second=True)
    np.testing.assert_array_equal(curve.f, np.full(101, 2.0))
    np.testing.assert_array_equal(curve.df, np.zeros(101))
    np.testing.assert_array_equal(curve.d2f, np.zeros(101))


def test_identity_and_linear():
    curve = sample(lambda x: x, -2, 2, 5, second=True)
    np.testing.assert_array_equal(curve.f, curve.x)
    np.testing.assert_array_equal(curve.df, np.ones(5))
    np.testing.assert_array_equal(curve.d2f, np.zeros(5))
    curve = sample(lambda x: 3 * x - 1, -2, 2, 5, second=True)
    np.testing.assert_array_equal(curve.df, np.full(5, 3.0))
    np.testing.assert_array_equal(curve.d2f, np.zeros(5))


def test_arrays_are_read_only():
    curve = sample(lambda x: x, -1, 1, 5, second=True)
    for name in ("x", "f", "df", "d2f"):
        array = getattr(curve, name)
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 42.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.f = np.zeros(5)


def test_hand_built_curve_is_frozen_without_touching_the_callers_arrays():
    x = np.linspace(0, 1, 4)
    f = x**2
    curve = Curve(x, f, 2 * x)
    assert not curve.f.flags.writeable and curve.d2f is None
    assert f.flags.writeable  # a copy was frozen, not the caller's array
    f[0] = 9.0
    assert curve.f[0] == 0.0


def test_pickled_curves_stay_read_only():
    copy = pickle.loads(pickle.dumps(sample(lambda x: x**2, -1, 1, 5, second=True)))
    np.testing.assert_array_equal(copy.d2f, np.full(5, 2.0))
    assert not any(getattr(copy, name).flags.writeable for name in ("x", "f", "df", "d2f"))


def test_sample_works_inside_no_grad():
    with no_grad():
        curve = sample(lambda x: x**2, -1, 1, 3)
    np.testing.assert_array_equal(curve.df, [-2.0, 0.0, 2.0])


def test_sample_rejects_non_elementwise_results():
    with pytest.raises(ValueError, match="one value per x"):
        sample(lambda x: x.reshape(-1, 1) * x, -1, 1, 5)
    with pytest.raises(ValueError, match="one value per x"):
        sample(lambda x: Tensor([1.0, 2.0]), -1, 1, 5)


def test_sample_is_silent_on_nan_and_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curve = sample(tt.log, -1, 1, 5, second=True)
    assert np.isnan(curve.f[0]) and curve.f[2] == -math.inf


# ---- finite differences --------------------------------------------------------------------------


@pytest.mark.parametrize("name", SMOOTH)
def test_finite_differences_agree_with_autodiff(name):
    build = SMOOTH[name][0]
    curve = sample(build, -3, 3)
    fd = finite_difference(build, curve.x)
    assert fd.shape == curve.x.shape
    error = fd_error(fd, curve.df)
    assert np.all(error <= 1e-6 * np.maximum(1.0, np.abs(curve.df)))


def test_finite_difference_with_a_given_step_and_constants():
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(finite_difference(lambda t: t**2, x, h=1e-3), 2 * x, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(finite_difference(lambda t: 5.0, x), np.zeros(3))


def test_finite_difference_builds_no_graph():
    seen = []

    def build(t):
        y = t * t
        seen.append(y)
        return y

    finite_difference(build, np.array([1.0]))
    assert all(y.is_leaf for y in seen)


def test_fd_error_is_nan_where_not_finite():
    error = fd_error(np.array([1.0, np.nan, np.inf, 2.0]), np.array([1.5, 1.0, np.inf, -np.inf]))
    np.testing.assert_array_equal(error, [0.5, np.nan, np.nan, np.nan])


# ---- notes on nan and inf ------------------------------------------------------------------------


def test_notes_for_log_on_minus_five_to_five():
    notes = nonfinite_summary(sample(tt.log, -5, 5, 1001))
    assert notes == [
        "f is undefined (nan) at 500 of 1001 points, where x < 0",
        "f is infinite (−∞) at x = 0",
        "f′ is infinite (+∞) at x = 0",
    ]


def test_notes_for_one_over_x():
    notes = nonfinite_summary(sample(lambda x: 1 / x, -5, 5, 1001, second=True))
    assert notes == ["f is infinite (+∞) at x = 0", "f′ is infinite (−∞) at x = 0",
                     "f″ is infinite (+∞) at x = 0"]


def test_no_notes_for_smooth_functions():
    assert nonfinite_summary(sample(SMOOTH["sin(x)exp(-x^2)"][0], -3, 3, second=True)) == []


def test_notes_describe_places():
    x = np.arange(10.0)
    f = np.zeros(10)
    f[[2, 3, 6]] = np.nan
    f[9] = np.inf
    f[0] = -np.inf
    assert nonfinite_summary(Curve(x, f, np.zeros(10))) == [
        "f is undefined (nan) at 3 of 10 points, where 1 < x < 4 or x = 6",
        "f is infinite at 2 of 10 points, where x = 0 or x = 9",
    ]


def test_notes_count_the_places_they_do_not_name():
    x = np.arange(10.0)
    f = np.where(x % 2 == 1, np.nan, 1.0)  # nan at 1, 3, 5, 7, 9
    (note,) = nonfinite_summary(Curve(x, f, np.zeros(10)))
    assert note == "f is undefined (nan) at 5 of 10 points, where x = 1, x = 3, x = 5 and 2 more places"


def test_notes_for_runs_at_the_ends_and_everywhere():
    x = np.linspace(-3, 3, 7)
    (note,) = nonfinite_summary(Curve(x, np.where(x > 1, np.nan, 0.0), np.zeros(7)))
    assert note == "f is undefined (nan) at 2 of 7 points, where x > 1"
    (note,) = nonfinite_summary(Curve(x, np.full(7, np.nan), np.zeros(7)))
    assert note == "f is undefined (nan) everywhere in the range"


def test_notes_use_three_significant_digits():
    x = np.array([-1.23456, 0.0, 2.34567])
    (note,) = nonfinite_summary(Curve(x, np.array([np.nan, 0.0, np.nan]), np.zeros(3)))
    assert note == "f is undefined (nan) at 2 of 3 points, where x = -1.23 or x = 2.35"


# ---- tangent -------------------------------------------------------------------------------------


def test_tangent_ends():
    (x_lo, y_lo), (x_hi, y_hi) = tangent(1.0, 2.0, 3.0, -1.0, 4.0)
    assert (x_lo, x_hi) == (-1.0, 4.0)
    assert (y_lo, y_hi) == (2.0 - 6.0, 2.0 + 9.0)


@pytest.mark.parametrize("f0, slope", [(math.nan, 1.0), (1.0, math.inf), (-math.inf, 0.0), (1.0, math.nan)])
def test_no_tangent_where_undefined(f0, slope):
    assert tangent(0.0, f0, slope, -1.0, 1.0) is None


def test_to_csv_has_full_precision_and_nonfinite_values():
    from lessons.curves import to_csv

    c = sample(lambda x: 1 / x, -1.0, 1.0, n=3, second=True)
    lines = to_csv(c).splitlines()
    assert lines[0] == "x,f,df,d2f"
    assert lines[1] == "-1.0,-1.0,-1.0,-2.0"
    assert lines[2].split(",")[:2] == ["0.0", "inf"]
    third = sample(lambda x: x / 3, 0.0, 1.0, n=2)
    assert float(to_csv(third).splitlines()[2].split(",")[1]) == 1 / 3  # round-trips exactly

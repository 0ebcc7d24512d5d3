"""f(x, y) on a grid, along two slices and at a point: partials against closed forms and references."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import tinytorch as tt
from lessons.curves import finite_difference
from lessons.surface import GRID_POINTS, Surface, gradient_at, grid, slices
from tinytorch import no_grad
from tinytorch.expr import parse

# x*y + sin(y): ∂f/∂x = y, ∂f/∂y = x + cos(y)
EXPR = parse("x*y + sin(y)", ("x", "y"))


def build(x, y):
    return EXPR(x=x, y=y)


def f_ref(x, y):
    return x * y + np.sin(y)


def dfdx_ref(x, y):
    return y + 0 * x


def dfdy_ref(x, y):
    return x + np.cos(y)


# Different x and y ranges, so that mixing up rows and columns cannot pass.
X_RANGE, Y_RANGE = (-2.0, 1.0), (0.5, 4.0)


def test_grid_partials_match_closed_forms():
    s = grid(build, X_RANGE, Y_RANGE, n=51)
    np.testing.assert_array_equal(s.xs, np.linspace(*X_RANGE, 51))
    np.testing.assert_array_equal(s.ys, np.linspace(*Y_RANGE, 51))
    x, y = np.meshgrid(s.xs, s.ys)
    np.testing.assert_allclose(s.f, f_ref(x, y), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(s.dfdx, dfdx_ref(x, y), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(s.dfdy, dfdy_ref(x, y), rtol=1e-13, atol=1e-14)


def test_grid_rows_are_y_and_columns_are_x():
    s = grid(lambda x, y: 10 * x + y, (0, 1), (0, 2), n=3)  # f[i, j] = f(xs[j], ys[i])
    np.testing.assert_array_equal(s.f, [[0, 5, 10], [1, 6, 11], [2, 7, 12]])


def test_default_grid_is_201_by_201():
    s = grid(build, (-3, 3), (-3, 3))
    assert GRID_POINTS == 201
    assert s.f.shape == s.dfdx.shape == s.dfdy.shape == (201, 201)
    assert s.xs.shape == s.ys.shape == (201,)


@pytest.mark.parametrize(("fn", "f", "fx", "fy"), [
    (lambda x, y: x * 2, lambda x, y: 2 * x, lambda x, y: 2 + 0 * x, lambda x, y: 0 * x),
    (lambda x, y: tt.sin(y), lambda x, y: np.sin(y), lambda x, y: 0 * x, lambda x, y: np.cos(y)),
    (lambda x, y: 3.0, lambda x, y: 3 + 0 * x, lambda x, y: 0 * x, lambda x, y: 0 * x),
    (lambda x, y: tt.Tensor.constant(3.0), lambda x, y: 3 + 0 * x, lambda x, y: 0 * x, lambda x, y: 0 * x),
])
def test_a_missing_variable_gives_a_zero_partial(fn, f, fx, fy):
    s = grid(fn, X_RANGE, Y_RANGE, n=11)
    x, y = np.meshgrid(s.xs, s.ys)
    np.testing.assert_allclose(s.f, f(x, y), rtol=1e-14)
    np.testing.assert_array_equal(s.dfdx, fx(x, y))
    np.testing.assert_allclose(s.dfdy, fy(x, y), rtol=1e-14)


def test_nan_and_inf_stay_where_they_belong():
    s = grid(lambda x, y: tt.log(x * y), (-1, 1), (-1, 1), n=21)  # log of negatives: nan; log 0: -inf
    x, y = np.meshgrid(s.xs, s.ys)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(s.f, np.log(x * y))
        good = x * y > 0
        np.testing.assert_allclose(s.dfdx[good], 1 / x[good])
    assert np.isnan(s.f[x * y < 0]).all()


def test_grid_works_inside_no_grad():
    with no_grad():
        s = grid(build, X_RANGE, Y_RANGE, n=5)
    x, y = np.meshgrid(s.xs, s.ys)
    np.testing.assert_allclose(s.dfdy, dfdy_ref(x, y), rtol=1e-13)


def test_surface_arrays_are_read_only_and_survive_pickling():
    s = grid(build, X_RANGE, Y_RANGE, n=5)
    for a in (s.xs, s.ys, s.f, s.dfdx, s.dfdy):
        with pytest.raises(ValueError):
            a[0] = 1.0
    copy = pickle.loads(pickle.dumps(s))
    assert isinstance(copy, Surface) and not copy.f.flags.writeable
    np.testing.assert_array_equal(copy.dfdy, s.dfdy)


def test_a_hand_made_surface_is_frozen_too():
    f = np.zeros((2, 3))
    s = Surface(np.arange(3.0), np.arange(2.0), f, f, f)
    f[0, 0] = 1.0  # the caller's array, not the surface's
    assert s.f[0, 0] == 0 and not s.f.flags.writeable


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"x_range": (1, 1)}, "x_range"),
    ({"x_range": (2, 1)}, "x_range"),
    ({"y_range": (0, math.inf)}, "y_range"),
    ({"n": 1}, "n must"),
    ({"n": 2.5}, "n must"),
    ({"n": 100_000}, "n must"),
])
def test_bad_grid_arguments(kwargs, message):
    args = {"x_range": X_RANGE, "y_range": Y_RANGE, "n": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        grid(build, **args)


def test_build_must_give_one_value_per_point():
    with pytest.raises(ValueError, match="one value per point"):
        grid(lambda x, y: x.reshape(-1), X_RANGE, Y_RANGE, n=5)


# ---- slices and the point -------------------------------------------------------------------


def test_slices_hold_one_variable_and_carry_the_other_partial():
    x0, y0 = 0.3, 1.7
    cut = slices(build, x0, y0, X_RANGE, Y_RANGE, n=101)
    assert (cut.x0, cut.y0) == (x0, y0)
    xs, ys = np.linspace(*X_RANGE, 101), np.linspace(*Y_RANGE, 101)
    np.testing.assert_array_equal(cut.along_x.x, xs)
    np.testing.assert_allclose(cut.along_x.f, f_ref(xs, y0), rtol=1e-14)
    np.testing.assert_allclose(cut.along_x.df, dfdx_ref(xs, y0), rtol=1e-14)
    np.testing.assert_array_equal(cut.along_y.x, ys)
    np.testing.assert_allclose(cut.along_y.f, f_ref(x0, ys), rtol=1e-14)
    np.testing.assert_allclose(cut.along_y.df, dfdy_ref(x0, ys), rtol=1e-14)


def test_a_partial_is_the_ordinary_derivative_of_the_slice():
    # "Treat y as a constant": the one-variable function f(·, y0) differentiated numerically.
    f = parse("x^2*y^3 + exp(x*y)", ("x", "y"))
    x0, y0 = -0.4, 0.8
    cut = slices(lambda x, y: f(x=x, y=y), x0, y0, (-1, 1), (-1, 1), n=41)
    along_x = finite_difference(lambda x: f(x=x, y=y0), cut.along_x.x)
    along_y = finite_difference(lambda y: f(x=x0, y=y), cut.along_y.x)
    np.testing.assert_allclose(cut.along_x.df, along_x, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(cut.along_y.df, along_y, rtol=1e-8, atol=1e-9)


def test_gradient_at_matches_closed_forms_and_the_grid():
    point = gradient_at(build, 0.3, 1.7)
    assert point == pytest.approx((f_ref(0.3, 1.7), dfdx_ref(0.3, 1.7), dfdy_ref(0.3, 1.7)), rel=1e-14)
    assert all(type(v) is float for v in point)
    s = grid(build, (0, 1), (1, 2), n=11)  # (0.3, 1.7) is a grid point: row 7, column 3
    assert (s.f[7, 3], s.dfdx[7, 3], s.dfdy[7, 3]) == pytest.approx(tuple(point), rel=1e-12)


def test_gradient_at_an_undefined_point():
    f, fx, fy = gradient_at(lambda x, y: tt.sqrt(x) * y, -1.0, 2.0)
    assert math.isnan(f) and math.isnan(fx) and math.isnan(fy)
    f, fx, fy = gradient_at(lambda x, y: tt.sqrt(x) + y, 0.0, 2.0)
    assert (f, fx, fy) == (2.0, math.inf, 1.0)

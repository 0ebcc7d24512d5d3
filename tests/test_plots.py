"""Plotly figures: traces carry the curve's numbers, tangent and point, gaps, size, themes."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

import tinytorch as tt
from lessons.curves import Curve, finite_difference, sample
from lessons.plots import THEMES, function_figure


def cubic(x):
    return x**3 + 2 * x


@pytest.fixture(scope="module")
def curve():
    return sample(cubic, -3, 3, 1001, second=True)


def figure(curve, x0=1.2, **kw):
    return function_figure(curve, x0, x0**3 + 2 * x0, 3 * x0**2 + 2, **kw)


def trace(fig: go.Figure, name: str) -> go.Scatter:
    """The trace called `name`, or else the one whose name starts with it."""
    found = [t for t in fig.data if t.name == name] or [t for t in fig.data if t.name.startswith(name)]
    (one,) = found
    return one


def xs(t: go.Scatter) -> np.ndarray:
    """A trace's x values, whether sent as an array or as x0 + dx."""
    if t.x is not None:
        return np.asarray(t.x, dtype=np.float64)
    return t.x0 + t.dx * np.arange(len(t.y))


def ys(t: go.Scatter) -> np.ndarray:
    return np.asarray(t.y, dtype=np.float64)


def test_f_and_derivative_traces_carry_the_curve(curve):
    fig = figure(curve)
    for name, values in (("f", curve.f), ("f′", curve.df)):
        t = trace(fig, name)
        np.testing.assert_allclose(xs(t), curve.x, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(ys(t), values)
        assert t.mode == "lines" and t.connectgaps is False
    assert [t.name for t in fig.data] == ["f", "f′", "tangent, slope 6.32", "f(1.2) = 4.128"]


def test_tangent_touches_the_point_with_the_given_slope(curve):
    x0, f0, slope = 1.2, 1.2**3 + 2.4, 3 * 1.44 + 2
    t = trace(figure(curve, x0), "tangent")
    (xa, xb), (ya, yb) = xs(t), ys(t)
    assert (xa, xb) == (-3.0, 3.0)  # across the whole range
    assert (yb - ya) / (xb - xa) == pytest.approx(slope, rel=1e-12)
    assert ya + slope * (x0 - xa) == pytest.approx(f0, rel=1e-12)


def test_marker_is_at_the_point(curve):
    t = trace(figure(curve, 1.2), "f(1.2)")
    assert t.mode == "markers"
    assert list(xs(t)) == [1.2] and list(ys(t)) == [pytest.approx(1.2**3 + 2.4)]


def test_show_second_adds_a_dashed_trace(curve):
    plain, second = figure(curve), figure(curve, show_second=True)
    assert len(second.data) == len(plain.data) + 1
    t = trace(second, "f″")
    np.testing.assert_array_equal(ys(t), curve.d2f)
    assert t.line.dash == "dash"


def test_show_second_without_a_second_derivative_is_ignored():
    curve = sample(cubic, -1, 1, 11)
    assert len(figure(curve, 0.5, show_second=True).data) == len(figure(curve, 0.5).data)


def test_check_adds_the_finite_difference_and_its_error(curve):
    fd = finite_difference(cubic, curve.x)
    fig = figure(curve, check=fd)
    t = trace(fig, "f′ by finite differences")
    np.testing.assert_array_equal(ys(t), fd)
    assert t.line.dash == "dot"
    error = trace(fig, "|finite difference")
    assert error.yaxis == "y2" and fig.layout.yaxis2.type == "log"
    np.testing.assert_allclose(ys(error), np.abs(fd - curve.df))
    assert fig.layout.xaxis.anchor == "y2"  # one x axis, under the error panel
    with pytest.raises(ValueError, match="one value per x"):
        figure(curve, check=fd[:10])


def test_nan_and_inf_become_gaps():
    curve = sample(tt.log, -5, 5, 1001)
    fig = function_figure(curve, 0.0, -math.inf, math.inf)
    f = ys(trace(fig, "f"))
    assert not np.isinf(f).any()
    np.testing.assert_array_equal(np.isnan(f), ~np.isfinite(curve.f))
    np.testing.assert_array_equal(f[np.isfinite(f)], curve.f[np.isfinite(curve.f)])
    assert np.isnan(ys(trace(fig, "f′"))[500])
    assert len(trace(fig, "tangent").y) == 0  # no tangent at a pole
    assert np.isnan(ys(trace(fig, "f(0)"))).all()
    assert "Infinity" not in fig.to_json() and "NaN" not in fig.to_json()


def test_y_range_ignores_poles():
    curve = sample(lambda x: 1 / x, -5, 5, 1001)
    low, high = figure(curve).layout.yaxis.range
    assert -200 < low < -5 and 5 < high < 200  # not ±10000 (f′ at x = ±0.01)


def test_y_range_keeps_a_steep_but_smooth_curve(curve):
    low, high = figure(curve).layout.yaxis.range
    assert low <= -33 and high >= 33  # f and f′ at ±3 are in view
    assert high - low < 80


def test_y_range_of_constant_and_undefined_functions():
    flat = sample(lambda x: 2.0, -1, 1, 11)
    low, high = function_figure(flat, 0.0, 2.0, 0.0).layout.yaxis.range
    assert low < 0 < 2 < high
    nothing = sample(lambda x: tt.sqrt(-1 - x * x), -1, 1, 11)  # nan, and so is f′
    assert function_figure(nothing, 0.0, math.nan, math.nan).layout.yaxis.range is None


def test_payload_stays_small(curve):
    fig = figure(curve, show_second=True, check=finite_difference(cubic, curve.x))
    data = json.loads(fig.to_json())["data"]
    for t in data[:5]:  # the sampled traces
        assert set(t["y"]) == {"dtype", "bdata"} and t["y"]["dtype"] == "f8"  # base64, not a list
        assert "x" not in t and t["dx"] == pytest.approx(0.006)  # x0 + dx, not an array
    payload = fig.to_json()
    assert len(payload) < 80_000  # five traces of 1001 float64 each, ~11 KB apiece
    assert len(json.dumps(json.loads(payload)["layout"].get("template", {}))) < 200  # not plotly's 6 KB


def test_uneven_x_is_sent_as_an_array():
    x = np.array([0.0, 0.1, 0.5, 2.0])
    curve = Curve(x, x**2, 2 * x)
    t = trace(function_figure(curve, 0.5, 0.25, 1.0), "f")
    np.testing.assert_array_equal(xs(t), x)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes(curve, theme):
    fig = figure(curve, theme=theme, title="x³ + 2x")
    assert fig.layout.font.color == THEMES[theme]["text"]
    assert trace(fig, "f").line.color == THEMES[theme]["f"]
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.title.text == "x³ + 2x"
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "value"


def test_unknown_theme(curve):
    with pytest.raises(ValueError, match="theme"):
        figure(curve, theme="neon")


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("options", [{}, {"show_second": True}, {"check": "fd"}, {"title": "f"}])
def test_figures_pass_plotlys_validation(options, theme):
    # The app builds figures without plotly's validation (for speed); here it must pass.
    c = sample(lambda x: tt.log(x) / x, -2.0, 2.0, n=101, second=True)
    if options.get("check") == "fd":
        options = {"check": finite_difference(lambda x: tt.log(x) / x, c.x)}
    fig = function_figure(c, 0.5, math.log(0.5) / 0.5, 4.0, theme=theme, **options)
    go.Figure(fig.to_dict())  # raises ValueError on any invalid property

"""Plotly figures: traces carry the curve's numbers, tangent and point, gaps, size, themes."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

import tinytorch as tt
from lessons.curves import Curve, finite_difference, sample
from lessons.plots import THEMES, figure_json, function_figure, function_marks, function_spec, restyle_patch


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


def reciprocal(x0):
    return function_figure(sample(lambda x: 1 / x, -3, 3, 1001), x0, 1 / x0, -1 / x0**2)


def test_y_range_of_a_pole_comes_from_the_bulk_of_the_values_and_keeps_the_point():
    # 1/x on [-3, 3] reaches ±167 next to 0, and f′ = −1/x² −27778: the old range was −150..80
    low, high = reciprocal(1.2).layout.yaxis.range
    assert -15 < low < -3 and 3 < high < 15
    low, high = reciprocal(0.01).layout.yaxis.range  # the point (0.01, 100) is far out, and in view
    assert low < -3 and high > 100


def test_a_spike_does_not_set_the_y_range():
    curve = sample(lambda x: 1 / (x * x + 0.001), -3, 3, 1001)  # 1000 at 0, below 10 for |x| > 0.32
    low, high = function_figure(curve, 1.0, 1 / 1.001, -2 / 1.001**2).layout.yaxis.range
    assert high < 50


@pytest.mark.parametrize(("asked", "expected"), [
    ((-2.0, 5.0), (-2.0, 5.0)),
    ((None, 30.0), (None, 30.0)),  # the bottom stays automatic
    ((-100.0, None), (-100.0, None)),
])
def test_y_range_as_asked_each_end_or_automatic(curve, asked, expected):
    automatic = figure(curve).layout.yaxis.range
    low, high = figure(curve, y_range=asked).layout.yaxis.range
    assert (low, high) == tuple(a if e is None else e for a, e in zip(automatic, expected))


def test_an_automatic_end_that_would_cross_the_asked_one_keeps_its_width(curve):
    automatic = figure(curve).layout.yaxis.range  # about −36..36
    low, high = figure(curve, y_range=(50.0, None)).layout.yaxis.range
    assert low == 50 and high == pytest.approx(50 + automatic[1] - automatic[0])
    low, high = figure(curve, y_range=(None, -50.0)).layout.yaxis.range
    assert high == -50 and low == pytest.approx(-50 - (automatic[1] - automatic[0]))


def test_derivatives_are_drawn_only_where_f_is_defined_and_a_note_says_why():
    curve = sample(tt.log, -3, 3, 1001, second=True)  # log′ = 1/x is a number at x < 0 too
    fig = function_figure(curve, 1.2, math.log(1.2), 1 / 1.2, show_second=True)
    undefined = ~np.isfinite(curve.f)
    assert np.isfinite(curve.df[undefined]).any()  # what the engine gives there...
    for name in ("f′", "f″"):
        shown = ys(trace(fig, name))
        assert np.isnan(shown[undefined]).all()  # ...is not drawn
        assert np.array_equal(shown[~undefined], (curve.df if name == "f′" else curve.d2f)[~undefined],
                              equal_nan=True)
    (note,) = fig.layout.annotations
    assert note.text.startswith("f′ and f″ are drawn only where f is defined")
    assert not figure(sample(cubic, -3, 3, 101)).layout.annotations  # defined everywhere: no note
    pole = function_figure(sample(lambda x: 1 / x, -3, 3, 1001), 1.0, 1.0, -1.0)
    assert not pole.layout.annotations  # at the pole f′ is infinite too: nothing hidden, nothing to say


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


def test_a_restyle_patch_turns_one_themes_figure_into_the_others():
    curve = sample(lambda x: x * x * x, -1.0, 1.0, 101, second=True)
    figures = [function_figure(curve, 0.5, 0.125, 0.75, show_second=True, theme=t) for t in ("light", "dark")]
    patch = restyle_patch(*(f.to_plotly_json() for f in figures))
    json.dumps(patch)  # it travels to the browser as JSON
    light, dark = (json.loads(f.to_json()) for f in figures)
    assert patch["traces"] and patch["layout"]
    # applied as plotly.js's restyle and relayout would: the light figure becomes the dark one
    import copy
    import re

    shown = copy.deepcopy(light)

    def put(tree, attribute, value):
        keys = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", attribute)]
        for key in keys[:-1]:
            tree = tree.setdefault(key, {}) if isinstance(tree, dict) else tree[key]
        tree[keys[-1]] = value

    for index, changes in patch["traces"]:
        for attribute, value in changes.items():
            put(shown["data"][index], attribute, value)
    for attribute, value in patch["layout"].items():
        put(shown["layout"], attribute, value)
    assert shown == dark
    assert restyle_patch(figures[0].to_plotly_json(), figures[0].to_plotly_json()) == {"traces": [], "layout": {}}
    with pytest.raises(ValueError, match="traces"):
        restyle_patch(light, {"data": [], "layout": {}})


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("options", [{}, {"show_second": True}, {"check": "fd"}, {"y_range": (-1.0, None)}])
def test_the_live_views_figure_json_is_the_figures_own(curve, theme, options):
    # The live view sends figure_json (no Figure built); the page's figure is a Figure: the same JSON.
    if options.get("check") == "fd":
        options = {"check": finite_difference(cubic, curve.x)}
    traces, layout = function_spec(curve, 0.5, cubic(0.5), 2.75, theme=theme, **options)
    assert figure_json(traces, layout) == json.loads(function_figure(curve, 0.5, cubic(0.5), 2.75, theme=theme,
                                                                     **options).to_json())


def test_the_marks_are_the_figures_tangent_and_point(curve):
    fig = figure(curve, 0.5)
    marks = function_marks(0.5, cubic(0.5), 3 * 0.25 + 2, float(curve.x[0]), float(curve.x[-1]))
    assert [m["meta"] for m in marks] == ["tangent", "point"]
    for mark in marks:
        (drawn,) = [t for t in fig.data if t.meta == mark["meta"]]
        assert drawn.name == mark["name"]
        assert np.allclose(np.asarray(drawn.y, dtype=float), np.asarray(mark["y"], dtype=float), equal_nan=True)
        assert list(drawn.x) == list(mark["x"])

"""The "Two variables" page through AppTest: both partial derivatives in the graph and the metrics,
the contour of f with ∇f, and the two slices with their tangents, against closed forms and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest import boxes, contour, dot, figure, live_view, metric, names, no_exception, open_app, trace
from carets import assert_caret_under

from lessons.surface import GRID_POINTS
from lessons.viz import format_number
from ui import view

PAGE = "pages/two_variables.py"


def f(x, y):  # the page's default, x*y + sin(y)
    return x * y + np.sin(y)


def dfdx(x, y):
    return y


def dfdy(x, y):
    return x + math.cos(y)


def expect_point(at, x: float, y: float) -> None:
    """Metrics and the graph's x and y boxes show f, ∂f/∂x and ∂f/∂y at (x, y)."""
    assert metric(at, "f(x, y)") == format_number(f(x, y))
    assert metric(at, "∂f/∂x") == format_number(dfdx(x, y))
    assert metric(at, "∂f/∂y") == format_number(dfdy(x, y))
    drawn = boxes(dot(at))
    assert drawn["x"] == (format_number(x), format_number(dfdx(x, y)))
    assert drawn["y"] == (format_number(y), format_number(dfdy(x, y)))
    assert drawn["x*y+sin(y)"] == (format_number(f(x, y)), "1")


def test_default_view_shows_both_partials_in_graph_and_metrics():
    at = open_app(PAGE)
    no_exception(at)
    assert at.text_input(key="fxy").value == view.DEFAULT_FUNCTION_XY == "x*y + sin(y)"
    assert at.slider(key="x").value == pytest.approx(view.DEFAULT_X)
    assert at.slider(key="y").value == pytest.approx(view.DEFAULT_Y)
    assert (at.slider(key="x").min, at.slider(key="x").max) == view.XY_RANGE
    expect_point(at, view.DEFAULT_X, view.DEFAULT_Y)


def test_a_link_restores_function_and_point_and_the_contour_is_f_on_the_grid():
    at = open_app(PAGE, fxy="x^2 - y^2", x=0.7, y=-1.1)
    no_exception(at)
    assert metric(at, "∂f/∂x") == format_number(1.4) and metric(at, "∂f/∂y") == format_number(2.2)
    xs, ys, z = contour(figure(at, 0))
    grid = np.linspace(*view.XY_RANGE, GRID_POINTS)
    np.testing.assert_allclose(xs, grid, atol=1e-12)
    np.testing.assert_allclose(ys, grid, atol=1e-12)
    gx, gy = np.meshgrid(grid, grid)  # z[i, j] is f(xs[j], ys[i])
    np.testing.assert_allclose(z, gx**2 - gy**2, rtol=1e-6, atol=1e-6)  # sent as float32
    assert "∇f = (1.4, 2.2)" in names(figure(at, 0))


def test_moving_the_y_slider_changes_the_partials():
    at = open_app(PAGE, x=0.7, y=-1.1)
    expect_point(at, 0.7, -1.1)
    before = dot(at)
    at.slider(key="y").set_value(2.0).run()
    no_exception(at)
    assert dot(at) != before
    expect_point(at, 0.7, 2.0)


def test_the_slices_hold_one_variable_and_their_tangents_have_the_partials_as_slopes():
    x0, y0 = -0.4, 1.3
    at = open_app(PAGE, x=x0, y=y0)
    fig = figure(at, 1)
    xs, along_x = trace(fig, "f(x, y₀)")
    np.testing.assert_allclose(along_x, f(xs, y0), rtol=1e-12, atol=1e-12)
    ys, along_y = trace(fig, "f(x₀, y)")
    np.testing.assert_allclose(along_y, f(x0, ys), rtol=1e-12, atol=1e-12)
    for partial, expected in (("∂f/∂x", dfdx(x0, y0)), ("∂f/∂y", dfdy(x0, y0))):
        (a, b), (fa, fb) = trace(fig, f"tangent, {partial} = {format_number(expected)}")
        assert (fb - fa) / (b - a) == pytest.approx(expected, rel=1e-9)
    assert [h.value for h in at.header] == ["Treat y as a constant"]  # h2, under the page's h1


def test_a_function_of_x_alone_has_a_zero_partial_in_y():
    at = open_app(PAGE, fxy="x^3", x=1.5, y=0.2)
    no_exception(at)
    assert metric(at, "∂f/∂x") == format_number(6.75) and metric(at, "∂f/∂y") == "0"
    assert "y" not in boxes(dot(at))  # f does not use y: no y box in its graph


def test_a_flat_point_has_no_arrow_and_says_why():
    at = open_app(PAGE, fxy="x^2 + y^2", x=0, y=0)
    no_exception(at)
    fig = figure(at, 0)
    assert not any(n.startswith("∇f") for n in names(fig))
    assert "No arrow" in fig["layout"]["annotations"][-1]["text"]


@pytest.mark.parametrize(("text", "title"), [
    ("x*y +", view.ERROR_TITLES["SYNTAX"]),
    ("x*z", view.ERROR_TITLES["UNKNOWN_NAME"]),
    ("", "Type a function of x and y"),
])
def test_bad_input_shows_an_error_keeps_the_text_and_the_last_good_graph(text, title):
    at = open_app(PAGE, fxy="x + y", x=1, y=2)
    good = dot(at)
    at.text_input(key="fxy").set_value(text).run()
    no_exception(at)
    assert at.text_input(key="fxy").value == text
    assert [e.value for e in at.error] == [title]
    shown = [c.value for c in at.code]
    if text:  # the caret under the mistake, then the message; an empty box has nothing to point at
        assert_caret_under(shown.pop(0), text, len(text) if text.endswith("+") else text.index("z"))
    assert shown[0][-1] in ".?" and "\n" not in shown[0]
    stale = dot(at)  # the last good graph stays, greyed out
    assert stale == good and boxes(stale)["x+y"] == ("3", "1") and live_view(at, "graph")["dim"]
    if text:
        assert all(text not in m.value for m in (*at.markdown, *at.caption, *at.error, *at.info))


def test_hostile_text_only_appears_as_code():
    at = open_app(PAGE, fxy="<img src=x onerror=alert(1)> **y**")
    no_exception(at)
    assert [e.value for e in at.error] == [view.ERROR_TITLES["BAD_CHAR"]]
    assert all("<img" not in m.value for m in (*at.markdown, *at.caption, *at.error, *at.info))


def test_the_point_is_shared_with_the_playground_when_it_fits():
    at = open_app(x=0.7)
    at.switch_page(PAGE).run()
    no_exception(at)
    assert at.slider(key="x").value == pytest.approx(0.7)
    wide = open_app(lo=0, hi=10, x=7.5)  # outside this page's range: back to the default
    wide.switch_page(PAGE).run()
    no_exception(wide)
    assert wide.slider(key="x").value == pytest.approx(view.DEFAULT_X)


def test_x_reads_the_same_here_as_on_the_playground():
    here = open_app(PAGE)
    playground = open_app()
    assert here.slider(key="x").proto.format == playground.slider(key="x").proto.format == "%.2f"
    assert here.slider(key="y").proto.format == "%.2f"


def test_the_colour_bar_starts_at_the_least_value_f_takes():
    at = open_app(PAGE, fxy="x^2 + 3y^2")
    no_exception(at)
    (t,) = [t for t in figure(at, 0)["data"] if t.get("type") == "contour"]
    _, _, z = contour(figure(at, 0))
    assert t["contours"]["start"] == pytest.approx(z.min(), abs=1e-6) == 0  # not −1.8
    assert t["contours"]["end"] == pytest.approx(z.max(), rel=1e-6)

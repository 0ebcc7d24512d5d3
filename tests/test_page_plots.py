"""Figures of the teaching pages: traces carry the numbers, arrows point along ∇f, notes, gaps, themes."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

import tinytorch as tt
from lessons.curves import sample
from lessons.descent import run
from lessons.page_plots import (
    ARROW_FRACTION,
    LABELLED_STEPS,
    MIN_ARROW_FRACTION,
    contour_figure,
    descent_figure,
    slices_figure,
)
from lessons.plots import THEMES
from lessons.surface import gradient_at, grid, slices


def build(x, y):
    return x * y + tt.sin(y)


RANGE = (-3.0, 3.0)
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


@pytest.fixture(scope="module")
def surface():
    return grid(build, RANGE, RANGE, n=61)


def trace(fig: go.Figure, name: str):
    """The trace called `name`, or else the one whose name starts with it."""
    named = [t for t in fig.data if t.name]
    (one,) = [t for t in named if t.name == name] or [t for t in named if t.name.startswith(name)]
    return one


def axis_values(t, axis: str, count: int) -> np.ndarray:
    """A trace's x or y values, whether sent as an array or as start + step."""
    values = getattr(t, axis)
    if values is not None:
        return np.asarray(values, dtype=np.float64)
    return getattr(t, f"{axis}0") + getattr(t, f"d{axis}") * np.arange(count)


def notes(fig: go.Figure) -> str:
    return " ".join(a.text for a in fig.layout.annotations if a.xref == "paper")


def validated(fig: go.Figure) -> go.Figure:
    """The figures skip plotly's validation for speed; here every one must pass it."""
    return go.Figure(fig.to_dict())


def arrow(fig: go.Figure):
    (head,) = [a for a in fig.layout.annotations if a.showarrow]
    return head


# ---- contour ----------------------------------------------------------------------------------


def test_contour_carries_the_surface(surface):
    fig = contour_figure(surface, 1.0, 0.5, *gradient_at(build, 1.0, 0.5)[1:])
    c = fig.data[0]
    assert c.type == "contour"
    np.testing.assert_allclose(np.asarray(c.z, dtype=np.float64), surface.f, rtol=1e-6)  # float32
    np.testing.assert_allclose(axis_values(c, "x", 61), surface.xs, atol=1e-12)
    np.testing.assert_allclose(axis_values(c, "y", 61), surface.ys, atol=1e-12)
    assert c.contours.start <= np.nanmin(surface.f) + 1 and c.contours.end >= np.nanmax(surface.f) - 1


@pytest.mark.parametrize(("x0", "y0"), [(1.0, 0.5), (-2.0, -1.0), (0.0, 2.0)])
def test_arrow_points_along_the_gradient_and_stays_in_the_plot(surface, x0, y0):
    _, fx, fy = gradient_at(build, x0, y0)
    head = arrow(contour_figure(surface, x0, y0, fx, fy))
    assert (head.ax, head.ay) == (x0, y0)  # the tail is at the point
    dx, dy = head.x - x0, head.y - y0
    assert dx * fy == pytest.approx(dy * fx, abs=1e-9)  # parallel to ∇f...
    assert dx * fx + dy * fy > 0  # ...and uphill
    assert RANGE[0] <= head.x <= RANGE[1] and RANGE[0] <= head.y <= RANGE[1]
    assert math.hypot(dx, dy) <= ARROW_FRACTION * 6 + 1e-12


def test_arrow_has_a_fixed_length_away_from_the_edges(surface):
    for fx, fy in ((0.001, 0.002), (300.0, -400.0)):
        head = arrow(contour_figure(surface, 0.0, 0.0, fx, fy))
        assert math.hypot(head.x, head.y) == pytest.approx(ARROW_FRACTION * 6)


def test_arrow_is_cut_at_the_edge_but_stays_visible(surface):
    near = arrow(contour_figure(surface, 2.5, 0.0, 1.0, 1.0))  # room for 0.5 of the 1.2 it would be
    assert (near.x, near.y) == (pytest.approx(3.0), pytest.approx(0.5))
    on_edge = arrow(contour_figure(surface, 3.0, 0.0, 1.0, 0.0))  # no room: the minimum length
    assert on_edge.x - 3.0 == pytest.approx(MIN_ARROW_FRACTION * 6)


def test_legend_gives_the_gradient_and_the_point(surface):
    fig = contour_figure(surface, 1.0, 0.5, 0.5, 1.878)
    shaft = trace(fig, "∇f = (0.5, 1.878)")
    assert shaft.x[0] == 1.0 and shaft.line.color == THEMES["light"]["df"]
    point = trace(fig, "(x₀, y₀) = (1, 0.5)")
    assert list(point.x) == [1.0] and list(point.y) == [0.5]


def test_a_flat_point_gets_a_note_instead_of_an_arrow(surface):
    fig = contour_figure(surface, 0.0, 0.0, 0.0, 0.0)
    assert not [a for a in fig.layout.annotations if a.showarrow]
    assert "∇f = (0, 0)" in notes(fig) and "flat" in notes(fig)
    assert not [t for t in fig.data if (t.name or "").startswith("∇f")]


def test_an_undefined_gradient_gets_a_note(surface):
    fig = contour_figure(surface, 0.0, 0.0, math.nan, math.inf)
    assert not [a for a in fig.layout.annotations if a.showarrow]
    assert "not defined at (0, 0) (∂f/∂x = nan, ∂f/∂y = ∞)" in notes(fig)


def test_undefined_values_are_gaps_and_noted():
    s = grid(lambda x, y: tt.log(x * y), (-1, 1), (-1, 1), n=41)
    fig = contour_figure(s, 0.5, 0.5, 2.0, 2.0)
    z = np.asarray(fig.data[0].z, dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(z), ~np.isfinite(s.f))
    assert "undefined or infinite at" in notes(fig) and "left blank" in notes(fig)
    payload = fig.to_json()
    assert "Infinity" not in payload and "NaN" not in payload


def test_a_pole_does_not_flatten_the_colours():
    s = grid(lambda x, y: 1 / (x * x + y * y), (-1, 1), (-1, 1), n=41)  # 1/0 = ∞ at the centre
    c = contour_figure(s, 0.5, 0.5, -1.0, -1.0).data[0].contours
    assert c.end < np.max(s.f[np.isfinite(s.f)]) / 4  # not up to the 400 next to the pole


def test_equal_scales_unless_the_ranges_differ_a_lot():
    square = contour_figure(grid(build, (-3, 3), (-2, 2), n=11), 0, 0, 1, 1)
    assert square.layout.yaxis.scaleanchor == "x"
    wide = contour_figure(grid(build, (-30, 30), (-2, 2), n=11), 0, 0, 1, 1)
    assert wide.layout.yaxis.scaleanchor is None


def test_contour_payload_is_compact():
    s = grid(build, RANGE, RANGE)  # 201×201
    payload = contour_figure(s, 1.0, 0.5, 0.5, 1.9).to_json()
    data = json.loads(payload)["data"][0]
    assert data["z"]["dtype"] == "f4" and "x" not in data and "y" not in data
    assert len(payload) < 300_000  # 40,401 float32 in base64 (plotly escapes "/" too); float64 ≈ 500 KB


# ---- slices ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cut():
    return slices(build, 1.0, 0.5, RANGE, RANGE, n=101)


def test_slices_panels_carry_both_cuts_with_titles(cut):
    f0, fx, fy = gradient_at(build, 1.0, 0.5)
    fig = slices_figure(cut, 1.0, 0.5, f0, fx, fy)
    left, right = trace(fig, "f(x, y₀)"), trace(fig, "f(x₀, y)")
    np.testing.assert_array_equal(left.y, cut.along_x.f)
    np.testing.assert_array_equal(right.y, cut.along_y.f)
    assert (left.xaxis, right.xaxis) == ("x", "x2")
    np.testing.assert_array_equal(left.customdata, cut.along_x.df)  # ∂f/∂x along the cut, on hover
    titles = [a.text for a in fig.layout.annotations]
    assert "f(x, y₀) — y held at 0.5" in titles and "f(x₀, y) — x held at 1" in titles
    assert fig.layout.xaxis.title.text == "x" and fig.layout.xaxis2.title.text == "y"


def test_each_tangent_touches_its_slice_with_its_partial(cut):
    f0, fx, fy = gradient_at(build, 1.0, 0.5)
    fig = slices_figure(cut, 1.0, 0.5, f0, fx, fy)
    for name, at, slope, axis in (("tangent, ∂f/∂x", 1.0, fx, "x"), ("tangent, ∂f/∂y", 0.5, fy, "x2")):
        t = trace(fig, name)
        assert t.xaxis == axis
        (xa, xb), (ya, yb) = t.x, t.y
        assert (yb - ya) / (xb - xa) == pytest.approx(slope, rel=1e-12)
        assert ya + slope * (at - xa) == pytest.approx(f0, rel=1e-12)


def test_slices_must_be_drawn_where_they_were_cut(cut):
    with pytest.raises(ValueError, match="cut at"):
        slices_figure(cut, 1.0, 0.6, 0.0, 0.0, 0.0)


def test_slices_with_an_undefined_point_draw_no_tangent():
    s = slices(lambda x, y: tt.log(x) + y, 0.0, 1.0, (-1, 1), (-1, 1), n=21)
    fig = slices_figure(s, 0.0, 1.0, -math.inf, math.inf, 1.0)
    validated(fig)
    assert all(len(t.x) == 0 for t in fig.data if t.name.startswith("tangent"))
    assert "Infinity" not in fig.to_json()


# ---- descent ----------------------------------------------------------------------------------


def test_descent_path_follows_the_run_with_numbered_steps():
    curve = sample(lambda x: (x - 2) ** 2, -1, 5, 201)
    r = run(lambda x: (x - 2) ** 2, 0.0, 0.1, 100)
    fig = descent_figure(curve, r)
    path = trace(fig, "descent path")
    np.testing.assert_array_equal(path.x, r.xs)
    np.testing.assert_array_equal(path.y, r.fs)
    assert list(path.text[:3]) == ["0", "1", "2"]
    assert path.text[LABELLED_STEPS] == ""  # later steps crowd together: unnumbered
    np.testing.assert_array_equal(np.asarray(path.customdata)[:, 1], r.grads)
    assert trace(fig, "start x₀ = 0").x == (0.0,)
    last = trace(fig, f"x{str(r.steps).translate(SUBSCRIPTS)} = ")  # "x₆₉ = 2"
    assert last.marker.symbol == "star" and last.x == (r.xs[-1],)
    assert notes(fig) == ""
    assert list(fig.layout.xaxis.range) == [-1, 5]


def test_numbers_never_sit_on_top_of_each_other():
    curve = sample(lambda x: (x - 1) ** 2, -3, 3, 201)
    converging = descent_figure(curve, run(lambda x: (x - 1) ** 2, -2.0, 0.2, 50))
    numbered = [k for k, label in enumerate(trace(converging, "descent path").text) if label]
    assert numbered[:4] == [0, 1, 2, 3] and len(numbered) < LABELLED_STEPS  # steps 6, 7, 8... crowd the minimum
    bouncing = descent_figure(curve, run(lambda x: (x - 1) ** 2, -1.0, 1.0, 20))  # x: −1, 3, −1, 3, ...
    assert [label for label in trace(bouncing, "descent path").text if label] == ["0", "1"]


def test_a_run_leaving_the_range_keeps_the_view_and_says_so():
    curve = sample(lambda x: x**2, -3, 3, 201)
    r = run(lambda x: x**2, 1.0, 1.5, 100)  # x = 1, −2, 4, −8, ...: two iterates inside
    fig = descent_figure(curve, r)
    validated(fig)
    assert list(fig.layout.xaxis.range) == [-3, 3]
    assert f"{len(r.xs) - 2} of {len(r.xs)} iterates lie outside the plotted range" in notes(fig)
    low, high = fig.layout.yaxis.range
    assert high < 20  # the curve's range, not the 10¹² the run reached


def test_a_run_ending_on_nan_is_drawn_with_a_gap():
    curve = sample(tt.sqrt, 0, 2, 101)
    r = run(tt.sqrt, 1.0, 1.0, 10)
    fig = descent_figure(curve, r)
    assert np.isnan(trace(fig, "descent path").y[-1])
    assert "NaN" not in fig.to_json()


# ---- every figure -----------------------------------------------------------------------------


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_figure_validates_and_follows_the_theme(surface, cut, theme):
    f0, fx, fy = gradient_at(build, 1.0, 0.5)
    curve = sample(lambda x: x**2, -3, 3, 101)
    figures = [
        contour_figure(surface, 1.0, 0.5, fx, fy, theme),
        slices_figure(cut, 1.0, 0.5, f0, fx, fy, theme),
        descent_figure(curve, run(lambda x: x**2, 2.0, 0.3, 20), theme),
    ]
    for fig in figures:
        fig = validated(fig)
        assert fig.layout.font.color == THEMES[theme]["text"]
        assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == "rgba(0,0,0,0)"
        assert len(json.dumps(fig.to_dict()["layout"].get("template", {}))) < 200


def test_unknown_theme(surface):
    with pytest.raises(ValueError, match="theme"):
        contour_figure(surface, 0, 0, 1, 1, theme="neon")


def test_the_colour_bar_names_only_values_f_takes():
    # x² + 3y² is 0 at the origin and 36 at the corners: a bar from −1.8 named a value f never takes
    s = grid(lambda x, y: x * x + 3 * y * y, (-3, 3), (-3, 3), n=61)
    c = contour_figure(s, 1.0, 0.5, 2.0, 3.0).data[0].contours
    assert c.start == 0.0 and c.end == 36.0 and c.size == pytest.approx(36 / 20)
    flat = contour_figure(grid(lambda x, y: x * 0 + 2, (-1, 1), (-1, 1), n=11), 0, 0, 0, 0).data[0]
    assert flat.autocontour and flat.contours.start is None  # one value: plotly's own single level

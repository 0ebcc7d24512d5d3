"""The Playground page, driven through Streamlit's AppTest: what a lecturer sees for each input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from apptest import blob, default_grid, dot, figure, live_view, metric, no_exception, open_app, release, trace, views

from lessons import live, sweep
from lessons.viz import format_number
from ui import live as live_ui
from ui import view
from ui.presets import PRESETS

LARGE = ("sin(x)*exp(-x^2/2) + tanh(x/2)*x^2 - log(1 + (x - 1)^2) + sin(2x)*exp(-x^2/3) + tanh(x/3)*x^2"
         " - log(1 + (x - 2)^2)/2 + sin(3x)*exp(-x^2/4) + tanh(x/4)*x^2 - log(1 + (x - 3)^2)/3 + cosh(x/5)"
         " - x/(1 + x^2)")  # benchmarks/app.py's 61-op formula


def test_default_view_draws_graph_plot_and_the_numbers():
    at = open_app()
    no_exception(at)
    x = view.DEFAULT_X
    assert at.text_input(key="f").value == view.DEFAULT_FUNCTION
    assert metric(at, "f(x)") == format_number(x**3 + 2 * x)
    assert metric(at, "f′(x)") == format_number(3 * x**2 + 2)
    source = dot(at)
    assert f"value {format_number(x**3 + 2 * x)}" in source
    assert f"grad {format_number(3 * x**2 + 2)}" in source
    assert [d["role"] for d in views(at)] == ["live"]
    assert not at.get("plotly_chart")  # the live view draws the plot itself


def _column(header, columns, node_label, which):
    (node,) = [n for n in header["nodes"] if n["full"] == node_label]
    return [live.number_text(int(c)) for c in columns[node[which]]]


def test_the_browser_receives_every_slider_position_from_one_pass():
    at = open_app(f="x^3 + 2x", x=1.2)
    header, floats, columns = blob(at, live_view(at)["blob"])
    xs = np.round(np.linspace(-3, 3, 601), 10)
    np.testing.assert_array_equal(floats[0], xs)  # the positions
    np.testing.assert_allclose(floats[1], xs**3 + 2 * xs, rtol=1e-15, atol=1e-15)  # f
    np.testing.assert_allclose(floats[2], 3 * xs**2 + 2, rtol=1e-15)  # f′
    # Every box's numbers at every position, as the graph shows them: closed forms, to the digit.
    assert _column(header, columns, "x", "v") == [format_number(v) for v in xs]
    assert _column(header, columns, "x", "g") == [format_number(3 * v**2 + 2) for v in xs]
    assert _column(header, columns, "x^3+2x", "v") == [format_number(v**3 + 2 * v) for v in xs]
    assert _column(header, columns, "x^3+2x", "g") == ["1"] * 601
    assert _column(header, columns, "2x", "v") == [format_number(2 * v) for v in xs]
    (cube,) = [n for n in header["nodes"] if n["full"] == "x^3"]
    assert [live.number_text(int(c)) for c in columns[cube["l"][0]]] == [format_number(3 * v**2) for v in xs]
    assert header["svg"].count("\ue000") == 2 * 2 * 4  # value and grad slots of four boxes


def test_the_blob_is_the_same_bytes_on_every_rerun_so_the_browser_keeps_its_copy():
    at = open_app(f="x^3 + 2x", x=1.2)
    first = [e.proto.bytes for e in at.get("bidi_component") if e.proto.WhichOneof("data") == "bytes"]
    at.slider(key="x").set_value(-0.5).run()
    again = [e.proto.bytes for e in at.get("bidi_component") if e.proto.WhichOneof("data") == "bytes"]
    assert first == again and len(first) == 1
    assert live_view(at)["x"] == -0.5


def test_the_60_op_formulas_blob_fits_the_budget():
    at = open_app(f=LARGE, x=0.5)
    no_exception(at)
    (size,) = [len(e.proto.bytes) for e in at.get("bidi_component") if e.proto.WhichOneof("data") == "bytes"]
    assert size <= 300_000, size
    header, floats, columns = blob(at)
    assert header["n"] == 601 and len(columns) > 150


def test_releasing_x_in_the_browser_writes_it_to_the_session_and_the_url():
    at = open_app(f="x^3 + 2x", x=1.2)
    release(at, -0.37)
    no_exception(at)
    assert at.slider(key="x").value == pytest.approx(-0.37)
    assert float(at.query_params["x"]) == pytest.approx(-0.37)
    data = live_view(at)
    assert data["x"] == -0.37 and data["k"] == 263
    assert data["point"]["f"] == format_number((-0.37) ** 3 - 0.74)
    assert f"grad {format_number(3 * 0.37**2 + 2)}" in dot(at)


def test_a_released_x_snaps_to_the_slider_and_a_forged_one_is_refused_with_a_note():
    at = open_app(f="x^2", x=1.0)
    release(at, 0.123456)  # between positions: the nearest one
    assert at.slider(key="x").value == pytest.approx(0.12)
    for forged in ["1", None, True, 99.0, float("nan"), [0.5], {"x": 0.5}]:
        release(at, forged)
        no_exception(at)
        assert at.slider(key="x").value == pytest.approx(0.12)
        assert [w.value for w in at.warning] == [live_ui.BAD_POINT_NOTE]


def test_a_link_between_slider_positions_shows_the_engines_numbers_there():
    at = open_app(f="sin(x)*x", x=0.123456)
    no_exception(at)
    data = live_view(at)
    x = 0.123456
    assert data["x"] == x and sweep.positions(-3, 3, 0.01)[data["k"]] == 0.12  # the slider's nearest
    assert data["point"]["f"] == format_number(math.sin(x) * x)
    assert data["point"]["df"] == format_number(math.cos(x) * x + math.sin(x))
    assert f"value {format_number(x)}" in dot(at)
    (x0, x1), (y0, y1) = trace(figure(at), "tangent")
    assert (y1 - y0) / (x1 - x0) == pytest.approx(math.cos(x) * x + math.sin(x), rel=1e-12)


def test_a_link_restores_function_point_and_curves():
    at = open_app(f="sin(x)*exp(-x^2)", x=0.7)
    no_exception(at)
    assert at.text_input(key="f").value == "sin(x)*exp(-x^2)"
    assert at.slider(key="x").value == pytest.approx(0.7)
    f0 = math.sin(0.7) * math.exp(-0.49)
    df0 = math.exp(-0.49) * (math.cos(0.7) - 1.4 * math.sin(0.7))
    source = dot(at)
    assert f"value {format_number(f0)}" in source and f"grad {format_number(df0)}" in source
    fig = figure(at)
    xs = default_grid()
    x, f = trace(fig, "f")
    np.testing.assert_allclose(x, xs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(f, np.sin(xs) * np.exp(-xs**2), rtol=1e-13, atol=1e-15)
    _, df = trace(fig, "f′")
    np.testing.assert_allclose(df, np.exp(-xs**2) * (np.cos(xs) - 2 * xs * np.sin(xs)), rtol=1e-12, atol=1e-15)


def test_the_tangent_touches_f_with_the_gradient_as_slope():
    at = open_app(f="x^2", x=1.5)
    (x0, x1), (y0, y1) = trace(figure(at), "tangent")
    slope = (y1 - y0) / (x1 - x0)
    assert slope == pytest.approx(3.0)
    assert y0 + slope * (1.5 - x0) == pytest.approx(2.25)


def test_moving_the_slider_changes_the_graphs_numbers():
    at = open_app(f="x^3 + 2x")
    before = dot(at)
    at.slider(key="x").set_value(-0.5).run()
    no_exception(at)
    after = dot(at)
    assert after != before
    assert f"value {format_number(-0.125 - 1.0)}" in after and f"grad {format_number(0.75 + 2)}" in after
    assert metric(at, "f′(x)") == format_number(2.75)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_preset_runs(preset):
    at = open_app()
    at.selectbox(key="preset").select(preset).run()
    no_exception(at)
    assert at.text_input(key="f").value == preset.text
    assert at.selectbox(key="preset").value is None  # back to its prompt, ready for the next
    assert "value" in dot(at) and not at.error
    assert preset.why in [c.value for c in at.caption]


def _rows(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, expect, _ = line.split("\t")
            rows.append((json.loads(text), expect))
    return rows


BAD_INPUTS = [(text, expect.split(":")[1]) for text, expect in _rows(Path(__file__).parent / "data" / "expr-cases.tsv")
              if expect.startswith("error:") and text != "sin(x, y)"]


@pytest.mark.parametrize(("text", "code"), BAD_INPUTS[::4], ids=lambda v: v[:24] if isinstance(v, str) else v)
def test_bad_input_shows_an_error_keeps_the_text_and_the_last_good_graph(text, code):
    at = open_app(f="x^2 + 1", x=0.5)
    good = dot(at)
    at.text_input(key="f").set_value(text).run()
    no_exception(at)
    assert at.text_input(key="f").value == text  # the user's text stays in the box
    assert [e.value for e in at.error] == [view.ERROR_TITLES[code]]
    shown = at.code[0].value
    assert shown.startswith(view.pointed(text, None)[:50])
    stale = dot(at)  # the last good graph stays, greyed out
    assert stale == good and "value 1.25" in stale and live_view(at)["dim"]
    if len(text.strip()) >= 4:  # (a short text like "x)" occurs in our own sentences)
        for element in (*at.markdown, *at.caption, *at.info, *at.error):
            assert text not in element.value  # never interpolated into Markdown


def test_fixing_the_input_brings_the_live_view_back():
    at = open_app(f="x^2 + 1", x=0.5)
    at.text_input(key="f").set_value("x^2 + ").run()
    assert at.error
    at.text_input(key="f").set_value("x^2 + 3").run()
    no_exception(at)
    assert not at.error and "value 3.25" in dot(at) and not live_view(at)["dim"]


@pytest.mark.parametrize(("f", "x", "value", "slope"), [
    ("log(x)", -1.0, "nan", "-1"),
    ("1/x", 0.0, "∞", "−∞"),
    ("sqrt(x)", -2.0, "nan", "nan"),
])
def test_numeric_edges_keep_the_page_working(f, x, value, slope):
    at = open_app(f=f, x=x)
    no_exception(at)
    assert metric(at, "f(x)") == value and metric(at, "f′(x)") == slope
    notes = " ".join(c.value for c in at.caption)
    assert "undefined (nan)" in notes or "infinite" in notes


def test_second_derivative_and_finite_difference_check():
    at = open_app(f="sin(x)", x=0.3, d2="true", check="true")
    no_exception(at)
    assert metric(at, "f″(x)") == format_number(-math.sin(0.3))
    fig = figure(at)
    xs = default_grid()
    np.testing.assert_allclose(trace(fig, "f″")[1], -np.sin(xs), atol=1e-15)
    _, fd = trace(fig, "f′ by finite differences")
    np.testing.assert_allclose(fd, np.cos(xs), atol=1e-9)


def test_a_bad_range_is_explained_and_the_default_used():
    at = open_app(lo=2, hi=-2)
    no_exception(at)
    assert [w.value for w in at.warning] == [view.RANGE_REVERSED]
    x, _ = trace(figure(at), "f")
    assert (x[0], x[-1]) == pytest.approx(view.DEFAULT_RANGE)


def test_a_custom_range_sets_the_plot_and_the_slider():
    at = open_app(f="x^2", lo=0, hi=10, x=7.5)
    assert at.slider(key="x").value == pytest.approx(7.5)
    x, f = trace(figure(at), "f")
    assert (x[0], x[-1]) == (0.0, 10.0)
    np.testing.assert_allclose(f, x**2, rtol=1e-14)


def test_presenter_mode_hides_the_controls_and_can_be_left():
    at = open_app(present="true")
    no_exception(at)
    assert not at.title and at.button(key="leave")
    assert live_view(at)["present"]
    assert at.text_input(key="f").value == view.DEFAULT_FUNCTION  # the function stays editable, in the bar
    at.button(key="leave").click().run()
    assert at.title and not at.toggle(key="present").value


def test_share_link_and_code_reproduce_the_view():
    at = open_app(f="x*x*x + x", x=1.2)
    link, code = at.code[0].value, at.code[1].value
    assert "f=x%2Ax%2Ax+%2B+x" in link and "x=1.2" in link
    namespace: dict = {}
    exec(code, namespace)  # the snippet students copy (our own generated code, in a test)
    assert namespace["x"].grad.item() == pytest.approx(5.32, rel=1e-15)


def test_hostile_text_is_shown_as_code_only():
    at = open_app(f="<img src=x onerror=alert(1)> **bold** [link](http://evil)")
    no_exception(at)
    assert [e.value for e in at.error] == [view.ERROR_TITLES["BAD_CHAR"]]
    assert all("<img" not in m.value for m in (*at.markdown, *at.caption, *at.error, *at.info))
    assert "<img" in at.code[0].value


def test_narrowing_the_range_brings_the_point_back_inside():
    at = open_app(f="x^2", lo=0, hi=10, x=7.5)
    at.number_input(key="hi").set_value(5.0).run()
    no_exception(at)
    slider = at.slider(key="x")
    assert slider.max == 5.0 and 0.0 <= slider.value <= 5.0
    assert metric(at, "f(x)") == format_number(slider.value**2)


def test_without_dot_the_graph_is_drawn_by_the_browser_and_x_still_moves_live(monkeypatch):
    import graphviz

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(("dot",))

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    at = open_app(f="x^2 + 7x", x=0.5)  # a function no other test draws: nothing cached
    no_exception(at)
    assert not blob(at, live_view(at)["blob"])[0]["svg"]  # no picture for the view...
    source = dot(at)  # ...so the browser lays the graph out (st.graphviz_chart), at the released x
    assert "value 0.5" in source and f"grad {format_number(2 * 0.5 + 7)}" in source
    header, floats, columns = blob(at, live_view(at)["blob"])
    assert [live.number_text(int(c)) for c in columns[header["metrics"]["df"]]][:2] == ["1", "1.02"]  # still live

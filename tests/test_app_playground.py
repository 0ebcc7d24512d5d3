"""The Playground page, driven through Streamlit's AppTest: what a lecturer sees for each input."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from apptest import blob, default_grid, dot, figure, live_view, metric, no_exception, open_app, release, trace, views
from carets import assert_caret_under

from lessons import live, sweep
from lessons.viz import format_number
from lessons.wheel import engine_wheel
from tinytorch.expr import MAX_LENGTH, ExpressionError, parse
from ui import link_rules, view
from ui import live as live_ui
from ui.presets import PRESETS

BOX_FULL = link_rules.BOX_FULL.format(limit=f"{link_rules.MAX_BOX_TEXT:,}")  # the note a full function box shows

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
    text = text[:link_rules.MAX_BOX_TEXT]  # what the box holds of it (a browser takes no more)
    assert at.text_input(key="f").value == text  # the user's text stays in the box
    assert [e.value for e in at.error] == [view.ERROR_TITLES[code]]
    error = parse_error(text)
    shown = [c.value for c in at.code]
    if error.position is not None:  # the caret window, then the message
        assert_caret_under(shown.pop(0), text, error.position)
    assert shown[0] == error.message
    stale = dot(at)  # the last good graph stays, greyed out
    assert stale == good and "value 1.25" in stale and live_view(at)["dim"]
    if len(text.strip()) >= 4:  # (a short text like "x)" occurs in our own sentences)
        for element in (*at.markdown, *at.caption, *at.info, *at.error):
            assert text not in element.value  # never interpolated into Markdown


def parse_error(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    return caught.value


WRAPPING = "x+" * 60 + "sni(x)" + "+x" * 60  # 246 characters: several lines in any text box


@pytest.mark.parametrize(("text", "position"), [
    (WRAPPING, WRAPPING.index("sni")),  # in the middle
    ("x+" * 145 + "sni(x)", 290),  # far right
    ("x+" * 148 + "x*", 298),  # at the end: the expression ends too early
    ("x\t+\t" * 50 + "sni(x)", 200),  # tabs
    ("x+" * 100 + "\x07+x", 200),  # a control character
    ("x+" * 100 + "\u200b" + "+x" * 40, 200),  # an invisible one
    ("\x01\u200bｘ\t" * 100, MAX_LENGTH),  # too long, odd characters
])
def test_a_long_expression_gets_its_caret_under_the_mistake(text, position):
    at = open_app(f="x^2 + 1", x=0.5)
    at.text_input(key="f").set_value(text).run()
    no_exception(at)
    window, message = at.code[0], at.code[1]
    assert not window.proto.wrap_lines and message.proto.wrap_lines  # the window never wraps; the message does
    assert_caret_under(window.value, text, position)
    assert message.value == parse_error(text).message and "\n" not in message.value
    assert "value 1.25" in dot(at)  # the last good graph stays


@pytest.mark.parametrize("how", ["link", "typed"])
def test_a_huge_value_gets_a_short_window_and_its_caret(how):
    # The web server refuses a page request much over 100 KB and Streamlit ignores a query string over
    # 512 KiB, so a link brings at most that much; the box holds MAX_BOX_TEXT characters (a tab may
    # send at most 1 MB).
    sent = "x" * 500_000 if how == "link" else "x+" * 450_000
    at = open_app(f=sent) if how == "link" else open_app()
    if how == "typed":  # more than a browser lets through: what another client could send
        at.text_input(key="f").set_value(sent).run()
    no_exception(at)
    # A link's text is cut at MAX_LINK_TEXT, with a note; typed text at MAX_BOX_TEXT, the same.
    text = sent[:link_rules.MAX_LINK_TEXT]
    assert at.text_input(key="f").value == text
    assert [e.value for e in at.error] == [view.ERROR_TITLES["TOO_LONG"]]
    assert BOX_FULL in [c.value for c in at.caption]
    window = at.code[0].value
    assert_caret_under(window, text, MAX_LENGTH)
    assert window.endswith(f"character 301 of {len(text):,}") and len(window) < 100
    assert f"({len(text)} characters; the limit is 300)" in at.code[1].value


@pytest.mark.parametrize(("page", "key"), [(None, view.FUNCTION), (view.BACKPROP, view.FUNCTION),
                                           (view.TWO_VARIABLES, view.FUNCTION_XY),
                                           (view.DESCENT, view.FUNCTION_DESCENT)])
def test_every_function_box_holds_at_most_max_box_text(page, key):
    at = open_app(page)
    box = at.text_input(key=key)
    assert box.proto.max_chars == link_rules.MAX_BOX_TEXT  # the browser stops typing and pasting there
    assert BOX_FULL not in [c.value for c in at.caption]
    typed = "x+" * (link_rules.MAX_BOX_TEXT // 2 - 1) + "x"  # one character short of the limit
    box.set_value(typed).run()
    no_exception(at)
    assert at.text_input(key=key).value == typed and BOX_FULL not in [c.value for c in at.caption]
    at.text_input(key=key).set_value(typed + "+1").run()
    no_exception(at)
    assert at.text_input(key=key).value == typed + "+" and BOX_FULL in [c.value for c in at.caption]
    assert view.ERROR_TITLES["TOO_LONG"] in [e.value for e in at.error]


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


@pytest.mark.parametrize(("f", "x"), [("x^0", 0.0), ("(x-1)^0", 1.0), ("x^1 + x^2", 0.0)])
def test_a_constant_power_has_a_second_derivative_everywhere(f, x):
    at = open_app(f=f, x=x, d2="true")
    no_exception(at)
    assert metric(at, "f″(x)") == ("2" if "x^2" in f else "0")
    notes = " ".join(c.value for c in at.caption)
    assert "undefined" not in notes and "infinite" not in notes, notes


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
    at = open_app()  # typed in the boxes (a link's range gets a note instead: test_app_links)
    at.number_input(key="lo").set_value(2.0).run()
    at.number_input(key="hi").set_value(-2.0).run()
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


# (x^2+1)*sin(x^2+1) at 1.2: the script must build x^2+1 once, as the page does, or f′ differs in the last bit.
@pytest.mark.parametrize(("f", "x"), [(PRESETS[2].text, 1.2), (PRESETS[9].text, -1.3), ("2pi", 0.4), ("x", 1.0)])
def test_the_code_tab_prints_the_numbers_of_the_page_and_says_how_to_install_the_engine(f, x):
    at = open_app(f=f, x=x)
    no_exception(at)
    code = next(c.value for c in at.code if c.language == "python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})  # our own generated code, in a test
    # The block under the script is exactly what it prints, and rounds to the page's metrics.
    output = printed.getvalue()
    assert output.rstrip("\n") in [c.value for c in at.code]  # (st.code drops the last newline)
    value, slope = (float(line.split(" = ")[1]) for line in output.splitlines())
    assert (format_number(value), format_number(slope)) == (metric(at, "f(x)"), metric(at, "f′(x)"))
    # The engine's download, and the exact line that installs it: never PyPI's tinytorch.
    wheel = engine_wheel()
    (button,) = [b.proto for b in at.get("download_button") if b.proto.label.startswith("Download tinytorch")]
    assert button.deferred_file_id and button.ignore_rerun  # sent on a click, not on every rerun
    assert f"pip install {wheel.filename}" in [c.value for c in at.code if c.language == "bash"]
    assert wheel.filename.startswith("tinytorch_playground-")
    assert any("Not `pip install tinytorch`" in c.value for c in at.caption)


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


# ---- the plot: f′ where f exists, and a y range robust to poles that the user may set -------------


def test_log_draws_its_derivative_only_where_it_is_defined_and_says_why():
    at = open_app(f="log(x)", x=1.2)
    no_exception(at)
    fig = figure(at)
    x, df = trace(fig, "f′")
    assert np.isnan(df[x < 0]).all() and np.isfinite(df[x > 0.01]).all()
    np.testing.assert_allclose(df[x > 0.01], 1 / x[x > 0.01], rtol=1e-12)
    (note,) = [a["text"] for a in fig["layout"]["annotations"]]
    assert "drawn only where f is defined" in note


def test_a_pole_does_not_flatten_the_view_and_the_axis_may_grow_to_keep_the_point():
    at = open_app(f="1/x", x=1.2)
    low, high = figure(at)["layout"]["yaxis"]["range"]
    assert -15 < low < -3 and 3 < high < 15  # it was −150 to 80
    # The range is the function's (one per blob, whatever x); the browser grows an automatic
    # range to keep the point in view once x rests outside it (tests/e2e/test_e2e_live.py), but
    # leaves a range the student set alone.
    assert live_view(at)["auto_y"]
    assert not live_view(open_app(f="1/x", x=1.2, ylo=-2, yhi=4))["auto_y"]


def test_a_link_sets_the_y_range_and_the_button_makes_it_automatic_again():
    at = open_app(f="1/x", ylo=-2, yhi=4)
    no_exception(at)
    assert figure(at)["layout"]["yaxis"]["range"] == [-2.0, 4.0]
    assert (at.number_input(key="ylo").value, at.number_input(key="yhi").value) == (-2.0, 4.0)
    assert "ylo=-2.0" in at.code[0].value and "yhi=4.0" in at.code[0].value  # the share link has it
    at.number_input(key="yhi").set_value(None).run()  # an empty box: that end is automatic
    low, high = figure(at)["layout"]["yaxis"]["range"]
    assert low == -2.0 and 3 < high < 15
    at.button(key="y_auto").click().run()
    no_exception(at)
    assert (at.number_input(key="ylo").value, at.number_input(key="yhi").value) == (None, None)
    assert figure(at)["layout"]["yaxis"]["range"] == figure(open_app(f="1/x"))["layout"]["yaxis"]["range"]
    assert "ylo" not in at.code[0].value


@pytest.mark.parametrize(("params", "message"), [
    ({"ylo": 4, "yhi": -2}, view.Y_RANGE_REVERSED),
    ({"ylo": -1e9}, view.Y_RANGE_TOO_LARGE.format(limit="1,000,000")),
])
def test_a_y_range_that_cannot_be_used_is_explained_and_automatic_used(params, message):
    at = open_app(f="1/x", **params)
    no_exception(at)
    assert [w.value for w in at.warning] == [f"{message} {view.Y_RANGE_NOTE}"]
    assert figure(at)["layout"]["yaxis"]["range"] == figure(open_app(f="1/x"))["layout"]["yaxis"]["range"]


def test_without_dot_the_graph_is_drawn_by_the_browser_and_x_still_moves_live(monkeypatch):
    from lessons import layout

    monkeypatch.setattr(layout.shutil, "which", lambda program: None)  # no graphviz programs here
    at = open_app(f="x^2 + 7x", x=0.5)  # a function no other test draws: nothing cached
    no_exception(at)
    assert not blob(at, live_view(at)["blob"])[0]["svg"]  # no picture for the view...
    source = dot(at)  # ...so the browser lays the graph out (st.graphviz_chart), at the released x
    assert "value 0.5" in source and f"grad {format_number(2 * 0.5 + 7)}" in source
    header, floats, columns = blob(at, live_view(at)["blob"])
    assert [live.number_text(int(c)) for c in columns[header["metrics"]["df"]]][:2] == ["1", "1.02"]  # still live

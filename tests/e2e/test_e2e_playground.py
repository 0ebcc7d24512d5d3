"""The Playground page in a real Chromium: links, typing, the slider's keys, bad input, the URL,
and several sessions at once. (tests/e2e/test_e2e_live.py drives the live view itself.)

Every expected number comes from a closed form written here (f and f′ by hand, with `math`),
shown to 4 significant digits with the app's own `format_number`, and is compared with the
text that the browser drew in the graph's SVG, the metrics and the plot's legend.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from cases import BELL, DEFAULT, SIX, WAVE
from playwright.sync_api import expect

from lessons.viz import format_number
from tinytorch import Tensor
from tinytorch.expr import ExpressionError, parse
from tinytorch.tensor import topological_order
from ui import link_rules, view

BOX_FULL = link_rules.BOX_FULL.format(limit=f"{link_rules.MAX_BOX_TEXT:,}")  # the note a full function box shows

pytestmark = pytest.mark.e2e

STEP = view.slider_step(*view.DEFAULT_RANGE)  # 0.01 on the default range


def on_grid(x: float) -> float:
    """x as the slider holds it: a whole number of steps."""
    return round(round(x / STEP) * STEP, 10)


def plot_legend(app) -> list[str]:
    return app.plot.locator(".legendtext").all_text_contents()


def test_a_shared_link_shows_value_gradient_and_plot(app):
    x = 0.5
    app.open(f=WAVE.text, x=x)
    app.expect_graph(WAVE.expected(x))
    # The numbers above the graph, and the controls restored from the link.
    assert {format_number(WAVE.f(x)), format_number(WAVE.df(x))} <= set(app.metrics().values()), app.metrics()
    expect(app.function_box).to_have_value(WAVE.text)
    assert app.shown_x() == x
    # Plotly drew the chart: its SVG has a legend naming the point and the tangent's slope.
    chart = app.plot
    chart.wait_for()
    legend = plot_legend(app)
    assert f"f({format_number(x)}) = {format_number(WAVE.f(x))}" in legend, legend
    assert f"tangent, slope {format_number(WAVE.df(x))}" in legend, legend
    assert chart.locator(".scatterlayer .trace").count() >= 4  # f, f′, the tangent, the point
    app.assert_healthy()


def test_typing_a_function_and_enter_redraws_the_graph(app):
    app.open()
    app.expect_graph(DEFAULT.expected(view.DEFAULT_X))
    app.type_function(BELL.text)
    app.expect_graph(BELL.expected(view.DEFAULT_X))
    # Every value box of the new graph, and only those (nothing left of the old graph): the
    # engine's nodes for exp(-x^2)*x, but its constant 2, drawn as a plain number.
    y = parse(BELL.text)(x=Tensor([view.DEFAULT_X], label="x"))
    variables = {t.label for t in topological_order(y) if t.requires_grad}
    assert set(app.graph()) == variables, app.graph()
    app.assert_healthy()


def test_arrow_keys_on_the_slider_move_the_numbers(app):
    x0 = 0.5
    app.open(f=WAVE.text, x=x0)
    app.expect_graph(WAVE.expected(x0))
    x = x0
    for key, sign in [("ArrowRight", 1)] * 3 + [("ArrowLeft", -1)]:
        app.press_slider(key)
        x = on_grid(x + sign * STEP)
        app.expect_graph(WAVE.expected(x))
    assert app.shown_x() == pytest.approx(x)
    app.wait_for_url_x(x)  # written once the keys pause
    # End jumps to the right end of the range.
    app.press_slider("End")
    app.expect_graph(WAVE.expected(view.DEFAULT_RANGE[1]))
    app.assert_healthy()


BAD_INPUTS = ["sin(x", "foo(x)", "x +* 2", "__import__('os')", "x+" * 160, ""]


def test_bad_input_shows_an_error_and_the_page_recovers(app):
    x = view.DEFAULT_X
    app.open()
    app.expect_graph(DEFAULT.expected(x))
    for text in BAD_INPUTS:
        with pytest.raises(ExpressionError) as caught:
            parse(text)
        title = view.ERROR_TITLES[caught.value.code]
        app.type_function(text)
        alert = app.page.locator('[data-testid="stAlert"]', has_text=title)
        alert.wait_for()
        app.expect_graph(DEFAULT.expected(x))  # the last good function, greyed out
        expect(app.function_box).to_have_value(text)  # the typed text stays in the box
        assert not app.exceptions(), (text, app.exceptions())
    app.type_function(WAVE.text)
    app.expect_graph(WAVE.expected(x))
    for title in view.ERROR_TITLES.values():
        assert app.page.locator('[data-testid="stAlert"]', has_text=title).count() == 0, title
    app.assert_healthy()


def test_a_megabyte_in_the_box_is_refused_and_typing_stops_at_the_limit(app):
    x = view.DEFAULT_X
    app.open()
    app.expect_graph(DEFAULT.expected(x))
    box = app.function_box
    # 1.2 MB pasted: more than Streamlit takes from a tab in one message (1 MB; it would drop the
    # connection). The box refuses the paste: it keeps its text, and says how much it takes.
    box.fill("x+" * 600_000)
    box.press("Enter")
    assert box.input_value() == DEFAULT.text
    app.page.get_by_text(f"{len(DEFAULT.text)}/{link_rules.MAX_BOX_TEXT}").wait_for()  # its counter
    app.settle()
    assert not app.exceptions()
    app.expect_graph(DEFAULT.expected(x))
    # Typed up to the limit, the next keys do nothing; the parser says the formula is too long.
    almost = "x+" * (link_rules.MAX_BOX_TEXT // 2 - 1) + "x"
    box.fill(almost)
    box.press_sequentially("+1")
    box.press("Enter")
    app.page.locator('[data-testid="stAlert"]', has_text=view.ERROR_TITLES["TOO_LONG"]).wait_for()
    app.page.get_by_text(BOX_FULL).wait_for()
    assert box.input_value() == almost + "+"
    app.expect_graph(DEFAULT.expected(x))  # the last good function, greyed out
    assert not app.exceptions()
    app.type_function(WAVE.text)  # the session goes on
    app.expect_graph(WAVE.expected(x))
    app.assert_healthy()


def test_the_url_follows_the_function_and_restores_the_view(new_app):
    first = new_app().open()
    first.type_function(BELL.text)
    first.expect_graph(BELL.expected(view.DEFAULT_X))
    x = view.DEFAULT_X
    for _ in range(4):
        first.press_slider("ArrowLeft")
        x = on_grid(x - STEP)
        first.expect_graph(BELL.expected(x))
    first.wait_for_url_x(x)
    first.settle()
    query = first.query()
    assert query["f"] == BELL.text
    assert float(query["x"]) == pytest.approx(x)
    shown = first.graph()
    # The "Share this view" link carries the same view as the address bar.
    share = first.page.locator('[data-testid="stTabPanel"] [data-testid="stCode"]',
                               has_text=first.base_url).first.inner_text().strip()
    shared = {k: v[-1] for k, v in parse_qs(urlsplit(share).query).items()}
    assert shared["f"] == BELL.text and float(shared["x"]) == pytest.approx(x), share

    # A new browser context is a new Streamlit session: only the URL carries the view.
    second = new_app().goto(first.page.url)
    second.expect_graph(BELL.expected(x))
    assert second.graph() == shown
    expect(second.function_box).to_have_value(BELL.text)
    assert second.shown_x() == pytest.approx(x)
    second.assert_healthy()


def test_six_sessions_at_once_each_see_their_own_numbers(new_app):
    apps = [new_app() for _ in SIX]
    for app, (case, x) in zip(apps, SIX):  # start all six loading before waiting for any
        app.open(f=case.text, x=x, wait=False)
    for app, (case, x) in zip(apps, SIX):
        app.expect_graph(case.expected(x))
    # Then all six move their sliders at once, in different ways.
    lo, hi = view.DEFAULT_RANGE
    moves = [("ArrowRight", lambda x: on_grid(x + STEP)), ("ArrowLeft", lambda x: on_grid(x - STEP)),
             ("End", lambda x: hi), ("Home", lambda x: lo), ("ArrowLeft", lambda x: on_grid(x - STEP)),
             ("ArrowRight", lambda x: on_grid(x + STEP))]
    for app, (key, _) in zip(apps, moves):
        app.press_slider(key)
    for i, (app, (case, x), (_, move)) in enumerate(zip(apps, SIX, moves)):
        moved = move(x)
        app.expect_graph(case.expected(moved))
        others = {other.label for other, _ in SIX} - {case.label}
        assert not others & set(app.graph()), f"session {i} shows another session's function"
        assert format_number(case.f(moved)) in app.metrics().values(), app.metrics()
        app.assert_healthy()

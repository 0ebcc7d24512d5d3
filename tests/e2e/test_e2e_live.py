"""The live view in a real Chromium: x moves in the browser, at every frame, with no script
rerun until it is let go; then one rerun writes it to the URL. Also the graph's zoom, focus and
theme, and the plot's point and tangent.

Expected numbers are closed forms written here, shown with the app's own `format_number`.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from cases import BELL, WAVE, Case
from checks import contrast, reruns, rgb, watch_reruns

from lessons import live
from lessons.plots import THEMES as PLOT_THEMES
from lessons.viz import THEMES, format_number
from ui import view

pytestmark = pytest.mark.e2e

LIVE_JS = Path(__file__).resolve().parents[2] / "ui" / "live.js"

POINT_JS = """() => { const c = document.querySelector('.tt-point');
  return c && c.style.display !== 'none' ? [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))] : null; }"""


def thumb_x(app, k: int, n: int = 601) -> tuple[float, float]:
    """Where the slider's thumb for position k is on screen (Chromium's thumb is 16 px wide)."""
    box = app.slider.bounding_box()
    return box["x"] + 8 + (box["width"] - 16) * k / (n - 1), box["y"] + box["height"] / 2


def test_dragging_moves_the_graph_and_the_point_before_release_without_a_rerun(app):
    x0 = -1.5
    app.open(f=WAVE.text, x=x0)
    app.expect_graph(WAVE.expected(x0))
    app.plot.wait_for()
    watch_reruns(app)
    page = app.page
    start, y = thumb_x(app, 150)
    page.mouse.move(start, y)
    page.mouse.down()
    seen = []
    for i in range(1, 7):
        page.mouse.move(start + 45 * i, y, steps=3)
        x = app.shown_x()
        shown = app.graph()
        assert {label: shown.get(label) for label in WAVE.expected(x)} == WAVE.expected(x), (x, shown)
        assert app.metrics()["f(x)"] == format_number(WAVE.f(x))
        seen.append((x, tuple(page.evaluate(POINT_JS))))
    assert reruns(app) == 0, "the drag made the script rerun"
    assert page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") == "notRunning"
    assert len({x for x, _ in seen}) == 6 and len({p for _, p in seen}) == 6  # numbers and point moved each time
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:]))
    page.mouse.up()
    x = app.shown_x()
    app.wait_for_url_x(x)
    app.settle()
    assert reruns(app) == 1  # exactly one, on release
    app.expect_graph(WAVE.expected(x))
    assert app.query()["f"] == WAVE.text
    app.assert_healthy()


def test_keys_move_x_at_once_and_one_rerun_writes_it_after_they_pause(app):
    x0 = 0.5
    app.open(f=BELL.text, x=x0)
    app.expect_graph(BELL.expected(x0))
    watch_reruns(app)
    app.slider.focus()
    for _ in range(7):  # a burst: each press is answered in the browser
        app.page.keyboard.press("ArrowRight")
    assert app.shown_x() == pytest.approx(0.57)
    assert app.graph()["x"] == (format_number(0.57), format_number(BELL.df(0.57)))
    app.wait_for_url_x(0.57)
    app.settle()
    assert reruns(app) == 1
    # A key pressed the moment the URL changes, before the release's answer reaches the view:
    # the answer must not pull x back.
    for _ in range(3):
        app.page.keyboard.press("ArrowLeft")
        app.wait_for_url_x(round(app.shown_x(), 10))
        app.page.keyboard.press("ArrowLeft")
        app.expect_graph(BELL.expected(round(app.shown_x(), 10)))
        app.wait_for_url_x(round(app.shown_x(), 10))
    assert app.shown_x() == pytest.approx(0.51)
    app.settle()
    app.expect_graph(BELL.expected(0.51))
    app.page.keyboard.press("Home")
    app.expect_graph(BELL.expected(view.DEFAULT_RANGE[0]))
    app.page.keyboard.press("End")
    app.expect_graph(BELL.expected(view.DEFAULT_RANGE[1]))
    app.wait_for_url_x(view.DEFAULT_RANGE[1])
    app.settle()
    # One rerun per pause, not per key: 15 presses; 0.57, six single keys, then Home and End
    # together (or apart, if this machine took longer than the pause between them).
    assert 8 <= reruns(app) <= 9
    # A new session from the address bar shows the same view.
    app.page.goto(app.page.url)
    app.expect_graph(BELL.expected(view.DEFAULT_RANGE[1]))
    app.assert_healthy()


def test_a_link_between_slider_positions_shows_the_engines_numbers_there(app):
    case = Case("sin(x)*x", lambda x: math.sin(x) * x, lambda x: math.cos(x) * x + math.sin(x))
    x = 0.123456
    app.open(f=case.text, x=x)
    app.expect_graph(case.expected(x))
    assert app.shown_x() == x
    app.slider.focus()
    app.page.keyboard.press("ArrowRight")  # from the nearest position, 0.12
    app.expect_graph(case.expected(0.13))
    app.assert_healthy()


def test_the_plot_follows_x_with_its_point_tangent_and_legend(app):
    x0 = 0.8
    app.open(f=WAVE.text, x=x0)
    app.expect_graph(WAVE.expected(x0))
    app.plot.wait_for()
    point = app.page.evaluate(POINT_JS)
    app.slider.focus()
    app.page.keyboard.press("ArrowLeft")
    app.page.keyboard.press("ArrowLeft")
    moved = app.page.evaluate(POINT_JS)
    assert moved[0] < point[0]
    x = 0.78
    # The point sits on the curve: the same pixel as Plotly's own f trace at x.
    on_curve = app.page.evaluate("""([x, y]) => { const gd = document.querySelector('.tt-plot');
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      return [xa._offset + xa.l2p(x), ya._offset + ya.l2p(y)]; }""", [x, WAVE.f(x)])
    assert moved == pytest.approx(on_curve, abs=0.51)
    legend = [f"f({format_number(x)}) = {format_number(WAVE.f(x))}", f"tangent, slope {format_number(WAVE.df(x))}"]
    app.page.wait_for_function("(names) => names.every((n) => [...document.querySelectorAll('.tt-plot .legendtext')]"
                               ".some((t) => t.textContent === n))", arg=legend)
    assert app.page.locator(".tt-point-label").text_content() == legend[0]
    # The tangent's slope on screen is f′(x).
    ends = app.page.evaluate("""() => { const l = document.querySelector('.tt-tangent');
      const gd = document.querySelector('.tt-plot');
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      const p = (a) => Number(l.getAttribute(a));
      return [xa.p2l(p('x1') - xa._offset), ya.p2l(p('y1') - ya._offset), xa.p2l(p('x2') - xa._offset),
              ya.p2l(p('y2') - ya._offset)]; }""")
    assert (ends[3] - ends[1]) / (ends[2] - ends[0]) == pytest.approx(WAVE.df(x), rel=1e-4)  # on screen
    app.assert_healthy()


Y_RANGE_JS = "() => document.querySelector('.tt-plot')._fullLayout.yaxis.range.slice().sort((a, b) => a - b)"


def test_an_automatic_y_range_grows_to_keep_the_resting_point_in_view(app):
    # 1/x at x = 0.02 is 50, far above the range chosen for the curve as a whole (about −10 to 8).
    app.open(f="1/x", x=0.02)
    app.plot.wait_for()
    app.page.wait_for_function(f"() => {{ const [lo, hi] = ({Y_RANGE_JS})(); return lo < 50 && 50 < hi; }}")
    low, high = app.page.evaluate(Y_RANGE_JS)
    assert low < 0 and 50 < high < 60
    assert app.page.evaluate(POINT_JS) is not None  # drawn, not hidden off the axis
    # A range the student set stays as set, point or no point.
    other = app.open(f="1/x", x=0.02, ylo=-2, yhi=4)
    other.plot.wait_for()
    other.page.wait_for_timeout(500)
    assert other.page.evaluate(Y_RANGE_JS) == [-2, 4] and other.page.evaluate(POINT_JS) is None


def test_the_browser_writes_every_number_as_the_server_would(app):
    """ui/live.js turns number codes into text; it must agree with format_number everywhere."""
    rng = random.Random(9)
    values = [0.0, -0.0, math.nan, math.inf, -math.inf, 9.9995, 99995.0, 1e-4, 9.9995e-5, 5e-324,
              1.7976931348623157e308]
    values += [rng.choice((-1, 1)) * 10 ** rng.uniform(-320, 308) for _ in range(3000)]
    values += [rng.uniform(-10000, 10000) for _ in range(2000)]
    codes = [int(c) for c in live.number_codes(values)]
    app.page.goto(app.base_url + "/_stcore/health")  # any page of ours: a module needs an origin
    texts = app.page.evaluate("""async ([source, codes]) => {
      const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
      const module = await import(url);
      return codes.map(module.numberText);
    }""", [LIVE_JS.read_text(encoding="utf-8"), codes])
    assert texts == [format_number(v) for v in values]


def test_zoom_buttons_wheel_and_pan(app):
    app.open(f=WAVE.text, x=0.5)
    app.expect_graph(WAVE.expected(0.5))
    svg = app.page.locator(".tt-canvas svg")
    natural = app.page.evaluate("() => document.querySelector('.tt-canvas svg').viewBox.baseVal.width * 4 / 3")
    tools = app.page.get_by_role("toolbar", name="Graph view")
    tools.get_by_role("button", name="100%").click()
    assert float(svg.get_attribute("width")) == pytest.approx(natural, abs=0.5)
    tools.get_by_role("button", name="Fit width").click()
    width = app.page.locator(".tt-viewport").bounding_box()["width"]
    assert float(svg.get_attribute("width")) == pytest.approx(width - 16, abs=1.5)
    tools.get_by_role("button", name="Zoom the graph in").click()
    assert float(svg.get_attribute("width")) == pytest.approx((width - 16) * 1.25, abs=2)
    box = app.page.locator(".tt-viewport").bounding_box()
    app.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = float(svg.get_attribute("width"))
    app.page.keyboard.down("Control")
    app.page.mouse.wheel(0, -300)
    app.page.keyboard.up("Control")
    app.page.wait_for_function("(w) => Number(document.querySelector('.tt-canvas svg').getAttribute('width')) > w",
                               arg=before)
    # Drag to pan.
    canvas = app.page.locator(".tt-canvas")
    shift = canvas.evaluate("(c) => c.style.transform")
    app.page.mouse.down()
    app.page.mouse.move(box["x"] + box["width"] / 2 - 120, box["y"] + box["height"] / 2, steps=4)
    app.page.mouse.up()
    assert canvas.evaluate("(c) => c.style.transform") != shift
    app.assert_healthy()


def test_clicking_a_box_traces_its_inputs_and_consumers_and_its_table_row(app):
    app.open(f="x^3 + 2x", x=0.5, table="true")
    app.expect_graph(Case("x^3 + 2x", lambda x: x**3 + 2 * x, lambda x: 3 * x * x + 2).expected(0.5))
    app.page.locator(".tt-table tbody tr").first.wait_for()
    cube = app.page.locator(".tt svg g.node", has_text="x^3").first
    cube.click()
    focused = app.page.evaluate("""() => [...document.querySelectorAll(
      '.tt svg g.node.tt-focus, .tt svg g.node.tt-near')].map((g) => g.querySelector('text').textContent)""")
    assert set(focused) >= {"x^3", "x", "x^3+2x", "3", "^", "+"}  # itself, its op, its inputs, its consumer
    assert "2x" not in focused
    row = app.page.locator(".tt-table tr.tt-focus")
    assert row.locator("td").first.text_content() == "x^3"
    # The table follows x, with the local derivatives.
    app.slider.focus()
    app.page.keyboard.press("ArrowRight")
    assert row.locator("td").nth(3).text_content() == format_number(0.51**3)
    assert row.locator("td").nth(4).text_content() == f"∂/∂x = {format_number(3 * 0.51**2)}; ∂/∂3 = —"
    # Hover shows the whole sub-expression.
    app.page.locator(".tt svg g.node", has_text="x^3+2x").first.hover()
    assert app.page.locator(".tt-tip").text_content().startswith("x^3+2x")
    app.page.keyboard.press("Escape")
    app.assert_healthy()


COLOURS_JS = """() => {
  const style = (el, p) => el ? getComputedStyle(el)[p] : null;
  const box = (kind) => document.querySelector('.tt svg g.node.tt-' + kind);
  const out = {page: getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor};
  for (const kind of ['input', 'intermediate', 'output', 'constant', 'op']) {
    const g = box(kind);
    out[kind] = [style(g && g.querySelector('path, ellipse, polygon'), 'fill'),
                 style(g && g.querySelector('text'), 'fill')];
  }
  out.edge = style(document.querySelector('.tt svg g.edge text'), 'fill');
  out.legend = style(document.querySelector('.tt-plot .legendtext'), 'fill');
  out.tick = style(document.querySelector('.tt-plot .xtick text'), 'fill');
  out.metric = getComputedStyle(document.querySelector('.tt-metric-value')).color;
  return out;
}"""


def test_switching_the_theme_restyles_graph_and_plot_at_once_with_readable_text(app):
    app.page.emulate_media(color_scheme="light")
    app.open(f="x^3 + 2x", x=0.5)
    app.plot.wait_for()
    watch_reruns(app)
    for theme in ("dark", "light", "dark"):
        app.page.emulate_media(color_scheme=theme)  # Streamlit follows the system theme
        app.page.wait_for_function("(t) => document.querySelector('.tt').dataset.theme === t", arg=theme)
        want = THEMES[theme]["input"][0].lower()
        app.page.wait_for_function("(w) => { const p = document.querySelector('.tt svg g.node.tt-input path');"
                                   " const c = getComputedStyle(p).fill.match(/\\d+/g).map(Number);"
                                   " return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('') === w; }",
                                   arg=want)
        r, g, b = rgb(PLOT_THEMES[theme]["text"])
        app.page.wait_for_function("(c) => { const t = document.querySelector('.tt-plot .xtick text');"
                                   " return !!t && getComputedStyle(t).fill === c; }", arg=f"rgb({r}, {g}, {b})")
        colours = app.page.evaluate(COLOURS_JS)
        for kind in ("input", "intermediate", "output", "constant", "op"):
            fill, ink = colours[kind]
            assert contrast(fill, ink) >= 4.5, (theme, kind, fill, ink)
        for name in ("edge", "legend", "tick", "metric"):
            assert contrast(colours[name], colours["page"]) >= 4.5, (theme, name, colours[name], colours["page"])
    assert reruns(app) == 0  # restyled in the browser, not by a rerun
    app.assert_healthy()

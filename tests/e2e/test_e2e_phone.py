"""On a phone (390 × 844, touch): the function box, the slider and the graph share one screen with
the sidebar closed; the graph opens with legible text, a finger swiped up or down over it scrolls
the page, sideways pans the graph, and two fingers zoom it; and no Plotly toolbar covers a legend,
on a phone or a laptop.

Touches go in as a touch screen sends them (DevTools' Input.dispatchTouchEvent), through the
browser's own scrolling and touch-action machinery, not as events made up in the page."""

from __future__ import annotations

import pytest
from cases import BELL

from tinytorch.expr import parse
from ui.presets import PRESETS

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LEGIBLE_PX = 12  # the smallest graph text, rendered, a phone can be read at arm's length with
LONGEST = max(PRESETS, key=lambda p: parse(p.text).node_count).text

# The graph's smallest text: each text's font size in the SVG's units times the pixels a unit
# takes at the current zoom (tests/e2e/test_e2e_presenter.py measures the projector the same way).
GRAPH_TEXT_JS = """() => {
  const svg = document.querySelector('.tt-canvas svg');
  const px = Number(svg.getAttribute('width')) / svg.viewBox.baseVal.width;
  return Math.min(...[...svg.querySelectorAll('g.node text')].map((t) => Number(t.getAttribute('font-size')) * px));
}"""
SCROLLED_JS = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
# Every Plotly chart's toolbar and legend, where they are on screen.
TOOLBARS_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map((plot) => {
  const box = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
                       return r.width && r.height ? [r.left, r.top, r.right, r.bottom] : null; };
  return {toolbar: box(plot.querySelector('.modebar')), legend: box(plot.querySelector('g.legend'))};
})"""


def on_screen(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"], box["y"] + box["height"]


def still_graph_width(app) -> float:
    """The graph's width once its starting zoom has held still for a moment."""
    app.page.wait_for_function("""() => { const w = document.querySelector('.tt-canvas svg')?.getAttribute('width');
      const still = window.__ttWidth === w && Number(w) > 0; window.__ttWidth = w; return still; }""", polling=250)
    return float(app.page.locator(".tt-canvas svg").get_attribute("width"))


@pytest.mark.parametrize("text", [BELL.text, LONGEST])
def test_the_function_the_slider_and_a_legible_graph_share_one_screen(new_app, text):
    app = new_app(PHONE, phone=True)
    app.open("/", f=text)
    app.plot.locator(".legendtext").first.wait_for()
    still_graph_width(app)
    page = app.page
    assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0  # closed
    box_top, box_bottom = on_screen(app.function_box)
    slider_top, slider_bottom = on_screen(app.slider)
    graph_top, graph_bottom = on_screen(page.locator(".tt-viewport"))
    assert box_top >= 0 and box_bottom < slider_top < slider_bottom < graph_top, (box_top, slider_top, graph_top)
    shown = min(graph_bottom, PHONE["height"]) - graph_top
    assert shown >= min(150, graph_bottom - graph_top), f"only {shown:.0f} px of the graph on the first screen"
    assert page.evaluate(GRAPH_TEXT_JS) >= LEGIBLE_PX
    app.assert_healthy()


def touch(cdp, page, *paths: list[tuple[float, float]], steps: int = 12) -> None:
    """Fingers down at the first point of each path, moved along it in `steps`, then lifted."""
    def points(i):
        return [{"x": a[0] + (b[0] - a[0]) * i / steps, "y": a[1] + (b[1] - a[1]) * i / steps, "id": n}
                for n, (a, b) in enumerate(paths)]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for i in range(1, steps + 1):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(i)})
        page.wait_for_timeout(16)  # a frame apart, as a finger moves
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_finger_scrolls_the_page_over_the_graph_pans_it_sideways_and_two_zoom_it(new_app):
    app = new_app(PHONE, phone=True)
    app.open("/", f=LONGEST)
    width = still_graph_width(app)
    page = app.page
    cdp = page.context.new_cdp_session(page)  # touches as the touch screen sends them
    canvas, viewport = page.locator(".tt-canvas"), page.locator(".tt-viewport")
    assert float(page.locator(".tt-canvas svg").get_attribute("width")) > viewport.bounding_box()["width"]

    def middle():
        box = viewport.bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + min(box["height"], 200) / 2

    # Up: the page scrolls, the graph stays where it was.
    before, scrolled = canvas.evaluate("(c) => c.style.transform"), page.evaluate(SCROLLED_JS)
    x, y = middle()
    touch(cdp, page, [(x, y), (x, y - 160)])
    page.wait_for_function(f"(s) => ({SCROLLED_JS})() > s + 80", arg=scrolled)
    assert canvas.evaluate("(c) => c.style.transform") == before
    # Sideways: the graph pans (it is wider than the phone), the page stays.
    viewport.scroll_into_view_if_needed()
    scrolled = page.evaluate(SCROLLED_JS)
    x, y = middle()
    touch(cdp, page, [(x + 100, y), (x - 100, y)])
    page.wait_for_function("(t) => document.querySelector('.tt-canvas').style.transform !== t", arg=before)
    assert abs(page.evaluate(SCROLLED_JS) - scrolled) < 2
    # Two fingers apart: the graph zooms in.
    touch(cdp, page, [(x - 20, y), (x - 90, y)], [(x + 20, y), (x + 90, y)])
    page.wait_for_function("(w) => Number(document.querySelector('.tt-canvas svg').getAttribute('width')) > w * 1.5",
                           arg=width)
    app.assert_healthy()


@pytest.mark.parametrize("path", ["/backprop", "/two_variables"])
def test_the_other_graph_pages_keep_their_sliders_with_the_graph(new_app, path):
    app = new_app(PHONE, phone=True)
    app.page.goto(app.url(path))
    app.wait_drawn()
    page = app.page
    sliders = page.locator('[data-testid="stSlider"]')
    first_slider, _ = on_screen(sliders.first)
    _, last_slider = on_screen(sliders.last)
    graph_top, graph_bottom = on_screen(page.locator(".tt-viewport"))
    box_top, _ = on_screen(page.locator('[data-testid="stTextInput"]').first)
    assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0
    # one screen, scrolled to the box, holds the box, every slider and the top of the graph
    seen = min(150, graph_bottom - graph_top)
    assert box_top <= first_slider and last_slider < graph_top and graph_top + seen - box_top <= PHONE["height"]
    assert page.evaluate(GRAPH_TEXT_JS) >= LEGIBLE_PX
    app.assert_healthy()


@pytest.mark.parametrize("size", [PHONE, {"width": 1400, "height": 900}], ids=["phone", "laptop"])
@pytest.mark.parametrize("path", ["/", "/two_variables", "/descent"])
def test_no_plotly_toolbar_covers_a_legend(new_app, size, path):
    app = new_app(size, phone=size is PHONE)
    app.page.goto(app.url(path, f="x*sin(x) + x^2", d2="true", check="true"))
    app.page.locator(".js-plotly-plot .legendtext").first.wait_for()
    app.settle()
    charts = app.page.evaluate(TOOLBARS_JS)
    assert charts
    for chart in charts:
        toolbar, legend = chart["toolbar"], chart["legend"]
        if toolbar is None or legend is None:
            continue
        overlap = min(toolbar[2], legend[2]) - max(toolbar[0], legend[0]), \
            min(toolbar[3], legend[3]) - max(toolbar[1], legend[1])
        assert min(overlap) <= 0, f"{path}: the toolbar {toolbar} covers the legend {legend}"
    assert any(c["toolbar"] and c["legend"] for c in charts)  # (measured something)
    app.assert_healthy()

"""Presenter mode on a 1024 × 768 projector: the controls in one bar at the top, clear of
Streamlit's header; the graph and the plot on one screen; graph text large enough to read from
the back of the room; and the mode kept from page to page."""

from __future__ import annotations

import pytest
from cases import BELL, WAVE
from playwright.sync_api import expect

from tinytorch.expr import parse
from ui import view
from ui.presets import PRESETS

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1024, "height": 768}

# The graph's smallest text, in CSS pixels: each text's font size in the SVG's units times how
# many pixels a unit takes at the current zoom; and the smallest height a text's box renders at.
GRAPH_TEXT_JS = """() => {
  const svg = document.querySelector('.tt-canvas svg');
  const px = Number(svg.getAttribute('width')) / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('g.node text')];
  return [Math.min(...texts.map((t) => Number(t.getAttribute('font-size')) * px)),
          Math.min(...texts.map((t) => t.getBoundingClientRect().height))];
}"""

# True when the element's centre is not covered by anything else (Streamlit's header, say).
UNCOVERED_JS = """(element) => {
  const r = element.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return !!hit && (hit === element || element.contains(hit) || hit.contains(element));
}"""


def projector(app) -> None:
    app.page.set_viewport_size(PROJECTOR)


def test_the_bar_holds_every_control_clear_of_the_header_and_all_fits_one_screen(app):
    projector(app)
    app.open(f=WAVE.text, x=0.5, present="true")
    app.expect_graph(WAVE.expected(0.5))
    app.plot.wait_for()
    page = app.page
    controls = {
        "function": app.function_box,
        "slider": app.slider,
        "pages": page.get_by_role("button", name="Pages"),
        "exit": page.get_by_role("button", name="Exit"),
        "settings": page.get_by_role("button", name="Settings"),
    }
    for name, control in controls.items():
        box = control.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 160, (name, box)  # the top fifth
        assert control.evaluate(UNCOVERED_JS), f"{name} is covered"
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    # Graph and plot on one screen, the plot's point on it too.
    for part in (".tt-viewport", ".tt-plot", ".tt-point"):
        box = page.locator(part).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PROJECTOR["height"], (part, box)
    assert page.evaluate("() => document.scrollingElement.scrollHeight") <= PROJECTOR["height"] + 1
    # The function in the bar is editable.
    app.type_function(BELL.text)
    app.expect_graph(BELL.expected(0.5))
    app.assert_healthy()


SHORT = [p.text for p in PRESETS if parse(p.text).node_count <= 8]


@pytest.mark.parametrize("text", SHORT)
def test_a_short_functions_graph_text_is_large_enough_to_read_on_a_projector(app, text):
    projector(app)
    app.open(f=text, x=0.5, present="true")
    app.page.locator(".tt-canvas svg g.node").first.wait_for()
    app.plot.locator(".legendtext").first.wait_for()  # the page has its final layout
    app.settle()
    # The starting zoom follows the viewport's size: wait until it has held still for a moment.
    app.page.wait_for_function("""() => { const w = document.querySelector('.tt-canvas svg').getAttribute('width');
      const still = window.__ttWidth === w && Number(w) > 0; window.__ttWidth = w; return still; }""", polling=250)
    size, height = app.page.evaluate(GRAPH_TEXT_JS)
    assert size >= 16, f"{text}: the graph's smallest text is {size:.1f} px"
    assert height >= 16, f"{text}: the graph's smallest text renders {height:.1f} px high"
    app.assert_healthy()


def test_presenter_mode_follows_the_lecturer_across_pages_and_exits(app):
    projector(app)
    app.open(f=WAVE.text, x=0.5, present="true")
    app.expect_graph(WAVE.expected(0.5))
    page = app.page
    page.get_by_role("button", name="Pages").click()
    page.get_by_role("link", name="Backprop step by step").click()
    page.wait_for_url(lambda url: "/backprop" in url and "present=true" in url)
    app.settle()
    app.expect_graph({"x": ("0.5", None)})
    assert page.get_by_role("button", name="Exit").evaluate(UNCOVERED_JS)
    expect(app.function_box).to_have_value(WAVE.text)  # the function came along
    for name in ("Next", "Previous"):
        assert page.get_by_role("button", name=name).is_visible()
    page.get_by_role("button", name="Next").click()
    app.settle()
    page.get_by_role("button", name="Pages").click()
    page.get_by_role("link", name="Gradient descent").click()
    page.wait_for_url(lambda url: "/descent" in url and "present=true" in url)
    app.settle()
    page.get_by_role("button", name="Exit").click()
    page.wait_for_url(lambda url: "present" not in url)
    app.settle()
    assert page.locator('[data-testid="stSidebar"]').is_visible()
    assert page.get_by_role("heading", name="Gradient descent").is_visible()
    app.assert_healthy()


@pytest.mark.parametrize("path", ["/two_variables", "/network", "/ops"])
def test_every_page_has_the_bar_in_presenter_mode(app, path):
    projector(app)
    app.page.goto(app.url(path, present="true"))
    app.page.get_by_role("button", name="Exit").wait_for()
    app.page.locator('[data-testid="stSidebar"]').wait_for(state="hidden")  # the mode's style has applied
    app.settle()
    for name in ("Pages", "Exit"):
        control = app.page.get_by_role("button", name=name)
        assert control.is_visible() and control.evaluate(UNCOVERED_JS), (path, name)
    assert app.query().get(view.PRESENT) == "true"
    app.assert_healthy()

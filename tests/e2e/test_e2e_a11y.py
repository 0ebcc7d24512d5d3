"""Accessibility in Chromium: axe-core finds no serious or critical violation on any page, in the
light theme and the dark one (the app follows the browser's colour scheme); the keyboard alone
reaches and works every control, each with a visible focus ring; the graph is one tab stop whose
boxes the arrow keys walk, with its nodes as a table one button away; and a theme switch
restyles every page's plots at once, without a rerun."""

from __future__ import annotations

import io

import pytest
from checks import SERIOUS, axe_version, axe_violations, contrast, describe, reruns, rgb, watch_reruns
from PIL import Image, ImageChops

from lessons.palette import BACKGROUNDS
from lessons.plots import THEMES as PLOT_THEMES

pytestmark = pytest.mark.e2e

SCHEMES = ("light", "dark")
# (name, path, link): every page, and the states that show more (a table, an error, the bar).
STATES = [
    ("Playground", "/", {"f": "sin(x)*exp(-x^2)", "x": "0.5"}),
    ("Playground with its node table", "/", {"f": "x^3 + 2x", "table": "true", "d2": "true", "check": "true"}),
    ("Playground with an error", "/", {"f": "x^+2"}),
    ("Playground in presenter mode", "/", {"present": "true"}),
    ("Backprop step by step", "/backprop", {"step": "2"}),
    ("Two variables", "/two_variables", {}),
    ("Gradient descent", "/descent", {}),
    ("Train a tiny network", "/network", {}),
    ("Operations", "/ops", {}),
]
READY = {  # what each page shows once it is drawn (besides the run having ended)
    "/": ".tt-canvas svg g.node, [data-testid='stAlert']",
    "/backprop": ".tt-canvas svg g.node",
    "/two_variables": ".st-key-slices .js-plotly-plot .xtick",
    "/descent": ".st-key-descent .js-plotly-plot .xtick",
    "/network": "[data-testid='stImage'] img",
    "/ops": "[data-testid='stMarkdown'] table",
}


def open_in(app, path: str, params: dict, scheme: str) -> None:
    app.page.goto(app.url(path, **params))
    app.page.locator(READY[path]).first.wait_for()
    app.settle()
    # The app follows the browser: Streamlit's background, and the theme hook's mark on <html>.
    app.page.wait_for_function("(t) => document.documentElement.dataset.ttTheme === t", arg=scheme)
    page_bg = app.page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]'))"
                                ".backgroundColor")
    assert rgb(page_bg) == rgb(BACKGROUNDS[scheme]), (scheme, page_bg)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("name", "path", "params"), STATES, ids=[s[0] for s in STATES])
def test_axe_finds_no_serious_violation(new_app, scheme, name, path, params):
    app = new_app(color_scheme=scheme)
    open_in(app, path, params, scheme)
    found = axe_violations(app.page)
    serious = [v for v in found if v["impact"] in SERIOUS or v["id"] == "heading-order"]
    assert not serious, f"{name}, {scheme}, axe {axe_version(app.page)}:\n{describe(serious)}"
    app.assert_healthy()


def test_axe_can_fail(browser):
    """The check above would see a real problem: axe on a page with two."""
    page = browser.new_page()
    try:
        page.set_content('<html lang="en"><body><main><h1>t</h1><p style="color:#999">grey</p>'
                         '<button></button></main></body></html>')
        ids = {v["id"] for v in axe_violations(page) if v["impact"] in SERIOUS}
    finally:
        page.close()
    assert {"color-contrast", "button-name"} <= ids


# ---- the keyboard -------------------------------------------------------------------------------

# Every control a pointer can use on the page as it stands (a collapsed section's are not shown),
# numbered (data-tt-control) and named. A roving group (the graph's boxes, a tab list, pills, a
# set of radio buttons: one tab stop, arrow keys within) shares one number.
CONTROLS_JS = """() => {
  const controls = [...document.querySelectorAll(
      'button, input, select, textarea, a[href], [role="slider"], [role="switch"], [role="tab"], [role="button"],'
      + ' [role="combobox"], [tabindex="0"]')]
    .filter((e) => !e.disabled && e.getAttribute('tabindex') !== '-1' && e.getAttribute('aria-hidden') !== 'true'
      && e.getAttribute('role') !== 'tabpanel'
      && e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden'
      && !e.closest('details:not([open]) > :not(summary), [data-testid="stSidebar"][aria-expanded="false"]'));
  const groups = new Map(), names = {};
  for (const e of controls) {
    const group = e.closest('[role="radiogroup"], [role="tablist"], [data-testid="stButtonGroup"]')
      || (e.type === 'radio' && e.name ? 'radio:' + e.name : e);
    if (!groups.has(group)) groups.set(group, String(groups.size));
    e.dataset.ttControl = groups.get(group);
    names[groups.get(group)] = e.getAttribute('aria-label') || e.getAttribute('data-testid')
      || e.textContent.trim().slice(0, 40);
  }
  return names;
}"""
# The focused element, numbered as above, with the box to photograph around it.
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), control: e.dataset.ttControl ?? null, name: e.getAttribute('aria-label')
          || e.getAttribute('data-testid') || e.textContent.trim().slice(0, 40), x: r.left, y: r.top, width: r.width,
          height: r.height};
}"""


def _shot(page, box: dict) -> Image.Image:
    pad = 8
    clip = {"x": max(box["x"] - pad, 0), "y": max(box["y"] - pad, 0), "width": box["width"] + 2 * pad,
            "height": box["height"] + 2 * pad}
    return Image.open(io.BytesIO(page.screenshot(clip=clip, animations="disabled"))).convert("RGB")


def settled_controls(app) -> dict:
    """CONTROLS_JS once the page has stopped changing: after the run ends, styles (the hidden
    copies' CSS) and components (the live view, its plot) still mount, and a snapshot taken
    before then lists controls that are about to be hidden."""
    app.page.locator("[class*='st-key-tt-hidden-']").last.wait_for(state="hidden")
    last = None
    for _ in range(40):
        names = app.page.evaluate(CONTROLS_JS)
        if names == last:
            return names
        last = names
        app.page.wait_for_timeout(250)
    return last


def tab_through(app, limit: int = 80) -> list[dict]:
    """Tab from the top of the page until the focus comes round again: every stop, with whether
    the focus showed (the pixels around the element differ from the same spot without focus)."""
    page = app.page
    page.evaluate("""() => { const start = document.createElement('span'); start.tabIndex = -1;
      document.body.prepend(start); start.focus(); }""")  # Tab goes on from the top of the page
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_timeout(60)  # let a focus ring's transition end
        stop = page.evaluate(FOCUSED_JS)
        if stop is None or (stops and page.evaluate("() => document.activeElement === window.__ttFirst")):
            break
        if not stops:
            page.evaluate("() => { window.__ttFirst = document.activeElement; }")
        box = {k: stop[k] for k in ("x", "y", "width", "height")}
        if box["width"] and box["height"]:
            focused = _shot(page, box)
            page.evaluate("() => { window.__ttLast = document.activeElement; document.activeElement.blur(); }")
            page.wait_for_timeout(60)
            blurred = _shot(page, box)
            page.evaluate("() => window.__ttLast.focus()")  # (after a key press: focus-visible again)
            stop["ring"] = ImageChops.difference(focused, blurred).getbbox() is not None
        stops.append(stop)
    return stops


KEYBOARD_PAGES = [("/", {"f": "x^3 + 2x", "x": "0.5"}), ("/backprop", {"step": "1"}), ("/two_variables", {}),
                  ("/descent", {}), ("/network", {}), ("/ops", {})]


@pytest.mark.parametrize(("path", "params"), KEYBOARD_PAGES, ids=[p for p, _ in KEYBOARD_PAGES])
def test_the_keyboard_reaches_every_control_with_a_visible_focus_ring(app, path, params):
    open_in(app, path, params, "light")
    controls = settled_controls(app)
    stops = tab_through(app)
    reached = {s["control"] for s in stops}
    missed = [name for number, name in controls.items() if number not in reached]
    assert not missed, f"not reached by Tab: {missed}; the stops were {[s['name'] for s in stops]}"
    unseen = [s["name"] for s in stops if s.get("ring") is False]
    assert not unseen, f"no visible focus on {unseen}"
    graph_stops = [s for s in stops if s["tag"] == "g"]
    assert len(graph_stops) <= 1, f"the graph is one tab stop, not {len(graph_stops)}"
    app.assert_healthy()


def focused_box(app) -> str:
    return app.page.evaluate("() => document.activeElement.closest('g.node')?.querySelector('text').textContent")


def focused(app) -> str:
    """The focused element, for a message: its tag, test id or class, and text."""
    return app.page.evaluate("() => { const e = document.activeElement; return `${e.tagName} "
                             "${e.closest('[data-testid]')?.dataset.testid} ${e.className?.baseVal ?? e.className} "
                             "${(e.textContent || '').slice(0, 40)}`; }")


def test_the_graph_is_one_tab_stop_that_the_arrow_keys_walk(app):
    app.open(f="x^3 + 2x", x=0.5)
    # The plot comes a moment after the graph (plotly.js loads on demand), and its toolbar's
    # buttons are the next tab stops after the graph: wait for them, or a Tab taken before they
    # exist and a Shift+Tab taken after walk two different orders.
    app.plot.locator(".modebar-btn").first.wait_for(state="attached")
    boxes = app.page.locator(".tt svg g.node[role=button]")
    assert boxes.count() == 6 and app.page.locator('.tt svg g.node[tabindex="0"]').count() == 1
    # Tab from the zoom buttons lands on the graph, on x; one more Tab leaves it.
    app.page.get_by_role("button", name="Every node as a table").focus()
    app.page.keyboard.press("Tab")
    assert focused_box(app) == "x"
    label = app.page.evaluate("() => { const g = document.activeElement; return g.getAttribute('aria-labelledby')"
                              ".split(' ').map((id) => document.getElementById(id).textContent).join(' '); }")
    assert label == "x value 0.5 grad 2.75"  # its name is what it shows, kept current
    assert app.page.locator(".tt-tip").text_content().startswith("x\n")  # its description: the tip
    walked = ["x"]
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight"):
        app.page.keyboard.press(key)
        walked.append(focused_box(app))
    assert walked[1] in ("x^3", "2x") and walked[-1] == "x^3+2x", walked
    # Enter traces the box as a click does; Escape lets go.
    app.page.keyboard.press("Enter")
    assert app.page.locator(".tt svg.tt-focusing g.node[role=button].tt-focus").count() == 1
    app.page.keyboard.press("Escape")
    assert app.page.locator(".tt svg.tt-focusing").count() == 0
    app.page.keyboard.press("Home")
    first = focused_box(app)
    app.page.keyboard.press("Tab")
    assert focused_box(app) is None  # one Tab leaves the graph
    left_to = focused(app)
    app.page.keyboard.press("Shift+Tab")
    assert focused_box(app) == first, f"Tab went to {left_to}; Shift+Tab came back to {focused(app)}"
    app.assert_healthy()


def test_every_node_as_a_table_opens_from_the_graph_and_takes_the_focus(app):
    app.open(f="x^3 + 2x", x=0.5)
    assert app.page.locator(".tt-table").count() == 0
    app.page.get_by_role("button", name="Every node as a table").focus()
    app.page.keyboard.press("Enter")
    app.page.wait_for_function("() => document.activeElement?.closest('.tt-table')")
    app.settle()
    assert app.query().get("table") == "true"  # the page's own switch, so a link keeps it
    assert app.page.get_by_role("switch", name="Show every node").is_checked()
    rows = app.page.locator(".tt-table tbody tr")
    assert rows.count() == 6
    app.page.keyboard.press("ArrowDown")
    app.page.keyboard.press("Enter")  # traces that row's box in the graph
    row = app.page.evaluate("() => document.activeElement.querySelector('td').textContent")
    assert app.page.locator(".tt svg g.node.tt-focus text").first.text_content() == row
    app.assert_healthy()


@pytest.mark.parametrize("path", ["/backprop", "/two_variables"])
def test_pages_without_a_node_table_show_one_under_the_graph(app, path):
    open_in(app, path, {}, "light")
    button = app.page.get_by_role("button", name="Every node as a table")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    table = app.page.locator(".tt-graph ~ .tt-table-wrap table")
    assert table.locator("tbody tr").count() == app.page.locator(".tt svg g.node[role=button]").count()
    assert app.page.evaluate("() => !!document.activeElement.closest('.tt-table')")
    first = table.locator("tbody tr").first.locator("td")
    assert first.nth(3).text_content() not in ("", "—")  # its value, from the page's numbers
    app.assert_healthy()


# ---- the theme ----------------------------------------------------------------------------------

TICK_FILL_JS = """(key) => { const t = document.querySelector(`.st-key-${key} .js-plotly-plot .xtick text`);
  return t ? getComputedStyle(t).fill : null; }"""


@pytest.mark.parametrize(("path", "charts"), [("/two_variables", ("contour", "slices")), ("/descent", ("descent",))])
def test_a_theme_switch_restyles_the_pages_plots_at_once(app, path, charts):
    open_in(app, path, {}, "light")
    watch_reruns(app)
    for theme in ("dark", "light", "dark"):
        app.page.emulate_media(color_scheme=theme)
        want = "rgb({}, {}, {})".format(*(int(v) for v in rgb(PLOT_THEMES[theme]["text"])))
        for key in charts:
            app.page.wait_for_function(f"(w) => ({TICK_FILL_JS})('{key}') === w", arg=want)
            assert contrast(app.page.evaluate(TICK_FILL_JS, key), BACKGROUNDS[theme]) >= 4.5
    assert reruns(app) == 0  # restyled in the browser
    app.assert_healthy()


def test_the_network_page_redraws_its_pictures_in_the_theme_switched_to(app):
    open_in(app, "/network", {}, "light")
    picture = app.page.locator("[data-testid='stImage'] img").first
    light = picture.get_attribute("src")
    app.page.emulate_media(color_scheme="dark")
    app.page.wait_for_function("(s) => document.querySelector(\"[data-testid='stImage'] img\").src !== s", arg=light)
    app.settle()
    svg = _svg_of(picture.get_attribute("src")).upper()
    assert PLOT_THEMES["dark"]["text"] in svg and PLOT_THEMES["light"]["text"] not in svg
    app.assert_healthy()


def _svg_of(src: str) -> str:
    import base64
    from urllib.parse import unquote

    head, _, body = src.partition(",")
    return base64.b64decode(body).decode() if head.endswith(";base64") else unquote(body)

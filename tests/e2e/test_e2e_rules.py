"""The derivative rules in Chromium on a 1024×768 laptop screen: the Operations table fits the
page with every rule typeset, and code is never wrapped (wrapping breaks Python's indentation);
a line too long for the column scrolls sideways instead."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lessons import catalog

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1024, "height": 768}


def open_at_laptop_size(new_app, path: str, **params):
    app = new_app()
    app.page.set_viewport_size(LAPTOP)
    app.page.goto(app.url(path, **params))
    app.settle()
    return app


def code_blocks(app) -> list[dict]:
    """Each code block's wrapping (CSS white-space) and whether its longest line fits (the page's:
    not the share link's, in the sidebar)."""
    return app.page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stCode"] pre')].map(pre => ({
        text: pre.innerText, whiteSpace: getComputedStyle(pre).whiteSpace,
        overflowX: getComputedStyle(pre).overflowX, fits: pre.scrollWidth <= pre.clientWidth}))""")


def test_the_operations_table_fits_a_laptop_screen_with_every_rule_typeset(new_app):
    app = open_at_laptop_size(new_app, "/ops")
    table = app.page.locator('[data-testid="stMain"] table')
    table.wait_for()
    page_width = app.page.evaluate("document.documentElement.clientWidth")
    box, column = table.bounding_box(), table.locator("xpath=..").bounding_box()
    assert box["x"] + box["width"] <= min(column["x"] + column["width"], page_width) + 1  # nothing cut off
    ops = catalog.operations()
    assert table.locator("tbody tr").count() == len(ops)
    expect(table.locator(".katex")).to_have_count(len(ops))  # one typeset rule per op (KaTeX typesets after the run)
    assert app.page.locator(".katex-error").count() == 0
    assert "`" not in table.inner_text() and "$" not in table.inner_text()  # no raw markup shows


def widest_first_read() -> str:
    """The op whose code a student reads first has the longest line."""
    return max(catalog.operations(), key=lambda o: max(map(len, (
        o.rule_source if o.has_speed_ups else o.forward_source + o.backward_source).splitlines()))).name


@pytest.mark.parametrize(("path", "params", "blocks"), [
    ("/ops", {"op": "Pow"}, 2),  # the textbook rule, and the code that runs in an expander
    ("/ops", {"op": widest_first_read()}, 1),
    ("/backprop", {"f": "x^3+x", "x": 1.2, "step": 3}, 2),  # the step of x^3
])
def test_code_is_never_wrapped_and_the_textbook_rule_fits(new_app, path, params, blocks):
    app = open_at_laptop_size(new_app, path, **params)
    app.page.locator('[data-testid="stMain"] [data-testid="stCode"] pre').first.wait_for()
    found = code_blocks(app)
    assert len(found) == blocks
    for block in found:
        assert block["whiteSpace"] == "pre" and block["overflowX"] == "auto", block
    assert found[0]["fits"], found[0]["text"]  # what a student reads first needs no scrolling
    expect(app.page.locator(".katex").first).to_be_attached()  # typeset a moment after the run ends
    assert app.page.locator(".katex-error").count() == 0

"""An error's caret in a real Chromium on a phone-sized screen: however long the expression, the
caret (ui.view.pointed, shown unwrapped by ui.widgets.show_expression_error) is drawn exactly under
the character it points at, on screen, with no sideways scrolling needed to see it.

The positions are found here from the text itself (where "sni" or the bad character is), and the
screen x of the caret and of that character are measured from the rendered text."""

from __future__ import annotations

import pytest
from carets import assert_caret_under, shows

from tinytorch.expr import MAX_LENGTH

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}  # a common Android width; the window is made to fit it

LONG = "x+" * 60 + "sni(x)" + "+x" * 60
CASES = [
    (LONG, LONG.index("sni")),  # in the middle: cut on both sides
    ("x+" * 145 + "sni(x)", 290),  # far right
    ("x+" * 148 + "x*", 298),  # after the end: the expression ends too early
    ("x\t+\t" * 50 + "sni(x)", 200),  # tabs
    ("x+" * 120 + "\u00b2" + "+x" * 20, 240),  # x² far right: a non-ASCII character under the caret
    ("x+" * 100 + "\x07" + "+x" * 20, 200),  # a control character
    # Too long, with characters before the caret that are not one column wide: full-width,
    # emoji, a combining accent, a zero-width space (each drawn as ? there).
    ("ℵ😀ｘ\u0301+\u200b" * 100, MAX_LENGTH),
]

# The rendered code block's text, and the screen rectangle of any character of it.
MEASURE_JS = """() => {
  const pre = document.querySelector('[data-testid="stCode"]');  // the first one: the caret's window
  const code = pre.querySelector('code');
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  const nodes = []; let text = '';
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
  const rect = (i) => {
    for (const [node, start] of nodes) {
      if (i < start + node.data.length) {
        const range = document.createRange();
        range.setStart(node, i - start); range.setEnd(node, i - start + 1);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
      }
    }
    return null;
  };
  const [window_, caretLine] = text.split('\\n');
  const column = caretLine.indexOf('^');
  return {text, column,
          character: rect(column), before: column > 0 ? rect(column - 1) : null,
          caret: rect(window_.length + 1 + column),
          whiteSpace: getComputedStyle(code).whiteSpace,
          overflow: pre.scrollWidth - pre.clientWidth, viewport: window.innerWidth};
}"""


@pytest.mark.parametrize(("text", "position"), CASES, ids=lambda v: v[:12] if isinstance(v, str) else str(v))
def test_the_caret_is_drawn_under_its_character_on_a_phone(new_app, text, position):
    app = new_app(viewport=PHONE)
    app.page.goto(app.url(f=text))
    app.page.locator('[data-testid="stAlert"]').first.wait_for()
    app.page.locator('[data-testid="stCode"]').first.wait_for()
    app.settle()
    shown = app.page.evaluate(MEASURE_JS)
    assert_caret_under(shown["text"].rstrip("\n"), text, position)  # the right text reached the screen
    caret, character = shown["caret"], shown["character"]
    if position < len(text):
        assert shows(shown["text"][shown["column"]], text[position])
        assert abs(caret["left"] - character["left"]) < 0.5, shown  # the same screen x
    else:  # after the last character: just right of it
        assert abs(caret["left"] - shown["before"]["right"]) < 0.5, shown
    assert caret["top"] > (character or shown["before"])["bottom"] - 1  # on the line below: nothing wrapped
    assert shown["whiteSpace"] == "pre" and shown["overflow"] <= 0, shown  # never wrapped, no scrolling
    assert caret["left"] >= 0 and caret["right"] <= shown["viewport"], shown  # in view

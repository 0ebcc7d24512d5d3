"""The playground's plain rules: range limits, slider step, shared links, error carets."""

from __future__ import annotations

import math
import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
from carets import assert_caret_under
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch import Tensor
from tinytorch.expr import parse
from ui import view
from ui.presets import PRESETS


@pytest.mark.parametrize(("lo", "hi", "message"), [
    (math.nan, 3.0, view.RANGE_NOT_FINITE),
    (-3.0, math.inf, view.RANGE_NOT_FINITE),
    (-2e6, 3.0, view.RANGE_TOO_LARGE.format(limit="1,000,000")),
    (3.0, -3.0, view.RANGE_REVERSED),
    (1.0, 1.0, view.RANGE_REVERSED),
    (1.0, 1.0001, view.RANGE_TOO_NARROW.format(width="0.001")),
])
def test_bad_ranges_fall_back_to_the_default_with_their_own_message(lo, hi, message):
    assert view.checked_range(lo, hi) == (view.DEFAULT_RANGE, message)


def test_good_ranges_pass_unchanged():
    assert view.checked_range(-10, 0.5) == ((-10.0, 0.5), None)
    assert len({view.RANGE_NOT_FINITE, view.RANGE_TOO_LARGE, view.RANGE_REVERSED, view.RANGE_TOO_NARROW}) == 4


@pytest.mark.parametrize(("lo", "hi", "step"), [(-3, 3, 0.01), (0, 1, 0.001), (-1000, 1000, 1.0), (-5, 5, 0.01)])
def test_slider_step_is_round_and_fine(lo, hi, step):
    assert view.slider_step(lo, hi) == pytest.approx(step)
    assert (hi - lo) / view.slider_step(lo, hi) >= 500


def test_share_url_round_trips_the_view():
    url = view.share_url("https://host.example/?old=1", {"f": "x^3+2x", "x": 1.2, "lo": -3.0, "hi": 3.0,
                                                          "d2": True, "check": False})
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "host.example", "/")
    assert parse_qs(parts.query) == {"f": ["x^3+2x"], "x": ["1.2"], "lo": ["-3.0"], "hi": ["3.0"], "d2": ["true"]}
    assert "f=x%5E3%2B2x" in url  # as in the README's example link


def test_query_values_and_the_shared_view():
    assert view.query_values({"f": "x^2", "x": 0.1 + 0.2, "d2": True, "check": False, "y": None}) == \
        {"f": "x^2", "x": "0.30000000000000004", "d2": "true"}
    # Every shared key has the default its widget leaves out of the URL; presenter mode is not
    # among them (the entry script's own widget, which Streamlit keeps across pages).
    assert set(view.SHARED_DEFAULTS) == set(view.SHARED) and view.PRESENT not in view.SHARED
    assert view.SHARED_DEFAULTS[view.FUNCTION] == view.DEFAULT_FUNCTION


def test_share_url_keeps_hostile_text_inside_the_query():
    url = view.share_url("/", {"f": "x#<script>&y=1 "})
    assert parse_qs(urlsplit(url).query) == {"f": ["x#<script>&y=1 "]}
    assert "<" not in url and "#" not in url


def test_caret_points_at_the_position():
    assert view.pointed("x + sni(x)", 4) == "x + sni(x)\n    ^\ncharacter 5 of 10"
    assert view.pointed("x\t+\n1", 3) == "x +?1\n   ^\ncharacter 4 of 5"  # a tab is one column
    assert view.pointed("x +", 3) == "x +\n   ^\nat the end, after character 3"


LONG = "x+" * 60 + "sni(x)" + "+x" * 60  # 246 characters, the mistake at 120


@pytest.mark.parametrize(("text", "position"), [
    (LONG, 120),  # in the middle: cut on both sides
    (LONG, 0), (LONG, len(LONG) - 1), (LONG, len(LONG)),  # the first, the last, after the last
    ("x+" * 149 + "*", 298),  # far right, the text ending just after it
    ("x\t+\t" * 50 + "sni(x)", 200),  # tabs are one column each
    ("x+" * 100 + "\x00+x", 200),  # a control character under the caret
    ("\x01\u200b\u0301ｘ\t" * 100, 300),  # TOO_LONG: invisible, combining and wide characters before it
    ("x+" * 100 + "\u202e" + "x+" * 10, 200),  # a right-to-left override: shown as ?
    ("x+" * 100 + "ｘ" * 30, 200),  # wide characters after the caret still fit the window
    ("x" * 1_000_000, 300),  # a megabyte-long link
    ("a" * view.CARET_WINDOW, 0), ("a" * (view.CARET_WINDOW + 1), 0),  # just fits, just does not
    ("a" * view.CARET_BEFORE, view.CARET_BEFORE), ("a" * (view.CARET_BEFORE + 1), view.CARET_BEFORE + 1),
])
def test_the_caret_is_under_its_character_in_a_window_that_never_wraps(text, position):
    shown = view.pointed(text, position)
    assert_caret_under(shown, text, position)
    window = shown.split("\n")[0]
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in window)
    assert len(window) + wide <= view.CARET_WINDOW  # screen columns, a wide character counting two
    # Nothing that could move the caret or hide text: before it, only printable ASCII.
    caret = shown.split("\n")[1].index("^")
    assert all(" " <= c <= "~" for c in window[1 if window[0] == "…" else 0:caret])


def test_the_window_shows_as_much_as_fits():
    assert view.pointed(LONG, 120).split("\n")[0] == "…+x+x+x+x+x+x+x+x+x+sni(x)+x+x+…"
    assert view.pointed("x²", 1).split("\n")[0] == "x²"  # from the caret on, a character shows as itself
    assert view.pointed("a" * 40 + "\u05d0", 40).split("\n")[0] == "…" + "a" * 19 + "?"  # but not Hebrew


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120), st.data())
def test_the_caret_is_under_its_character_for_any_text(text, data):
    position = data.draw(st.integers(0, len(text)))
    assert_caret_under(view.pointed(text, position), text, position)



def test_presets_all_parse_evaluate_and_differ():
    assert 8 <= len(PRESETS) <= 12
    texts = {parse(p.text).text for p in PRESETS}
    assert len(texts) == len(PRESETS)
    for preset in PRESETS:
        x = Tensor([0.7])
        y = parse(preset.text)(x=x)
        y.backward()
        assert math.isfinite(y.item()) and math.isfinite(x.grad.item())


@pytest.mark.parametrize(("step", "shown"), [(0.01, "%.2f"), (0.001, "%.3f"), (0.1, "%.1f"), (1.0, "%.0f"),
                                             (10.0, "%.0f"), (1e-5, "%.5f")])
def test_a_point_slider_shows_as_many_decimals_as_its_step(step, shown):
    assert view.slider_format(step) == shown
    assert view.slider_format(view.slider_step(-3, 3)) == "%.2f"  # the default range: x reads 1.20


@pytest.mark.parametrize(("low", "high", "expected", "problem"), [
    (None, None, (None, None), None),
    (-2, 5, (-2.0, 5.0), None),
    (None, 3, (None, 3.0), None),
    (1e-9, 2e-9, (1e-9, 2e-9), None),  # a tiny f may want a tiny range
    (5, -2, (None, None), view.Y_RANGE_REVERSED),
    (3, 3, (None, None), view.Y_RANGE_REVERSED),
    (math.nan, 1, (None, None), view.Y_RANGE_NOT_FINITE),
    (None, math.inf, (None, None), view.Y_RANGE_NOT_FINITE),
    (-2e6, None, (None, None), view.Y_RANGE_TOO_LARGE.format(limit="1,000,000")),
])
def test_the_y_range_is_checked_and_falls_back_to_automatic(low, high, expected, problem):
    used, message = view.checked_y_range(low, high)
    assert used == expected
    assert message == (None if problem is None else f"{problem} {view.Y_RANGE_NOTE}")

"""The playground's plain rules: range limits, slider step, shared links, error carets."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

import pytest

from tinytorch import Tensor
from tinytorch.expr import parse
from ui import view
from ui.presets import PRESETS


@pytest.mark.parametrize(("lo", "hi", "message"), [
    (math.nan, 3.0, view.RANGE_NOT_FINITE),
    (-3.0, math.inf, view.RANGE_NOT_FINITE),
    (-2e6, 3.0, view.RANGE_TOO_LARGE),
    (3.0, -3.0, view.RANGE_REVERSED),
    (1.0, 1.0, view.RANGE_REVERSED),
    (1.0, 1.0001, view.RANGE_TOO_NARROW),
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


def test_share_url_keeps_hostile_text_inside_the_query():
    url = view.share_url("/", {"f": "x#<script>&y=1 "})
    assert parse_qs(urlsplit(url).query) == {"f": ["x#<script>&y=1 "]}
    assert "<" not in url and "#" not in url


def test_caret_points_at_the_position():
    assert view.pointed("x + sni(x)", 4) == "x + sni(x)\n    ^"
    assert view.pointed("x\t+\n1", 3) == "x + 1\n   ^"
    assert view.pointed("abc", None) == "abc"


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
    (-2e6, None, (None, None), view.Y_RANGE_TOO_LARGE),
])
def test_the_y_range_is_checked_and_falls_back_to_automatic(low, high, expected, problem):
    used, message = view.checked_y_range(low, high)
    assert used == expected
    assert message == (None if problem is None else f"{problem} {view.Y_RANGE_NOTE}")

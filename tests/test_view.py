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

"""What the playground shows, as plain values: defaults, limits, the shared link, error text.

No Streamlit here, so every rule is unit tested. The widget keys are also the URL's query
parameters, so a copied link restores the view.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode, urlsplit, urlunsplit

# Widget keys = URL parameters.
FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, PRESENT = "f", "x", "lo", "hi", "d2", "check", "present"

DEFAULT_FUNCTION = "x^3 + 2x"
DEFAULT_X = 1.2
DEFAULT_RANGE = (-3.0, 3.0)
CURVE_POINTS = 1001  # f and f′ come from one vectorised pass over this many points

# Limits on the plot range, each with its own message.
MAX_RANGE = 1e6  # |lo| and |hi|: beyond this a slider step is meaningless on screen
MIN_RANGE_WIDTH = 1e-3  # narrower and the slider's fine step would round to nothing

RANGE_NOT_FINITE = "The plot range must be two ordinary numbers."
RANGE_TOO_LARGE = f"The plot range must stay within ±{MAX_RANGE:,.0f}."
RANGE_REVERSED = "The left end of the plot range must be smaller than the right end."
RANGE_TOO_NARROW = f"The plot range must be at least {MIN_RANGE_WIDTH:g} wide."


def checked_range(lo: float, hi: float) -> tuple[tuple[float, float], str | None]:
    """The plot range to use, and a message when the one asked for cannot be (then the default)."""
    problem = None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        problem = RANGE_NOT_FINITE
    elif max(abs(lo), abs(hi)) > MAX_RANGE:
        problem = RANGE_TOO_LARGE
    elif lo >= hi:
        problem = RANGE_REVERSED
    elif hi - lo < MIN_RANGE_WIDTH:
        problem = RANGE_TOO_NARROW
    return (DEFAULT_RANGE, problem) if problem else ((float(lo), float(hi)), None)


def slider_step(lo: float, hi: float) -> float:
    """A round step giving at least 500 positions across the range: 0.01 for [-3, 3]."""
    return 10.0 ** math.floor(math.log10((hi - lo) / 500))


def clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def share_url(page_url: str | None, params: dict[str, object]) -> str:
    """The page's address with exactly these parameters (booleans as 1, False left out)."""
    query = {}
    for key, value in params.items():
        if value is False or value is None:
            continue
        query[key] = "1" if value is True else (repr(value) if isinstance(value, float) else str(value))
    parts = urlsplit(page_url or "/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def pointed(text: str, position: int | None) -> str:
    """The text with a caret under `position`, for a monospaced error display.

    Tabs and control characters become spaces so the caret stays under its character.
    """
    shown = "".join(c if c.isprintable() else " " for c in text)
    if position is None:
        return shown
    return f"{shown}\n{' ' * min(position, len(shown))}^"

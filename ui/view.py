"""What the playground shows, as plain values: defaults, limits, the shared link, error text.

No Streamlit here, so every rule is unit tested. The widget keys are also the URL's query
parameters, so a copied link restores the view.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from urllib.parse import urlencode, urlsplit, urlunsplit

from tinytorch.expr import parse
from ui.presets import PRESETS

# Widget keys = URL parameters.
FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, PRESENT, TABLE = "f", "x", "lo", "hi", "d2", "check", "present", "table"
STEP = "step"  # the backprop page's position in the backward pass

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
    """The page's address with exactly these parameters (True as "true", as Streamlit's bound
    toggles read it; False and None left out)."""
    query = {}
    for key, value in params.items():
        if value is False or value is None:
            continue
        query[key] = "true" if value is True else (repr(value) if isinstance(value, float) else str(value))
    parts = urlsplit(page_url or "/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


SHOWN_TEXT = 320  # characters of a (too long) expression shown in an error: the caret stays visible


def pointed(text: str, position: int | None) -> str:
    """The text with a caret under `position`, for a monospaced error display.

    Tabs and control characters become spaces so the caret stays under its character; a text
    longer than SHOWN_TEXT is cut (a hostile link can carry megabytes).
    """
    shown = "".join(c if c.isprintable() else " " for c in text[:SHOWN_TEXT])
    if len(text) > SHOWN_TEXT:
        shown += "…"
    if position is None:
        return shown
    return f"{shown}\n{' ' * min(position, len(shown))}^"


FUNCTION_HELP = ("A formula in x: + − * / and ^ (or **) for powers; 2x means 2*x; functions sin cos tan asin "
                 "acos atan sinh cosh tanh exp log sqrt abs relu sigmoid softplus max(a, b) min(a, b); "
                 "constants pi and e.")
PRESENT_HELP = "Hides the controls and enlarges the graph and the plot, for a projector. Also in the link."

# Headings for the error box: our own words, so they may be Markdown. The message with the
# user's text goes into a code block below it.
ERROR_TITLES = MappingProxyType({
    "EMPTY": "Type a function of x",
    "TOO_LONG": "That expression is too long",
    "BAD_CHAR": "That character is not part of the language",
    "BAD_NUMBER": "That number cannot be read",
    "SYNTAX": "That expression is not complete or not well formed",
    "UNBALANCED": "The brackets do not match",
    "UNKNOWN_NAME": "Unknown name",
    "UNKNOWN_FUNCTION": "Unknown function",
    "NOT_CALLABLE": "Only functions can be called",
    "ARITY": "Wrong number of arguments",
    "TOO_DEEP": "Too deeply nested",
    "TOO_COMPLEX": "Too many operations",
})


_NOTES = MappingProxyType({parse(p.text).text: p.why for p in PRESETS})  # by canonical text


def preset_note(canonical: str) -> str | None:
    """The one-line 'why this example' for a function that is one of the presets."""
    return _NOTES.get(canonical)

"""What the playground shows, as plain values: defaults, limits, the shared link, error text.

No Streamlit here, so every rule is unit tested. The widget keys are also the URL's query
parameters, so a copied link restores the view.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np

from lessons import datasets, descent
from tinytorch import nn
from tinytorch.expr import parse
from ui.presets import PRESETS

# Widget keys = URL parameters.
FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, PRESENT, TABLE = "f", "x", "lo", "hi", "d2", "check", "present", "table"
STEP = "step"  # the backprop page's position in the backward pass
FUNCTION_XY, POINT_Y = "fxy", "y"  # two variables (x is the Playground's point, shared)
START, RATE, STEPS = "x0", "lr", "steps"  # gradient descent
DATASET, NOISE, ACTIVATION, OPTIMIZER, TRAIN_STEPS = "data", "noise", "act", "opt", "epochs"  # the network
OPERATION = "op"  # the operations reference
# What the pages share, carried from page to page (ui/navigation.py): the function, the point,
# the range and the options (a page's own settings, like the backprop step, stay on that page).
SHARED = (FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, FUNCTION_XY, POINT_Y)

class PageSpec(NamedTuple):
    """A page of the app, as playground.py's navigation and presenter mode's page menu list it."""

    path: str
    title: str
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/explore.py", "Playground", ":material/function:"),  # the default page
    PageSpec("pages/backprop.py", "Backprop step by step", ":material/footprint:"),
    PageSpec("pages/two_variables.py", "Two variables", ":material/grid_on:"),
    PageSpec("pages/descent.py", "Gradient descent", ":material/trending_down:"),
    PageSpec("pages/network.py", "Train a tiny network", ":material/hub:"),
    PageSpec("pages/ops.py", "Operations", ":material/menu_book:"),
)

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


def query_values(params: dict[str, object]) -> dict[str, str]:
    """Parameters as a URL writes them: True as "true", as Streamlit's bound toggles read it;
    floats in full; False and None left out."""
    query = {}
    for key, value in params.items():
        if value is False or value is None:
            continue
        query[key] = "true" if value is True else (repr(value) if isinstance(value, float) else str(value))
    return query


def share_url(page_url: str | None, params: dict[str, object]) -> str:
    """The page's address with exactly these parameters (as `query_values` writes them)."""
    parts = urlsplit(page_url or "/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query_values(params)), ""))


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


def error_title(code: str, variables: tuple[str, ...] = ("x",)) -> str:
    """The error box's heading for an ExpressionError code; "Type a function of x and y" for an
    empty box of two variables."""
    if code == "EMPTY" and tuple(variables) != ("x",):
        return f"Type a function of {' and '.join(variables)}"
    return ERROR_TITLES.get(code, "This expression has a problem")


# ---- a function box: f(x) on most pages, f(x, y) on "Two variables" ------------------------------


class FunctionBox(NamedTuple):
    """What distinguishes one function box from another (see widgets.function_box)."""

    key: str  # the widget key and URL parameter
    variables: tuple[str, ...]
    default: str
    label: str
    placeholder: str
    help: str
    memory: str  # the session-state key holding the last text that parsed, for the stale view
    examples: bool  # whether the f(x) examples menu goes under it


FUNCTION_XY_HELP = ("A formula in x and y, in the same language as f(x): + − * / ^, 2x means 2*x, "
                    "sin cos exp log sqrt abs tanh ... max(a, b) min(a, b); constants pi and e.")
DEFAULT_FUNCTION_XY = "x*y + sin(y)"
DEFAULT_Y = 0.5

# A URL-bound widget leaves its default value out of the URL.
SHARED_DEFAULTS = MappingProxyType({FUNCTION: DEFAULT_FUNCTION, POINT: DEFAULT_X, LOW: DEFAULT_RANGE[0],
                                    HIGH: DEFAULT_RANGE[1], SECOND: False, CHECK: False,
                                    FUNCTION_XY: DEFAULT_FUNCTION_XY, POINT_Y: DEFAULT_Y})

F_OF_X = FunctionBox(FUNCTION, ("x",), DEFAULT_FUNCTION, "f(x) =", "for example x^3 + 2x", FUNCTION_HELP,
                     "last_good_function", True)
F_OF_XY = FunctionBox(FUNCTION_XY, ("x", "y"), DEFAULT_FUNCTION_XY, "f(x, y) =", "for example x*y + sin(y)",
                      FUNCTION_XY_HELP, "last_good_fxy", False)


# ---- two variables --------------------------------------------------------------------------------

XY_RANGE = (-3.0, 3.0)  # both sliders and both axes of the contour plot
XY_STEP = 0.01


# ---- gradient descent ---------------------------------------------------------------------------
# The limits on x0, lr and steps are descent.py's (MAX_START, MIN_LR..MAX_LR, MAX_STEPS), and so
# are their messages: the page shows the ValueError that descent.run raises.

DEFAULT_START = 2.5
DEFAULT_RATE = 0.1
DEFAULT_DESCENT_STEPS = 50
DESCENT_SETTINGS_TITLE = "These descent settings cannot be used"


class Verdict(NamedTuple):
    """How the page shows a run's ending: the kind of box, its heading and icon."""

    box: str  # "success", "warning" or "error"
    heading: str
    icon: str


DESCENT_VERDICTS = MappingProxyType({
    descent.CONVERGED: Verdict("success", "Converged", ":material/check_circle:"),
    descent.RAN_ALL_STEPS: Verdict("warning", "Ran all the steps", ":material/hourglass_bottom:"),
    descent.OSCILLATING: Verdict("warning", "Oscillating", ":material/swap_horiz:"),
    descent.DIVERGED: Verdict("error", "Diverged", ":material/warning:"),
    descent.NOT_FINITE: Verdict("error", "Stopped: not a number", ":material/error:"),
})


DESCENT_DEAD_ENDS = (descent.DIVERGED, descent.NOT_FINITE)  # runs that found no minimum: offer a bowl


class DescentExample(NamedTuple):
    name: str
    text: str
    x0: float
    lr: float


DESCENT_EXAMPLES: tuple[DescentExample, ...] = (
    DescentExample("A bowl: (x − 2)², lr = 0.1", "(x-2)^2", 0.0, 0.1),
    DescentExample("Overshooting but settling: x², lr = 0.9", "x^2", 2.0, 0.9),
    DescentExample("Too large a step: x², lr = 1.1", "x^2", 1.0, 1.1),
    DescentExample("Two valleys: x⁴ − 3x² + x, lr = 0.05", "x^4 - 3x^2 + x", 0.5, 0.05),
    DescentExample("No minimum: x³ + 2x", "x^3 + 2x", 1.0, 0.1),
)


def descent_table(run: descent.DescentRun) -> dict[str, np.ndarray]:
    """The iterates as table columns: k, x, f(x), f′(x), and the step to the next x (none after the last)."""
    return {"k": np.arange(len(run.xs)), "x": run.xs, "f(x)": run.fs, "f′(x)": run.grads,
            "step": np.append(np.diff(run.xs), np.nan)}


# ---- a tiny network -----------------------------------------------------------------------------

NETWORK_POINTS = 200  # points per data set (datasets.make, seed 0: every session sees the same data)
DEFAULT_NOISE = 0.1
NOISE_STEP = 0.01
MAX_NOISE = datasets.MAX_NOISE
MIN_TRAIN_STEPS, MAX_TRAIN_STEPS, TRAIN_STEP_STEP = 10, 1000, 10  # the slider; nn allows up to nn.MAX_STEPS
DEFAULT_TRAIN_STEPS = nn.DEFAULT_STEPS
REDRAW_EVERY = 20  # training steps between two redraws of the loss curve and the boundary


class NetworkSettings(NamedTuple):
    """What a training run was asked for: a trained model is shown only while these are unchanged."""

    data: str
    noise: float
    activation: str
    optimizer: str
    steps: int


def redraw_now(step: int, steps: int) -> bool:
    """Whether to redraw the figures after `step` of `steps` while training (the last step is
    drawn by the page once training is done)."""
    return step % REDRAW_EVERY == 0 and step < steps


# ---- operations ---------------------------------------------------------------------------------


def operations_table(ops) -> dict[str, list[str]]:
    """The reference table's columns, from catalog.operations()."""
    return {"op": [o.name for o in ops], "symbol": [o.symbol for o in ops],
            "formula": [o.formula for o in ops], "derivative": [o.derivative for o in ops]}


def paragraphs(text: str) -> str:
    """A docstring's hard-wrapped paragraphs as flowing text (blank lines kept between them)."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())

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

from lessons import datasets, descent, training
from tinytorch import nn
from tinytorch.expr import parse
from ui.presets import PRESETS

# Widget keys = URL parameters.
FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, PRESENT, TABLE = "f", "x", "lo", "hi", "d2", "check", "present", "table"
Y_LOW, Y_HIGH = "ylo", "yhi"  # the plot's y range; empty (None) = automatic
STEP = "step"  # the backprop page's position in the backward pass
FUNCTION_XY, POINT_Y = "fxy", "y"  # two variables (x is the Playground's point, shared)
FUNCTION_DESCENT, START, RATE, STEPS = "fmin", "x0", "lr", "steps"  # gradient descent
# the network: every setting of a training run, and what the edges of its picture show
DATASET, NOISE, TRAIN_SHARE, SEED, LAYERS, UNITS = "data", "noise", "split", "seed", "layers", "units"
ACTIVATION, OPTIMIZER, NETWORK_RATE, L2, BATCH, EDGES = "act", "opt", "nlr", "l2", "batch", "edges"
OPERATION = "op"  # the operations reference

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


Y_RANGE_NOT_FINITE = "The y range must be ordinary numbers."
Y_RANGE_TOO_LARGE = f"The y range must stay within ±{MAX_RANGE:,.0f}."
Y_RANGE_REVERSED = "The bottom of the y range must be below its top."
Y_RANGE_NOTE = "The y axis is back to automatic until then."


def checked_y_range(low: float | None, high: float | None) -> tuple[tuple[float | None, float | None], str | None]:
    """The plot's y range to use, each end None for automatic, and a message when the one asked
    for cannot be used (then both ends are automatic)."""
    given = [v for v in (low, high) if v is not None]
    problem = None
    if not all(math.isfinite(v) for v in given):
        problem = Y_RANGE_NOT_FINITE
    elif any(abs(v) > MAX_RANGE for v in given):
        problem = Y_RANGE_TOO_LARGE
    elif len(given) == 2 and low >= high:
        problem = Y_RANGE_REVERSED
    if problem:
        return (None, None), f"{problem} {Y_RANGE_NOTE}"
    return (None if low is None else float(low), None if high is None else float(high)), None


def slider_step(lo: float, hi: float) -> float:
    """A round step giving at least 500 positions across the range: 0.01 for [-3, 3]."""
    return 10.0 ** math.floor(math.log10((hi - lo) / 500))


def slider_format(step: float) -> str:
    """A point slider's number format: as many decimals as its step has, on every page ("%.2f"
    for 0.01: x reads 1.20 wherever it is shown on a slider)."""
    return f"%.{max(0, -math.floor(math.log10(step) + 1e-9))}f"


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

F_OF_X = FunctionBox(FUNCTION, ("x",), DEFAULT_FUNCTION, "f(x) =", "for example x^3 + 2x", FUNCTION_HELP,
                     "last_good_function", True)
F_OF_XY = FunctionBox(FUNCTION_XY, ("x", "y"), DEFAULT_FUNCTION_XY, "f(x, y) =", "for example x*y + sin(y)",
                      FUNCTION_XY_HELP, "last_good_fxy", False)


# ---- two variables --------------------------------------------------------------------------------

XY_RANGE = (-3.0, 3.0)  # both sliders and both axes of the contour plot
XY_STEP = 0.01
DEFAULT_Y = 0.5


# ---- gradient descent ---------------------------------------------------------------------------
# The limits on x0, lr and steps are descent.py's (MAX_START, MIN_LR..MAX_LR, MAX_STEPS), and so
# are their messages: the page shows the ValueError that descent.run raises.
# The page has its own function (key fmin), a bowl that converges with the default settings: most
# of the Playground's functions have no minimum (x³ + 2x runs off), and the first view should
# show descent working. The Playground's function is one click away.

DEFAULT_DESCENT_FUNCTION = "(x-1)^2"
DEFAULT_START = -2.0
DEFAULT_RATE = 0.2
DEFAULT_DESCENT_STEPS = 50
DESCENT_SETTINGS_TITLE = "These descent settings cannot be used"
DESCENT_EMPTY_SETTING = "Type a number for each of x₀, lr and the steps."

F_DESCENT = FunctionBox(FUNCTION_DESCENT, ("x",), DEFAULT_DESCENT_FUNCTION, "f(x) =", "for example (x-1)^2",
                        FUNCTION_HELP, "last_good_descent_function", False)


class Verdict(NamedTuple):
    """How the page shows a run's ending: the kind of box, its heading and icon."""

    box: str  # "success", "warning" or "error"
    heading: str
    icon: str


DESCENT_VERDICTS = MappingProxyType({
    descent.CONVERGED: Verdict("success", "Converged", ":material/check_circle:"),
    descent.STALLED: Verdict("warning", "Stuck: not a minimum", ":material/block:"),
    descent.RAN_ALL_STEPS: Verdict("warning", "Ran all the steps", ":material/hourglass_bottom:"),
    descent.OSCILLATING: Verdict("warning", "Oscillating", ":material/swap_horiz:"),
    descent.DIVERGED: Verdict("error", "Diverged", ":material/warning:"),
    descent.NOT_FINITE: Verdict("error", "Stopped: not a number", ":material/error:"),
})


class DescentExample(NamedTuple):
    """A function and settings that show one way descent goes (one click fills them all in)."""

    name: str
    text: str
    x0: float
    lr: float
    steps: int = DEFAULT_DESCENT_STEPS


DESCENT_EXAMPLES: tuple[DescentExample, ...] = (
    DescentExample("Converges", DEFAULT_DESCENT_FUNCTION, DEFAULT_START, DEFAULT_RATE),  # the first view
    DescentExample("Too small a step", DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 0.01),
    DescentExample("Overshoots, then settles", DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 0.9, 100),
    DescentExample("Bounces for ever", DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 1.0),
    DescentExample("Diverges", DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 1.2),
    DescentExample("Two valleys", "x^4 - 3x^2 + x", 0.5, 0.05),
    DescentExample("A saddle", "x^4/4 - x^3/3", -1.0, 0.1),
    DescentExample("A flat shoulder", "x^2/(1 + x^2)", 2.5, 0.1),
    DescentExample("Starts on a hilltop", "x^4 - 2x^2", 0.0, 0.1),
    DescentExample("No minimum", "x^3 + 2x", 1.0, 0.1),
)


def descent_table(run: descent.DescentRun) -> dict[str, np.ndarray]:
    """The iterates as table columns: k, x, f(x), f′(x), and the step to the next x (none after the last)."""
    return {"k": np.arange(len(run.xs)), "x": run.xs, "f(x)": run.fs, "f′(x)": run.grads,
            "step": np.append(np.diff(run.xs), np.nan)}


# ---- a tiny network -----------------------------------------------------------------------------
# The limits and the options of each setting are training.py's (it checks them); the defaults
# are training.Settings()'s. Training plays in ticks: bounded work per request, since many
# sessions share the server.

NETWORK_DEFAULTS = training.Settings()
NOISE_STEP = 0.01
MAX_NOISE = datasets.MAX_NOISE
TICK_SECONDS = 0.25  # while playing, the page redraws this often...
STEPS_PER_TICK = 10  # ...after this many training steps (40 steps a second)
PLAYING = "network_playing"  # session state: whether training is playing
NETWORK_RUN = "network_run"  # session state: this session's training run


def network_status(run: training.TrainingRun, playing: bool) -> str:
    """The line under the buttons: where the run is, and what the buttons will do."""
    where = (f"Step {run.step:,} · epoch {run.epoch:,} · batches of {run.batch} from {len(run.y_train)} training "
             f"points; {len(run.y_test)} test points are never trained on.")
    if run.finished:
        return where + f" The run has reached its limit of {training.MAX_RUN_STEPS:,} steps: reset to start again."
    return where + (" Training…" if playing else "")


def weights_table(model: nn.MLP) -> dict[str, list]:
    """Every weight and bias of `model` as table columns: where it is, its value, and the gradient
    the last training step gave it (None before the first step)."""
    rows: dict[str, list] = {"layer": [], "parameter": [], "from": [], "to": [], "value": [], "gradient": []}
    for layer, (w, b) in enumerate(zip(model.weights, model.biases), start=1):
        fan_in, fan_out = w.data.shape
        for kind, tensor, cells in (("weight", w, np.ndindex(fan_in, fan_out)), ("bias", b, np.ndindex(fan_out))):
            grads = None if tensor.grad is None else tensor.grad.data
            for cell in cells:
                rows["layer"].append(layer)
                rows["parameter"].append(kind)
                rows["from"].append(cell[0] + 1 if kind == "weight" else None)
                rows["to"].append(cell[-1] + 1)
                rows["value"].append(float(tensor.data[cell]))
                rows["gradient"].append(None if grads is None else float(grads[cell]))
    return rows


# ---- operations ---------------------------------------------------------------------------------


def operations_table(ops) -> dict[str, list[str]]:
    """The reference table's columns, from catalog.operations()."""
    return {"op": [o.name for o in ops], "symbol": [o.symbol for o in ops],
            "formula": [o.formula for o in ops], "derivative": [o.derivative for o in ops]}


def paragraphs(text: str) -> str:
    """A docstring's hard-wrapped paragraphs as flowing text (blank lines kept between them)."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n") if p.strip())

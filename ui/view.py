"""What the playground shows, as plain values: the pages, defaults, limits, error text.

No Streamlit here, so every rule is unit tested. The widget keys are also the URL's query
parameters, so a copied link restores the view; link_rules.py declares each of them and checks
what a link gives it.
"""

from __future__ import annotations

import math
import unicodedata
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np

from lessons import catalog, datasets, descent, i18n, training
from lessons.i18n import N_, _
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
LANG = "lang"  # the language of every page: en, zh (lessons/i18n.py); without it, the browser's
# What the pages share, carried from page to page (ui/navigation.py): the function, the point,
# the range and the options (a page's own settings, like the backprop step, stay on that page).
SHARED = (FUNCTION, POINT, LOW, HIGH, SECOND, CHECK, FUNCTION_XY, POINT_Y)

class PageSpec(NamedTuple):
    """A page of the app, as playground.py's navigation and presenter mode's page menu list it."""

    path: str
    title: str  # English (N_): shown as _(title)
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/explore.py", N_("Playground"), ":material/function:"),  # the default page
    PageSpec("pages/backprop.py", N_("Backprop step by step"), ":material/footprint:"),
    PageSpec("pages/two_variables.py", N_("Two variables"), ":material/grid_on:"),
    PageSpec("pages/descent.py", N_("Gradient descent"), ":material/trending_down:"),
    PageSpec("pages/network.py", N_("Train a tiny network"), ":material/hub:"),
    PageSpec("pages/ops.py", N_("Operations"), ":material/menu_book:"),
)

DEFAULT_FUNCTION = "x^3 + 2x"
DEFAULT_X = 1.2
DEFAULT_RANGE = (-3.0, 3.0)
CURVE_POINTS = 1001  # f and f′ come from one vectorised pass over this many points

# Limits on the plot range, each with its own message.
MAX_RANGE = 1e6  # |lo| and |hi|: beyond this a slider step is meaningless on screen
MIN_RANGE_WIDTH = 1e-3  # narrower and the slider's fine step would round to nothing

# The messages' templates (English, marked for translation); `limit_message` fills in the limits.
RANGE_NOT_FINITE = N_("The plot range must be two ordinary numbers.")
RANGE_TOO_LARGE = N_("The plot range must stay within ±{limit}.")
RANGE_REVERSED = N_("The left end of the plot range must be smaller than the right end.")
RANGE_TOO_NARROW = N_("The plot range must be at least {width} wide.")


def limit_message(template: str) -> str:
    """A range message in the reader's language, with the limits written in: ±1,000,000, 0.001."""
    return _(template).format(limit=i18n.count(MAX_RANGE), width=f"{MIN_RANGE_WIDTH:g}")


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
    return (DEFAULT_RANGE, limit_message(problem)) if problem else ((float(lo), float(hi)), None)


Y_RANGE_NOT_FINITE = N_("The y range must be ordinary numbers.")
Y_RANGE_TOO_LARGE = N_("The y range must stay within ±{limit}.")
Y_RANGE_REVERSED = N_("The bottom of the y range must be below its top.")
Y_RANGE_NOTE = N_("The y axis is back to automatic until then.")


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
        return (None, None), i18n.sentences(limit_message(problem), _(Y_RANGE_NOTE))
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


# An error's caret: a window of the text around the position, never wrapped, so the caret stays
# under its character however narrow the screen. 32 columns fit a phone's code block (about 35 at
# 360 px); the caret is never further right than CARET_BEFORE, so it stays in view even at 320 px.
CARET_WINDOW = 32  # columns shown, the "…" marks included
CARET_BEFORE = 20  # columns at most before the caret
HIDDEN = "?"  # stands for a character that cannot be shown one column wide


def pointed(text: str, position: int) -> str:
    """Three lines for a monospaced, unwrapped error display: a window of the text around
    `position` (with … where it is cut), a caret under `position`, and where that is in words.

    Every column before the caret is one character of the text, so the caret lands under its
    character: tabs become spaces, and anything but printable ASCII before the caret becomes
    HIDDEN (a wide, combining or invisible character would shift it). Only the window is looked
    at, so a megabyte-long link costs no more than a short one.
    """
    n = len(text)
    position = min(max(position, 0), n)
    before = position if position <= CARET_BEFORE else CARET_BEFORE - 1  # "…" takes a column
    head = "…" * (before < position)
    shown = [_column(c, strict=True) for c in text[position - before:position]]
    room = CARET_WINDOW - len(head) - before  # columns for the caret's character and what follows
    end = position
    for c in text[position:position + room]:  # a wide character (ｘ) takes two columns
        room -= 1 + (unicodedata.east_asian_width(c) in "WF")
        if room < (end + 1 < n):  # keep a column for the "…"
            break
        shown.append(_column(c, strict=False))
        end += 1
    window = head + "".join(shown) + "…" * (end < n)
    where = (_("character {position} of {length}").format(position=i18n.count(position + 1), length=i18n.count(n))
             if position < n else _("at the end, after character {length}").format(length=i18n.count(n)))
    return f"{window}\n{' ' * (len(head) + before)}^\n{where}"


def _column(c: str, strict: bool) -> str:
    """How one character of the text is shown in the caret window. Before the caret (`strict`)
    only printable ASCII keeps its place; from the caret on, a visible character may show as
    itself (its width no longer moves the caret), but not a right-to-left one, which would
    reorder its neighbours."""
    if c == "\t":
        return " "
    if " " <= c <= "~":
        return c
    if strict:
        return HIDDEN
    visible = unicodedata.category(c)[0] in "LNPS" and unicodedata.bidirectional(c) not in ("R", "AL", "AN")
    return c if visible else HIDDEN


FUNCTION_HELP = N_("A formula in x: + − * / and ^ (or **) for powers; 2x means 2*x; functions sin cos tan asin "
                   "acos atan sinh cosh tanh exp log sqrt abs relu sigmoid softplus max(a, b) min(a, b); "
                   "constants pi and e.")
PRESENT_HELP = N_("Hides the controls and enlarges the graph and the plot, for a projector. Also in the link.")

# Headings for the error box: our own words, so they may be Markdown. The message with the
# user's text goes into a code block below it.
ERROR_TITLES = MappingProxyType({
    "EMPTY": N_("Type a function of x"),
    "TOO_LONG": N_("That expression is too long"),
    "BAD_CHAR": N_("That character is not part of the language"),
    "BAD_NUMBER": N_("That number cannot be read"),
    "SYNTAX": N_("That expression is not complete or not well formed"),
    "UNBALANCED": N_("The brackets do not match"),
    "UNKNOWN_NAME": N_("Unknown name"),
    "UNKNOWN_FUNCTION": N_("Unknown function"),
    "NOT_CALLABLE": N_("Only functions can be called"),
    "ARITY": N_("Wrong number of arguments"),
    "TOO_DEEP": N_("Too deeply nested"),
    "TOO_COMPLEX": N_("Too many operations"),
})

OTHER_ERROR_TITLE = N_("This expression has a problem")

_NOTES = MappingProxyType({parse(p.text).text: p.why for p in PRESETS})  # by canonical text


def preset_note(canonical: str) -> str | None:
    """The one-line 'why this example' for a function that is one of the presets."""
    note = _NOTES.get(canonical)
    return None if note is None else _(note)


def error_title(code: str, variables: tuple[str, ...] = ("x",)) -> str:
    """The error box's heading for an ExpressionError code; "Type a function of x and y" for an
    empty box of two variables."""
    if code == "EMPTY" and tuple(variables) != ("x",):
        return _("Type a function of {variables}").format(variables=i18n.join(variables))
    return _(ERROR_TITLES.get(code, OTHER_ERROR_TITLE))


# ---- a function box: f(x) on most pages, f(x, y) on "Two variables" ------------------------------


class FunctionBox(NamedTuple):
    """What distinguishes one function box from another (see widgets.function_box)."""

    key: str  # the widget key and URL parameter
    variables: tuple[str, ...]
    default: str
    label: str
    placeholder: str  # English (N_), like help: shown as _(placeholder)
    help: str
    memory: str  # the session-state key holding the last text that parsed, for the stale view
    examples: bool  # whether the f(x) examples menu goes under it


FUNCTION_XY_HELP = N_("A formula in x and y, in the same language as f(x): + − * / ^, 2x means 2*x, "
                      "sin cos exp log sqrt abs tanh ... max(a, b) min(a, b); constants pi and e.")
DEFAULT_FUNCTION_XY = "x*y + sin(y)"
DEFAULT_Y = 0.5

# A URL-bound widget leaves its default value out of the URL.
SHARED_DEFAULTS = MappingProxyType({FUNCTION: DEFAULT_FUNCTION, POINT: DEFAULT_X, LOW: DEFAULT_RANGE[0],
                                    HIGH: DEFAULT_RANGE[1], SECOND: False, CHECK: False,
                                    FUNCTION_XY: DEFAULT_FUNCTION_XY, POINT_Y: DEFAULT_Y})

F_OF_X = FunctionBox(FUNCTION, ("x",), DEFAULT_FUNCTION, "f(x) =", N_("for example x^3 + 2x"), FUNCTION_HELP,
                     "last_good_function", True)
F_OF_XY = FunctionBox(FUNCTION_XY, ("x", "y"), DEFAULT_FUNCTION_XY, "f(x, y) =", N_("for example x*y + sin(y)"),
                      FUNCTION_XY_HELP, "last_good_fxy", False)


# ---- two variables --------------------------------------------------------------------------------

XY_RANGE = (-3.0, 3.0)  # both sliders and both axes of the contour plot
XY_STEP = 0.01


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
DESCENT_SETTINGS_TITLE = N_("These descent settings cannot be used")
DESCENT_EMPTY_SETTING = N_("Type a number for each of x₀, lr and the steps.")

F_DESCENT = FunctionBox(FUNCTION_DESCENT, ("x",), DEFAULT_DESCENT_FUNCTION, "f(x) =", N_("for example (x-1)^2"),
                        FUNCTION_HELP, "last_good_descent_function", False)


class Verdict(NamedTuple):
    """How the page shows a run's ending: the kind of box, its heading and icon."""

    box: str  # "success", "warning" or "error"
    heading: str  # English (N_): shown as _(heading)
    icon: str


DESCENT_VERDICTS = MappingProxyType({
    descent.CONVERGED: Verdict("success", N_("Converged"), ":material/check_circle:"),
    descent.STALLED: Verdict("warning", N_("Stuck: not a minimum"), ":material/block:"),
    descent.RAN_ALL_STEPS: Verdict("warning", N_("Ran all the steps"), ":material/hourglass_bottom:"),
    descent.OSCILLATING: Verdict("warning", N_("Oscillating"), ":material/swap_horiz:"),
    descent.DIVERGED: Verdict("error", N_("Diverged"), ":material/warning:"),
    descent.NOT_FINITE: Verdict("error", N_("Stopped: not a number"), ":material/error:"),
})


class DescentExample(NamedTuple):
    """A function and settings that show one way descent goes (one click fills them all in)."""

    name: str  # English (N_): shown as _(name)
    text: str
    x0: float
    lr: float
    steps: int = DEFAULT_DESCENT_STEPS


DESCENT_EXAMPLES: tuple[DescentExample, ...] = (
    DescentExample(N_("Converges"), DEFAULT_DESCENT_FUNCTION, DEFAULT_START, DEFAULT_RATE),  # the first view
    DescentExample(N_("Too small a step"), DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 0.01),
    DescentExample(N_("Overshoots, then settles"), DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 0.9, 100),
    DescentExample(N_("Bounces for ever"), DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 1.0),
    DescentExample(N_("Diverges"), DEFAULT_DESCENT_FUNCTION, DEFAULT_START, 1.2),
    DescentExample(N_("Two valleys"), "x^4 - 3x^2 + x", 0.5, 0.05),
    DescentExample(N_("A saddle"), "x^4/4 - x^3/3", -1.0, 0.1),
    DescentExample(N_("A flat shoulder"), "x^2/(1 + x^2)", 2.5, 0.1),
    DescentExample(N_("Starts on a hilltop"), "x^4 - 2x^2", 0.0, 0.1),
    DescentExample(N_("No minimum"), "x^3 + 2x", 1.0, 0.1),
)


def whole(value: float | None) -> int | float | None:
    """A number input's value as an int when it is a whole number (descent.py checks the rest;
    None, an emptied box, stays None)."""
    return int(value) if value is not None and float(value).is_integer() else value


def descent_table(run: descent.DescentRun) -> dict[str, np.ndarray]:
    """The iterates as table columns: k, x, f(x), f′(x), and the step to the next x (none after the last)."""
    return {"k": np.arange(len(run.xs)), "x": run.xs, "f(x)": run.fs, "f′(x)": run.grads,
            i18n.pgettext("the move from one iterate to the next", "step"): np.append(np.diff(run.xs), np.nan)}


# ---- a tiny network -----------------------------------------------------------------------------
# The limits and the options of each setting are training.py's (it checks them); the defaults
# are training.Settings()'s. Training plays in ticks: bounded work per request, since many
# sessions share the server.

NETWORK_DEFAULTS = training.Settings()
# What the page calls the data sets and what the edges show (the link holds the codes: links.named_choice).
DATASET_NAMES = MappingProxyType({"moons": N_("moons"), "circles": N_("circles"), "xor": N_("xor")})
EDGE_NAMES = MappingProxyType({"weights": N_("weights"), "gradients": N_("gradients")})
NOISE_STEP = 0.01
MAX_NOISE = datasets.MAX_NOISE
TICK_SECONDS = 0.25  # while playing, the page redraws this often...
STEPS_PER_TICK = 10  # ...after this many training steps (40 steps a second)
# Ticks computing at once, across all sessions (ui/turns.py): the interpreter runs one thread at a
# time anyway, and a second turn only adds contention for the thread that sends every message.
TRAINING_TURNS = 1
# A playing tick ends this long after drawing. When the browser's next tick is already waiting,
# the next run starts at once, and Streamlit drops what the last run drew if it has not been sent
# yet; this gives the sender time to send it (20 playing at once: 6x the pictures reached the
# browser). Waiting costs no CPU.
TICK_SEND_SECONDS = 0.05
PLAYING = "network_playing"  # session state: whether training is playing
NETWORK_RUN = "network_run"  # session state: this session's training run


def network_status(run: training.TrainingRun, playing: bool) -> str:
    """The line under the buttons: where the run is, and what the buttons will do."""
    where = _("Step {step} · epoch {epoch} · batches of {batch} from {train} training points; {test} test points "
              "are never trained on.").format(step=i18n.count(run.step), epoch=i18n.count(run.epoch),
                                              batch=i18n.count(run.batch), train=i18n.count(len(run.y_train)),
                                              test=i18n.count(len(run.y_test)))
    if run.finished:
        return i18n.sentences(where, _("The run has reached its limit of {limit} steps: reset to start again.")
                              .format(limit=i18n.count(training.MAX_RUN_STEPS)))
    return i18n.sentences(where, _("Training…")) if playing else where


def weights_table(model: nn.MLP) -> dict[str, list]:
    """Every weight and bias of `model` as table columns: where it is, its value, and the gradient
    the last training step gave it (None before the first step)."""
    columns = layer, parameter, source, target, value, gradient = (
        _("layer"), _("parameter"), _("from"), _("to"), _("value"), _("gradient"))
    rows: dict[str, list] = {column: [] for column in columns}
    for number, (w, b) in enumerate(zip(model.weights, model.biases), start=1):
        fan_in, fan_out = w.data.shape
        for weight, tensor, cells in ((True, w, np.ndindex(fan_in, fan_out)), (False, b, np.ndindex(fan_out))):
            grads = None if tensor.grad is None else tensor.grad.data
            kind = _("weight") if weight else _("bias")
            for cell in cells:
                rows[layer].append(number)
                rows[parameter].append(kind)
                rows[source].append(cell[0] + 1 if weight else None)
                rows[target].append(cell[-1] + 1)
                rows[value].append(float(tensor.data[cell]))
                rows[gradient].append(None if grads is None else float(grads[cell]))
    return rows


# ---- the pages, as links name them (ui/link_rules.py: which controls each page reads) ------------

PLAYGROUND, BACKPROP, TWO_VARIABLES, DESCENT, NETWORK, OPERATIONS = (
    "pages/explore.py", "pages/backprop.py", "pages/two_variables.py", "pages/descent.py", "pages/network.py",
    "pages/ops.py")
F_PAGES = (PLAYGROUND, BACKPROP, DESCENT)  # the pages with the f(x) box and the plot range

# ---- operations ---------------------------------------------------------------------------------


def operations_table(ops) -> str:
    """The reference table as Markdown, from catalog.operations(): each op's name, its symbol in the
    graph, and its derivative rule as inline math. (A data frame cut the rules off at 1024 px and
    cannot render math; Markdown wraps to the page.)"""
    head = (_("op"), _("in the graph"), _("derivative rule"))
    rows = ["| " + " | ".join(head) + " |", "| --- | :---: | --- |"]
    rows += [f"| {o.name} | {o.symbol} | ${o.latex}$ |" for o in ops]
    return "\n".join(rows)


def paragraphs(text: str) -> str:
    """A docstring's hard-wrapped paragraphs as flowing text (blank lines kept between them), each
    in the reader's language (the catalog has them: lessons/catalog.py's `extract`)."""
    return "\n\n".join(_(p) for p in catalog.paragraphs(text))

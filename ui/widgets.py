"""Streamlit glue shared by the pages: the function and point controls, cached engine results,
and the error display.

Every control's key is also its URL parameter (`bind="query-params"`), so a copied link
restores the view; `persist_state="session"` keeps the function and the point when a
student moves between pages.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import streamlit as st

from tinytorch import Tensor, catalog, curves, datasets, descent, grad, nn, no_grad, surface
from tinytorch.expr import Expression, ExpressionError, parse
from ui import view
from ui.presets import PRESETS

URL_BOUND = MappingProxyType({"bind": "query-params", "persist_state": "session"})


def require_app_navigation() -> None:
    """Call first in every page. A fresh Streamlit server that finds a pages/ folder serves its
    scripts in the old file-based mode (raw file names in the sidebar, no page setup) until some
    session has run st.navigation, so a shared link to /backprop opened the page bare. Leave that
    mode and rerun once: the rerun goes through playground.py's navigation to the same page."""
    from streamlit.runtime.pages_manager import PagesManager  # the flag behind that mode

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# ---- cached engine results, shared by all sessions ------------------------------------------
# cache_resource hands every session the same object, where cache_data would unpickle a fresh
# copy on each rerun (a millisecond per slider move for a long formula). That is safe because
# what is cached cannot change: an Expression is frozen, and curve arrays are read-only.


@st.cache_resource(max_entries=512, show_spinner=False)
def parsed(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """parse(), cached per text. Errors are not cached, so each bad input is checked again
    (checking is fast: the limits come first)."""
    return parse(text, variables)


@st.cache_resource(max_entries=128, show_spinner=False)
def sampled(canonical: str, lo: float, hi: float, second: bool) -> curves.Curve:
    """f, f′ (and f″) over the range from one vectorised pass; the arrays are read-only."""
    expr = parsed(canonical)
    return curves.sample(lambda x: expr(x=x), lo, hi, view.CURVE_POINTS, second=second)


@st.cache_resource(max_entries=64, show_spinner=False)
def finite_differences(canonical: str, lo: float, hi: float) -> np.ndarray:
    expr = parsed(canonical)
    fd = curves.finite_difference(lambda x: expr(x=x), np.linspace(lo, hi, view.CURVE_POINTS))
    fd.flags.writeable = False
    return fd


@st.cache_resource(max_entries=32, show_spinner=False)
def surface_grid(canonical: str, x_range: tuple[float, float], y_range: tuple[float, float]) -> surface.Surface:
    """f(x, y), ∂f/∂x and ∂f/∂y on the contour's grid (surface.GRID_POINTS per side); read-only arrays."""
    expr = parsed(canonical, view.F_OF_XY.variables)
    return surface.grid(lambda x, y: expr(x=x, y=y), x_range, y_range)


@st.cache_resource(max_entries=64, show_spinner=False)
def descent_run(canonical: str, x0: float, lr: float, steps: int) -> descent.DescentRun:
    """descent.run on f(x); its ValueError for out-of-bounds settings is raised, not cached."""
    expr = parsed(canonical)
    return descent.run(lambda x: expr(x=x), x0, lr, steps)


@st.cache_resource(max_entries=32, show_spinner=False)
def dataset(name: str, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The same points for every session (seed 0); the arrays are read-only."""
    return datasets.make(name, n=view.NETWORK_POINTS, noise=noise, seed=0)


@st.cache_resource(show_spinner=False)
def operations() -> tuple[catalog.OpInfo, ...]:
    """The engine's ops as catalog reads them from tinytorch/ops.py (frozen records)."""
    return catalog.operations()


@st.cache_resource
def graphviz_installed() -> bool:
    """Whether `dot` exists here, to offer the graph as SVG (the browser draws it without)."""
    return shutil.which("dot") is not None


# ---- the shared controls ----------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionView:
    """What the controls ask for, with the function already checked."""

    text: str  # exactly as typed: it stays in the box, right or wrong
    expr: Expression | None  # what to draw: the typed function, or the last good one
    error: ExpressionError | None
    x: float
    lo: float
    hi: float
    range_problem: str | None
    second: bool
    check: bool
    present: bool

    @property
    def stale(self) -> bool:
        """True when the view shows the last good function because the typed one is wrong."""
        return self.error is not None and self.expr is not None

    def share_params(self) -> dict[str, object]:
        return {view.FUNCTION: self.text, view.POINT: self.x, view.LOW: self.lo, view.HIGH: self.hi,
                view.SECOND: self.second, view.CHECK: self.check, view.PRESENT: self.present}


def _use_preset() -> None:
    # A menu of examples, not a setting: it fills the box, then goes back to its prompt.
    chosen = st.session_state.get("preset")
    if chosen is not None:
        st.session_state[view.FUNCTION] = chosen.text
        st.session_state["preset"] = None


def function_box(container=None, *, present: bool = False,
                 spec: view.FunctionBox = view.F_OF_X) -> tuple[str, Expression | None, ExpressionError | None]:
    """A function box (f(x) and its examples menu by default; `spec=view.F_OF_XY` for f(x, y)).
    Returns the text, the expression to draw (the typed one, or the last good one), the error."""
    box = container or st.sidebar
    text = box.text_input(spec.label, value=spec.default, key=spec.key, placeholder=spec.placeholder,
                          help=spec.help, **URL_BOUND)
    examples = spec.examples and not present
    if examples:
        box.selectbox("Examples", PRESETS, index=None, key="preset", format_func=lambda p: p.name,
                      placeholder="Choose an example…", on_change=_use_preset)
    try:
        expr = parsed(text, spec.variables)
    except ExpressionError as error:
        last = st.session_state.get(spec.memory)
        return text, (parsed(last, spec.variables) if last else None), error
    st.session_state[spec.memory] = expr.text
    if examples and (why := view.preset_note(expr.text)):
        box.caption(why)
    return text, expr, None


def range_inputs() -> tuple[tuple[float, float], str | None]:
    """The shared plot range (keys lo, hi) in the current container: the range to use, and a
    message when the one asked for cannot be used."""
    lo_asked = st.number_input("x from", value=view.DEFAULT_RANGE[0], key=view.LOW, format="%g", **URL_BOUND)
    hi_asked = st.number_input("x to", value=view.DEFAULT_RANGE[1], key=view.HIGH, format="%g", **URL_BOUND)
    return view.checked_range(lo_asked, hi_asked)


def function_controls(*, point: bool = True) -> FunctionView:
    """The controls every f(x) page shares, in the sidebar (the slider moves to the page in
    presenter mode, where the sidebar is hidden)."""
    side = st.sidebar
    present = side.toggle("Presenter mode", key=view.PRESENT, help=view.PRESENT_HELP, **URL_BOUND)
    text, expr, error = function_box(side, present=present)
    with side.expander("Plot range and options", expanded=False):
        (lo, hi), range_problem = range_inputs()
        second = st.toggle("Show f″ (from the engine, differentiating f′)", key=view.SECOND, **URL_BOUND)
        check = st.toggle("Check f′ against finite differences", key=view.CHECK, **URL_BOUND)
    x = view.DEFAULT_X
    if point:
        where = st.container() if present else side
        x = point_slider(where, "x", view.POINT, lo, hi, view.clamp(view.DEFAULT_X, lo, hi),
                         view.slider_step(lo, hi), number_format="%.3f")
    return FunctionView(text, expr, error, float(x), lo, hi, range_problem, second, check, present)


# ---- showing things safely ------------------------------------------------------------------------


def show_expression_error(text: str, error: ExpressionError, variables: tuple[str, ...] = ("x",)) -> None:
    """The message and a caret under the position. The user's text only ever goes into
    st.code, never into Markdown, where it could format or link."""
    st.error(view.error_title(error.code, variables), icon=":material/error:")
    st.code(view.pointed(text, error.position) + "\n" + error.message, language=None, wrap_lines=True)


def theme() -> str:
    """The app's current theme, so graph and plot colours suit it."""
    kind = getattr(getattr(st.context, "theme", None), "type", None)
    return "dark" if kind == "dark" else "light"


def evaluate(expr: Expression, x: float):
    """The graph at one point after backward: (output, input, f(x), f′(x))."""
    xt = Tensor([x], label="x")
    y = expr(x=xt)
    if y.requires_grad:
        y.backward()
    slope = xt.grad.item() if xt.grad is not None else 0.0  # f does not depend on x: f′ = 0
    return y, xt, y.item(), slope


def point_slider(container, label: str, key: str, lo: float, hi: float, default: float, step: float,
                 number_format: str = "%.2f") -> float:
    """A point's slider, its key shared by the pages (and the URL). A value kept from a wider
    range (another page's, or before the range changed) would sit outside this slider: then it
    starts from its default instead, as it does when a link's value does not fit."""
    kept = st.session_state.get(key)
    if kept is not None and not lo <= kept <= hi:
        st.session_state[key] = default
    return container.slider(label, lo, hi, value=default, step=step, key=key, format=number_format, **URL_BOUND)


def evaluate_xy(expr: Expression, x: float, y: float):
    """The graph of f(x, y) at one point after backward: (output, f, ∂f/∂x, ∂f/∂y). The x and y
    boxes of the graph then carry the two partial derivatives."""
    xt, yt = Tensor([x], label="x"), Tensor([y], label="y")
    out = expr(x=xt, y=yt)
    if out.requires_grad:
        out.backward()

    def partial(t: Tensor) -> float:
        return t.grad.item() if t.grad is not None else 0.0  # f does not use this variable

    return out, out.item(), partial(xt), partial(yt)


def slices_at(canonical: str, x: float, y: float) -> surface.Slices:
    """f(·, y) and f(x, ·) through the point, over the two-variable page's ranges (802 points:
    not worth a cache entry per slider position)."""
    expr = parsed(canonical, view.F_OF_XY.variables)
    return surface.slices(lambda x, y: expr(x=x, y=y), x, y, view.XY_RANGE, view.XY_RANGE)


LAST_GOOD_DESCENT = "last_good_descent"


def descent_or_last_good(canonical: str, x0: float, lr: float, steps: int):
    """(run, problem): the run asked for; or, when x0, lr or steps are out of bounds, descent.py's
    message and the run with the last settings that worked in this session (None if none did)."""
    try:
        run = descent_run(canonical, x0, lr, steps)
    except ValueError as problem:
        last = st.session_state.get(LAST_GOOD_DESCENT)
        return (descent_run(canonical, *last) if last else None), str(problem)
    st.session_state[LAST_GOOD_DESCENT] = (x0, lr, steps)
    return run, None


_BOXES = MappingProxyType({"success": st.success, "warning": st.warning, "error": st.error})


def show_verdict(run: descent.DescentRun) -> None:
    """How the run ended, in a box of its colour: our own heading and descent.py's sentence
    (our words and numbers only)."""
    verdict = view.DESCENT_VERDICTS[run.status]
    _BOXES[verdict.box](f"**{verdict.heading}.** {run.message}", icon=verdict.icon)


@dataclass(frozen=True)
class TrainedNetwork:
    """A finished training run, kept in st.session_state (never a cache: the model is this
    session's own, and its weights are arrays the optimiser changed in place)."""

    settings: view.NetworkSettings
    model: nn.MLP
    losses: tuple[float, ...]
    accuracies: tuple[float, ...]
    accuracy: float  # after the last update (the history's is before each update)


TRAINED = "trained_network"


def final_accuracy(model: nn.MLP, X, y) -> float:
    """The share of points the trained model puts on the right side (one forward pass, no graph)."""
    with no_grad():
        return nn.accuracy(model(X), y)


def second_derivative(expr: Expression, x: float) -> float:
    """f″(x): the engine differentiates its own f′ graph (create_graph=True)."""
    xt = Tensor([x])
    (d1,) = grad(expr(x=xt), xt, create_graph=True)
    return grad(d1, xt)[0].item()


PRESENTER_CSS = """
<style>
  section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none; }
  .block-container { padding-top: 1.5rem; max-width: 100%; }
  .stSlider { font-size: 1.3rem; }
</style>
"""


def presenter_style() -> None:
    # Our own constant CSS (no user text): hides the controls, widens the page.
    st.html(PRESENTER_CSS)

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

from tinytorch import Tensor, curves, grad
from tinytorch.expr import Expression, ExpressionError, parse
from ui import view
from ui.presets import PRESETS

URL_BOUND = MappingProxyType({"bind": "query-params", "persist_state": "session"})


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


def function_box(container=None, *, present: bool = False) -> tuple[str, Expression | None, ExpressionError | None]:
    """The f(x) box and its examples menu. Returns the text, the expression to draw, the error."""
    box = container or st.sidebar
    text = box.text_input("f(x) =", value=view.DEFAULT_FUNCTION, key=view.FUNCTION,
                          placeholder="for example x^3 + 2x", help=view.FUNCTION_HELP, **URL_BOUND)
    if not present:
        box.selectbox("Examples", PRESETS, index=None, key="preset", format_func=lambda p: p.name,
                      placeholder="Choose an example…", on_change=_use_preset)
    try:
        expr = parsed(text)
    except ExpressionError as error:
        last = st.session_state.get("last_good_function")
        return text, (parsed(last) if last else None), error
    st.session_state["last_good_function"] = expr.text
    if not present and (why := view.preset_note(expr.text)):
        box.caption(why)
    return text, expr, None


def function_controls(*, point: bool = True) -> FunctionView:
    """The controls every f(x) page shares, in the sidebar (the slider moves to the page in
    presenter mode, where the sidebar is hidden)."""
    side = st.sidebar
    present = side.toggle("Presenter mode", key=view.PRESENT, help=view.PRESENT_HELP, **URL_BOUND)
    text, expr, error = function_box(side, present=present)
    with side.expander("Plot range and options", expanded=False):
        lo_asked = st.number_input("x from", value=view.DEFAULT_RANGE[0], key=view.LOW, format="%g", **URL_BOUND)
        hi_asked = st.number_input("x to", value=view.DEFAULT_RANGE[1], key=view.HIGH, format="%g", **URL_BOUND)
        second = st.toggle("Show f″ (from the engine, differentiating f′)", key=view.SECOND, **URL_BOUND)
        check = st.toggle("Check f′ against finite differences", key=view.CHECK, **URL_BOUND)
    (lo, hi), range_problem = view.checked_range(lo_asked, hi_asked)
    x = view.DEFAULT_X
    if point:
        where = st.container() if present else side
        # The slider's identity includes its range, so a new range starts it afresh: from the
        # URL if that value fits, else from the default (kept inside the range).
        x = where.slider("x", min_value=lo, max_value=hi, value=view.clamp(view.DEFAULT_X, lo, hi),
                         step=view.slider_step(lo, hi), key=view.POINT, format="%.3f", **URL_BOUND)
    return FunctionView(text, expr, error, float(x), lo, hi, range_problem, second, check, present)


# ---- showing things safely ------------------------------------------------------------------------


def show_expression_error(text: str, error: ExpressionError) -> None:
    """The message and a caret under the position. The user's text only ever goes into
    st.code, never into Markdown, where it could format or link."""
    st.error(view.ERROR_TITLES.get(error.code, "This expression has a problem"), icon=":material/error:")
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

"""The controls and displays the pages share: the function box, the plot range, the point
sliders, presenter mode, and the safe error display. (What they compute is in `compute.py`.)

Every control's key is also its URL parameter (`bind="query-params"`), so a copied link
restores the view; `persist_state="session"` keeps the function and the point when a
student moves between pages.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import streamlit as st

from lessons import descent, viz
from tinytorch.expr import Expression, ExpressionError
from ui import compute, view
from ui.presets import PRESETS

URL_BOUND = MappingProxyType({"bind": "query-params", "persist_state": "session"})
_ASSIGNED = "assigned_widgets"  # keys `assign` set whose widgets have not been drawn since


def require_app_navigation() -> None:
    """Call first in every page. A fresh Streamlit server that finds a pages/ folder serves its
    scripts in the old file-based mode (raw file names in the sidebar, no page setup) until some
    session has run st.navigation, so a shared link to /backprop opened the page bare. Leave that
    mode and rerun once: the rerun goes through playground.py's navigation to the same page."""
    from streamlit.runtime.pages_manager import PagesManager  # the flag behind that mode

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# ---- giving a widget a value ------------------------------------------------------------------


def assign(values: Mapping[str, object]) -> None:
    """Set widgets' values from the code (an example, a button, a reset), the one way Streamlit
    allows: through st.session_state, in a callback or before the widget is drawn.

    Such a widget must not also be given a default in that run: Streamlit ignores it and logs
    "created with a default value but also had its value set via the Session State API". So
    each widget that may be assigned takes its default through `default`, which leaves it out
    for that one run."""
    st.session_state.update(values)
    st.session_state[_ASSIGNED] = st.session_state.get(_ASSIGNED, frozenset()) | set(values)


def default(key: str, value):
    """The default to give the widget `key`: `value`, or None in the first run after `assign`
    set it (its value is decided; None is every widget's "no default")."""
    assigned = st.session_state.get(_ASSIGNED, frozenset())
    if key not in assigned:
        return value
    st.session_state[_ASSIGNED] = assigned - {key}
    return None


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
    y_range: tuple[float | None, float | None] = (None, None)  # None: that end is automatic
    y_problem: str | None = None

    @property
    def stale(self) -> bool:
        """True when the view shows the last good function because the typed one is wrong."""
        return self.error is not None and self.expr is not None

    def share_params(self) -> dict[str, object]:
        return {view.FUNCTION: self.text, view.POINT: self.x, view.LOW: self.lo, view.HIGH: self.hi,
                view.Y_LOW: self.y_range[0], view.Y_HIGH: self.y_range[1],
                view.SECOND: self.second, view.CHECK: self.check, view.PRESENT: self.present}


def _use_preset() -> None:
    # A menu of examples, not a setting: it fills the box, then goes back to its prompt.
    chosen = st.session_state.get("preset")
    if chosen is not None:
        assign({view.FUNCTION: chosen.text})
        st.session_state["preset"] = None


def function_box(container=None, *, present: bool = False,
                 spec: view.FunctionBox = view.F_OF_X) -> tuple[str, Expression | None, ExpressionError | None]:
    """A function box (f(x) and its examples menu by default; `spec=view.F_OF_XY` for f(x, y)).
    Returns the text, the expression to draw (the typed one, or the last good one), the error."""
    box = container or st.sidebar
    text = box.text_input(spec.label, value=default(spec.key, spec.default), key=spec.key,
                          placeholder=spec.placeholder, help=spec.help, **URL_BOUND)
    examples = spec.examples and not present
    if examples:
        box.selectbox("Examples", PRESETS, index=None, key="preset", format_func=lambda p: p.name,
                      placeholder="Choose an example…", on_change=_use_preset)
    try:
        expr = compute.parsed(text, spec.variables)
    except ExpressionError as error:
        last = st.session_state.get(spec.memory)
        return text, (compute.parsed(last, spec.variables) if last else None), error
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


def y_range_inputs() -> tuple[tuple[float | None, float | None], str | None]:
    """The plot's y range (keys ylo, yhi) in the current container: an empty box is automatic
    (robust to poles, the point always in view), and a button empties both."""
    bottom, top = st.columns(2)
    asked = (bottom.number_input("y from", value=default(view.Y_LOW, None), key=view.Y_LOW, format="%g",
                                 placeholder="automatic", **URL_BOUND),
             top.number_input("y to", value=default(view.Y_HIGH, None), key=view.Y_HIGH, format="%g",
                              placeholder="automatic", **URL_BOUND))
    st.button("Automatic y range", key="y_auto", icon=":material/fit_screen:", on_click=assign,
              args=({view.Y_LOW: None, view.Y_HIGH: None},), disabled=asked == (None, None))
    return view.checked_y_range(*asked)


def function_controls(*, point: bool = True) -> FunctionView:
    """The controls every f(x) page shares, in the sidebar (the slider moves to the page in
    presenter mode, where the sidebar is hidden)."""
    side = st.sidebar
    present = side.toggle("Presenter mode", key=view.PRESENT, help=view.PRESENT_HELP, **URL_BOUND)
    text, expr, error = function_box(side, present=present)
    with side.expander("Plot range and options", expanded=False):
        (lo, hi), range_problem = range_inputs()
        y_range, y_problem = y_range_inputs()
        second = st.toggle("Show f″ (from the engine, differentiating f′)", key=view.SECOND, **URL_BOUND)
        check = st.toggle("Check f′ against finite differences", key=view.CHECK, **URL_BOUND)
    x = view.DEFAULT_X
    if point:
        where = st.container() if present else side
        x = point_slider(where, "x", view.POINT, lo, hi, view.clamp(view.DEFAULT_X, lo, hi),
                         view.slider_step(lo, hi))
    return FunctionView(text, expr, error, float(x), lo, hi, range_problem, second, check, present, y_range,
                        y_problem)


# ---- showing things safely ------------------------------------------------------------------------


def show_expression_error(text: str, error: ExpressionError, variables: tuple[str, ...] = ("x",)) -> None:
    """The message and a caret under the position. The user's text only ever goes into
    st.code, never into Markdown, where it could format or link."""
    st.error(view.error_title(error.code, variables), icon=":material/error:")
    st.code(view.pointed(text, error.position) + "\n" + error.message, language=None, wrap_lines=True)


def show_graph(output, expr: Expression, *, dim: bool = False, highlight: tuple[str, ...] = (), grads=None,
               present: bool = False) -> None:
    """The computation graph with every node's value and gradient.

    Drawn by `dot` once per function (and style), then only its numbers change as the point
    moves: the browser shows an image instead of laying the graph out again, which took it
    0.3 s for a small graph and seconds for a long one. Without `dot` on the host, the browser
    lays it out (st.graphviz_chart)."""
    style = theme()
    svg = compute.graph_picture(expr.text, expr.variables, style, dim, tuple(highlight))
    width = "stretch" if present else "content"
    if svg is None:
        st.graphviz_chart(viz.to_digraph(output, highlight=highlight, dim=dim, theme=style, grads=grads), width=width)
    else:
        drawn = viz.fill(svg, viz.graph_nodes(output, grads, local=False))
        # As a data URL: handed an SVG string, st.image scans it with a regex first (ms for a long graph).
        st.image("data:image/svg+xml;base64," + base64.b64encode(drawn.encode()).decode(), width=width,
                 alt="The computation graph: every value with its gradient")


def theme() -> str:
    """The app's current theme, so graph and plot colours suit it."""
    kind = getattr(getattr(st.context, "theme", None), "type", None)
    return "dark" if kind == "dark" else "light"


def point_slider(container, label: str, key: str, lo: float, hi: float, start: float, step: float) -> float:
    """A point's slider, its key shared by the pages (and the URL), showing as many decimals as its
    step on every page. A value kept from a wider range (another page's, or before the range
    changed) would sit outside this slider: then it starts from its default instead, as it does
    when a link's value does not fit."""
    kept = st.session_state.get(key)
    if kept is not None and not lo <= kept <= hi:
        assign({key: start})
    return container.slider(label, lo, hi, value=default(key, start), step=step, key=key,
                            format=view.slider_format(step), **URL_BOUND)


_BOXES = MappingProxyType({"success": st.success, "warning": st.warning, "error": st.error})


def show_verdict(run: descent.DescentRun) -> None:
    """How the run ended, in a box of its colour: our own heading and descent.py's sentence
    (our words and numbers only)."""
    verdict = view.DESCENT_VERDICTS[run.status]
    _BOXES[verdict.box](f"**{verdict.heading}.** {run.message}", icon=verdict.icon)


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

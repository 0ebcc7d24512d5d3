"""The controls and displays the pages share: the function box, the plot range, the point
sliders, presenter mode, and the safe error display. (What they compute is in `compute.py`.)

Every control's key is also its URL parameter (`bind="query-params"`), so a copied link
restores the view; `persist_state="session"` keeps the function and the point when a
student moves between pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import streamlit as st

from lessons import descent, i18n
from lessons.i18n import _
from tinytorch.expr import Expression, ExpressionError
from ui import compute, link_rules, presenter, view
from ui.links import URL_BOUND, assign, bound, default, linked, linked_range
from ui.presets import PRESETS


def require_app_navigation() -> None:
    """Call first in every page. A fresh Streamlit server that finds a pages/ folder serves its
    scripts in the old file-based mode (raw file names in the sidebar, no page setup) until some
    session has run st.navigation, so a shared link to /backprop opened the page bare. Leave that
    mode and rerun once: the rerun goes through playground.py's navigation to the same page."""
    from streamlit.runtime.pages_manager import PagesManager  # the flag behind that mode

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


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
    text = box.text_input(spec.label, placeholder=_(spec.placeholder), help=_(spec.help),
                          max_chars=link_rules.MAX_BOX_TEXT,
                          **bound(spec.key, spec.default))
    if len(text) >= link_rules.MAX_BOX_TEXT:
        box.caption(_(link_rules.BOX_FULL).format(limit=i18n.count(link_rules.MAX_BOX_TEXT)))
    examples = spec.examples and not present
    if examples:
        names = {preset: _(preset.name) for preset in PRESETS}  # in this run's language, whenever they are shown
        box.selectbox(_("Examples"), PRESETS, index=None, key="preset", format_func=names.__getitem__,
                      placeholder=_("Choose an example…"), on_change=_use_preset)
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
    message when the one asked for cannot be used (the link's lo and hi are checked first, together)."""
    linked_range()
    lo_asked = st.number_input(_("x from"), value=default(view.LOW, view.DEFAULT_RANGE[0]), key=view.LOW,
                               format="%g", **URL_BOUND)
    hi_asked = st.number_input(_("x to"), value=default(view.HIGH, view.DEFAULT_RANGE[1]), key=view.HIGH,
                               format="%g", **URL_BOUND)
    return view.checked_range(lo_asked, hi_asked)


def y_range_inputs() -> tuple[tuple[float | None, float | None], str | None]:
    """The plot's y range (keys ylo, yhi) in the current container: an empty box is automatic
    (robust to poles, the point always in view), and a button empties both."""
    bottom, top = st.columns(2)
    asked = (bottom.number_input(_("y from"), format="%g", placeholder=_("automatic"), **bound(view.Y_LOW, None)),
             top.number_input(_("y to"), format="%g", placeholder=_("automatic"), **bound(view.Y_HIGH, None)))
    st.button(_("Automatic y range"), key="y_auto", icon=":material/fit_screen:", on_click=assign,
              args=({view.Y_LOW: None, view.Y_HIGH: None},), disabled=asked == (None, None))
    return view.checked_y_range(*asked)


def function_controls(*, point: bool = True, live: bool = False) -> FunctionView:
    """The controls every f(x) page shares, in the sidebar (in presenter mode the function and
    the point go to the bar at the top, the rest to its settings). With `live`, the x slider is
    kept but hidden: the page's live view (ui/live.py) has its own, and this one holds x for the
    session and the URL."""
    places = presenter.controls()
    present, side = places.present, places.side
    text, expr, error = function_box(places.bar, present=present)
    with side.expander(_("Plot range and options"), expanded=present):
        (lo, hi), range_problem = range_inputs()
        y_range, y_problem = y_range_inputs()
        second = st.toggle(_("Show f″ (from the engine, differentiating f′)"), **linked(view.SECOND))
        check = st.toggle(_("Check f′ against finite differences"), **linked(view.CHECK))
    x = view.DEFAULT_X
    if point:
        where = side.container(key="tt-hidden-x") if live else places.bar
        x = point_slider(where, "x", view.POINT, lo, hi, view.clamp(view.DEFAULT_X, lo, hi),
                         view.slider_step(lo, hi))
    return FunctionView(text, expr, error, float(x), lo, hi, range_problem, second, check, present, y_range,
                        y_problem)


# ---- showing things safely ------------------------------------------------------------------------


def show_expression_error(text: str, error: ExpressionError, variables: tuple[str, ...] = ("x",)) -> None:
    """A heading, a window of the text with a caret under the position, and the message. The
    window is never wrapped (a wrapped line would leave the caret under the wrong character); the
    message is. The user's text only ever goes into st.code, never into Markdown, where it could
    format or link."""
    st.error(view.error_title(error.code, variables), icon=":material/error:")
    if error.position is not None:
        st.code(view.pointed(text, error.position), language=None, wrap_lines=False)
    st.code(i18n.phrase(error.phrase), language=None, wrap_lines=True)  # the message, in the reader's language


def point_slider(container, label: str, key: str, lo: float, hi: float, start: float, step: float) -> float:
    """A point's slider, its key shared by the pages (and the URL), showing as many decimals as its
    step on every page. A value kept from a wider range (another page's, or before the range
    changed) would sit outside this slider: then it starts from its default instead, as it does
    when a link's value does not fit."""
    kept = st.session_state.get(key)
    if kept is not None and not lo <= kept <= hi:
        assign({key: start})
    return container.slider(label, lo, hi, step=step, format=view.slider_format(step),
                            **bound(key, start, low=lo, high=hi))


_BOXES = MappingProxyType({"success": st.success, "warning": st.warning, "error": st.error})


def show_verdict(run: descent.DescentRun) -> None:
    """How the run ended, in a box of its colour: our own heading and descent.py's sentence
    (our words and numbers only)."""
    verdict = view.DESCENT_VERDICTS[run.status]
    _BOXES[verdict.box](i18n.lead(verdict.heading, run.message), icon=verdict.icon)

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
from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lessons import descent, viz
from tinytorch.expr import Expression, ExpressionError
from ui import compute, view
from ui.presets import PRESETS

# How a control is bound to the URL. Pages use `linked(key)`, which adds these after checking the
# link's value; a new control is declared once in view.LINK_PARAMS (tests/test_app_links.py checks
# that every bound control of every page is).
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


# ---- the link: checked before any control reads it ---------------------------------------------

_NOTES, _NOTES_AREA = "link_notes", "link_notes_area"  # session state: (page, notes), this run's container
LINK_NOTE_ICON = ":material/link_off:"


def open_link_notes(page: str) -> None:
    """Called by playground.py before the page runs: the notes about this page's link go at its
    top, and stay there while the student is on the page (or until dismissed)."""
    kept = st.session_state.get(_NOTES)
    if kept is None or kept[0] != page:
        st.session_state[_NOTES] = kept = (page, [])
    area = st.container()
    st.session_state[_NOTES_AREA] = area
    for note in kept[1]:
        area.warning(note, icon=LINK_NOTE_ICON)
    if kept[1]:
        area.button("Dismiss", key="dismiss_link_notes", icon=":material/close:",
                    on_click=lambda: st.session_state[_NOTES][1].clear())


def link_note(note: str) -> None:
    """Show a note about the link at the top of the page (our words and numbers only: it is Markdown)."""
    if _NOTES not in st.session_state:  # a page run without playground.py (a test of one script)
        open_link_notes("")
    notes = st.session_state[_NOTES][1]
    if note not in notes:
        notes.append(note)
        st.session_state[_NOTES_AREA].warning(note, icon=LINK_NOTE_ICON)


def _start_from(key: str, value: object, default: object = None) -> None:
    """Make the control keyed `key` start from `value`, not from the link's text for it.

    Streamlit seeds a bound control from its own copy of the URL as first loaded, which no public
    call reaches; that copy is where int(inf) crashed the page. Drop the parameter from it, and
    write the value used into the address bar (none for the default, as Streamlit does)."""
    param = view.LINK_PARAMS[key]
    with get_script_run_ctx().session_state.query_params() as params:
        params._initial_query_params.pop(key, None)
        if value == (param.default if default is None else default):
            params.remove_param(key)
        else:
            params.set_corrected_value(key, view.link_text(param, value), "string_value")
    assign({key: value})


def _first_read(*keys: str) -> bool:
    """Whether the link is still to be read for these controls: Streamlit seeds a control from the
    URL only before the session has a value for it; afterwards the URL just follows the control."""
    return not any(key in st.session_state for key in keys)


def linked(key: str, *, low: float | None = None, high: float | None = None,
           choices: tuple[str, ...] = (), default: object = None) -> dict:
    """The keyword arguments that bind the control `key` to the link (`key`, `bind`,
    `persist_state`), after checking the link's value for it against view.LINK_PARAMS[key]
    (view.read_link): a value that cannot be used is replaced by `default` (else the registry's),
    with a note at the top of the page. `low`, `high` and `choices` are the page's, where the
    registry leaves them open."""
    param = view.LINK_PARAMS[key]
    if _first_read(key):
        reading = view.read_link(param, st.query_params.get_all(param.key), low=low, high=high, choices=choices,
                                 fallback=default)
        if reading.replace:
            _start_from(key, reading.value, default)
        if reading.note:
            link_note(reading.note)
    return {"key": param.key, **URL_BOUND}


def bound(key: str, value, **checks) -> dict:
    """`linked(key, **checks)` plus the control's default `value`, for a widget that takes `value=`.
    The link is checked first, so a value it replaces takes no default in that run (`default`)."""
    kwargs = linked(key, default=value, **checks)
    return {"value": default(key, value), **kwargs}


def missing_page(pages) -> str | None:
    """The page a link (or a stale tab) asked for when the app has no such page, else None.
    Streamlit then runs the default page as if asked for it, at the wrong address."""
    manager = get_script_run_ctx().pages_manager
    asked_hash, asked = manager.intended_page_script_hash, manager.intended_page_name
    if asked_hash:
        return None if asked_hash in {page._script_hash for page in pages} else asked or asked_hash
    return None if not asked or asked in {page.url_path for page in pages} else asked


MISSING_PAGE = "The link's page does not exist in this app: here is the Playground, with the rest of the link."


_LEFT_PAGE = "left_missing_page"


def leave_missing_page(asked: str, home) -> None:
    """Run the Playground at its own address instead (a note says why), keeping the link's
    settings: Streamlit would run it at the missing page's address, so its share link kept it."""
    link_note(MISSING_PAGE)
    st.session_state[_LEFT_PAGE] = asked
    st.switch_page(home, query_params=st.query_params.to_dict())


def page_url() -> str | None:
    """The address of the page shown, for a share link: the browser's, except in the run right
    after leave_missing_page, when the browser has not yet told us its new address."""
    url, left = st.context.url, st.session_state.get(_LEFT_PAGE)
    if url and left:
        parts = urlsplit(url)
        if parts.path.endswith("/" + left):
            return urlunsplit(parts._replace(path=parts.path[: -len(left)]))
    return url


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
    text = box.text_input(spec.label, placeholder=spec.placeholder, help=spec.help, **bound(spec.key, spec.default))
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
    message when the one asked for cannot be used (the link's lo and hi are checked first, together)."""
    if _first_read(view.LOW, view.HIGH):
        (lo, hi), notes, replace = view.read_range(st.query_params.get_all(view.LOW),
                                                   st.query_params.get_all(view.HIGH))
        if replace:
            _start_from(view.LOW, lo)
            _start_from(view.HIGH, hi)
        for note in notes:
            link_note(note)
    lo_asked = st.number_input("x from", value=default(view.LOW, view.DEFAULT_RANGE[0]), key=view.LOW, format="%g",
                               **URL_BOUND)
    hi_asked = st.number_input("x to", value=default(view.HIGH, view.DEFAULT_RANGE[1]), key=view.HIGH, format="%g",
                               **URL_BOUND)
    return view.checked_range(lo_asked, hi_asked)


def y_range_inputs() -> tuple[tuple[float | None, float | None], str | None]:
    """The plot's y range (keys ylo, yhi) in the current container: an empty box is automatic
    (robust to poles, the point always in view), and a button empties both."""
    bottom, top = st.columns(2)
    asked = (bottom.number_input("y from", format="%g", placeholder="automatic", **bound(view.Y_LOW, None)),
             top.number_input("y to", format="%g", placeholder="automatic", **bound(view.Y_HIGH, None)))
    st.button("Automatic y range", key="y_auto", icon=":material/fit_screen:", on_click=assign,
              args=({view.Y_LOW: None, view.Y_HIGH: None},), disabled=asked == (None, None))
    return view.checked_y_range(*asked)


def function_controls(*, point: bool = True) -> FunctionView:
    """The controls every f(x) page shares, in the sidebar (the slider moves to the page in
    presenter mode, where the sidebar is hidden)."""
    side = st.sidebar
    present = side.toggle("Presenter mode", help=view.PRESENT_HELP, **linked(view.PRESENT))
    text, expr, error = function_box(side, present=present)
    with side.expander("Plot range and options", expanded=False):
        (lo, hi), range_problem = range_inputs()
        y_range, y_problem = y_range_inputs()
        second = st.toggle("Show f″ (from the engine, differentiating f′)", **linked(view.SECOND))
        check = st.toggle("Check f′ against finite differences", **linked(view.CHECK))
    x = view.DEFAULT_X
    if point:
        where = st.container() if present else side
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
    st.code(error.message, language=None, wrap_lines=True)


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
    return container.slider(label, lo, hi, step=step, format=view.slider_format(step),
                            **bound(key, start, low=lo, high=hi))


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

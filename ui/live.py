"""The live view: a Streamlit custom component (ui/live.js, ui/live.css) that moves x in the
browser, with every slider position's numbers from one vectorised pass (lessons/sweep.py).

Each page run mounts the component two or three times:

* a *blob*: the graph picture and every number at every position, packed by lessons/live.py.
  It depends on the function and the range only, so its message is the same on every rerun and
  Streamlit sends the browser a reference to the copy it already has (its message cache);
* the *view* (the slider, the numbers above the graph, the graph, the plot), with the point the
  server knows and the exact engine numbers there: a link's x between two slider positions is
  shown as the engine computes it, not rounded to the nearest position;
* on the Playground, the *node table*, which follows the view's x.

While x moves, ui/live.js writes the numbers in at every animation frame; when the pointer is
released (or the keys pause), one rerun writes x to the session and the URL. A `graph` view (the
backprop and two-variable pages) shows the same picture with the numbers of one point and a
highlight, restyled by CSS classes rather than laid out again.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import streamlit as st

from lessons import curves, i18n, live, sweep, viz
from lessons.i18n import N_, _
from ui import compute, links, view

_HERE = Path(__file__).parent


def theme_css() -> str:
    """The graph palette of lessons/viz.py as CSS variables (--tt-<kind>-fill, -line, -text,
    --tt-edge, --tt-accent) for each theme, and the rules that paint `dot`'s shapes with them.
    The SVG is drawn once; the browser picks the theme's colours as the menu switches it."""
    kinds = ("input", "constant", "intermediate", "output", "op", "dim")
    rules = []
    for theme, palette in viz.THEMES.items():
        names = [f"--tt-{kind}-{part}:{palette[kind][i]}"
                 for kind in kinds for i, part in enumerate(("fill", "line", "text"))]
        names += [f"--tt-edge:{palette['edge']}", f"--tt-accent:{palette['accent']}"]
        rules.append(f'.tt[data-theme="{theme}"]{{{";".join(names)}}}')
    for kind in kinds[:-1]:
        rules.append(f".tt g.node.tt-{kind}>path,.tt g.node.tt-{kind}>ellipse,.tt g.node.tt-{kind}>polygon"
                     f"{{fill:var(--tt-{kind}-fill);stroke:var(--tt-{kind}-line)}}"
                     f".tt g.node.tt-{kind} text{{fill:var(--tt-{kind}-text)}}")
    return "\n".join(rules)


# Not in a shadow root (isolate_styles=False): plotly.js styles its plots (the mode bar, hover
# labels) with rules it adds to the document's <head>, which a shadow root would keep out. Every
# rule of ours starts with .tt, so nothing leaks onto the app.
# Streamlit sends a component's code and styles with every message of it: the blob mount, the
# same on every rerun and so cached by the browser, carries them all; the view and the table,
# sent again on every release, carry a few lines that hand over to it (ui/live_mount.js).
_BLOB = st.components.v2.component(
    "tinytorch.live", css=theme_css() + "\n" + (_HERE / "live.css").read_text(encoding="utf-8"),
    js=(_HERE / "live.js").read_text(encoding="utf-8"), isolate_styles=False)
_VIEW = st.components.v2.component(
    "tinytorch.live_view", js=(_HERE / "live_mount.js").read_text(encoding="utf-8"), isolate_styles=False)

BLOB, VIEW, TABLE = "live_blob", "live_view", "live_table"  # the mounts' keys
RELEASED = "x"  # the event the view sends when x is let go
SHOW_TABLE = "table"  # the event the view sends for its graph's "Every node as a table"
BAD_POINT = "live_bad_point"  # session flag: the browser sent a point that cannot be used
BAD_POINT_NOTE = N_("The point sent by the browser was not a number on the slider; x stays where it was.")

# Hides the URL-bound x slider on the live page: the view's own slider is the one to move, and
# this one keeps `?x=` in the link and x in the session for the other pages.
HIDDEN_CSS = "<style>.st-key-tt-hidden-x { display: none; }</style>"


def words() -> dict:
    """Everything ui/live.js writes in words, in the reader's language (sent with every view: the
    blobs hold numbers and pictures, and a graph's blob serves every language)."""
    return {
        "value": _("value") + " ", "grad": _("grad") + " ",  # a box's two lines (viz.slot_words)
        "x_title": _("Every position of this slider comes from one vectorised pass of the engine: the graph built "
                     "once on all of them, one backward pass for every box's gradient at each. Drag, or use the "
                     "arrow keys, Home and End."),
        "slider_title": _("Every slider position's numbers come from one vectorised pass: nothing waits for the "
                          "server as x moves"),
        "df": _("f′(x), by backprop"),
        "tools": _("Graph view"),
        "fit_width": _("Fit width"), "fit_width_title": _("Fit the graph to the width"),
        "fit_all": _("Fit all"), "fit_all_title": _("Show the whole graph"),
        "actual_title": _("Actual size"),
        "zoom_out_title": _("Zoom out"), "zoom_out_label": _("Zoom the graph out"),
        "zoom_in_title": _("Zoom in"), "zoom_in_label": _("Zoom the graph in"),
        "hint": _("Ctrl + scroll or pinch to zoom, drag to pan; click a box to trace it"),
        "table_button": _("Every node as a table"),
        "graph_label": _("Computation graph: every box is a value. Arrow keys move from box to box, Enter traces a "
                         "box's inputs and consumers, Escape stops."),
        "table_caption": _("Every node of the graph: its value, local derivatives and gradient. Arrow keys move "
                           "between rows; Enter traces the node in the graph."),
        "no_dot": _("The graph needs graphviz's `dot` on the server; it is drawn below instead."),
        "tip_numbers": _("value {value}   grad {grad}"),
        "tip_result": _("{kind}, the result of {op}"),
        "kinds": {"input": _("input"), "constant": _("constant"), "intermediate": _("intermediate"),
                  "output": _("output")},
        "columns": [_("node"), _("kind"), _("op"), _("value"), _("local derivatives"), _("gradient")],
        "tangent": _("tangent, slope {slope}"),
        "plot_failed": _("The plot could not be drawn here ({error})."),
    }


def _released(lo: float, hi: float, step: float) -> None:
    """The view's x was let go: write it to the session (and so to the URL). The websocket is
    untrusted: anything but a number within the range is refused, and the rest snaps to the
    nearest slider position."""
    sent = st.session_state.get(VIEW, {}).get(RELEASED)
    if isinstance(sent, bool) or not isinstance(sent, (int, float)) or not lo <= sent <= hi:
        st.session_state[BAD_POINT] = True
        return
    xs = sweep.positions(lo, hi, step)
    links.assign({view.POINT: float(xs[sweep.nearest(xs, sent)])})


def _show_table() -> None:
    """The graph's "Every node as a table" on the Playground: the page's node table switches on."""
    links.assign({view.TABLE: True})


def _point(expr, x: float, second: bool) -> dict:
    """The engine's numbers at exactly x: the graph's, f, f′ (and f″); floats as None where
    they are not finite (JSON has no nan)."""
    y, _x, f0, slope = compute.evaluate(expr, x)

    def finite(v: float) -> float | None:
        return v if math.isfinite(v) else None

    point = {"x": viz.format_number(x), "f": viz.format_number(f0), "df": viz.format_number(slope), "d2f": None,
             "fx": finite(f0), "dfx": finite(slope), "nodes": live.numbers(viz.graph_nodes(y))}
    if second:
        point["d2f"] = viz.format_number(compute.second_derivative(expr, x))
    return point


def show(v) -> curves.Curve:
    """The Playground's live view of `v` (a widgets.FunctionView). Returns the sampled curve,
    for the notes under the plot."""
    if st.session_state.pop(BAD_POINT, False):
        st.warning(_(BAD_POINT_NOTE), icon=":material/block:")
    step = view.slider_step(v.lo, v.hi)
    blob = compute.live_blob(v.expr.text, v.lo, v.hi, v.second, v.check, v.y_range, i18n.language())
    xs = sweep.positions(v.lo, v.hi, step)
    curve = compute.sampled(v.expr.text, v.lo, v.hi, v.second)
    point = _point(v.expr, v.x, v.second)
    point["marks"] = compute.plot_marks(curve, v.x, point["fx"], point["dfx"])
    data = {"role": "live", "blob": blob.key, "x": v.x, "k": sweep.nearest(xs, v.x), "point": point,
            "present": v.present, "dim": v.stale, "plotly": compute.plotly_script(),
            "auto_y": v.y_range == (None, None),  # an automatic y range grows to keep the point in view
            "words": words(),
            "table": not v.present}  # the page has its node table (else the view shows one itself)
    with st.container(gap=None, key="tt-live"):
        _BLOB(key=BLOB, data=blob.data)
        _VIEW(key=VIEW, data=data, **{f"on_{RELEASED}_change": functools.partial(_released, v.lo, v.hi, step),
                                      f"on_{SHOW_TABLE}_change": _show_table})
    if not blob.drawn:  # no `dot` here: the browser lays the graph out, at the released x
        y = compute.evaluate(v.expr, v.x)[0]
        st.graphviz_chart(viz.to_digraph(y, dim=v.stale), width="content")
    return curve


def node_table(v) -> None:
    """Every node of the live view's graph with its value, local derivatives and gradient at the
    view's x, following it as it moves; a clicked row and a clicked box light up together."""
    blob = compute.live_blob(v.expr.text, v.lo, v.hi, v.second, v.check, v.y_range, i18n.language())
    _VIEW(key=TABLE, data={"role": "table", "blob": blob.key, "words": words()})


def graph(output, expr, *, dim: bool = False, highlight: tuple[str, ...] = (), grads=None,
          present: bool = False) -> None:
    """The computation graph of `output` (built from `expr`) with its numbers at one point: laid
    out once per function, its numbers and its highlighted nodes (`highlight`, ids) sent per run.
    `grads` overrides the gradients shown (a backward pass part-way through)."""
    blob = compute.graph_blob(expr.text, expr.variables)
    if not blob.drawn:
        st.graphviz_chart(viz.to_digraph(output, highlight=highlight, dim=dim, grads=grads), width="content")
        return
    nodes = live.numbers(viz.graph_nodes(output, grads, local=False))
    with st.container(gap=None, key="tt-graph"):
        _BLOB(key=BLOB, data=blob.data)
        _VIEW(key=VIEW, data={"role": "graph", "blob": blob.key, "nodes": nodes, "highlight": list(highlight),
                                   "dim": dim, "present": present, "words": words()})

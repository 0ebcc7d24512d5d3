"""Playground: type f(x), slide x, and watch every node's value and gradient, and the curves."""

import streamlit as st

from lessons import curves, viz
from lessons.i18n import _
from ui import as_code, compute, links, live, view, widgets

widgets.require_app_navigation()

v = widgets.function_controls(live=True)
st.html(live.HIDDEN_CSS)

if not v.present:
    st.title(_("Backprop, live"))
    st.caption(_("Every box is a value in the computation of f(x): its value and its gradient, ∂f/∂(box). "
                 "Drag x and watch them change; the tangent's slope on the plot is x's gradient. Every slider "
                 "position comes from one vectorised pass: the graph is built once on all of them, and one "
                 "backward pass gives every box's gradient at every position."))

for problem in (v.range_problem, v.y_problem):
    if problem:
        st.warning(problem, icon=":material/straighten:")
if v.error:
    widgets.show_expression_error(v.text, v.error)
if v.expr is None:
    st.stop()
if v.stale:
    st.info(_("Showing the last function that worked, greyed out, until the error above is fixed:"),
            icon=":material/history:")
    st.code(v.expr.text, language=None)

curve = live.show(v)
for note in curves.nonfinite_summary(curve):
    st.caption(note)

if not v.present:
    if st.toggle(_("Show every node: value, local derivatives and gradient"), **links.linked(view.TABLE)):
        live.node_table(v)
    y, _x, f0, slope = compute.evaluate(v.expr, v.x)
    share, code, downloads = st.tabs([_("Share this view"), _("Show as code"), _("Download")])
    share.code(links.share_link(view.PLAYGROUND), language=None, wrap_lines=True)
    share.caption(_("The link restores this function, point, range and options, and the language."))
    as_code.show_as_code(code, v.expr, v.x, f0, slope)
    with downloads:
        name = "tinytorch-graph"
        st.download_button(_("Graph (DOT)"), lambda: viz.to_dot(y), f"{name}.dot", "text/vnd.graphviz",
                           on_click="ignore", icon=":material/account_tree:")
        if compute.graphviz_installed():
            # The cached picture with this x's numbers: no layout per download.
            st.download_button(_("Graph (SVG)"), lambda: compute.graph_svg(v.expr, y), f"{name}.svg", "image/svg+xml",
                               on_click="ignore", icon=":material/image:")
        st.download_button(_("Curve (CSV)"), lambda: curves.to_csv(curve), "tinytorch-curve.csv", "text/csv",
                           on_click="ignore", icon=":material/table:")

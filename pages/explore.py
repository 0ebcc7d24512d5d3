"""Playground: type f(x), slide x, and watch every node's value and gradient, and the curves."""

import streamlit as st

from lessons import curves, plots, viz
from ui import as_code, compute, view, widgets

widgets.require_app_navigation()

v = widgets.function_controls()
theme = widgets.theme()

if v.present:
    widgets.presenter_style()
    st.button("Exit presenter mode", icon=":material/close_fullscreen:", key="leave",
              on_click=lambda: st.session_state.update({view.PRESENT: False}))
else:
    st.title("Backprop, live")
    st.caption("Every box is a value in the computation of f(x): its value and its gradient, ∂f/∂(box). "
               "Drag x and watch them change; the tangent's slope on the plot is x's gradient.")

for problem in (v.range_problem, v.y_problem):
    if problem:
        st.warning(problem, icon=":material/straighten:")
if v.error:
    widgets.show_expression_error(v.text, v.error)
if v.expr is None:
    st.stop()
if v.stale:
    st.info("Showing the last function that worked, greyed out, until the error above is fixed:",
            icon=":material/history:")
    st.code(v.expr.text, language=None)

y, x, f0, slope = compute.evaluate(v.expr, v.x)
numbers = st.columns(3 if v.second else 2)
numbers[0].metric("f(x)", viz.format_number(f0))
numbers[1].metric("f′(x), by backprop", viz.format_number(slope))
if v.second:
    numbers[2].metric("f″(x)", viz.format_number(compute.second_derivative(v.expr, v.x)))

widgets.show_graph(y, v.expr, dim=v.stale, present=v.present)

curve = compute.sampled(v.expr.text, v.lo, v.hi, v.second)
check = compute.finite_differences(v.expr.text, v.lo, v.hi) if v.check else None
figure = plots.function_figure(curve, v.x, f0, slope, show_second=v.second, check=check, theme=theme,
                               y_range=v.y_range)
if v.present:
    figure.update_layout(height=620, font_size=20)
st.plotly_chart(figure, theme=None, key="curves", config={"displaylogo": False})
for note in curves.nonfinite_summary(curve):
    st.caption(note)

if not v.present:
    if st.toggle("Show every node: value, local derivatives and gradient", **widgets.linked(view.TABLE)):
        st.dataframe(viz.node_table(viz.graph_nodes(y)), hide_index=True, width="stretch")
    share, code, downloads = st.tabs(["Share this view", "Show as code", "Download"])
    share.code(view.share_url(widgets.page_url(), v.share_params()), language=None, wrap_lines=True)
    share.caption("The link restores this function, point, range and options.")
    as_code.show_as_code(code, v.expr, v.x, f0, slope)
    with downloads:
        name = "tinytorch-graph"
        st.download_button("Graph (DOT)", lambda: viz.to_dot(y), f"{name}.dot", "text/vnd.graphviz",
                           on_click="ignore", icon=":material/account_tree:")
        if compute.graphviz_installed():
            # The cached picture with this x's numbers: no layout per download.
            st.download_button("Graph (SVG)", lambda: compute.graph_svg(v.expr, y), f"{name}.svg", "image/svg+xml",
                               on_click="ignore", icon=":material/image:")
        st.download_button("Curve (CSV)", lambda: curves.to_csv(curve), "tinytorch-curve.csv", "text/csv",
                           on_click="ignore", icon=":material/table:")

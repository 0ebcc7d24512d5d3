"""Two variables: f(x, y) at a point, its two partial derivatives, the contour with ∇f, and the two slices."""

import streamlit as st

from lessons import page_plots, viz
from lessons.i18n import _
from ui import compute, live, presenter, theme, view, widgets

widgets.require_app_navigation()

places = presenter.controls(settings=False)
text, expr, error = widgets.function_box(places.bar, present=places.present, spec=view.F_OF_XY)
# x is the Playground's point (same key), so a link or a page switch carries it over when it fits.
x = widgets.point_slider(places.bar, "x", view.POINT, *view.XY_RANGE, view.DEFAULT_X, view.XY_STEP)
y = widgets.point_slider(places.bar, "y", view.POINT_Y, *view.XY_RANGE, view.DEFAULT_Y, view.XY_STEP)

st.title(_("Two variables"))
st.caption(_("f now has two inputs, so backprop gives two gradients from one backward pass: the x box carries "
             "∂f/∂x and the y box ∂f/∂y. Together they make the gradient ∇f = (∂f/∂x, ∂f/∂y)."))
if error:
    widgets.show_expression_error(text, error, view.F_OF_XY.variables)
if expr is None:
    st.stop()
stale = error is not None
if stale:
    st.info(_("Showing the last function that worked, greyed out, until the error above is fixed:"),
            icon=":material/history:")
    st.code(expr.text, language=None)

out, f0, fx, fy = compute.evaluate_xy(expr, x, y)
numbers = st.columns(3)
numbers[0].metric("f(x, y)", viz.format_number(f0))
numbers[1].metric(_("∂f/∂x, by backprop"), viz.format_number(fx))
numbers[2].metric(_("∂f/∂y, by backprop"), viz.format_number(fy))

live.graph(out, expr, dim=stale, present=places.present)

config = {"displaylogo": False}
grid = compute.surface_grid(expr.text, view.XY_RANGE, view.XY_RANGE)
theme.plotly_chart(lambda t: page_plots.contour_figure(grid, x, y, fx, fy, theme=t), key="contour", config=config)
st.caption(_("Each band is a range of values of f; the arrow is ∇f at (x, y). It points uphill, straight across "
             "the level curves, and has a fixed length here: its size is in the legend."))

st.header(_("Treat y as a constant"))
st.caption(_("The seed article's trick for a partial derivative: hold every other input fixed. With y frozen at "
             "its value, f(·, y) is an ordinary function of x, and its ordinary slope is ∂f/∂x; likewise with x "
             "frozen for ∂f/∂y. Each tangent below has exactly the slope that backprop put in the graph above."))
slices = compute.slices_at(expr.text, x, y)
theme.plotly_chart(lambda t: page_plots.slices_figure(slices, x, y, f0, fx, fy, theme=t), key="slices",
                   config=config)

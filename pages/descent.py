"""Gradient descent: minimise f(x) step by step, with f′ from backprop at every step."""

import streamlit as st

from lessons import descent, i18n, page_plots, viz
from lessons.i18n import _
from ui import compute, links, presenter, theme, view, widgets

widgets.require_app_navigation()

# The page's own function (a bowl at first: descent working is the first lesson); the plot range
# is the Playground's (same keys).
places = presenter.controls()
text, expr, error = widgets.function_box(places.bar, present=places.present, spec=view.F_DESCENT)
with places.side.expander(_("Plot range"), expanded=places.present):
    (lo, hi), range_problem = widgets.range_inputs()


def _use_example() -> None:
    # A menu of examples, not a setting: it fills the function and the settings, then clears.
    chosen = st.session_state.get("descent_example")
    if chosen is not None:
        links.assign({view.FUNCTION_DESCENT: chosen.text, view.START: chosen.x0, view.RATE: chosen.lr,
                        view.STEPS: float(chosen.steps)})
        st.session_state["descent_example"] = None


st.title(_("Gradient descent"))
st.caption(_("To find a minimum, step downhill: x ← x − lr·f′(x). Backprop gives f′ at each x; the learning rate "
             "lr sets how far each step goes. Too small and the run crawls; too large and it jumps over the "
             "minimum, back and forth, or flies off."))
start, rate, count = st.columns(3)
# No min/max on these inputs: Streamlit would silently drop an out-of-range value from a link;
# descent.py checks them instead, and the page shows its message.
x0 = start.number_input(_("Start x₀"), format="%g", **links.bound(view.START, view.DEFAULT_START))
lr = rate.number_input(_("Learning rate lr"), step=0.01, format="%g", **links.bound(view.RATE, view.DEFAULT_RATE))
# A float input: Streamlit's whole-number input turns a forged inf into int(inf) before the page runs.
steps = view.whole(count.number_input(_("Steps"), step=1.0, format="%g",
                                      **links.bound(view.STEPS, float(view.DEFAULT_DESCENT_STEPS))))
examples = {example: _(example.name) for example in view.DESCENT_EXAMPLES}  # named in this run's language
st.pills(_("Try one"), view.DESCENT_EXAMPLES, key="descent_example", format_func=examples.__getitem__,
         on_change=_use_example, help=_("Each fills in a function and settings: one run that converges, and the ways "
                                        "descent goes wrong."))
playground = st.session_state.get(view.F_OF_X.memory)  # the Playground's last good f, if visited
if playground and expr is not None and playground != expr.text:
    # st.button renders its label as Markdown: the function goes in as code, where nothing formats
    st.button(_("Descend on the Playground's function: `{function}`").format(function=playground),
              key="from_playground", icon=":material/function:", on_click=links.assign,
              args=({view.FUNCTION_DESCENT: playground},))

if range_problem:
    st.warning(range_problem, icon=":material/straighten:")
if error:
    widgets.show_expression_error(text, error)
if expr is None:
    st.stop()
if error:
    st.info(_("Descending on the last function that worked, until the error above is fixed:"),
            icon=":material/history:")
    st.code(expr.text, language=None)
if x0 is None or lr is None or steps is None:
    st.error(i18n.lead(view.DESCENT_SETTINGS_TITLE, _(view.DESCENT_EMPTY_SETTING)), icon=":material/tune:")
    st.stop()

run, problem = compute.descent_or_last_good(expr.text, x0, lr, steps)
if problem:
    # descent.py's sentence: our words and the numbers, never the user's text.
    st.error(i18n.lead(view.DESCENT_SETTINGS_TITLE, problem), icon=":material/tune:")
if run is None:
    st.stop()
if problem:
    st.info(_("Showing the run with the last settings that worked: x₀ = {x0}, lr = {lr}.").format(
        x0=viz.format_number(run.xs[0]), lr=viz.format_number(run.lr)), icon=":material/history:")

widgets.show_verdict(run)
st.caption(descent.stopping_rule())
numbers = st.columns(5)
numbers[0].metric(_("Steps taken"), run.steps)
numbers[1].metric(_("Last x"), viz.format_number(run.xs[-1]))
numbers[2].metric(_("f(x) there"), viz.format_number(run.fs[-1]))
numbers[3].metric(_("f′(x) there"), viz.format_number(run.grads[-1]))
numbers[4].metric(_("f″ at x₀") if run.status == descent.DIVERGED else _("f″(x) there"),
                  viz.format_number(run.curvature),
                  help=_("The engine's second derivative, read where the advice above was: steps settle for "
                         "lr < 2/f″ there."))

curve = compute.sampled(expr.text, lo, hi, False)
theme.plotly_chart(lambda t: page_plots.descent_figure(curve, run, theme=t), key="descent",
                   config={"displaylogo": False})

st.markdown(_("**Every iterate**: x, f(x) and f′(x) from the engine, and the step −lr·f′(x) to the next x."))
st.dataframe(view.descent_table(run), hide_index=True, width="stretch", placeholder="—")

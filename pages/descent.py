"""Gradient descent: minimise the Playground's f(x) step by step, with f′ from backprop at every step."""

import streamlit as st

from lessons import page_plots, viz
from ui import compute, presenter, view, widgets

widgets.require_app_navigation()

# The f box and the plot range are the Playground's (same keys), so the function comes along.
places = presenter.controls()
text, expr, error = widgets.function_box(places.bar, present=places.present)
with places.side.expander("Plot range", expanded=places.present):
    (lo, hi), range_problem = widgets.range_inputs()
theme = widgets.theme()


def _apply(example: view.DescentExample) -> None:
    st.session_state.update({view.FUNCTION: example.text, view.START: example.x0, view.RATE: example.lr})


def _use_example() -> None:
    # A menu of examples, not a setting: it fills the function and the settings, then resets.
    chosen = st.session_state.get("descent_example")
    if chosen is not None:
        _apply(chosen)
        st.session_state["descent_example"] = None


st.title("Gradient descent")
st.caption("To find a minimum, step downhill: x ← x − lr·f′(x). Backprop gives f′ at each x; the learning rate "
           "lr sets how far each step goes. Too small and the run crawls; too large and it jumps over the "
           "minimum, back and forth, or flies off.")
start, rate, count, examples = st.columns([1, 1, 1, 2], vertical_alignment="bottom")
# No min/max on these inputs: Streamlit would silently drop an out-of-range value from a link;
# descent.py checks them instead, and the page shows its message.
x0 = start.number_input("Start x₀", value=view.DEFAULT_START, key=view.START, format="%g", **widgets.URL_BOUND)
lr = rate.number_input("Learning rate lr", value=view.DEFAULT_RATE, step=0.01, key=view.RATE, format="%g",
                       **widgets.URL_BOUND)
steps = count.number_input("Steps", value=view.DEFAULT_DESCENT_STEPS, step=1, key=view.STEPS, **widgets.URL_BOUND)
examples.selectbox("Descent examples", view.DESCENT_EXAMPLES, index=None, key="descent_example",
                   format_func=lambda e: e.name, placeholder="Try an example…", on_change=_use_example)

if range_problem:
    st.warning(range_problem, icon=":material/straighten:")
if error:
    widgets.show_expression_error(text, error)
if expr is None:
    st.stop()
if error:
    st.info("Descending on the last function that worked, until the error above is fixed:",
            icon=":material/history:")
    st.code(expr.text, language=None)

run, problem = compute.descent_or_last_good(expr.text, x0, lr, steps)
if problem:
    # descent.py's sentence: our words and the numbers, never the user's text.
    st.error(f"**{view.DESCENT_SETTINGS_TITLE}.** {problem}", icon=":material/tune:")
if run is None:
    st.stop()
if problem:
    st.info(f"Showing the run with the last settings that worked: x₀ = {viz.format_number(run.xs[0])}, "
            f"lr = {viz.format_number(run.lr)}.", icon=":material/history:")

widgets.show_verdict(run)
if run.status in view.DESCENT_DEAD_ENDS and expr.text != view.DESCENT_EXAMPLES[0].text:
    # The Playground's function often has no minimum (x³ + 2x): offer the way to one that has.
    bowl = view.DESCENT_EXAMPLES[0]
    st.button(f"Try {bowl.name}", on_click=_apply, args=(bowl,), icon=":material/arrow_forward:", key="bowl")
numbers = st.columns(4)
numbers[0].metric("Steps taken", run.steps)
numbers[1].metric("Last x", viz.format_number(run.xs[-1]))
numbers[2].metric("f(x) there", viz.format_number(run.fs[-1]))
numbers[3].metric("f′(x) there", viz.format_number(run.grads[-1]))

curve = compute.sampled(expr.text, lo, hi, False)
st.plotly_chart(page_plots.descent_figure(curve, run, theme=theme), theme=None, key="descent",
                config={"displaylogo": False})

st.markdown("**Every iterate**: x, f(x) and f′(x) from the engine, and the step −lr·f′(x) to the next x.")
st.dataframe(view.descent_table(run), hide_index=True, width="stretch", placeholder="—")

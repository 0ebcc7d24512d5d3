"""Backprop step by step: the engine's own backward pass, one op at a time, with the numbers."""

import streamlit as st

from lessons import catalog, i18n, viz
from lessons.i18n import N_, _
from tinytorch import Tensor, trace_backward
from ui import links, live, rules, view, widgets

widgets.require_app_navigation()

v = widgets.function_controls()
st.title(_("Backprop, step by step"))
if v.error:
    widgets.show_expression_error(v.text, v.error)
if v.expr is None:
    st.stop()

x = Tensor([v.x], label="x")
y = v.expr(x=x)
trace = trace_backward(y)
ids = {t: f"n{i}" for i, t in enumerate(trace.nodes)}  # the graph view's node ids
last = len(trace)  # step 0 is the forward pass; steps 1..last are the trace's


def _move(delta: int) -> None:
    st.session_state[view.STEP] = min(max(st.session_state.get(view.STEP, 0) + delta, 0), last)


previous, slider, following = st.columns([1, 6, 1], vertical_alignment="bottom")
previous.button(_("Previous"), icon=":material/arrow_back:", on_click=_move, args=(-1,), width="stretch")
following.button(_("Next"), icon=":material/arrow_forward:", on_click=_move, args=(1,), width="stretch")
step = slider.slider(_("Step"), 0, last, help=_("0 is the forward pass; then one op per step, in the order the "
                                                "engine runs them."), **links.linked(view.STEP, high=last))

received = trace.received(step)
highlight = ()
if step == 0:
    st.info(i18n.lead(N_("Forward pass"), _("Every node has its value; no gradient yet. Backprop starts from the "
                                             "output and walks the graph backwards.")), icon=":material/start:")
elif step == 1:
    highlight = (ids[y],)
    st.info(i18n.lead(N_("Step 1: the seed"), _("The derivative of anything with respect to itself is 1, so the "
                                                  "output's gradient is 1.")), icon=":material/flag:")
else:
    current = trace.steps[step - 1]
    highlight = (ids[current.tensor], *(ids[i.tensor] for i in current.inputs))
    heading = _("Step {step} of {last}: the backward of one {op} node").format(step=step, last=last,
                                                                               op=viz.op_symbol(current.op))
    st.info(i18n.lead(heading, _("Its gradient is complete now (every node that uses it has run), so it can be "
                                 "passed on: upstream gradient × local derivative = contribution to each input.")),
            icon=":material/east:")

live.graph(y, v.expr, highlight=highlight, grads=received, present=v.present)

if step >= 2:
    rows = []
    head = (_("input"), _("local derivative"), _("upstream × local"), _("had"), _("now has"))
    for inp in current.inputs:
        if inp.contribution is None:
            rows.append(dict(zip(head, (inp.tensor.label or "", "—", "—", "—",
                                        _("— (a constant needs no gradient)")), strict=True)))
            continue
        had = viz.format_number(inp.before.item()) if inp.before is not None else _("nothing")
        now = viz.format_number(inp.after.item())
        rows.append(dict(zip(head, (
            inp.tensor.label or "",
            viz.format_number(inp.local.item()),
            f"{viz.format_number(current.upstream.item())} × {viz.format_number(inp.local.item())} = "
            f"{viz.format_number(inp.contribution.item())}",
            had,
            f"{had} + {viz.format_number(inp.contribution.item())} = {now}" if inp.accumulates else now), strict=True)))
    st.markdown(_("**The chain rule at this node**, for each input:"))
    st.dataframe(rows, hide_index=True, width="stretch")
    if any(inp.accumulates for inp in current.inputs):
        st.success(_("An input already had a gradient from another path: the new contribution is **added** to it "
                     "(gradients accumulate; the seed article's bug was to overwrite them)."),
                   icon=":material/add_circle:")
    info = catalog.op_info(current.op)
    st.markdown(_("**The rule that ran**: {name} ({symbol} in the graph), the local derivative above.").format(
        name=info.name, symbol=info.symbol))
    rules.show_rule(info, ran=True)
elif step == last and last == 1:
    st.caption(_("This function does not depend on x, so there is nothing to pass back."))

if step == last and last > 1:
    st.success(_("Done: ∂f/∂x = {value}, the same number `y.backward()` gives.").format(
        value=viz.format_number(received[x].item()) if x in received else "0"), icon=":material/check_circle:")

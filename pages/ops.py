"""Operations: every op of the engine, its rule and its code, read from tinytorch/ops.py itself."""

import streamlit as st

from lessons.i18n import _
from ui import compute, links, presenter, rules, view, widgets

widgets.require_app_navigation()
presenter.controls(settings=False)  # presenter mode: the page menu and the way out, at the top

ops = compute.operations()
by_name = {op.name: op for op in ops}

st.title(_("Operations"))
st.caption(_("Every operation the engine knows, with its derivative rule. Nothing here is written by hand: the "
             "rules and the code are read from each op's class in tinytorch/ops.py, so this page cannot drift from "
             "the code."))
st.markdown(view.operations_table(ops))  # Markdown, not a data frame: it wraps to the page and renders the math

name = st.selectbox(_("Show the rule and the code of"), tuple(by_name),
                    **links.linked(view.OPERATION, choices=tuple(by_name), default=ops[0].name))
info = by_name[name]
st.header(f"{info.name}: {_(info.formula)}")  # the formula's words are in the catalog (lessons/catalog.py)
st.caption(_("The graph shows it as {symbol}.").format(symbol=info.symbol))
rules.show_rule(info, notes=True)
st.caption(_("tinytorch/ops.py, line {line}.").format(line=info.line))

"""Operations: every op of the engine, its rule and its code, read from tinytorch/ops.py itself."""

import streamlit as st

from ui import compute, presenter, view, widgets

widgets.require_app_navigation()
presenter.controls(settings=False)  # presenter mode: the page menu and the way out, at the top

ops = compute.operations()
by_name = {op.name: op for op in ops}

st.title("Operations")
st.caption("Every operation the engine knows, with its forward formula and its derivative rule. Nothing here is "
           "written by hand: the table is read from each op's docstring in tinytorch/ops.py, and the code below "
           "from its forward and backward methods, so this page cannot drift from the code.")
st.dataframe(view.operations_table(ops), hide_index=True, width="stretch", height="content")  # all of them

name = st.selectbox("Show the code of", tuple(by_name), key=view.OPERATION, **widgets.URL_BOUND)
info = by_name[name]
st.subheader(f"{info.name} — the graph shows it as {info.symbol}")
st.code(info.summary, language=None, wrap_lines=True)
if info.notes:
    st.text(view.paragraphs(info.notes))  # our docstrings, shown as written: not Markdown
st.caption(f"tinytorch/ops.py, line {info.line}. backward gets the upstream gradient g, the inputs and the "
           "output, and returns one gradient per input: upstream × local derivative.")
forward, backward = st.columns(2)
forward.code(info.forward_source or "# inherited from Function", language="python", wrap_lines=True)
backward.code(info.backward_source or "# inherited from Function", language="python", wrap_lines=True)

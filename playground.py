"""tinytorch playground: type f(x), slide x, watch backprop.

    streamlit run playground.py

The entry script only sets the page up and lists the pages; each page lays out its widgets
and calls plain helpers from `tinytorch/` (the engine, graph and plot builders) and `ui/`.
"""

import streamlit as st

st.set_page_config(page_title="tinytorch playground", page_icon=":material/function:", layout="wide",
                   menu_items={"About": "tinytorch playground: reverse-mode autodiff you can watch."})

pages = [
    st.Page("pages/explore.py", title="Playground", icon=":material/function:", default=True),
    st.Page("pages/backprop.py", title="Backprop step by step", icon=":material/footprint:"),
    st.Page("pages/two_variables.py", title="Two variables", icon=":material/grid_on:"),
    st.Page("pages/descent.py", title="Gradient descent", icon=":material/trending_down:"),
    st.Page("pages/network.py", title="Train a tiny network", icon=":material/hub:"),
    st.Page("pages/ops.py", title="Operations", icon=":material/menu_book:"),
]
st.navigation(pages).run()

"""tinytorch playground: type f(x), slide x, watch backprop.

    streamlit run playground.py

The entry script only sets the page up and lists the pages; each page lays out its widgets
and calls plain helpers from `tinytorch/` (the engine, graph and plot builders) and `ui/`.
"""

from pathlib import Path

import streamlit as st

from ui import widgets

# The icon is a file of ours: a material icon would be fetched from Google's font servers on
# every page load (and fail on a machine without internet).
st.set_page_config(page_title="tinytorch playground", page_icon=str(Path(__file__).parent / "ui" / "favicon.png"),
                   layout="wide", menu_items={"About": "tinytorch playground: reverse-mode autodiff you can watch."})


@st.cache_resource(show_spinner=False)
def _import_once() -> None:
    """Plotly finds pandas through sys.modules, so a session that uses it while another is still
    importing it meets a half-initialised module ("partially initialized module 'pandas'"):
    that happened when a class opened the link together on a fresh server. The first session
    imports the heavy modules here, behind the cache's lock; the others wait for it."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pyarrow  # noqa: F401


_import_once()

pages = [
    st.Page("pages/explore.py", title="Playground", icon=":material/function:", default=True),
    st.Page("pages/backprop.py", title="Backprop step by step", icon=":material/footprint:"),
    st.Page("pages/two_variables.py", title="Two variables", icon=":material/grid_on:"),
    st.Page("pages/descent.py", title="Gradient descent", icon=":material/trending_down:"),
    st.Page("pages/network.py", title="Train a tiny network", icon=":material/hub:"),
    st.Page("pages/ops.py", title="Operations", icon=":material/menu_book:"),
]
page = st.navigation(pages)
widgets.open_link_notes(page.url_path)
if asked := widgets.missing_page(pages):
    widgets.leave_missing_page(asked, pages[0])
page.run()

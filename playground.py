"""tinytorch playground: type f(x), slide x, watch backprop.

    streamlit run playground.py

The entry script only sets the page up and lists the pages; each page lays out its widgets
and calls plain helpers from `tinytorch/` (the engine, graph and plot builders) and `ui/`.
"""

from pathlib import Path

import streamlit as st

from lessons.i18n import _
from ui import language, links, presenter, theme, view

language.activate()  # first: every word from here on is in the reader's language

# The icon is a file of ours: a material icon would be fetched from Google's font servers on
# every page load (and fail on a machine without internet).
st.set_page_config(page_title=_("tinytorch playground"), page_icon=str(Path(__file__).parent / "ui" / "favicon.png"),
                   layout="wide", menu_items={"About": _("tinytorch playground: reverse-mode autodiff you can watch.")})


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

pages = [st.Page(page.path, title=_(page.title), icon=page.icon, default=i == 0) for i, page in enumerate(view.PAGES)]
page = st.navigation(pages)
links.open_link_notes(page.url_path)
if asked := links.missing_page(pages):
    links.leave_missing_page(asked, pages[0])
language.control()  # the app's, not a page's: like presenter mode, the language stays from page to page
presenter.toggle()  # the app's, not a page's: the mode stays on from page to page
theme.follow()
shown = view.PAGES[[p.url_path for p in pages].index(page.url_path)]
try:
    page.run()
finally:  # also after st.stop(): the link of a page with an error shows the error
    links.show_share_link(shown.path)

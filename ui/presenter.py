"""Presenter mode, for a projector: every page's controls in one compact bar at the top (the
pages, the function, the point, the other settings in a pop-over, and the way out), the sidebar
and the titles gone, and the graph and the plot sized to share one 1024 × 768 screen.

The mode is a URL-bound toggle of the entry script (`?present=true`), so it follows the lecturer
from page to page and survives a reload; `controls()` is the first call of every page.
"""

from __future__ import annotations

import streamlit as st

from lessons.i18n import _
from ui import language, links, navigation, view

# Our own constant CSS (no user text). Streamlit's header stays (its menu switches the theme) but
# turns transparent and lets clicks through to the bar, which keeps clear of the menu's corner.
CSS = """
<style>
  section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"] { display: none; }
  header[data-testid="stHeader"] { background: transparent; }
  header[data-testid="stHeader"], header[data-testid="stHeader"] * { pointer-events: none; }
  header[data-testid="stHeader"] [data-testid="stMainMenu"],
  header[data-testid="stHeader"] [data-testid="stMainMenu"] * { pointer-events: auto; }
  [data-testid="stMainBlockContainer"] { padding: 0.25rem 0.75rem 1rem; max-width: 100%; }
  .st-key-tt-present-bar { padding-right: 2.75rem; }
  .st-key-tt-present-bar [data-testid="stWidgetLabel"] p { font-size: 0.875rem; }
  .stElementContainer:has(> .stHeading h1) { display: none; }
</style>
"""


class Places:
    """Where a page puts its controls: `side` is the sidebar (in presenter mode the bar's
    "Settings" pop-over); `bar` holds the function and the point, on the page itself above what
    they change (on a phone too, where the sidebar is closed), made where the page first asks
    for it (presenter mode: the bar at the top)."""

    def __init__(self, present: bool, side, bar=None):
        self.present, self.side, self._bar = present, side, bar

    @property
    def bar(self):
        if self._bar is None:
            self._bar = st.container(horizontal=True, key="tt-page-bar", vertical_alignment="bottom", gap="small")
        return self._bar


def _leave() -> None:
    st.session_state[view.PRESENT] = False


def toggle() -> bool:
    """The presenter-mode switch, drawn by the entry script: a widget of the main script is the
    app's, so Streamlit keeps `?present=true` from page to page."""
    return st.sidebar.toggle(_("Presenter mode"), help=_(view.PRESENT_HELP), **links.linked(view.PRESENT))


def controls(*, settings: bool = True) -> Places:
    """Where this page's controls go (and the bar, in presenter mode). Call it first on every
    page: it also carries the shared view over from the last page (ui/navigation.py).
    `settings=False` for a page whose controls all fit in the bar: no empty "Settings" pop-over."""
    navigation.carry()
    if not st.session_state.get(view.PRESENT):
        return Places(False, st.sidebar)
    st.html(CSS)
    bar = st.container(horizontal=True, key="tt-present-bar", vertical_alignment="bottom", gap="small")
    pages = bar.popover(_("Pages"), icon=":material/menu:", help=_("Go to another page (presenter mode stays on)"))
    navigation.page_links(pages)
    middle = bar.container(horizontal=True, vertical_alignment="bottom", gap="small", width="stretch")
    more = bar.popover(_("Settings"), icon=":material/tune:", help=_("The rest of this page's controls")) \
        if settings else st.sidebar  # (hidden, but its widgets still hold their values)
    language.switch_button(bar)
    links.share_here(bar.popover(_("Share"), icon=":material/share:", help=_("A link to this page as it is now")))
    bar.button(_("Exit"), icon=":material/close_fullscreen:", key="leave", on_click=_leave,
               help=_("Leave presenter mode"))
    return Places(True, more, middle)

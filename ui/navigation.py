"""Moving between pages with the view every page shares: the function, the point, the range and
the options (presenter mode is the entry script's own toggle, which Streamlit keeps app-wide).

On a page switch Streamlit drops the URL parameters of the last page's widgets, and a URL-bound
widget then takes the missing parameter as the link's word: the function typed on the Playground
came back as the default on the backprop page. `carry()`, first on every page, hands each shared
value the session still holds back to its widget, and reruns once so that the address bar (and a
reload, or a copied link) shows them too.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lessons.i18n import _
from ui import links, view

_CARRIED = "carried_to"  # the page the shared view was last carried to (one rerun per arrival)


def carry() -> None:
    """Call before the page draws any shared widget. Once per arrival on a page: the values are
    assigned (links.assign, so the widgets take no default in that run), and if the address bar
    lacks any, one rerun lets the widgets write them there."""
    here = get_script_run_ctx().page_script_hash  # the page this run draws (AppTest has no URL)
    if st.session_state.get(_CARRIED) == here:
        return
    kept = {key: st.session_state[key] for key in view.SHARED if key in st.session_state}
    links.assign(kept)  # set before the widgets: they win over the missing parameters
    st.session_state[_CARRIED] = here
    if any(key not in st.query_params and value != view.SHARED_DEFAULTS.get(key) for key, value in kept.items()):
        st.rerun()  # widgets write a value set in the session to the URL on their next run


def page_links(container) -> None:
    """A link to every page, in `container`."""
    for page in view.PAGES:
        container.page_link(page.path, label=_(page.title), icon=page.icon, width="stretch")

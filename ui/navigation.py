"""Moving between pages with the view every page shares: the function, the point, the range and
the options (presenter mode is the entry script's own toggle, which Streamlit keeps app-wide).

On a page switch Streamlit drops the URL parameters of the last page's widgets, and a URL-bound
widget then takes the missing parameter as the link's word: the function typed on the Playground
came back as the default on the backprop page. `carry()`, first on every page, hands each shared
value the session still holds back to its widget, and reruns once so that the address bar (and a
reload, or a copied link) shows them too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ui import view

_CARRIED = "carried_to"  # the page the shared view was last carried to (one rerun per arrival)


def carry() -> None:
    """Call before the page draws any shared widget."""
    kept = {key: st.session_state[key] for key in view.SHARED if key in st.session_state}
    for key, value in kept.items():
        st.session_state[key] = value  # set before the widget: it wins over the missing parameter
    here = urlsplit(st.context.url or "").path
    missing = [key for key, value in kept.items()
               if key not in st.query_params and value != view.SHARED_DEFAULTS.get(key)]
    if missing and st.session_state.get(_CARRIED) != here:
        st.session_state[_CARRIED] = here
        st.rerun()  # widgets write a value set in the session to the URL on their next run
    st.session_state[_CARRIED] = here


def links(container) -> None:
    """A link to every page, in `container`."""
    for page in view.PAGES:
        container.page_link(page.path, label=page.title, icon=page.icon, width="stretch")

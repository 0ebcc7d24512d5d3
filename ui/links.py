"""Links: every URL value is untrusted, so each control bound to the URL reads the link through
here. `linked(key)` checks the link's value for a control (declared once in link_rules.LINK_PARAMS)
before the widget exists; a value that cannot be used is replaced, with a note at the top of the
page naming the parameter and what is used instead. `assign` and `default` are the one way code
gives a widget a value (an example, a reset, a release of the live slider, a replaced link value)
without Streamlit's "default value but also set via the Session State API" warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from lessons.i18n import N_, _
from ui import link_rules, view

# How a control is bound to the URL. Pages use `linked(key)`, which adds these after checking the
# link's value; a new control is declared once in link_rules.LINK_PARAMS (tests/test_app_links.py checks
# that every bound control of every page is).
URL_BOUND = MappingProxyType({"bind": "query-params", "persist_state": "session"})
_ASSIGNED = "assigned_widgets"  # keys `assign` set whose widgets have not been drawn since


# ---- the link: checked before any control reads it ---------------------------------------------

_NOTES, _NOTES_AREA = "link_notes", "link_notes_area"  # session state: (page, notes), this run's container
LINK_NOTE_ICON = ":material/link_off:"


def open_link_notes(page: str) -> None:
    """Called by playground.py before the page runs: the notes about this page's link go at its
    top, and stay there while the student is on the page (or until dismissed)."""
    kept = st.session_state.get(_NOTES)
    if kept is None or kept[0] != page:
        st.session_state[_NOTES] = kept = (page, [])
    area = st.container()
    st.session_state[_NOTES_AREA] = area
    for note in kept[1]:
        area.warning(note, icon=LINK_NOTE_ICON)
    if kept[1]:
        area.button(_("Dismiss"), key="dismiss_link_notes", icon=":material/close:",
                    on_click=lambda: st.session_state[_NOTES][1].clear())


def link_note(note: str) -> None:
    """Show a note about the link at the top of the page (our words and numbers only: it is Markdown)."""
    if _NOTES not in st.session_state:  # a page run without playground.py (a test of one script)
        open_link_notes("")
    notes = st.session_state[_NOTES][1]
    if note not in notes:
        notes.append(note)
        st.session_state[_NOTES_AREA].warning(note, icon=LINK_NOTE_ICON)


def _start_from(key: str, value: object, default: object = None) -> None:
    """Make the control keyed `key` start from `value`, not from the link's text for it.

    Streamlit seeds a bound control from its own copy of the URL as first loaded, which no public
    call reaches; that copy is where int(inf) crashed the page. Drop the parameter from it, and
    write the value used into the address bar (none for the default, as Streamlit does)."""
    param = link_rules.LINK_PARAMS[key]
    with get_script_run_ctx().session_state.query_params() as params:
        params._initial_query_params.pop(key, None)
        if value == (param.default if default is None else default):
            params.remove_param(key)
        else:
            params.set_corrected_value(key, link_rules.link_text(param, value), "string_value")
    assign({key: value})


def _first_read(*keys: str) -> bool:
    """Whether the link is still to be read for these controls: Streamlit seeds a control from the
    URL only before the session has a value for it; afterwards the URL just follows the control."""
    return not any(key in st.session_state for key in keys)


def linked(key: str, *, low: float | None = None, high: float | None = None,
           choices: tuple[str, ...] = (), default: object = None) -> dict:
    """The keyword arguments that bind the control `key` to the link (`key`, `bind`,
    `persist_state`), after checking the link's value for it against link_rules.LINK_PARAMS[key]
    (link_rules.read_link): a value that cannot be used is replaced by `default` (else the registry's),
    with a note at the top of the page. `low`, `high` and `choices` are the page's, where the
    registry leaves them open."""
    param = link_rules.LINK_PARAMS[key]
    if _first_read(key):
        reading = link_rules.read_link(param, st.query_params.get_all(param.key), low=low, high=high, choices=choices,
                                 fallback=default)
        if reading.replace:
            _start_from(key, reading.value, default)
        if reading.note:
            link_note(reading.note)
    return {"key": param.key, **URL_BOUND}


def linked_range() -> None:
    """The plot range's link, checked before its boxes (keys lo, hi) exist: lo and hi together
    (link_rules.read_range), since each may be fine alone and the pair the wrong way round."""
    if _first_read(view.LOW, view.HIGH):
        (lo, hi), notes, replace = link_rules.read_range(st.query_params.get_all(view.LOW),
                                                   st.query_params.get_all(view.HIGH))
        if replace:
            _start_from(view.LOW, lo)
            _start_from(view.HIGH, hi)
        for note in notes:
            link_note(note)


# A choice whose options are codes in the link (?data=moons, ?lang=zh) but names on the page, in the
# reader's language (双月形, 中文): Streamlit writes a bound control's option to the URL as the
# option is shown, so the bound control is a hidden copy holding the code, and the one the student
# sees is not bound; each follows the other.
HIDDEN_CSS = "<style>[class*='st-key-tt-hidden-'] { display: none; }</style>"
_DEFAULT_ARGUMENT = MappingProxyType({"radio": "index", "selectbox": "index", "segmented_control": "default"})


def named_choice(container, widget: str, label: str, key: str, name, *, fallback=None, **kwargs):
    """`container`'s `widget` ("radio", "selectbox" or "segmented_control") offering the registry's
    choices for `key` (link_rules.LINK_PARAMS), each shown as `name(code)`, bound to the link by its code
    through a hidden copy (the same widget, keyed `key`; the one shown is keyed `key`_shown).
    `fallback` replaces the registry's default (the browser's language). Returns the chosen code."""
    param = link_rules.LINK_PARAMS[key]
    options, start = param.choices, param.default if fallback is None else fallback

    def starting(code):  # the widget's default: an option's index, or the option itself
        return code if code is None or _DEFAULT_ARGUMENT[widget] == "default" else options.index(code)

    bound = linked(key, default=fallback)  # checks the link first: a bad value gets a note
    hidden = container.container(key=f"tt-hidden-{key}")
    hidden.html(HIDDEN_CSS)
    code = getattr(hidden, widget)(key, options, **{_DEFAULT_ARGUMENT[widget]: starting(default(key, start))},
                                   **bound)
    shown = f"{key}_shown"
    if shown in st.session_state and st.session_state[shown] != code:  # set elsewhere: the link, a button
        del st.session_state[shown]  # it starts again from the code (None would make it an empty choice)
    names = {option: name(option) for option in options}  # in this run's language, whenever they are shown
    getattr(container, widget)(label, options, format_func=names.__getitem__, key=shown, on_change=_shown_changed,
                               args=(key,), **{_DEFAULT_ARGUMENT[widget]: starting(code)}, **kwargs)
    return code


def _shown_changed(key: str) -> None:
    assign({key: st.session_state[f"{key}_shown"]})


def bound(key: str, value, **checks) -> dict:
    """`linked(key, **checks)` plus the control's default `value`, for a widget that takes `value=`.
    The link is checked first, so a value it replaces takes no default in that run (`default`)."""
    kwargs = linked(key, default=value, **checks)
    return {"value": default(key, value), **kwargs}


def missing_page(pages) -> str | None:
    """The page a link (or a stale tab) asked for when the app has no such page, else None.
    Streamlit then runs the default page as if asked for it, at the wrong address."""
    manager = get_script_run_ctx().pages_manager
    asked_hash, asked = manager.intended_page_script_hash, manager.intended_page_name
    if asked_hash:
        return None if asked_hash in {page._script_hash for page in pages} else asked or asked_hash
    return None if not asked or asked in {page.url_path for page in pages} else asked


MISSING_PAGE = N_("The link's page does not exist in this app: here is the Playground, with the rest of the link.")


_LEFT_PAGE = "left_missing_page"


def leave_missing_page(asked: str, home) -> None:
    """Run the Playground at its own address instead (a note says why), keeping the link's
    settings: Streamlit would run it at the missing page's address, so its share link kept it."""
    link_note(_(MISSING_PAGE))
    st.session_state[_LEFT_PAGE] = asked
    st.switch_page(home, query_params=st.query_params.to_dict())


def page_url() -> str | None:
    """The address of the page shown, for a share link: the browser's, except in the run right
    after leave_missing_page, when the browser has not yet told us its new address."""
    url, left = st.context.url, st.session_state.get(_LEFT_PAGE)
    if url and left:
        parts = urlsplit(url)
        if parts.path.endswith("/" + left):
            return urlunsplit(parts._replace(path=parts.path[: -len(left)]))
    return url


# ---- the share link: every control of the page, as it is now ------------------------------------

_SHARE_AREA = "share_area"  # session state: where this run's share link goes (presenter mode's bar)


def page_address(page: str, url: str | None = None) -> str:
    """The address of `page` (a view.PAGES path) on this app: the browser's address (`page_url`)
    with its last part made `page`'s (none for the first page), so a link names its page
    whichever page the browser's address last named."""
    parts = urlsplit(url if url is not None else page_url() or "/")
    names = {Path(spec.path).stem for spec in view.PAGES[1:]}
    base, _slash, last = parts.path.rpartition("/")
    path = (base if last in names else parts.path.rstrip("/")) + "/"
    if page != view.PAGES[0].path:
        path += Path(page).stem
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def share_values(page: str) -> dict[str, object]:
    """Every URL-bound control of `page` (link_rules.LINK_PARAMS) with the value it holds now; a
    control not drawn in this session has its default."""
    return {key: st.session_state.get(key, param.default) for key, param in link_rules.LINK_PARAMS.items()
            if page in param.pages}


def share_link(page: str) -> str:
    """The link that opens `page` as it is now: its address and every control's value, defaults
    included (a link in lecture notes keeps its view if a default changes)."""
    return view.share_url(page_address(page), share_values(page))


def share_here(container) -> None:
    """This run's share link goes into `container` (presenter mode's bar), not the sidebar."""
    st.session_state[_SHARE_AREA] = container


def show_share_link(page: str) -> None:
    """The share link of `page`, drawn after the page ran (its controls hold their values): in
    presenter mode's bar, else at the foot of the sidebar."""
    area = st.session_state.pop(_SHARE_AREA, None) or st.sidebar.expander(_("Share this view"), icon=":material/share:")
    area.code(share_link(page), language=None, wrap_lines=True)
    area.caption(_("The link opens this page as it is now: every setting of it, presenter mode and the language."))


# ---- giving a widget a value ------------------------------------------------------------------


def assign(values: Mapping[str, object]) -> None:
    """Set widgets' values from the code (an example, a button, a reset), the one way Streamlit
    allows: through st.session_state, in a callback or before the widget is drawn.

    Such a widget must not also be given a default in that run: Streamlit ignores it and logs
    "created with a default value but also had its value set via the Session State API". So
    each widget that may be assigned takes its default through `default`, which leaves it out
    for that one run."""
    st.session_state.update(values)
    st.session_state[_ASSIGNED] = st.session_state.get(_ASSIGNED, frozenset()) | set(values)


def default(key: str, value):
    """The default to give the widget `key`: `value`, or None in the first run after `assign`
    set it (its value is decided; None is every widget's "no default")."""
    assigned = st.session_state.get(_ASSIGNED, frozenset())
    if key not in assigned:
        return value
    st.session_state[_ASSIGNED] = assigned - {key}
    return None



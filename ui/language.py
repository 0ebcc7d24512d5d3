"""The language of the pages: the link's `?lang=` (en, zh), the control on every page, or else the
browser's (`st.context.locale`), English when it says nothing we have.

The entry script calls `activate()` before it draws anything, so page titles, navigation and
every word after them are in that language (lessons/i18n.py keeps it in a ContextVar: sessions
are threads of one process). The control is a widget of the entry script, like presenter mode,
so Streamlit keeps `?lang=` from page to page; presenter mode's bar has a button for it.
"""

from __future__ import annotations

import streamlit as st

from lessons import i18n
from lessons.i18n import _
from ui import links, view


def browser() -> str:
    """The browser's language, as one of ours."""
    return i18n.from_locale(st.context.locale)


def choose() -> str:
    """The language of this run, before any widget exists: the control's value (set by the
    student, or by the bar's button), else the link's (its last `lang`, if it is one of ours:
    links.linked notes a bad one when the control is drawn), else the browser's."""
    held = st.session_state.get(view.LANG)
    if held in i18n.LANGUAGES:
        return held
    asked = st.query_params.get_all(view.LANG)
    if asked and asked[-1] in i18n.LANGUAGES:
        return asked[-1]
    return browser()


def activate() -> str:
    """Make this run's language the chosen one, and return it. First in the entry script, and
    first in a fragment (a fragment's rerun runs without the entry script)."""
    code = choose()
    i18n.set_language(code)
    return code


# The page's language for the browser (<html lang>): a screen reader picks its voice by it, and the
# browser its fonts and its line breaking. Streamlit writes "en" there whatever the page says.
TAGS = {"en": "en", "zh": "zh-Hans"}
_HTML_LANG = st.components.v2.component("tinytorch.lang", js="""export default function ({data}) {
  if (data?.lang) document.documentElement.lang = data.lang;
}
""")


def control() -> str:
    """The language control in the sidebar, each language named in its own words (the link holds
    its code: ?lang=zh), and the document's language set to it. Returns the language."""
    code = links.named_choice(st.sidebar, "segmented_control", _(":material/translate: Language"), view.LANG,
                              i18n.NAMES.get, fallback=browser(), required=True,
                              help=_("Also in the link: `?lang=en` or `?lang=zh`."))
    with st.sidebar.container(key="tt-hidden-html-lang"):
        _HTML_LANG(key="tt-html-lang", data={"lang": TAGS[i18n.language()]})
    return code


def switch_button(container) -> None:
    """Presenter mode's way to the other language: one button in the bar, named in that language."""
    other = next(code for code in i18n.LANGUAGES if code != i18n.language())
    container.button(i18n.NAMES[other], key="tt-other-language", icon=":material/translate:",
                     on_click=links.assign, args=({view.LANG: other},), help=_("Show the app in this language"))

"""The app's words in the reader's language: gettext catalogs, read with Babel, and a per-run language.

    >>> from lessons.i18n import _, using
    >>> with using("zh"):
    ...     _("Gradient descent")
    '梯度下降'
    >>> _("Gradient descent")
    'Gradient descent'

The English text is the message id. Chinese is in locales/zh/LC_MESSAGES/messages.po, compiled in
memory the first time it is needed (Babel's read_po and write_mo into a gettext.GNUTranslations),
so `pip install -r requirements.txt` and `streamlit run playground.py` are still all the setup:
no compile step, no .mo file in the repository. locales/messages.pot is the template Babel
extracts from the code (the command is in locales/README.md).

Sessions are threads of one process, so the language is a ContextVar, set at the start of every
script run by the entry script (ui/language.py), never a module-level setting. Code that runs
outside a page (tests, benchmarks) gets English.

What is marked with `N_` is translated later, where it is shown (a constant read at import time
cannot know the reader). Numbers that count things go through `count` and `percent` (Babel's
formatting for the language); numbers that are maths (f(x), a gradient) stay viz.format_number's.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from tinytorch.expr import N_, Listing, Phrase

__all__ = ["DEFAULT", "LANGUAGES", "N_", "NAMES", "_", "count", "from_locale", "join", "language", "lead", "ngettext",
           "percent", "pgettext", "phrase", "sentences", "set_language", "using"]

LANGUAGES = ("en", "zh")  # the URL's ?lang= values; English is the message ids themselves
DEFAULT = "en"
NAMES = {"en": "English", "zh": "中文"}  # each language in its own words: what its reader looks for
LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("tinytorch_language", default=DEFAULT)
_SPACED = re.compile(r"(?<=[\w)])\s*([和或])\s*(?=[\w(])", re.ASCII)  # 和, 或 between Latin words


def language() -> str:
    """The language of this run (of this thread's context): "en" or "zh"."""
    return _language.get()


def set_language(code: str) -> None:
    """Make `code` the language of the rest of this run (the entry script calls it first)."""
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {code!r}")
    _language.set(code)


@contextmanager
def using(code: str) -> Iterator[None]:
    """The block runs in `code`'s language (a cached computation for one language, a test)."""
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {code!r}")
    token = _language.set(code)
    try:
        yield
    finally:
        _language.reset(token)


def from_locale(locale: str | None) -> str:
    """The app's language for a browser's (navigator.language: "zh-CN", "zh-TW", "en-GB"): Chinese
    for any Chinese, English for anything else (and when the browser says nothing)."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else DEFAULT


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalog of `code`, compiled once per process (English needs none: the ids are English).
    Read-only once built, so every session's thread may share it."""
    if code == DEFAULT:
        return gettext.NullTranslations()
    with open(LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: English shows until they are checked
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` (English) in the language of this run."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`, by the language's plural rule (Chinese has one form)."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` where the same English means something else elsewhere ("step": a move, or a step number)."""
    return translations(language()).pgettext(context, message)


def count(n: float) -> str:
    """A count as the language writes it, digits grouped: 10,000 steps, 1,000,000."""
    return format_decimal(n, locale=language())


def percent(share: float) -> str:
    """A share as a whole percentage: 95%."""
    return format_percent(share, locale=language())


def join(items: Iterable[str], conjunction: str = "and") -> str:
    """Words as a list in the language: "x, pi and e" (as the engine's English messages write it),
    "x、pi和e"; `conjunction` "or" for alternatives: "x or y", "x或y"."""
    listing = Listing(tuple(items), conjunction)
    if language() == DEFAULT or len(listing.items) < 2:
        return str(listing)
    joined = format_list(list(listing.items), style="or" if conjunction == "or" else "standard", locale=language())
    return _SPACED.sub(r" \1 ", joined)  # x 和 y: a space between Latin and Chinese, as Chinese type sets it


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese (its full stop
    is a full-width character)."""
    return ("" if language() == "zh" else " ").join(parts)


def lead(heading: str, text: str) -> str:
    """Markdown: `heading` (English, translated here) in bold as the first sentence, then `text`:
    "**Converged.** A minimum after 31 steps…" (only our own words: it is Markdown). Where the full
    stop goes is the language's: Markdown sets "**已收敛。**走了" in plain asterisks, "**已收敛**。走了" in bold."""
    return sentences(_("**{heading}.**").format(heading=_(heading)), text)


def phrase(p: Phrase) -> str:
    """A language-neutral message of the engine (an ExpressionError's) in the language of this run:
    its template translated (by count, for a plural one), its fields filled in, each field that
    is itself a Phrase translated too, and a list of names joined as the language joins them."""
    template = ngettext(p.template, p.plural, p.params[p.count]) if p.plural else _(p.template)
    return template.format(**_fields(p.params))


def _fields(params: Mapping[str, object]) -> dict[str, object]:
    fields = {}
    for name, value in params.items():
        if isinstance(value, Phrase):
            fields[name] = phrase(value)
        elif isinstance(value, Listing):
            fields[name] = join(value.items, value.conjunction)
        else:
            fields[name] = value
    return fields

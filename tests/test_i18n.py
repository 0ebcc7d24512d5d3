"""The translations (lessons/i18n.py): per-run language, catalogs compiled in memory, plurals,
numbers, and the engine's language-neutral error messages."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lessons import i18n
from lessons.i18n import _, ngettext, using
from tinytorch.expr import ExpressionError, parse

ROOT = Path(__file__).resolve().parent.parent


def test_english_is_the_default_and_the_message_ids():
    assert i18n.language() == "en"
    assert _("Gradient descent") == "Gradient descent"
    assert _("no such message") == "no such message"


def test_chinese_comes_from_the_catalog_compiled_in_memory():
    with using("zh"):
        assert _("Gradient descent") == "梯度下降"
        assert _("no such message") == "no such message"  # a message without translation stays English
    assert _("Gradient descent") == "Gradient descent"  # the block's language ends with it
    # No compiled catalog in the repository: the .po is the only source, so the README's two commands suffice.
    assert not list((ROOT / "locales").rglob("*.mo"))
    assert isinstance(i18n.translations("zh"), i18n.gettext.GNUTranslations)


def test_each_thread_keeps_its_own_language():
    """Sessions are threads of one process: one student's Chinese is not another's English."""
    seen, ready = {}, threading.Barrier(2)

    def session(code: str) -> None:
        i18n.set_language(code)
        ready.wait()  # both have set their language before either reads it
        seen[code] = _("Gradient descent")

    threads = [threading.Thread(target=session, args=(code,)) for code in ("en", "zh")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"en": "Gradient descent", "zh": "梯度下降"}
    assert i18n.language() == "en"  # this thread's language never changed


@pytest.mark.parametrize(("locale", "code"), [
    ("zh-CN", "zh"), ("zh", "zh"), ("zh-TW", "zh"), ("zh_Hans_SG", "zh"), ("ZH-cn", "zh"),
    ("en-US", "en"), ("de-DE", "en"), ("", "en"), (None, "en"), ("zz", "en"),
])
def test_the_browser_language_picks_ours_or_english(locale, code):
    assert i18n.from_locale(locale) == code


def test_a_language_we_do_not_have_is_refused():
    with pytest.raises(ValueError), using("fr"):
        pass
    with pytest.raises(ValueError):
        i18n.set_language("zh-CN")


def test_plural_forms_follow_each_language():
    one, many = "{n} step", "{n} steps"
    assert ngettext(one, many, 1) == one and ngettext(one, many, 2) == many
    with using("zh"):  # one form in Chinese: the catalog says nplurals=1
        assert i18n.translations("zh").plural(1) == i18n.translations("zh").plural(7) == 0


def test_counts_and_shares_are_written_by_the_language():
    assert i18n.count(10000) == "10,000" and i18n.percent(0.953) == "95%"
    with using("zh"):
        assert i18n.count(1234567) == "1,234,567" and i18n.percent(0.5) == "50%"
        assert i18n.join(["x", "pi", "e"]) == "x、pi 和 e" and i18n.join(["x", "y"], "or") == "x 或 y"
    assert i18n.join(["x", "pi", "e"]) == "x, pi and e" and i18n.join(["x", "y"], "or") == "x or y"
    assert i18n.join(["x"]) == "x"


def _error(text: str, variables=("x",)) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        parse(text, variables)
    return caught.value


@pytest.mark.parametrize("text", ["", "x +", "sin x", "x $ 2", "1,5", "foo(x)", "z", "max(x)", "0x10", "(x",
                                  "x)", "2 x", "1.2.3", "x" * 400, "sin(1,5)"])
def test_an_error_phrase_reads_in_english_exactly_as_its_message(text):
    error = _error(text)
    assert i18n.phrase(error.phrase) == error.message == str(error)
    assert error.template == error.phrase.template and error.params == error.phrase.params


def test_an_error_in_chinese_keeps_its_code_position_and_the_users_text():
    error = _error("x + sni(x)")
    with using("zh"):
        shown = i18n.phrase(error.phrase)
    assert (error.code, error.position) == ("UNKNOWN_FUNCTION", 4)
    assert shown != error.message and "'sni'" in shown and "sin" in shown
    assert error.message == "Unknown function 'sni'. Did you mean sin?"  # .message stays English


def test_the_examples_in_the_module_run():
    import doctest

    assert doctest.testmod(i18n).failed == 0

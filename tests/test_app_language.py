"""Choosing the language (ui/language.py): ?lang=, the control on every page, presenter mode's
button, and the browser's language when the link says nothing."""

from __future__ import annotations

import pytest
from apptest import ENTRY, no_exception, open_app, streamlit_log
from streamlit.testing.v1 import AppTest

from ui import view

PAGES = [page.path for page in view.PAGES]


def presenter_label(at) -> str:
    (toggle,) = [t for t in at.sidebar.toggle if t.key == view.PRESENT]
    return toggle.label


def shown(at) -> str:
    return at.button_group(key="lang_shown").value


def test_english_without_a_link_or_a_browser_language():
    at = open_app()
    no_exception(at)
    assert presenter_label(at) == "Presenter mode" and shown(at) == "en"
    assert view.LANG not in at.query_params


@pytest.mark.parametrize("page", PAGES)
def test_a_link_with_lang_zh_opens_every_page_in_chinese(page):
    at = open_app(page, lang="zh")
    no_exception(at)
    assert presenter_label(at) == "演示模式" and shown(at) == "zh"
    assert at.button_group(key=view.LANG).value == "zh"


@pytest.mark.parametrize(("locale", "expected"), [("zh-CN", "演示模式"), ("zh-TW", "演示模式"),
                                                  ("en-GB", "Presenter mode"), ("fr-FR", "Presenter mode")])
def test_without_a_link_the_browser_language_decides(locale, expected):
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.context = {"locale": locale}
    at.run()
    no_exception(at)
    assert presenter_label(at) == expected


def test_the_link_wins_over_the_browser():
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.context = {"locale": "zh-CN"}
    at.query_params[view.LANG] = "en"
    at.run()
    assert presenter_label(at) == "Presenter mode" and shown(at) == "en"


def test_a_language_we_do_not_have_gets_a_note_and_the_browser_language():
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.context = {"locale": "zh-CN"}
    at.query_params[view.LANG] = "fr"
    at.run()
    no_exception(at)
    assert presenter_label(at) == "演示模式"
    assert any("lang" in w.value and "zh" in w.value for w in at.warning)


def test_the_control_switches_the_language_and_it_follows_the_student_to_another_page():
    with streamlit_log() as log:
        at = open_app()
        at.button_group(key="lang_shown").set_value("zh").run()
        no_exception(at)
        assert presenter_label(at) == "演示模式" and at.query_params[view.LANG] == "zh"
        at.switch_page(view.DESCENT).run()
        no_exception(at)
        assert presenter_label(at) == "演示模式" and shown(at) == "zh" and at.query_params[view.LANG] == "zh"
        at.button_group(key="lang_shown").set_value("en").run()
        assert presenter_label(at) == "Presenter mode"
    assert not log, [r.getMessage() for r in log]  # no "default value but also set via Session State"


@pytest.mark.parametrize("page", PAGES)
def test_presenter_modes_bar_switches_to_the_other_language(page):
    with streamlit_log() as log:
        at = open_app(page, present="true")
        (switch,) = [b for b in at.button if b.key == "tt-other-language"]
        assert switch.label == "中文"  # the other language, in its own words
        switch.click().run()
        no_exception(at)
        assert presenter_label(at) == "演示模式" and shown(at) == "zh"
        (switch,) = [b for b in at.button if b.key == "tt-other-language"]
        assert switch.label == "English"
    assert not log, [r.getMessage() for r in log]

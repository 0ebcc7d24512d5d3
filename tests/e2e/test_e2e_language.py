"""The playground in Chinese, in Chromium: the language control switches every word on the page
(the live view's too), the language follows the student from page to page and stays in the
address bar, a link with ?lang=zh opens every page in Chinese, presenter mode's bar switches it,
and the network page keeps its language while training plays (its ticks rerun a fragment alone).
"""

from __future__ import annotations

import re

import pytest
from chinese import latin

from ui import view

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
PATHS = {page.path: "/" if i == 0 else "/" + page.path.removeprefix("pages/").removesuffix(".py")
         for i, page in enumerate(view.PAGES)}
# What a student reads in the main area: titles, captions, alerts, labels, buttons, tabs, metrics.
WORDS = ", ".join(f'[data-testid="stMain"] {selector}' for selector in (
    "h1", '[data-testid="stCaptionContainer"]', '[data-testid="stAlertContainer"]', '[data-testid="stWidgetLabel"]',
    "button", '[role="tab"]', '[data-testid="stMetricLabel"]', "summary", ".tt-tools", ".tt-metric-label",
    '[data-testid="stMarkdownContainer"] p'))


def title(app) -> str:
    return app.page.locator('[data-testid="stMain"] h1').first.inner_text()


def untranslated(app) -> list[tuple[str, list[str]]]:
    """The texts of the main area that show a Latin word outside maths and code."""
    texts = app.page.locator(WORDS).evaluate_all(
        "els => els.filter(e => e.checkVisibility()).map(e => { const c = e.cloneNode(true);"
        " c.querySelectorAll('code, .katex, .stCode, [data-testid*=Icon]').forEach(x => x.remove());"
        " return c.innerText; })")
    return [(text, words) for text in texts if (words := latin(text))]


def sidebar_choice(app, name: str):
    """One of the language control's choices, in the sidebar."""
    return app.page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]').get_by_text(name, exact=True)


def test_the_control_switches_every_word_and_the_language_follows_the_student(app):
    page = app.page
    app.open("/")
    app.settle()
    assert title(app) == "Backprop, live"
    sidebar_choice(app, "中文").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText"
                           " === '反向传播，实时演示'")
    app.settle()
    assert app.query()[view.LANG] == "zh"
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")  # for a screen reader's voice
    # the live view's own words, and the graph's boxes: "值 4.128", "梯度 1"
    assert page.locator(".tt-tools [data-zoom=\"width\"]").inner_text() == "适应宽度"
    page.wait_for_function("() => [...document.querySelectorAll('.tt-canvas text')]"
                           ".some(t => t.textContent.startsWith('值 '))")
    assert page.locator(".tt-metric-label").nth(1).inner_text() == "f′(x)，由反向传播得到"
    assert not untranslated(app), untranslated(app)
    # another page: the navigation is in Chinese, and so is the page it opens
    page.locator('[data-testid="stSidebarNav"]').get_by_text("梯度下降", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText === '梯度下降'")
    app.settle()
    assert app.query()[view.LANG] == "zh"
    assert page.locator('[data-testid="stAlertContainer"] strong').first.inner_text() == "已收敛"  # bold, in Chinese
    assert not untranslated(app), untranslated(app)
    # and back to English
    sidebar_choice(app, "English").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText"
                           " === 'Gradient descent'")
    app.settle()
    assert not CJK.search(page.locator('[data-testid="stMain"]').inner_text())
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    app.assert_healthy()


@pytest.mark.parametrize("path", PATHS.values())
def test_a_link_with_lang_zh_opens_the_page_in_chinese(new_app, path):
    app = new_app()
    app.page.goto(app.url(path, lang="zh"))
    app.settle()
    app.page.locator('[data-testid="stMain"] h1').first.wait_for()
    assert CJK.search(title(app)), title(app)
    nav = app.page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "演练场" in nav and "梯度下降" in nav, nav
    assert not untranslated(app), untranslated(app)
    assert app.query()[view.LANG] == "zh"
    app.assert_healthy()


def test_presenter_modes_bar_switches_the_language(app):
    page = app.page
    app.open("/", lang="zh", present="true")
    app.settle()
    bar = page.locator(".st-key-tt-present-bar")
    assert bar.get_by_role("button", name="页面").is_visible()
    bar.get_by_role("button", name="English").click()
    bar.get_by_role("button", name="Pages").wait_for()
    app.settle()
    assert app.query().get(view.LANG, "en") == "en" and bar.get_by_role("button", name="中文").is_visible()
    app.assert_healthy()


def test_the_network_keeps_its_language_while_training_plays(app):
    page = app.page
    app.page.goto(app.url("/network", lang="zh"))
    app.settle()
    page.get_by_role("button", name="播放").click()
    status = page.locator('[data-testid="stCaptionContainer"]', has_text=re.compile(r"^第 \d+ 步"))
    # several ticks of the fragment, each a rerun without the entry script: still Chinese
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
                           ".some(c => /^第 ([3-9]\\d|\\d{3,}) 步/.test(c.innerText))", timeout=60_000)
    assert "训练中" in status.first.inner_text()
    assert [m for m in page.locator('[data-testid="stMetricLabel"]').all_inner_texts() if not CJK.search(m)] == []
    page.get_by_role("button", name="暂停").click()
    page.get_by_role("button", name="播放").wait_for()
    app.settle()
    assert not untranslated(app), untranslated(app)
    app.assert_healthy()

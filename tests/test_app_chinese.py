"""The playground in Chinese: the catalog is complete and in sync with the code, and no page run
with ?lang=zh shows an untranslated English label, caption, error or picture (tests/chinese.py
says what counts as shown and which Latin words are maths or code). English stays the default."""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from pathlib import Path

import pytest
from apptest import ENTRY, blob, live_view, no_exception, open_app
from babel.messages.extract import extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from chinese import latin, shown, untranslated
from streamlit.testing.v1 import AppTest
from test_expr import documented_messages

from lessons import catalog, i18n, training
from lessons.i18n import using
from tinytorch.expr import ERROR_CODES, ExpressionError, Phrase, parse
from ui import links, live, view

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
PO = LOCALES / "zh" / "LC_MESSAGES" / "messages.po"
PAGES = [page.path for page in view.PAGES]
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _catalog(path: Path):
    with open(path, "rb") as file:
        return read_po(file)


def _messages(cat) -> dict:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)): m for m in cat if m.id}


# ---- the catalog ---------------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation_with_the_same_fields():
    cat = _catalog(PO)
    assert cat.num_plurals == 1 and cat.locale_identifier == "zh"
    messages = _messages(cat)
    assert len(messages) > 400
    for (context, msgid), m in messages.items():
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert all(strings) and "fuzzy" not in m.flags, (context, msgid)
        english = msgid if isinstance(msgid, tuple) else (msgid,)
        fields = {frozenset(re.findall(r"\{(\w*)\}", text)) for text in english}
        for text in strings:  # the same {fields}: a translation can neither lose nor invent one
            assert frozenset(re.findall(r"\{(\w*)\}", text)) in fields, (msgid, text)
        if CJK.search(" ".join(english)) is None and latin(" ".join(english)):
            assert all(CJK.search(text) for text in strings), (msgid, strings)  # words became Chinese


def _sets_in_bold(text: str) -> bool:
    """Whether every **…** of `text` is bold by CommonMark's rule for a closing run: after
    punctuation (Chinese has a full-width full stop) it must be followed by a space, punctuation or
    the end. "**已收敛。**走了" shows its asterisks; "**已收敛**。走了" is bold."""
    def punctuation(c: str) -> bool:
        return unicodedata.category(c).startswith("P")

    for match in re.finditer(r"\*\*(?=\S)(.+?)\*\*", text):
        after = text[match.end():match.end() + 1]
        if punctuation(match.group(1)[-1]) and after and not (after.isspace() or punctuation(after)):
            return False
    return True


def test_every_translation_in_bold_is_bold():
    for m in _catalog(PO):
        for text in (m.string if isinstance(m.string, tuple) else (m.string,)):
            assert _sets_in_bold(text), text
    assert not _sets_in_bold("**已收敛。**走了") and _sets_in_bold("**已收敛**。走了")
    assert _sets_in_bold("**Converged.** A")


def _documented_command() -> list[str]:
    """The extraction command locales/README.md documents (the one to run after changing a message)."""
    readme = (LOCALES / "README.md").read_text(encoding="utf-8")
    (line,) = [line.strip() for line in readme.splitlines() if "babel.messages.frontend extract" in line]
    return shlex.split(line)


def test_the_catalog_is_in_sync_with_the_code(tmp_path, monkeypatch):
    """Extracting again with the documented command gives the template as committed, and the
    Chinese catalog has exactly its messages: no message of the code without a translation, and
    no translation left over from a message that is gone."""
    command = _documented_command()
    assert command[:3] == ["python", "-m", "babel.messages.frontend"]
    arguments = command[3:]
    arguments[arguments.index("-o") + 1] = str(tmp_path / "messages.pot")
    monkeypatch.chdir(ROOT)
    CommandLineInterface().run(["pybabel", "-q", *arguments])
    extracted = _messages(_catalog(tmp_path / "messages.pot"))
    assert set(extracted) == set(_messages(_catalog(LOCALES / "messages.pot")))
    assert set(extracted) == set(_messages(_catalog(PO)))


def test_the_live_view_gets_every_word_it_writes():
    """ui/live.js writes the view's words from ui/live.py's words(): every one it reads is sent."""
    source = (ROOT / "ui" / "live.js").read_text(encoding="utf-8")
    read = set(re.findall(r'"textContent", "(\w+)"|"title", "(\w+)"|"ariaLabel", "(\w+)"', source))
    read = {w for group in read for w in group if w} | set(re.findall(r"words\??\.(\w+)", source))
    assert read and read <= set(live.words()), read - set(live.words())


# ---- the engine's error messages -----------------------------------------------------------------


def _bad_inputs() -> list[str]:
    rows = []
    for line in (ROOT / "tests" / "data" / "expr-cases.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            text, expect, _note = line.split("\t")
            if expect.startswith("error:"):
                rows.append(json.loads(text))
    return rows


def _templates(phrase: Phrase) -> set[str]:
    """The templates of a message and of every phrase inside it."""
    inner = (_templates(value) for value in phrase.params.values() if isinstance(value, Phrase))
    return {phrase.template, *set().union(*inner)}


# Inputs for the messages the shared cases and the docs do not reach.
MORE_ERRORS = ["pi(2)", "1_2.3.4", "1e5.5", "0x" + "f" * 260, "x,2", "*x", "()", "max(x 2)",
               "+".join([".5"] * 100), "2 (" + "x+" * 20 + "x)", "2 e", "x!", "x%", "2\u00d7x", "2\u00f7x", "2\u2212x",
               "inf", "pow(x, 2)", "|x|", "\u03c0", "\u221ax", "0b101", "0o17", "sin(1,5)"]


def _engine_templates() -> set[str]:
    """Every message template of tinytorch/expr.py, as Babel extracts it."""
    found = extract_from_file("python", str(ROOT / "tinytorch" / "expr.py"), keywords={"N_": None, "Nn_": (1, 2)})
    return {message if isinstance(message, str) else message[0] for _line, message, _comments, _context in found}


def test_every_message_of_the_expression_language_reads_in_chinese():
    """Every template of the engine's errors, reached by a real input, reads as Chinese with the
    user's text quoted as typed; the code and the position are the English error's."""
    seen_codes, seen_templates = set(), set()
    for text in _bad_inputs() + [example for example, _message in documented_messages()] + MORE_ERRORS:
        for variables in (("x",), ("x", "y")):
            try:
                parse(text, variables)
            except ExpressionError as error:
                with using("zh"):
                    message = i18n.phrase(error.phrase)
                    title = view.error_title(error.code, variables)
                assert not latin(message), (text, message)
                assert CJK.search(message) and CJK.search(title), (text, message, title)
                seen_codes.add(error.code)
                seen_templates |= _templates(error.phrase)
    assert seen_codes == set(ERROR_CODES)
    assert seen_templates >= _engine_templates(), sorted(_engine_templates() - seen_templates)


# ---- every page, in Chinese ------------------------------------------------------------------------


def assert_all_chinese(at) -> None:
    no_exception(at)
    texts = shown(at)
    assert len(texts) > 10 and any(CJK.search(text) for _kind, text in texts)
    bad = untranslated(at)
    assert not bad, bad


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("present", [False, True])
def test_every_page_and_presenter_mode_in_chinese(page, present):
    at = open_app(page, lang="zh", present="true") if present else open_app(page, lang="zh")
    assert_all_chinese(at)


@pytest.mark.parametrize("params", [
    {"table": "true", "d2": "true", "check": "true"},  # every option, the node table, f″ and the FD check
    {"f": "log(x)", "d2": "true"},  # notes on where f, f′ and f″ are not defined
    {"f": "1/x", "ylo": "5", "yhi": "-5"},  # a pole; a y range the wrong way round
    {"lo": "2", "hi": "-2", "x": "abc", "d2": "maybe", "f": "x^2", "f2": "1"},  # notes on the link's values
    {"f": "x + ", "lo": "-1e9"},  # an error with the last good graph greyed out
])
def test_the_playground_in_every_state_in_chinese(params):
    at = open_app(lang="zh", **params)
    assert_all_chinese(at)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_code_on_the_playground_in_chinese(code):
    text = next(t for t in _bad_inputs() if _code(t) == code)
    at = open_app(lang="zh", f=text)
    assert_all_chinese(at)
    (title,) = [e.value for e in at.error]
    message = at.code[-1].value  # the message, in a code block: it quotes the user's text
    assert CJK.search(title) and CJK.search(message) and not latin(message), (title, message)
    if parse_error(text).position is not None:
        assert CJK.search(at.code[0].value.splitlines()[-1])  # "第 5 个字符（共 10 个）" under the caret


def _code(text: str) -> str | None:
    error = parse_error(text)
    return error.code if error else None


def parse_error(text: str) -> ExpressionError | None:
    try:
        parse(text)
    except ExpressionError as error:
        return error
    return None


def test_a_link_to_no_page_in_chinese():
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.query_params[view.LANG] = "zh"
    at._page_hash = "nosuchpage"  # what a tab sends for /nosuchpage (as tests/test_app_links.py does)
    at.run()
    assert_all_chinese(at)
    assert [w.value for w in at.warning] == [_zh(links.MISSING_PAGE)]


def _zh(message: str) -> str:
    with using("zh"):
        return i18n._(message)


@pytest.mark.parametrize("f", ["x*x*x + x", "sin(x)*exp(-x^2)", "2", "x*0 + 3"])
def test_every_step_of_the_backward_pass_in_chinese(f):
    at = open_app(view.BACKPROP, lang="zh", f=f)
    last = int(at.slider(key=view.STEP).max)
    for step in range(last + 1):
        at.slider(key=view.STEP).set_value(step).run()
        assert_all_chinese(at)


@pytest.mark.parametrize("params", [
    {"fxy": "x^2 + y^2", "x": "0", "y": "0"},  # no arrow: ∇f = 0
    {"fxy": "log(x) + y", "x": "-1"},  # no arrow: the gradient is not defined; blank points
    {"fxy": "x*y +"},  # an error, the last good function greyed out
    {"fxy": ""},  # "a function of x and y"
])
def test_two_variables_in_every_state_in_chinese(params):
    assert_all_chinese(open_app(view.TWO_VARIABLES, lang="zh", **params))


@pytest.mark.parametrize("example", view.DESCENT_EXAMPLES, ids=lambda e: e.name)
def test_every_descent_verdict_and_its_advice_in_chinese(example):
    at = open_app(view.DESCENT, lang="zh", fmin=example.text, x0=example.x0, lr=example.lr, steps=example.steps)
    assert_all_chinese(at)


@pytest.mark.parametrize("params", [
    {"fmin": "log(x)", "x0": "1", "lr": "0.5"},  # not a number
    {"fmin": "1e300*x^2", "x0": "1", "lr": "1"},  # infinite
    {"fmin": "x^2", "x0": "1", "lr": "9"},  # diverged, with advice from f″
    {"fmin": "abs(x)", "x0": "0.3", "lr": "0.2"},  # oscillating at a kink
    {"fmin": "x^4", "x0": "0.5", "lr": "0.0001", "steps": "3"},  # ran all the steps
    {"fmin": "1e-12*x^2", "x0": "1", "lr": "0.0001"},  # stalled: the steps do not move x
    {"fmin": "x^2", "lo": "5", "hi": "6"},  # the path runs off the picture
    {"fmin": "x^2 +", "x0": "5e7"},  # an error and a note on the link
])
def test_descent_in_every_state_in_chinese(params):
    assert_all_chinese(open_app(view.DESCENT, lang="zh", **params))


@pytest.mark.parametrize(("key", "value"), [(view.STEPS, 1e300), (view.RATE, 50.0), (view.START, -1e9)])
def test_descent_settings_out_of_bounds_in_chinese(key, value):
    at = open_app(view.DESCENT, lang="zh", fmin="x^2")
    at.number_input(key=key).set_value(value).run()
    assert_all_chinese(at)
    assert CJK.search(at.error[0].value)


def test_the_network_paused_stepped_and_playing_in_chinese():
    at = open_app(view.NETWORK, lang="zh")
    assert_all_chinese(at)  # paused at step 0: the weights' table is there
    at.button(key="step_once").click().run()
    at.button(key="step_once").click().run()
    assert_all_chinese(at)
    at.radio(key="edges_shown").set_value("gradients").run()
    assert_all_chinese(at)
    assert at.query_params[view.EDGES] == "gradients"  # the link holds the code, the page shows 梯度
    at.button(key="play").click().run()
    assert_all_chinese(at)
    for code in training.datasets.DATASETS:
        at.selectbox(key="data_shown").set_value(code).run()
        assert_all_chinese(at)
        assert at.query_params.get(view.DATASET, training.datasets.DATASETS[0]) == code


def test_a_finished_network_run_in_chinese(monkeypatch):
    monkeypatch.setattr(training, "MAX_RUN_STEPS", 2)
    at = open_app(view.NETWORK, lang="zh", layers=0)
    at.button(key="step_once").click().run()
    at.button(key="step_once").click().run()
    assert_all_chinese(at)
    assert any("上限" in c.value for c in at.caption)


@pytest.mark.parametrize("op", [op.name for op in catalog.operations()])
def test_every_operation_in_chinese(op):
    assert_all_chinese(open_app(view.OPERATIONS, lang="zh", op=op))


# ---- English stays the default ------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_without_lang_every_page_is_in_english(page):
    at = open_app(page)
    no_exception(at)
    chinese = [(kind, text) for kind, text in shown(at) if CJK.search(text) and text != i18n.NAMES["zh"]]
    assert not chinese, chinese


def test_the_live_view_speaks_the_pages_language():
    english, chinese = open_app(), open_app(lang="zh")
    assert live_view(english)["words"]["value"] == "value " and live_view(chinese)["words"]["value"] == "值 "
    # the live blob is the language's own: its plot's legend and axes differ, its numbers do not
    (en_blob, en_floats, _), (zh_blob, zh_floats, _) = (blob(at, live_view(at)["blob"]) for at in (english, chinese))
    assert en_blob["id"] != zh_blob["id"]
    assert all((a == b).all() for a, b in zip(en_floats, zh_floats, strict=True))
    names = {trace.get("meta"): trace.get("name") for trace in zh_blob["figure"]["data"]}
    assert names["tangent"].startswith("切线")
    assert zh_blob["figure"]["layout"]["yaxis"]["title"]["text"] == "值"


def test_the_share_link_keeps_the_language():
    for lang in ("zh", "en"):
        at = open_app(lang=lang, f="x^2")
        links = [c.value for c in at.code if c.value.startswith("/?")]  # the sidebar's and the Playground's tab
        assert links and all(f"lang={lang}" in link for link in links)  # as shared, whatever the receiver's browser

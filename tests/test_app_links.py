"""Links as a hostile visitor writes them, through AppTest: no value from a URL crashes a page,
and every value that cannot be used gets a note naming the parameter and what is used instead.

The parameters come from ui.link_rules.LINK_PARAMS, so a control added there is covered here; a page
control bound to the URL but missing from the registry fails `test_the_registry_lists_...`.
"""

from __future__ import annotations

import math
import os

import pytest
from apptest import ENTRY, live_view, no_exception, open_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui import link_rules, links, view

PAGES = (view.PLAYGROUND, view.BACKPROP, view.TWO_VARIABLES, view.DESCENT, view.NETWORK, view.OPERATIONS)
# A few examples per page in CI; TINYTORCH_LINK_EXAMPLES=200 for a long run.
EXAMPLES = int(os.environ.get("TINYTORCH_LINK_EXAMPLES", "6"))


def link_notes(at) -> list[str]:
    return [w.value for w in at.warning if w.value.startswith(("The link's ", "The link gives "))]


def bound_keys(at) -> set[str]:
    """The parameters the page's controls are bound to, as Streamlit registered them."""
    with at.session_state._state.query_params() as params:
        return set(params._bindings_by_param)


@pytest.mark.parametrize("page", PAGES)
def test_the_registry_lists_every_control_a_page_binds_to_the_url(page):
    at = open_app(page)
    no_exception(at)
    assert bound_keys(at) == {key for key, p in link_rules.LINK_PARAMS.items() if page in p.pages}


# ---- the crashes the issue found, and the silent drops -----------------------------------------


@pytest.mark.parametrize("steps", ["inf", "-inf", "Infinity", "1e309", "1e999", "9" * 309, "2.5", "nan"])
def test_descent_steps_from_a_link_never_crash(steps):
    at = open_app(view.DESCENT, steps=steps)
    no_exception(at)
    assert link_notes(at) == ["The link's steps is not a whole number: using steps = 50 instead."]
    assert at.number_input(key=view.STEPS).value == view.DEFAULT_DESCENT_STEPS
    assert view.STEPS not in at.query_params  # the default is not kept in the address


@pytest.mark.parametrize("noise", ["-0", "-0.0", "-0e3"])
def test_network_noise_of_minus_zero_is_no_noise(noise):
    at = open_app(view.NETWORK, noise=noise)
    no_exception(at)
    slider = at.slider(key=view.NOISE)
    assert slider.value == 0 and math.copysign(1, slider.value) == 1 and not link_notes(at)
    assert at.query_params[view.NOISE] == "0.0"


@pytest.mark.parametrize(("page", "params", "note"), [
    (view.PLAYGROUND, {"x": "abc"}, "The link's x is not an ordinary number: using x = 1.2 instead."),
    (view.PLAYGROUND, {"x": "1e999"}, "The link's x is not an ordinary number: using x = 1.2 instead."),
    (view.PLAYGROUND, {"x": "100"}, "The link's x = 100 is not between -3 and 3: using x = 1.2 instead."),
    (view.PLAYGROUND, {"lo": "inf"}, f"The link's plot range, lo = ∞ and hi = 3, cannot be used: "
                                     f"{view.RANGE_NOT_FINITE} Using -3 to 3 instead."),
    (view.PLAYGROUND, {"lo": "2", "hi": "-2"}, f"The link's plot range, lo = 2 and hi = -2, cannot be used: "
                                               f"{view.RANGE_REVERSED} Using -3 to 3 instead."),
    (view.PLAYGROUND, {"d2": "maybe"}, "The link's d2 is neither on nor off (true or false): using d2 = off instead."),
    (view.DESCENT, {"lr": "nan"}, "The link's lr is not an ordinary number: using lr = 0.2 instead."),
    (view.DESCENT, {"x0": "abc"}, "The link's x0 is not an ordinary number: using x0 = -2 instead."),
    (view.NETWORK, {"data": "foo"}, "The link's data is not one of moons, circles, xor: using data = moons instead."),
    (view.NETWORK, {"layers": "1e999"}, "The link's layers is not a whole number: using layers = 2 instead."),
    (view.NETWORK, {"layers": "9"}, "The link's layers = 9 is not between 0 and 4: using layers = 2 instead."),
    (view.NETWORK, {"nlr": "0.05"}, "The link's nlr = 0.05 is not one of 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, "
                                    "…: using nlr = 0.03 instead."),
    (view.NETWORK, {"split": "55"}, "The link's split = 55 is not one of 10, 20, 30, 40, 50, 60, …: using split = 50 "
                                    "instead."),
    (view.NETWORK, {"edges": "both"}, "The link's edges is not one of weights, gradients: using edges = weights "
                                      "instead."),
    (view.PLAYGROUND, {"ylo": "abc"}, "The link's ylo is not an ordinary number: using ylo = automatic instead."),
    (view.BACKPROP, {"f": "x^2", "step": "9"}, "The link's step = 9 is not between 0 and 2: using step = 0 instead."),
    (view.TWO_VARIABLES, {"y": "-inf"}, "The link's y is not an ordinary number: using y = 0.5 instead."),
    (view.OPERATIONS, {"op": "Nope"}, "The link's op is not one of Add, Sub, Neg, Mul, Div, Pow, …: using op = Add "
                                      "instead."),
])
def test_a_value_that_cannot_be_used_gets_a_note(page, params, note):
    at = open_app(page, **params)
    no_exception(at)
    assert link_notes(at) == [note]


def test_a_range_note_replaces_the_pages_range_warning_and_uses_the_default():
    at = open_app(lo="2", hi="-2")
    assert at.number_input(key=view.LOW).value == -3 and at.number_input(key=view.HIGH).value == 3
    assert [w.value for w in at.warning] == link_notes(at)  # no second, stale range warning


def test_notes_stay_while_the_student_works_and_can_be_dismissed():
    at = open_app(x="abc")
    at.slider(key=view.POINT).set_value(0.5).run()
    assert link_notes(at) == ["The link's x is not an ordinary number: using x = 1.2 instead."]
    at.button(key="dismiss_link_notes").click().run()
    no_exception(at)
    assert not link_notes(at)


def test_good_values_pass_without_a_note_and_words_for_switches_work():
    at = open_app(f="x^2", x="0.5", lo="-1", hi="2", d2="1", check="yes", table="on")
    no_exception(at)
    assert not link_notes(at)
    assert at.slider(key=view.POINT).value == 0.5
    assert at.toggle(key=view.SECOND).value and at.toggle(key=view.CHECK).value and at.toggle(key=view.TABLE).value
    assert at.query_params[view.SECOND] == "true"  # the address says it the way the control reads it


def test_repeated_keys_use_the_last_with_a_note():
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.query_params[view.POINT] = ["0.5", "-1"]
    at.run()
    no_exception(at)
    assert at.slider(key=view.POINT).value == -1
    assert link_notes(at) == ["The link gives x 2 times: using the last, x = -1."]


def test_a_link_to_no_page_says_so_and_opens_the_playground_at_its_own_address():
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    at.query_params["f"] = "x^2"
    at._page_hash = "nosuchpage"  # what a tab sends for /nosuchpage (the browser test opens it for real)
    at.run()
    no_exception(at)
    assert link_notes(at) == [links.MISSING_PAGE]
    assert at.text_input(key=view.FUNCTION).value == "x^2"  # the rest of the link came along
    assert at.title[0].value == "Backprop, live" and live_view(at)  # the Playground itself
    assert at._finished_page_script_hash != "nosuchpage"


# ---- every parameter of every page, with hypothesis ---------------------------------------------

HOSTILE = st.sampled_from(["", " ", "abc", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-0", "-0.0", "-0e3",
                           "0", "1", "-1", "1e308", "-1e308", "1e309", "1e999", "9" * 400, "1e-320", "0x10", "true",
                           "false", "TRUE", "2.5", "1_000", "moons", "Add", "x^2", "\x00", "<b>", "**x**", "١٢",
                           "x" * 5000, "(" * 400])
VALUES = st.lists(st.one_of(HOSTILE, st.text(max_size=40),
                            st.floats(allow_nan=True, allow_infinity=True).map(repr)), min_size=1, max_size=3)


def _surely_bad(param: link_rules.LinkParam, text: str) -> bool:
    """A value that no control of this kind can use, whatever the page's bounds."""
    if param.kind in (link_rules.NUMBER, link_rules.WHOLE):
        try:
            v = float(text)
        except ValueError:
            return True
        return not math.isfinite(v) or (param.kind == link_rules.WHOLE and v != int(v))
    words = {"true", "false", "1", "0", "yes", "no", "on", "off"}
    return param.kind == link_rules.SWITCH and text.strip().lower() not in words


@pytest.mark.parametrize("page", PAGES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_no_link_crashes_a_page_and_every_unusable_value_is_noted(page, data):
    keys = sorted(k for k, p in link_rules.LINK_PARAMS.items() if page in p.pages)
    chosen = data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True), label="keys")
    query = {key: data.draw(VALUES, label=key) for key in chosen}
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    for key, values in query.items():
        at.query_params[key] = values
    at.switch_page(page).run()
    no_exception(at)
    # A control the page did not reach (after an empty f, or the node table in presenter mode) reads it later.
    notes, read = link_notes(at), bound_keys(at)
    for key, values in query.items():
        param = link_rules.LINK_PARAMS[key]
        if key in read and (len(values) > 1 or _surely_bad(param, values[-1])):
            assert any(f"link's {key} " in n or f"link gives {key} " in n or
                       (key in (view.LOW, view.HIGH) and "link's plot range" in n) for n in notes), (key, notes)
    for note in notes:  # and a note only about what the link gave
        assert any(f" {key} " in note for key in query), note


@pytest.mark.parametrize(("key", "value"), [(view.STEPS, math.inf), (view.STEPS, math.nan), (view.STEPS, 1e300),
                                            (view.RATE, math.nan), (view.START, -math.inf)])
def test_a_forged_widget_message_does_not_crash_the_descent_page(key, value):
    # A websocket client can send any number for a number input; the browser never sends inf.
    at = open_app(view.DESCENT, f="x^2")
    at.number_input(key=key).set_value(value).run()
    no_exception(at)
    at.run()
    no_exception(at)


# ---- share links: every control of every page, and the page ----------------------------------

# A value other than the default for every URL-bound control, valid on each page that has it. A
# control added to link_rules.LINK_PARAMS needs one here (the first test says so), so the round trip
# below covers it.
CHANGED = {
    view.FUNCTION: "x*sin(x) + 1", view.POINT: 0.5, view.LOW: -2.0, view.HIGH: 2.5, view.Y_LOW: -3.0,
    view.Y_HIGH: 4.0, view.SECOND: True, view.CHECK: True, view.PRESENT: True, view.TABLE: True, view.STEP: 2,
    view.FUNCTION_XY: "x^2 - y", view.POINT_Y: -0.7, view.FUNCTION_DESCENT: "x^4 - 3x^2 + x", view.START: 0.5,
    view.RATE: 0.05, view.STEPS: 80.0, view.DATASET: "xor", view.NOISE: 0.2, view.TRAIN_SHARE: 70, view.SEED: 4,
    view.LAYERS: 3, view.UNITS: 6, view.ACTIVATION: "relu", view.OPTIMIZER: "SGD", view.NETWORK_RATE: 0.01,
    view.L2: 0.001, view.BATCH: 20, view.EDGES: "gradients", view.OPERATION: "Mul", view.LANG: "zh",
}
_KINDS = ("text_input", "number_input", "slider", "select_slider", "toggle", "selectbox", "radio", "segmented_control")


def test_every_control_has_a_changed_value_for_the_share_test():
    assert set(CHANGED) == set(link_rules.LINK_PARAMS)
    for key, value in CHANGED.items():
        assert value != link_rules.LINK_PARAMS[key].default, key


def control(at: AppTest, key: str):
    (found,) = [w for kind in _KINDS for w in getattr(at, kind) if w.key == key]
    return found


def shown(at: AppTest) -> list:
    """What the page shows in its main area, element by element (the share link itself left out):
    each element's kind and content, a widget's value, the live view's data."""
    from google.protobuf.json_format import MessageToDict

    seen = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None or node.type in ("code",) and getattr(node, "value", "").startswith("/"):
            return
        content = getattr(node, "value", None) if node.type in _KINDS else MessageToDict(proto)
        if isinstance(content, dict):
            content.pop("deferredFileId", None)  # a download's file, named per session
        seen.append((node.type, content))

    walk(at.main)
    return seen


def share_link(at: AppTest) -> str:
    (link,) = {c.value for c in at.code if c.value.startswith("/") and "?" in c.value}
    return link


@pytest.mark.parametrize("page", PAGES)
def test_a_share_link_opens_the_page_exactly_as_the_sender_sees_it(page):
    from urllib.parse import parse_qs, urlsplit

    at = open_app(page)
    keys = [key for key, p in link_rules.LINK_PARAMS.items() if page in p.pages]
    # the function and the range first (the others' bounds depend on them), presenter mode last
    for key in sorted(keys, key=lambda k: (k != view.FUNCTION, k not in (view.LOW, view.HIGH), k == view.PRESENT)):
        control(at, key).set_value(CHANGED[key]).run()
        no_exception(at)
    sent = {key: at.session_state[key] for key in keys}  # (presenter mode hides the node table's switch)
    assert sent == {key: CHANGED[key] for key in keys}
    link = share_link(at)
    path, query = urlsplit(link).path, parse_qs(urlsplit(link).query)
    (target,) = [p.path for p in view.PAGES if path.rstrip("/") == ("" if p == view.PAGES[0] else "/" + p.path[6:-3])]
    assert target == page
    received = open_app(page, **{k: v[-1] for k, v in query.items()})
    no_exception(received)
    assert not link_notes(received)
    assert shown(received) == shown(at)
    # Out of presenter mode, both show the same again, with every control (the node table's too).
    for each in (at, received):
        each.button(key="leave").click().run()
        no_exception(each)
    assert {key: received.session_state[key] for key in keys} == {**sent, view.PRESENT: False}
    assert shown(received) == shown(at)

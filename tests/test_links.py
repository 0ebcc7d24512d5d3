"""The link's rules (ui/link_rules.py): every URL parameter is checked before its control reads it."""

from __future__ import annotations

import math

import pytest

from ui import link_rules, view

P = link_rules.LINK_PARAMS


@pytest.mark.parametrize("text", ["abc", "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "1e999",
                                  "9" * 400, "0x10", "1,5", "--1"])
def test_a_number_that_is_not_an_ordinary_one_falls_back_with_a_note(text):
    reading = link_rules.read_link(P[view.POINT], [text], low=-3, high=3)
    assert reading == (view.DEFAULT_X, "The link's x is not an ordinary number: using x = 1.2 instead.", True)


@pytest.mark.parametrize(("text", "value"), [("0.5", 0.5), ("-3", -3.0), ("3", 3.0), ("1e-1", 0.1), ("1_0", None)])
def test_a_number_in_range_is_used_as_the_link_gives_it(text, value):
    reading = link_rules.read_link(P[view.POINT], [text], low=-3, high=30)
    expected = 10.0 if value is None else value  # Python reads 1_0 as 10, and so does Streamlit
    assert reading == (expected, None, False)


def test_out_of_range_names_the_value_the_bounds_and_what_is_used():
    reading = link_rules.read_link(P[view.POINT], ["100"], low=-3, high=3, fallback=0.5)
    assert reading == (0.5, "The link's x = 100 is not between -3 and 3: using x = 0.5 instead.", True)
    # The registry's bounds where the page gives none: the descent page's learning rate.
    assert link_rules.read_link(P[view.RATE], ["11"]).note == (
        "The link's lr = 11 is not between 0.0001 and 10: using lr = 0.2 instead.")


@pytest.mark.parametrize("text", ["-0", "-0.0", "-0e3", " -0 "])
def test_negative_zero_is_zero_and_replaces_the_links_text(text):
    # numpy's normal(scale=-0.0) raised: the noise slider must start from +0.0.
    value, note, replace = link_rules.read_link(P[view.NOISE], [text])
    assert value == 0 and math.copysign(1, value) == 1 and note is None and replace


@pytest.mark.parametrize(("text", "note"), [
    ("inf", "is not a whole number"), ("1e999", "is not a whole number"), ("2.5", "is not a whole number"),
    ("9" * 400, "is not a whole number"), ("0", "= 0 is not between 1 and 500"),
    ("501", "= 501 is not between 1 and 500")])
def test_whole_numbers(text, note):
    reading = link_rules.read_link(P[view.STEPS], [text])
    assert reading == (view.DEFAULT_DESCENT_STEPS, f"The link's steps {note}: using steps = 50 instead.", True)


def test_a_whole_number_may_be_written_as_a_float():
    assert link_rules.read_link(P[view.STEPS], ["1e2"]) == (100, None, False)
    assert link_rules.read_link(P[view.STEP], ["7"], high=6).note == (
        "The link's step = 7 is not between 0 and 6: using step = 0 instead.")


@pytest.mark.parametrize(("text", "value", "replace"), [
    ("true", True, False), ("false", False, False), ("TRUE", True, False), ("1", True, True), ("yes", True, True),
    ("on", True, True), ("0", False, True), ("off", False, True)])
def test_switches_read_the_usual_words(text, value, replace):
    assert link_rules.read_link(P[view.PRESENT], [text]) == (value, None, replace)


def test_a_switch_that_is_neither_falls_back():
    assert link_rules.read_link(P[view.SECOND], ["maybe"]) == (
        False, "The link's d2 is neither on nor off (true or false): using d2 = off instead.", True)


def test_choices_come_from_the_registry_or_the_page():
    assert link_rules.read_link(P[view.DATASET], ["xor"]) == ("xor", None, False)
    assert link_rules.read_link(P[view.DATASET], ["foo"]).note == (
        "The link's data is not one of moons, circles, xor: using data = moons instead.")
    ops = tuple(f"op{i}" for i in 10 * [0])
    note = link_rules.read_link(P[view.OPERATION], ["x"], choices=ops, fallback="op0").note
    assert note.count("op0") == link_rules.SHOWN_CHOICES + 1 and "…" in note


def test_long_text_is_cut_with_a_note_and_short_text_passes_untouched():
    long = "x+" * link_rules.MAX_LINK_TEXT
    value, note, replace = link_rules.read_link(P[view.FUNCTION], [long])
    assert value == long[:link_rules.MAX_LINK_TEXT] and replace
    assert note == f"The link's f is longer than {link_rules.MAX_LINK_TEXT:,} characters: it is cut there."
    assert link_rules.read_link(P[view.FUNCTION], ["sin(x) \x00 <b>"]) == ("sin(x) \x00 <b>", None, False)


def test_repeated_keys_use_the_last_with_a_note():
    assert link_rules.read_link(P[view.POINT], ["1", "2"], low=-3, high=3) == (
        2.0, "The link gives x 2 times: using the last, x = 2.", True)
    # the last is checked like any other value
    assert link_rules.read_link(P[view.POINT], ["1", "abc"], low=-3, high=3).value == view.DEFAULT_X


def test_no_value_is_no_note():
    assert link_rules.read_link(P[view.POINT], []) == (view.DEFAULT_X, None, False)


def test_notes_never_repeat_the_visitors_text():
    # Notes are Markdown: only our words, the key and numbers we format.
    for param in P.values():
        choice = param.kind == link_rules.CHOICE
        reading = link_rules.read_link(param, ["**[x](javascript:alert(1))**"], choices=("a",) if choice else (),
                                 fallback="a" if choice else None)
        assert reading.note is None or "javascript" not in reading.note


@pytest.mark.parametrize(("lo", "hi", "message"), [
    (["inf"], [], view.RANGE_NOT_FINITE), (["-3"], ["nan"], view.RANGE_NOT_FINITE),
    (["1e999"], ["1"], view.RANGE_NOT_FINITE), (["-2e6"], [], view.RANGE_TOO_LARGE.format(limit="1,000,000")),
    (["5"], ["2"], view.RANGE_REVERSED), (["1"], ["1.0001"], view.RANGE_TOO_NARROW.format(width="0.001"))])
def test_a_links_range_gets_the_ranges_own_message(lo, hi, message):
    range_, notes, replace = link_rules.read_range(lo, hi)
    assert range_ == view.DEFAULT_RANGE and replace
    (note,) = notes
    assert message in note and note.startswith("The link's plot range, lo = ")
    assert note.endswith("Using -3 to 3 instead.")


def test_a_links_range_that_is_not_numbers():
    range_, notes, replace = link_rules.read_range(["abc"], ["5"])
    assert range_ == (-3.0, 5.0) and replace
    assert notes == ["The link's lo is not a number: using lo = -3 instead."]
    assert link_rules.read_range(["-1", "-2"], []) == (
        (-2.0, 3.0), ["The link gives lo 2 times: using the last."], True)
    assert link_rules.read_range(["-1"], ["2"]) == ((-1.0, 2.0), [], False)


def test_link_text_is_what_a_control_writes():
    assert [link_rules.link_text(P[k], v) for k, v in
            ((view.PRESENT, True), (view.NOISE, 0.0), (view.STEPS, 20), (view.DATASET, "xor"))] == [
        "true", "0.0", "20", "xor"]


def test_every_parameter_is_declared_once_with_a_default_of_its_kind():
    # None: an empty box (the y range's "automatic"), or a choice the page gives at run time (op)
    kinds = {link_rules.NUMBER: (float, type(None)), link_rules.WHOLE: int, link_rules.TEXT: str,
             link_rules.SWITCH: bool, link_rules.CHOICE: (str, type(None))}
    pages = {view.PLAYGROUND, view.BACKPROP, view.TWO_VARIABLES, view.DESCENT, view.NETWORK, view.OPERATIONS}
    for key, param in P.items():
        assert key == param.key and param.pages and set(param.pages) <= pages
        assert isinstance(param.default, kinds[param.kind]), key
        if param.choices:
            assert param.default in param.choices, key


def test_whole_turns_whole_floats_into_ints_and_leaves_the_rest():
    assert [view.whole(v) for v in (50.0, -3.0, 2.5)] == [50, -3, 2.5]
    assert type(view.whole(50.0)) is int

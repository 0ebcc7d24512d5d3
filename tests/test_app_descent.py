"""The "Gradient descent" page through AppTest: a first view that converges, the iterates against the
closed form, each way a run can end shown in its own box with advice that is right, examples one
click away, and out-of-bounds settings explained with descent.py's limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest import default_grid, figure, metric, no_exception, open_app, streamlit_log, trace

from lessons import descent
from lessons.viz import format_number
from ui import view

PAGE = "pages/descent.py"


def table(at) -> dict[str, np.ndarray]:
    frame = at.dataframe[0].value
    return {column: frame[column].to_numpy(dtype=float) for column in frame.columns}


def verdict(at) -> tuple[str, str]:
    """(kind of box, its text) of the run's verdict: the one box that starts with a heading."""
    shown = [(kind, box.value) for kind in ("success", "warning", "error") for box in getattr(at, kind)
             if any(box.value.startswith(f"**{v.heading}.**") for v in view.DESCENT_VERDICTS.values())]
    assert len(shown) == 1, shown
    return shown[0]


def test_the_first_view_converges_green_and_states_the_stopping_rule():
    at = open_app(PAGE)
    no_exception(at)
    assert at.text_input(key=view.FUNCTION_DESCENT).value == view.DEFAULT_DESCENT_FUNCTION
    # (x − 1)² from x₀ = −2 with lr 0.2: x − 1 shrinks by 1 − 2·0.2 = 0.6 a step, f′ = 2(x − 1) = −6·0.6^k,
    # so |f′| first falls to GRAD_TOL at k = ⌈log(GRAD_TOL/6)/log 0.6⌉
    assert (view.DEFAULT_START, view.DEFAULT_RATE) == (-2.0, 0.2)
    k = math.ceil(math.log(descent.GRAD_TOL / 6) / math.log(0.6))
    rows = table(at)
    np.testing.assert_allclose(rows["x"], 1 - 3 * 0.6 ** np.arange(k + 1), rtol=1e-12, atol=1e-14)
    kind, text = verdict(at)
    assert kind == "success" and text.startswith("**Converged.** A minimum after 31 steps")
    assert descent.stopping_rule() in [c.value for c in at.caption]
    assert metric(at, "f″(x) there") == "2"


def test_a_bowl_gives_the_closed_form_iterates_and_runs_all_the_steps():
    # (x − 2)² from 0 with lr 0.1: x − 2 shrinks by 1 − 2·0.1 = 0.8 per step, so x_k = 2 − 2·0.8^k.
    at = open_app(PAGE, fmin="(x-2)^2", x0=0, lr=0.1, steps=30)
    no_exception(at)
    rows = table(at)
    k = np.arange(31)
    xs = 2 - 2 * 0.8**k
    np.testing.assert_array_equal(rows["k"], k)
    np.testing.assert_allclose(rows["x"], xs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rows["f(x)"], (xs - 2) ** 2, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(rows["f′(x)"], 2 * (xs - 2), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(rows["step"][:-1], np.diff(xs), rtol=1e-9, atol=1e-14)
    assert math.isnan(rows["step"][-1])  # no step after the last iterate
    kind, text = verdict(at)
    assert kind == "warning" and text.startswith(f"**{view.DESCENT_VERDICTS[descent.RAN_ALL_STEPS].heading}.**")
    assert metric(at, "Steps taken") == "30" and metric(at, "Last x") == format_number(xs[-1])
    path_x, path_f = trace(figure(at), "descent path")
    np.testing.assert_allclose(path_x, xs, rtol=1e-12, atol=1e-14)
    curve_x, curve_f = trace(figure(at), "f")
    np.testing.assert_allclose(curve_x, default_grid(), atol=1e-12)
    np.testing.assert_allclose(curve_f, (default_grid() - 2) ** 2, rtol=1e-12, atol=1e-12)


def test_enough_steps_converge_where_f_prime_falls_below_the_tolerance():
    at = open_app(PAGE, fmin="(x-2)^2", x0=0, lr=0.1, steps=100)
    no_exception(at)
    # |f′(x_k)| = 4·0.8^k: the first k with 4·0.8^k ≤ GRAD_TOL
    k = math.ceil(math.log(descent.GRAD_TOL / 4) / math.log(0.8))
    rows = table(at)
    assert len(rows["k"]) == k + 1 and rows["x"][-1] == pytest.approx(2 - 2 * 0.8**k, rel=1e-12)
    kind, text = verdict(at)
    assert kind == "success" and "A minimum after" in text


@pytest.mark.parametrize(("lr", "status", "box"), [
    (1.0, descent.OSCILLATING, "warning"),  # x = ±1 for ever: each step exactly overshoots
    (1.5, descent.DIVERGED, "error"),  # x → −2x: jumps across the minimum, further each time
])
def test_a_learning_rate_too_large_is_shown_and_explained(lr, status, box):
    at = open_app(PAGE, fmin="x^2", x0=1, lr=lr, steps=50)
    no_exception(at)
    kind, text = verdict(at)
    assert kind == box and text.startswith(f"**{view.DESCENT_VERDICTS[status].heading}.**")
    assert "too large" in text
    rows = table(at)
    np.testing.assert_allclose(rows["x"], (1 - 2 * lr) ** rows["k"], rtol=1e-12)
    assert len(figure(at)["layout"].get("annotations", [])) == (status == descent.DIVERGED)  # "off the picture"


def test_a_run_into_an_undefined_value_stops_and_says_so():
    at = open_app(PAGE, fmin="log(x)", x0=0.5, lr=0.5, steps=10)  # x₁ = 0.5 − 0.5·2 = −0.5: log is nan there
    no_exception(at)
    kind, text = verdict(at)
    assert kind == "error" and text.startswith(f"**{view.DESCENT_VERDICTS[descent.NOT_FINITE].heading}.**")
    assert table(at)["x"].tolist() == [0.5, -0.5]


@pytest.mark.parametrize(("params", "note"), [
    ({"lr": -1}, f"lr = -1 is not between 0.0001 and 10: using lr = {view.DEFAULT_RATE:g} instead."),
    ({"lr": 1000}, f"lr = 1,000 is not between 0.0001 and 10: using lr = {view.DEFAULT_RATE:g} instead."),
    ({"steps": 0}, f"steps = 0 is not between 1 and {descent.MAX_STEPS}: using steps = "
                   f"{view.DEFAULT_DESCENT_STEPS} instead."),
    ({"steps": 100_000}, f"steps = 100,000 is not between 1 and {descent.MAX_STEPS}: using steps = "
                         f"{view.DEFAULT_DESCENT_STEPS} instead."),
    ({"x0": 1e7}, f"x0 = 10,000,000 is not between -1,000,000 and 1,000,000: using x0 = {view.DEFAULT_START:g} "
                  "instead."),
])
def test_out_of_bounds_settings_from_a_link_are_noted_and_the_default_run(params, note):
    # descent.py's bounds are the registry's: the link gets a note and a run with the default.
    at = open_app(PAGE, fmin="x^2", **params)
    no_exception(at)
    assert [w.value for w in at.warning if w.value.startswith("The link")] == [f"The link's {note}"]
    assert not at.error and len(table(at)["x"]) > 1


def test_the_last_good_run_stays_while_the_settings_are_out_of_bounds():
    at = open_app(PAGE, fmin="(x-2)^2", x0=0, lr=0.1, steps=30)
    good = table(at)
    at.number_input(key="lr").set_value(20.0).run()
    no_exception(at)
    assert at.number_input(key="lr").value == 20.0  # the user's value stays in the box
    assert any("not 20." in e.value for e in at.error)
    assert "last settings that worked" in at.info[0].value
    np.testing.assert_array_equal(table(at)["x"], good["x"])


def test_bad_function_text_shows_its_error_and_descends_on_the_last_good_function():
    at = open_app(PAGE, fmin="x^2", x0=1, lr=0.25, steps=5)
    at.text_input(key="fmin").set_value("x^2 +* 1").run()
    no_exception(at)
    assert at.text_input(key="fmin").value == "x^2 +* 1"
    assert at.error[0].value == view.ERROR_TITLES["SYNTAX"]
    np.testing.assert_allclose(table(at)["x"], 0.5 ** np.arange(6))


def test_an_example_is_one_click_and_fills_the_function_and_every_setting():
    at = open_app(PAGE)
    example = view.DESCENT_EXAMPLES[4]
    with streamlit_log() as log:
        at.button_group(key="descent_example").set_value(example).run()
    no_exception(at)
    assert at.text_input(key=view.FUNCTION_DESCENT).value == example.text
    assert (at.number_input(key="x0").value, at.number_input(key="lr").value,
            at.number_input(key="steps").value) == (example.x0, example.lr, example.steps)
    assert at.button_group(key="descent_example").value is None  # back to no choice
    assert verdict(at)[0] == "error"  # "Diverges"
    at.number_input(key="lr").set_value(0.5).run()  # and the settings stay the user's to change
    assert verdict(at)[0] == "success" and at.text_input(key=view.FUNCTION_DESCENT).value == example.text
    assert not log, [r.getMessage() for r in log]  # no "default value but also set via Session State"


EXPECTED = {  # how each example ends: the lesson it is there for
    "Converges": "success", "Too small a step": "warning", "Overshoots, then settles": "success",
    "Bounces for ever": "warning", "Diverges": "error", "Two valleys": "success", "A saddle": "warning",
    "A flat shoulder": "warning", "Starts on a hilltop": "warning", "No minimum": "error",
}


@pytest.mark.parametrize("example", view.DESCENT_EXAMPLES, ids=lambda e: e.name)
def test_every_example_runs_and_ends_as_its_lesson_says(example):
    at = open_app(PAGE, fmin=example.text, x0=example.x0, lr=example.lr, steps=example.steps)
    no_exception(at)
    assert verdict(at)[0] == EXPECTED[example.name]


def test_the_first_example_is_the_first_view():
    first = view.DESCENT_EXAMPLES[0]
    assert (first.text, first.x0, first.lr, first.steps) == (
        view.DEFAULT_DESCENT_FUNCTION, view.DEFAULT_START, view.DEFAULT_RATE, view.DEFAULT_DESCENT_STEPS)


def test_the_playgrounds_function_is_one_click_away():
    at = open_app(f="x^4 - 3x^2 + x")
    at.switch_page(PAGE).run()
    no_exception(at)
    assert at.text_input(key=view.FUNCTION_DESCENT).value == view.DEFAULT_DESCENT_FUNCTION
    (button,) = [b for b in at.button if b.key == "from_playground"]
    assert "`x^4-3x^2+x`" in button.label
    with streamlit_log() as log:
        button.click().run()
    no_exception(at)
    assert at.text_input(key=view.FUNCTION_DESCENT).value == "x^4-3x^2+x"
    assert not [b for b in at.button if b.key == "from_playground"]  # nothing more to offer
    assert not log, [r.getMessage() for r in log]


def test_without_a_visit_to_the_playground_there_is_nothing_to_bring():
    at = open_app(PAGE)
    assert not [b for b in at.button if b.key == "from_playground"]


# ---- the advice, on the page: x² (f″ = 2 everywhere, so lr < 1 settles and lr = 0.5 is fastest) ----


@pytest.mark.parametrize(("lr", "box", "says", "never"), [
    (0.1, "warning", ["Still approaching", "a larger learning rate", "lr < 2/f″ ≈ 1 "], []),
    (0.9, "warning", ["Overshooting but settling", "a smaller learning rate would be faster", "lr < 2/f″ ≈ 1 "],
     ["larger learning rate would"]),
    (1.0, "warning", ["bounces back and forth without settling", "lr < 2/f″ ≈ 1 "], ["larger learning rate"]),
    (1.1, "error", ["too large", "try a learning rate below 1."], ["larger learning rate"]),
])
def test_the_advice_on_x_squared_is_derived_from_its_curvature(lr, box, says, never):
    at = open_app(PAGE, fmin="x^2", x0=2, lr=lr, steps=30 if lr < 1.1 else 100)
    no_exception(at)
    kind, text = verdict(at)
    assert kind == box
    for words in says:
        assert words in text, (words, text)
    for words in never:
        assert words not in text, (words, text)


def test_a_flat_start_on_a_hilltop_is_stuck_not_converged():
    at = open_app(PAGE, fmin="x^4 - 2x^2", x0=0, lr=0.1)
    no_exception(at)
    kind, text = verdict(at)
    assert kind == "warning" and text.startswith(f"**{view.DESCENT_VERDICTS[descent.STALLED].heading}.**")
    assert "maximum" in text and metric(at, "f″(x) there") == "-4"


def test_a_quartic_that_diverges_is_told_the_rate_that_works_at_its_start():
    at = open_app(PAGE, fmin="x^4", x0=2, lr=0.2)
    kind, text = verdict(at)
    assert kind == "error" and "try a learning rate below 0.04167." in text
    assert metric(at, "f″ at x₀") == "48"
    at.number_input(key="lr").set_value(0.04).run()
    assert verdict(at)[0] != "error"

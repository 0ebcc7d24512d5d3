"""The "Gradient descent" page through AppTest: the iterates against the closed form, each way a
run can end shown in its own box, and out-of-bounds settings explained with descent.py's limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from apptest import default_grid, figure, metric, no_exception, open_app, trace

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


def test_a_bowl_gives_the_closed_form_iterates_and_runs_all_the_steps():
    # (x − 2)² from 0 with lr 0.1: x − 2 shrinks by 1 − 2·0.1 = 0.8 per step, so x_k = 2 − 2·0.8^k.
    at = open_app(PAGE, f="(x-2)^2", x0=0, lr=0.1, steps=30)
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
    at = open_app(PAGE, f="(x-2)^2", x0=0, lr=0.1, steps=100)
    no_exception(at)
    # |f′(x_k)| = 4·0.8^k: the first k with 4·0.8^k ≤ GRAD_TOL
    k = math.ceil(math.log(descent.GRAD_TOL / 4) / math.log(0.8))
    rows = table(at)
    assert len(rows["k"]) == k + 1 and rows["x"][-1] == pytest.approx(2 - 2 * 0.8**k, rel=1e-12)
    kind, text = verdict(at)
    assert kind == "success" and "Converged" in text


@pytest.mark.parametrize(("lr", "status", "box"), [
    (1.0, descent.OSCILLATING, "warning"),  # x = ±1 for ever: each step exactly overshoots
    (1.5, descent.DIVERGED, "error"),  # x → −2x: jumps across the minimum, further each time
])
def test_a_learning_rate_too_large_is_shown_and_explained(lr, status, box):
    at = open_app(PAGE, f="x^2", x0=1, lr=lr, steps=50)
    no_exception(at)
    kind, text = verdict(at)
    assert kind == box and text.startswith(f"**{view.DESCENT_VERDICTS[status].heading}.**")
    assert "too large" in text
    rows = table(at)
    np.testing.assert_allclose(rows["x"], (1 - 2 * lr) ** rows["k"], rtol=1e-12)
    assert len(figure(at)["layout"].get("annotations", [])) == (status == descent.DIVERGED)  # "off the picture"


def test_a_run_into_an_undefined_value_stops_and_says_so():
    at = open_app(PAGE, f="log(x)", x0=0.5, lr=0.5, steps=10)  # x₁ = 0.5 − 0.5·2 = −0.5: log is nan there
    no_exception(at)
    kind, text = verdict(at)
    assert kind == "error" and text.startswith(f"**{view.DESCENT_VERDICTS[descent.NOT_FINITE].heading}.**")
    assert table(at)["x"].tolist() == [0.5, -0.5]


@pytest.mark.parametrize(("params", "note"), [
    ({"lr": -1}, "lr = -1 is not between 0.0001 and 10: using lr = 0.1 instead."),
    ({"lr": 1000}, "lr = 1,000 is not between 0.0001 and 10: using lr = 0.1 instead."),
    ({"steps": 0}, f"steps = 0 is not between 1 and {descent.MAX_STEPS}: using steps = 50 instead."),
    ({"steps": 100_000}, f"steps = 100,000 is not between 1 and {descent.MAX_STEPS}: using steps = 50 instead."),
    ({"x0": 1e7}, "x0 = 10,000,000 is not between -1,000,000 and 1,000,000: using x0 = 2.5 instead."),
])
def test_out_of_bounds_settings_from_a_link_are_noted_and_the_default_run(params, note):
    # descent.py's bounds are the registry's: the link gets a note and a run with the default.
    at = open_app(PAGE, f="x^2", **params)
    no_exception(at)
    assert [w.value for w in at.warning if w.value.startswith("The link")] == [f"The link's {note}"]
    assert not at.error and len(table(at)["x"]) > 1


def test_the_last_good_run_stays_while_the_settings_are_out_of_bounds():
    at = open_app(PAGE, f="(x-2)^2", x0=0, lr=0.1, steps=30)
    good = table(at)
    at.number_input(key="lr").set_value(20.0).run()
    no_exception(at)
    assert at.number_input(key="lr").value == 20.0  # the user's value stays in the box
    assert any("not 20." in e.value for e in at.error)
    assert "last settings that worked" in at.info[0].value
    np.testing.assert_array_equal(table(at)["x"], good["x"])


def test_bad_function_text_shows_its_error_and_descends_on_the_last_good_function():
    at = open_app(PAGE, f="x^2", x0=1, lr=0.25, steps=5)
    at.text_input(key="f").set_value("x^2 +* 1").run()
    no_exception(at)
    assert at.text_input(key="f").value == "x^2 +* 1"
    assert at.error[0].value == view.ERROR_TITLES["SYNTAX"]
    np.testing.assert_allclose(table(at)["x"], 0.5 ** np.arange(6))


def test_the_function_comes_from_the_playground_and_examples_fill_the_settings():
    at = open_app(f="(x-2)^2")
    at.switch_page(PAGE).run()
    no_exception(at)
    assert at.text_input(key="f").value == "(x-2)^2"
    example = view.DESCENT_EXAMPLES[2]
    at.selectbox(key="descent_example").select(example).run()
    no_exception(at)
    assert at.text_input(key="f").value == example.text
    assert (at.number_input(key="x0").value, at.number_input(key="lr").value) == (example.x0, example.lr)
    assert at.selectbox(key="descent_example").value is None  # back to its prompt


@pytest.mark.parametrize("example", view.DESCENT_EXAMPLES, ids=lambda e: e.name)
def test_every_example_runs(example):
    at = open_app(PAGE, f=example.text, x0=example.x0, lr=example.lr)
    no_exception(at)
    verdict(at)


def test_a_run_that_finds_no_minimum_offers_a_bowl_and_the_button_loads_it():
    at = open_app(PAGE)  # the Playground's default, x³ + 2x: no minimum
    no_exception(at)
    assert verdict(at)[0] == "error"
    bowl = view.DESCENT_EXAMPLES[0]
    at.button(key="bowl").click().run()
    no_exception(at)
    assert at.text_input(key=view.FUNCTION).value == bowl.text
    assert at.number_input(key=view.START).value == bowl.x0 and at.number_input(key=view.RATE).value == bowl.lr
    assert verdict(at)[0] != "error"
    assert table(at)["x"][0] == bowl.x0
    assert not [b for b in at.button if b.key == "bowl"]  # nothing more to offer on the bowl itself


def test_a_run_that_ends_well_offers_nothing():
    at = open_app(PAGE, f="x^2", x0=1, lr=0.1)
    no_exception(at)
    assert not [b for b in at.button if b.key == "bowl"]

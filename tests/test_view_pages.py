"""The plain rules behind the teaching pages (ui/view.py): error headings, the two function boxes,
the descent verdicts and table, the examples, the network's redraws and the ops table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons import catalog, descent
from tinytorch import nn
from tinytorch.expr import ERROR_CODES, parse
from ui import view


def test_error_titles_name_the_variables_of_an_empty_box():
    assert view.error_title("EMPTY") == view.ERROR_TITLES["EMPTY"] == "Type a function of x"
    assert view.error_title("EMPTY", ("x", "y")) == "Type a function of x and y"
    for code in ERROR_CODES:
        if code != "EMPTY":
            assert view.error_title(code, ("x", "y")) == view.ERROR_TITLES[code]
    assert view.error_title("NEW_CODE") == "This expression has a problem"


def test_the_f_of_x_box_is_the_playgrounds_and_the_two_variable_box_is_its_own():
    assert view.F_OF_X[:3] == (view.FUNCTION, ("x",), view.DEFAULT_FUNCTION)
    assert view.F_OF_X.memory == "last_good_function" and view.F_OF_X.examples
    assert view.F_OF_XY.key == view.FUNCTION_XY and view.F_OF_XY.memory != view.F_OF_X.memory
    assert parse(view.F_OF_XY.default, view.F_OF_XY.variables).text == "x*y+sin(y)"
    keys = [view.FUNCTION, view.POINT, view.LOW, view.HIGH, view.SECOND, view.CHECK, view.PRESENT, view.TABLE,
            view.STEP, view.FUNCTION_XY, view.POINT_Y, view.START, view.RATE, view.STEPS, view.DATASET,
            view.NOISE, view.ACTIVATION, view.OPTIMIZER, view.TRAIN_STEPS, view.OPERATION]
    assert len(set(keys)) == len(keys)  # every URL parameter means one thing


def test_every_descent_status_has_its_own_box():
    assert set(view.DESCENT_VERDICTS) == set(descent.STATUSES)
    assert {v.box for v in view.DESCENT_VERDICTS.values()} <= {"success", "warning", "error"}
    assert view.DESCENT_VERDICTS[descent.CONVERGED].box == "success"
    assert view.DESCENT_VERDICTS[descent.DIVERGED].box == view.DESCENT_VERDICTS[descent.NOT_FINITE].box == "error"
    assert len({v.heading for v in view.DESCENT_VERDICTS.values()}) == len(descent.STATUSES)


def test_the_descent_table_lists_every_iterate_and_the_step_to_the_next():
    run = descent.run(lambda x: (x - 2) ** 2, 0.0, 0.1, 5)
    table = view.descent_table(run)
    assert list(table) == ["k", "x", "f(x)", "f′(x)", "step"]
    np.testing.assert_array_equal(table["k"], np.arange(6))
    np.testing.assert_allclose(table["x"], 2 - 2 * 0.8 ** np.arange(6), rtol=1e-12)
    np.testing.assert_allclose(table["step"][:-1], -0.1 * table["f′(x)"][:-1], rtol=1e-12)
    assert math.isnan(table["step"][-1])


@pytest.mark.parametrize("example", view.DESCENT_EXAMPLES, ids=lambda e: e.name)
def test_descent_examples_parse_and_are_within_the_limits(example):
    expr = parse(example.text)
    assert descent.MIN_LR <= example.lr <= descent.MAX_LR and abs(example.x0) <= descent.MAX_START
    assert view.DEFAULT_DESCENT_STEPS <= descent.MAX_STEPS
    descent.run(lambda x: expr(x=x), example.x0, example.lr, view.DEFAULT_DESCENT_STEPS)  # no exception


def test_the_network_redraws_every_few_steps_but_leaves_the_last_to_the_page():
    drawn = [k for k in range(1, 101) if view.redraw_now(k, 100)]
    assert drawn == list(range(view.REDRAW_EVERY, 100, view.REDRAW_EVERY))
    assert not view.redraw_now(view.REDRAW_EVERY, view.REDRAW_EVERY)
    assert view.MIN_TRAIN_STEPS <= view.DEFAULT_TRAIN_STEPS <= view.MAX_TRAIN_STEPS <= nn.MAX_STEPS


def test_the_ops_table_is_the_catalog_and_notes_flow_as_paragraphs():
    ops = catalog.operations()
    lines = view.operations_table(ops).splitlines()
    assert lines[:2] == ["| op | in the graph | derivative rule |", "| --- | :---: | --- |"]
    assert lines[2:] == [f"| {o.name} | {o.symbol} | ${o.latex}$ |" for o in ops]
    assert view.paragraphs("one\n  two\n\n\nthree  four\n") == "one two\n\nthree four"
    assert view.paragraphs("") == ""

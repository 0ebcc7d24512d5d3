"""The plain rules behind the teaching pages (ui/view.py): error headings, the function boxes, the
descent verdicts and table, the examples, the network's status line and weights table, the ops table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons import catalog, descent, training
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
            view.STEP, view.FUNCTION_XY, view.POINT_Y, view.FUNCTION_DESCENT, view.START, view.RATE, view.STEPS,
            view.Y_LOW, view.Y_HIGH, view.DATASET, view.NOISE, view.TRAIN_SHARE, view.SEED, view.LAYERS, view.UNITS,
            view.ACTIVATION, view.OPTIMIZER, view.NETWORK_RATE, view.L2, view.BATCH, view.EDGES, view.OPERATION]
    assert len(set(keys)) == len(keys)  # every URL parameter means one thing


def test_every_descent_status_has_its_own_box():
    assert set(view.DESCENT_VERDICTS) == set(descent.STATUSES)
    assert {v.box for v in view.DESCENT_VERDICTS.values()} <= {"success", "warning", "error"}
    assert view.DESCENT_VERDICTS[descent.CONVERGED].box == "success"
    assert view.DESCENT_VERDICTS[descent.STALLED].box == "warning"  # flat, but not a minimum
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
    assert 1 <= example.steps <= descent.MAX_STEPS
    descent.run(lambda x: expr(x=x), example.x0, example.lr, example.steps)  # no exception


def test_the_network_status_says_where_the_run_is_and_when_it_is_done(monkeypatch):
    run = training.TrainingRun(training.Settings(batch=30))
    run.advance(5)  # 100 training points in batches of 30: 4 batches an epoch
    assert view.network_status(run, playing=True) == (
        "Step 5 · epoch 2 · batches of 30 from 100 training points; 100 test points are never trained on. Training…")
    assert not view.network_status(run, playing=False).endswith("Training…")
    monkeypatch.setattr(training, "MAX_RUN_STEPS", 5)
    assert "reached its limit of 5 steps: reset to start again." in view.network_status(run, playing=False)


def test_the_weights_table_lists_every_parameter_with_its_gradient():
    model = nn.MLP((2, 3, 1), seed=0)
    before = view.weights_table(model)
    assert len(before["value"]) == 2 * 3 + 3 + 3 + 1 and set(before["gradient"]) == {None}
    run = training.TrainingRun(training.Settings(layers=1, units=3))
    run.advance(1)
    table = view.weights_table(run.model)
    w = run.model.weights[1]
    rows = [i for i, (layer, kind) in enumerate(zip(table["layer"], table["parameter"]))
            if layer == 2 and kind == "weight"]
    assert [table["from"][i] for i in rows] == [1, 2, 3] and {table["to"][i] for i in rows} == {1}
    np.testing.assert_allclose([table["value"][i] for i in rows], w.data.ravel(), rtol=1e-15)
    np.testing.assert_allclose([table["gradient"][i] for i in rows], w.grad.data.ravel(), rtol=1e-15)


def test_the_ops_table_is_the_catalog_and_notes_flow_as_paragraphs():
    ops = catalog.operations()
    lines = view.operations_table(ops).splitlines()
    assert lines[:2] == ["| op | in the graph | derivative rule |", "| --- | :---: | --- |"]
    assert lines[2:] == [f"| {o.name} | {o.symbol} | ${o.latex}$ |" for o in ops]
    assert view.paragraphs("one\n  two\n\n\nthree  four\n") == "one two\n\nthree four"
    assert view.paragraphs("") == ""

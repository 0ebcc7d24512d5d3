"""lessons/sweep.py: the graph at every slider position from one vectorised pass must hold, at
each position, exactly what a graph built at that one x holds (and the closed forms)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons import sweep as sw
from lessons.viz import graph_nodes
from tinytorch import Tensor, grad, no_grad
from tinytorch.expr import parse
from ui import view
from ui.presets import PRESETS

FORMULAS = [
    "x^3 + 2x",
    "sin(x)*exp(-x^2)",
    "(x^2+1)*sin(x^2+1)",  # a shared sub-expression: its gradient accumulates
    "x*x*x + x",
    "log(x) + sqrt(x)",  # nan on half the range
    "1/x + x/(1 + x^2)",  # inf at 0
    "max(x, 0.5) - min(x^2, 1) + abs(x)",
    "x + 2*pi",  # a node computed from constants alone: no gradient
    "tanh(x/3)*x^2 - softplus(x) + sigmoid(2x)",
    *(p.text for p in PRESETS),
]


def _same(a: float | None, b: float | None) -> bool:
    """Equal to the last bit, nan equal to nan."""
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def _at_one_point(text: str, x: float):
    """The graph built at x alone, after backward: what the page draws for a link's x."""
    xt = Tensor([x], label="x")
    y = parse(text)(x=xt)
    if y.requires_grad:
        y.backward()
    return graph_nodes(y)


def test_positions_are_the_sliders_own():
    lo, hi = view.DEFAULT_RANGE
    xs = sw.positions(lo, hi, view.slider_step(lo, hi))
    assert xs.size == 601 and (xs[0], xs[-1]) == (-3.0, 3.0)
    assert xs[177] == -1.23 and xs[300] == 0.0 and xs[423] == 1.23  # as typed in a link
    assert not xs.flags.writeable


def test_positions_end_at_hi_when_it_is_off_the_grid():
    xs = sw.positions(0.0, 1.005, 0.01)
    assert xs[-2] == 1.0 and xs[-1] == 1.005 and xs.size == 102


def test_too_many_positions_widen_the_step_to_a_multiple_of_the_sliders():
    xs = sw.positions(-2.5, 2.49, 0.001)  # 4,991 slider positions
    assert xs.size <= sw.MAX_POSITIONS
    steps = np.diff(xs[:-1])
    np.testing.assert_allclose(steps, 0.005, rtol=1e-9)
    assert np.allclose(np.round(xs[:-1] / 0.001), xs[:-1] / 0.001, atol=1e-6)  # still slider positions


@pytest.mark.parametrize("bad", [(1.0, 1.0, 0.01), (2.0, 1.0, 0.01), (0.0, 1.0, 0.0), (0.0, math.inf, 0.1)])
def test_positions_refuse_an_empty_range(bad):
    with pytest.raises(ValueError):
        sw.positions(*bad)


def test_nearest():
    xs = sw.positions(-3.0, 3.0, 0.01)
    assert xs[sw.nearest(xs, 1.2345)] == 1.23 and xs[sw.nearest(xs, -99)] == -3.0


@pytest.mark.parametrize("text", FORMULAS)
def test_every_position_holds_what_a_graph_built_there_holds(text):
    expr = parse(text)
    xs = sw.positions(-3.0, 3.0, 0.01)
    s = sw.sweep(lambda x: expr(x=x), xs)
    for k in [0, 1, 150, 299, 300, 301, 423, 599, 600]:
        one = _at_one_point(text, float(xs[k]))
        many = s.at(k)
        assert [(n.id, n.label, n.kind, n.op, n.inputs) for n in many] == \
               [(n.id, n.label, n.kind, n.op, n.inputs) for n in one]
        for a, b in zip(many, one):
            assert _same(a.value, b.value), (text, xs[k], a.label, a.value, b.value)
            assert _same(a.grad, b.grad), (text, xs[k], a.label, a.grad, b.grad)
            assert len(a.local_grads) == len(b.local_grads)
            assert all(_same(p, q) for p, q in zip(a.local_grads, b.local_grads)), (text, xs[k], a.label)
        output = one[-1]
        assert _same(float(s.f[k]), output.value)


def test_closed_forms_at_every_position():
    xs = sw.positions(-3.0, 3.0, 0.01)
    s = sw.sweep(lambda x: parse("x^3 + 2x")(x=x), xs, second=True)
    np.testing.assert_allclose(s.f, xs**3 + 2 * xs, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(s.df, 3 * xs**2 + 2, rtol=1e-15)
    np.testing.assert_allclose(s.d2f, 6 * xs, rtol=1e-15, atol=1e-15)
    (x_node,) = [n for n in s.nodes if n.label == "x"]
    np.testing.assert_array_equal(x_node.value, xs)
    np.testing.assert_array_equal(x_node.grad, s.df)
    (cube,) = [n for n in s.nodes if n.label == "x^3"]
    np.testing.assert_allclose(cube.local[0], 3 * xs**2, rtol=1e-15)  # d(x^3)/dx
    np.testing.assert_array_equal(s.nodes[-1].grad, np.ones(xs.size))  # the seed

    bell = sw.sweep(lambda x: parse("sin(x)*exp(-x^2)")(x=x), xs, second=True)
    np.testing.assert_allclose(bell.df, np.exp(-xs**2) * (np.cos(xs) - 2 * xs * np.sin(xs)), rtol=1e-12, atol=1e-15)
    d2 = np.exp(-xs**2) * ((4 * xs**2 - 3) * np.sin(xs) - 4 * xs * np.cos(xs))
    np.testing.assert_allclose(bell.d2f, d2, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("text", FORMULAS)
def test_second_derivative_changes_no_other_number(text):
    xs = sw.positions(-3.0, 3.0, 0.01)
    expr = parse(text)
    plain, both = sw.sweep(lambda x: expr(x=x), xs), sw.sweep(lambda x: expr(x=x), xs, second=True)
    for a, b in zip(plain.nodes, both.nodes):
        np.testing.assert_array_equal(a.value, b.value)
        if a.grad is None:
            assert b.grad is None
        else:
            np.testing.assert_array_equal(a.grad, b.grad)
    # f″ is the engine differentiating its own f′, point by point
    for k in (10, 300, 555):
        xt = Tensor([xs[k]])
        (d1,) = grad(expr(x=xt), xt, create_graph=True)
        assert _same(float(both.d2f[k]), grad(d1, xt)[0].item())


def test_a_constant_function_and_x_itself():
    xs = sw.positions(-1.0, 1.0, 0.01)
    const = sw.sweep(lambda x: parse("2*pi")(x=x), xs, second=True)
    assert [n.kind for n in const.nodes][-1] == "constant"
    np.testing.assert_array_equal(const.f, np.full(xs.size, 2 * math.pi))
    assert not const.df.any() and not const.d2f.any()
    ident = sw.sweep(lambda x: parse("x")(x=x), xs)
    assert [n.kind for n in ident.nodes] == ["input"]
    np.testing.assert_array_equal(ident.df, np.ones(xs.size))


def test_a_sweep_inside_no_grad_still_differentiates_and_its_arrays_are_read_only():
    xs = sw.positions(-1.0, 1.0, 0.1)
    with no_grad():
        s = sw.sweep(lambda x: parse("x^2")(x=x), xs)
    np.testing.assert_allclose(s.df, 2 * xs, rtol=1e-15)
    for array in (s.x, s.f, s.df, s.nodes[0].value, s.nodes[-1].grad):
        assert not array.flags.writeable

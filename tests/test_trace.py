"""The recorded backward pass must be the engine's real one: same order, same numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch as tt
from tinytorch import Tensor, trace_backward
from tinytorch.trace import local_derivatives


def seed_cubic(v=1.2):
    x = Tensor([v], label="x")
    return x, x * x * x + x


def real_grads(build):
    """Every node's .grad after a real backward on a fresh copy of the graph."""
    x, y = build()
    y.backward()
    return [None if n.grad is None else n.grad.data for n in tt.topological_order(y)]


FUNCTIONS = [
    seed_cubic,
    lambda: _one(lambda x: tt.sin(x) * tt.exp(-x * x) + tt.tanh(x), 0.3),
    lambda: _one(lambda x: (x * x + 1.0) / (x - 3.0) + tt.log(1 + x**2) * x, -0.7),
    lambda: _one(lambda x: tt.maximum(x, 0.5 * x) * tt.relu(x) + tt.sigmoid(x) ** 3, 0.9),
    lambda: _one(lambda x: tt.sqrt(tt.abs(x)) * tt.softplus(-x), np.array([-2.0, 0.5, 3.0])),
]


def _one(fn, value):
    x = Tensor(np.atleast_1d(value), label="x")
    return x, fn(x)


@pytest.mark.parametrize("build", FUNCTIONS)
def test_final_gradients_are_identical_to_backward(build):
    x, y = build()
    trace = trace_backward(y)
    final = trace.final()
    for node, want in zip(trace.nodes, real_grads(build)):
        got = final.get(node)
        if want is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, want)  # bit for bit, not approximately
    assert x.grad is None and y.grad is None  # tracing leaves .grad alone


@pytest.mark.parametrize("build", FUNCTIONS)
def test_steps_follow_the_engines_order(build):
    _, y = build()
    trace = trace_backward(y)
    ops_in_reverse_topological_order = [n for n in reversed(trace.nodes) if n.op is not None]
    assert trace.steps[0].number == 1 and trace.steps[0].tensor is y
    assert [s.tensor for s in trace.steps[1:]] == ops_in_reverse_topological_order
    assert [s.number for s in trace.steps] == list(range(1, len(trace) + 1))
    for step in trace.steps[1:]:
        for inp in step.inputs:
            if inp.contribution is not None:  # the chain rule, with the numbers
                np.testing.assert_allclose(inp.contribution, step.upstream * inp.local, rtol=1e-15)


def test_seed_then_accumulation_on_the_reused_x():
    x, y = seed_cubic()
    trace = trace_backward(y)
    seed = trace.steps[0]
    np.testing.assert_array_equal(seed.upstream, [1.0])  # dy/dy = 1
    assert trace.received(0) == {}
    assert list(trace.received(1)) == [y]
    add, outer_mul, inner_mul = trace.steps[1:]
    assert (add.op, outer_mul.op, inner_mul.op) == ("Add", "Mul", "Mul")
    # add passes 1 to x; the outer x*x*x then adds x² = 1.44 to it: 1 + 1.44 = 2.44
    x_in_outer = outer_mul.inputs[1]
    assert x_in_outer.tensor is x and x_in_outer.accumulates
    assert x_in_outer.before.item() == 1.0
    assert x_in_outer.contribution.item() == pytest.approx(1.44)
    assert x_in_outer.after.item() == pytest.approx(2.44)
    # x*x has two edges to x: two more contributions of 1.2 * 1.2 each
    first, second = inner_mul.inputs
    assert first.tensor is x and second.tensor is x
    assert first.after.item() == pytest.approx(3.88)
    assert second.before.item() == pytest.approx(3.88)
    assert second.after.item() == pytest.approx(5.32)
    assert trace.final()[x].item() == pytest.approx(5.32, rel=1e-15)


def test_local_derivatives_are_closed_forms():
    a, b = Tensor([2.0]), Tensor([-3.0])
    assert [d.item() for d in local_derivatives(a * b)] == [-3.0, 2.0]
    assert local_derivatives(tt.sin(a))[0].item() == pytest.approx(math.cos(2.0), rel=1e-15)
    assert local_derivatives(a**3)[0].item() == pytest.approx(12.0)
    assert local_derivatives(a / b)[1].item() == pytest.approx(-2.0 / 9.0)
    assert local_derivatives(a) == ()
    const_times = a * 5.0
    assert local_derivatives(const_times)[1] is None  # a constant needs no gradient


def test_a_function_without_x_has_only_the_seed():
    c = Tensor.constant([2.0]) * 3.0
    trace = trace_backward(c)
    assert len(trace) == 1

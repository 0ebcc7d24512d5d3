"""The step-through page: the engine's real backward order, the chain rule with numbers,
accumulation on a reused input, and the source of the op that ran."""

from __future__ import annotations

import pytest
from apptest import dot, no_exception, open_app

import tinytorch as tt
from lessons.viz import format_number
from tinytorch import Tensor, ops
from tinytorch.expr import parse

PAGE = "pages/backprop.py"


def trace_of(f: str, x0: float):
    return tt.trace_backward(parse(f)(x=Tensor([x0])))


def step_to(at, step):
    at.slider(key="step").set_value(step).run()
    no_exception(at)
    return at


def test_steps_walk_the_real_backward_order_to_the_real_gradients():
    f, x0 = "sin(x)*x + x^2", 0.8
    at = open_app(PAGE, f=f, x=x0)
    no_exception(at)
    x = Tensor([x0])
    y = parse(f)(x=x)
    ops = [n.op for n in reversed(tt.topological_order(y)) if n.op]
    assert at.slider(key="step").max == len(ops) + 1  # the seed, then one step per op
    assert "grad —" in dot(at) and "grad 1" not in dot(at)  # step 0: values only
    step_to(at, 1)
    assert dot(at).count("grad —") == dot(step_to(open_app(PAGE, f=f, x=x0), 0)).count("grad —") - 1
    y.backward()
    step_to(at, len(ops) + 1)
    assert f"grad {format_number(x.grad.item())}" in dot(at)
    assert format_number(x.grad.item()) in at.success[-1].value


def test_the_seed_article_example_shows_the_accumulation():
    at = open_app(PAGE, f="x*x*x + x", x=1.2)
    step_to(at, 3)  # the outer ×: x gets 1.44 on top of the 1 from +
    rows = at.dataframe[0].value.to_dict("records")
    assert rows[1]["input"] == "x" and rows[1]["now has"] == "1 + 1.44 = 2.44"
    assert rows[1]["upstream × local"] == "1 × 1.44 = 1.44"
    assert at.success  # the accumulation note
    step_to(at, 4)
    rows = at.dataframe[0].value.to_dict("records")
    assert [r["now has"] for r in rows] == ["2.44 + 1.44 = 3.88", "3.88 + 1.44 = 5.32"]


def test_the_rule_of_the_op_that_ran_is_shown_as_math_then_as_the_engines_code():
    at = open_app(PAGE, f="sin(x)", x=0.5)
    step_to(at, 2)
    assert [m.value.strip("$\n") for m in at.latex] == [ops.Sin.latex]
    (code,) = (c.value for c in at.main.code)  # Sin's backward is its rule: no speed-ups to hide
    assert "def forward" in code and "np.sin(x)" in code
    assert "def backward" in code and "g * cos(x)" in code


def test_a_power_shows_the_textbook_rule_first_and_the_code_that_ran_behind_it():
    at = open_app(PAGE, f="x^3+x", x=1.2)
    step = next(i for i, s in enumerate(trace_of("x^3+x", 1.2).steps, start=1) if s.op == "Pow")
    step_to(at, step)
    assert [m.value.strip("$\n") for m in at.latex] == [ops.Pow.latex]
    rule, ran = (c.value for c in at.main.code)
    assert "def rule(g, a, b, out)" in rule and "needs_grad" not in rule and "_one_exponent" not in rule
    assert "def forward" in ran and "def backward" in ran and "needs_grad" in ran
    assert at.main.expander[0].label.startswith("The code that ran")


def test_previous_and_next_buttons_move_one_step_within_bounds():
    at = open_app(PAGE, f="x^2", x=1.0)
    previous, following = at.main.button  # (the sidebar has its own buttons)
    previous.click().run()
    assert at.slider(key="step").value == 0
    for _ in range(5):
        at.main.button[1].click().run()
    no_exception(at)
    assert at.slider(key="step").value == at.slider(key="step").max == 2


def test_a_link_opens_at_a_step():
    at = open_app(PAGE, f="x*x*x + x", x=1.2, step=2)
    assert at.slider(key="step").value == 2
    assert "1 × 1 = 1" in str(at.dataframe[0].value.to_dict("records"))


def test_bad_input_shows_an_error_without_an_exception():
    at = open_app(PAGE, f="x^2 +* 3")
    no_exception(at)
    assert at.error and "+* 3" in at.code[0].value


@pytest.mark.parametrize("f", ["2*pi", "x"])
def test_functions_with_nothing_to_pass_back(f):
    at = open_app(PAGE, f=f, x=0.3)
    no_exception(at)
    step_to(at, at.slider(key="step").max)

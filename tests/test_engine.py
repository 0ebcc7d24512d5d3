"""The engine: the seed's examples, every op against finite differences, closed forms, higher
derivatives, accumulation, big graphs, threads and IEEE numerics."""

from __future__ import annotations

import math
import sys
import threading
import warnings

import mpmath
import numpy as np
import pytest
from gradcheck import assert_grads_match
from hypothesis import given, settings
from hypothesis import strategies as st

import tinytorch as tt
from tinytorch import Tensor, grad, no_grad, ops
from tinytorch.tensor import Context


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# ---- the seed article's printed examples ------------------------------------------------------


def test_seed_add_prints_13_and_unit_grads():
    x, y = Tensor([8]), Tensor([5])
    z = x + y
    assert repr(z) == "tensor([13])"
    z.backward()
    assert f"x: {x} , grad {x.grad}" == "x: tensor([8]) , grad tensor([1])"
    assert f"y: {y} , grad {y.grad}" == "y: tensor([5]) , grad tensor([1])"


def test_seed_mul_prints_40_and_swapped_grads():
    x, y = Tensor([8]), Tensor([5])
    z = x * y
    assert repr(z) == "tensor([40])"
    z.backward()
    assert repr(x.grad) == "tensor([5])"
    assert repr(y.grad) == "tensor([8])"


def test_seed_cubic_at_1_2_gives_5_32():
    x = Tensor([1.2])
    z = x * x * x + x
    z.backward()
    assert f"X: {x} grad: {x.grad}" == "X: tensor([1.2]) grad: tensor([5.32])"
    assert x.grad.item() == pytest.approx(3 * 1.2**2 + 1, rel=1e-15)
    assert z.item() == pytest.approx(1.2**3 + 1.2, rel=1e-15)


def test_seed_plot_loop_equals_one_vectorised_pass():
    xs = np.linspace(-3, 3, 100)
    per_point = []
    for v in xs:
        x = Tensor([v])
        (x * x * x + x).backward()
        per_point.append(x.grad.item())
    x = Tensor(xs)
    (x * x * x + x).backward()
    np.testing.assert_array_equal(x.grad.data, per_point)
    np.testing.assert_allclose(x.grad.data, 3 * xs**2 + 1, rtol=1e-14)


# ---- construction and repr ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [3, 2.5, [1, 2], [[1.5], [2.5]], np.arange(3), np.float32([1.5]), True])
def test_construction_is_float64(data):
    t = Tensor(data)
    assert t.data.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))
    assert t.shape == np.shape(data)
    assert t.grad is None


def test_scalar_results_and_grads_are_ndarrays():
    a = Tensor(1.5)
    b = (a * 2).sum()
    b.backward()
    for t in (b, b.grad, a.grad, grad(a * a, a)[0]):
        assert type(t.data) is np.ndarray and t.data.shape == ()


def test_float64_array_is_used_without_copy():
    a = np.arange(4.0)
    assert Tensor(a).data is a


@pytest.mark.parametrize("bad", [1 + 2j, "3", [object()]])
def test_construction_rejects_non_real(bad):
    with pytest.raises(TypeError):
        Tensor(bad)


def test_repr_and_item():
    assert repr(Tensor([1.5, 2.0])) == "tensor([1.5 2. ])"
    assert repr(Tensor(7.0)) == "tensor(7)"
    assert repr(Tensor([np.nan, 1.0])) == "tensor([nan  1.])"
    assert Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError):
        Tensor([1.0, 2.0]).item()


# ---- every op against central finite differences, broadcasting included ------------------------

SHAPE_PAIRS = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (4,)), ((4, 1, 2), (3, 1))]

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": tt.maximum,
    "minimum": tt.minimum,
    "radd": lambda a, b: 2.5 + a * b,
    "rsub": lambda a, b: 1.5 - a / b,
    "rdiv": lambda a, b: 2.0 / (a + b * b),
    "rpow": lambda a, b: 1.7 ** (a - b),
}


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, size=shape)


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_gradients(name, shapes, rng):
    a, b = (_positive(rng, s) for s in shapes)
    if name in {"maximum", "minimum"}:
        b = b + 0.05 * np.sign(b - 1.25)  # keep clear of exact ties, where the kink is
    assert_grads_match(BINARY[name], [a, b], rng)


UNARY = {
    # name: (function, sampler of a safe domain)
    "neg": (lambda x: -x, lambda r, s: r.standard_normal(s)),
    "exp": (tt.exp, lambda r, s: r.standard_normal(s)),
    "log": (tt.log, lambda r, s: r.uniform(0.2, 3, s)),
    "sqrt": (tt.sqrt, lambda r, s: r.uniform(0.2, 3, s)),
    "abs": (tt.abs, lambda r, s: r.choice([-1, 1], s) * r.uniform(0.1, 2, s)),
    "sin": (tt.sin, lambda r, s: r.uniform(-4, 4, s)),
    "cos": (tt.cos, lambda r, s: r.uniform(-4, 4, s)),
    "tan": (tt.tan, lambda r, s: r.uniform(-1.2, 1.2, s)),
    "asin": (tt.asin, lambda r, s: r.uniform(-0.9, 0.9, s)),
    "acos": (tt.acos, lambda r, s: r.uniform(-0.9, 0.9, s)),
    "atan": (tt.atan, lambda r, s: r.uniform(-3, 3, s)),
    "sinh": (tt.sinh, lambda r, s: r.uniform(-3, 3, s)),
    "cosh": (tt.cosh, lambda r, s: r.uniform(-3, 3, s)),
    "tanh": (tt.tanh, lambda r, s: r.uniform(-3, 3, s)),
    "sigmoid": (tt.sigmoid, lambda r, s: r.uniform(-6, 6, s)),
    "relu": (tt.relu, lambda r, s: r.choice([-1, 1], s) * r.uniform(0.1, 2, s)),
    "softplus": (tt.softplus, lambda r, s: r.uniform(-6, 6, s)),
    "square": (lambda x: x**2, lambda r, s: r.standard_normal(s)),
    "cube": (lambda x: x**3, lambda r, s: r.standard_normal(s)),
    "inverse_square": (lambda x: x**-2, lambda r, s: r.uniform(0.5, 2, s)),
    "power_zero": (lambda x: x**0 * x, lambda r, s: r.standard_normal(s)),
    "half_power": (lambda x: x**0.5, lambda r, s: r.uniform(0.2, 3, s)),
    "fractional_power": (lambda x: x**1.7, lambda r, s: r.uniform(0.2, 3, s)),
    "sum": (lambda x: x.sum(), lambda r, s: r.standard_normal(s)),
    "sum_axis0": (lambda x: tt.sum(x, axis=0), lambda r, s: r.standard_normal(s)),
    "sum_keepdims": (lambda x: x.sum(axis=-1, keepdims=True) * x, lambda r, s: r.standard_normal(s)),
    "mean": (lambda x: x.mean(), lambda r, s: r.standard_normal(s)),
    "mean_axis": (lambda x: tt.mean(x, axis=(0,)) ** 2, lambda r, s: r.standard_normal(s)),
    "reshape": (lambda x: x.reshape(-1) * tt.sin(x.reshape(-1)), lambda r, s: r.standard_normal(s)),
    "transpose": (lambda x: x.T * tt.cos(x.T), lambda r, s: r.standard_normal(s)),
    "expand": (lambda x: x.reshape(2, 1, 3).expand(2, 4, 3) ** 2, lambda r, s: r.standard_normal(s)),
    "where": (lambda x: tt.where(x > 0, x * x, tt.sin(x)), lambda r, s: r.uniform(-2, 2, s)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_gradients(name, rng):
    fn, sample = UNARY[name]
    assert_grads_match(fn, [sample(rng, (2, 3))], rng)


MATMUL_SHAPES = [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (3, 4)),
                 ((5, 1, 2, 3), (4, 3, 2))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradients(shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    assert_grads_match(lambda p, q: (p @ q) * 1.5, [a, b], rng)
    assert_grads_match(lambda p, q: tt.matmul(p, q), [a, b], rng)


def test_rmatmul_with_a_numpy_array_on_the_left(rng):
    w = rng.standard_normal((2, 3))
    x = Tensor(rng.standard_normal(3))
    y = w @ x
    assert isinstance(y, Tensor)
    y.backward()
    np.testing.assert_allclose(x.grad.data, w.sum(axis=0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20, 20), min_size=1, max_size=8), st.sampled_from(sorted(UNARY)))
def test_unary_ops_match_finite_differences_anywhere_smooth(values, name):
    fn, _ = UNARY[name]
    x = np.array(values)
    domain = {"log": (0.05, None), "sqrt": (0.05, None), "asin": (-0.95, 0.95), "acos": (-0.95, 0.95),
              "tan": (-1.4, 1.4), "inverse_square": (0.3, None), "half_power": (0.05, None), "sinh": (-8, 8),
              "fractional_power": (0.05, None), "exp": (None, 8), "cosh": (-8, 8)}
    lo, hi = domain.get(name, (None, None))
    x = np.clip(x, lo, hi)
    if name in {"relu", "abs", "where"}:
        x = np.where(np.abs(x) < 1e-3, 0.5, x)  # off the kink
    if name in {"expand"}:
        x = np.resize(x, 6)
    assert_grads_match(fn, [x], np.random.default_rng(0), rtol=2e-5, atol=1e-6)


# ---- closed forms and higher derivatives ------------------------------------------------------------

XS = np.linspace(-2.0, 2.0, 41)


def _sig(x):
    return 1 / (1 + np.exp(-x))


CLOSED_FORMS = [
    # f, f', f'', f'''
    (lambda x: x**3 + 2 * x, lambda x: 3 * x**2 + 2, lambda x: 6 * x, lambda x: 6 + 0 * x),
    (tt.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)),
    (tt.exp, np.exp, np.exp, np.exp),
    (tt.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
     lambda x: -2 * (1 - np.tanh(x) ** 2) ** 2 + 4 * np.tanh(x) ** 2 * (1 - np.tanh(x) ** 2)),
    (lambda x: tt.sin(x) * tt.exp(-(x**2)),
     lambda x: np.exp(-x * x) * (np.cos(x) - 2 * x * np.sin(x)),
     lambda x: np.exp(-x * x) * ((4 * x * x - 3) * np.sin(x) - 4 * x * np.cos(x)),
     lambda x: np.exp(-x * x) * ((-8 * x**3 + 18 * x) * np.sin(x) + (12 * x * x - 7) * np.cos(x))),
    (tt.sigmoid, lambda x: _sig(x) * (1 - _sig(x)), lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
     lambda x: _sig(x) * (1 - _sig(x)) * (1 - 6 * _sig(x) + 6 * _sig(x) ** 2)),
    (lambda x: tt.log(1 + x**2), lambda x: 2 * x / (1 + x**2), lambda x: (2 - 2 * x**2) / (1 + x**2) ** 2,
     lambda x: (4 * x**3 - 12 * x) / (1 + x**2) ** 3),
    (tt.atan, lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2,
     lambda x: (6 * x * x - 2) / (1 + x * x) ** 3),
    (tt.softplus, _sig, lambda x: _sig(x) * (1 - _sig(x)),
     lambda x: _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x))),
]


@pytest.mark.parametrize("case", range(len(CLOSED_FORMS)))
def test_first_three_derivatives_match_closed_forms(case):
    f, d1, d2, d3 = CLOSED_FORMS[case]
    x = Tensor(XS)
    y = f(x)
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    np.testing.assert_allclose(g1.data, d1(XS), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(g2.data, d2(XS), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(g3.data, d3(XS), rtol=1e-10, atol=1e-11)


def test_backward_with_create_graph_makes_grad_differentiable():
    x = Tensor([0.7])
    y = x**4
    y.backward(create_graph=True)
    first = x.grad
    assert first.item() == pytest.approx(4 * 0.7**3)
    x.grad = None
    first.backward()
    assert x.grad.item() == pytest.approx(12 * 0.7**2)


def test_mixed_partials_of_two_variables():
    x, y = Tensor(1.3), Tensor(-0.4)
    f = x * x * y + tt.sin(x * y)
    fx, fy = grad(f, (x, y), create_graph=True)
    assert fx.item() == pytest.approx(2 * 1.3 * -0.4 + -0.4 * math.cos(1.3 * -0.4))
    assert fy.item() == pytest.approx(1.3**2 + 1.3 * math.cos(1.3 * -0.4))
    (fxy,) = grad(fx, y)
    (fyx,) = grad(fy, x)
    want = 2 * 1.3 + math.cos(-0.52) - 1.3 * -0.4 * math.sin(-0.52)
    assert fxy.item() == pytest.approx(want, rel=1e-14)
    assert fyx.item() == pytest.approx(want, rel=1e-14)


def test_grad_leaves_dot_grad_untouched_and_gives_zeros_for_unused_inputs():
    x, unused = Tensor([2.0]), Tensor([5.0, 6.0])
    y = x * x
    gx, gu = grad(y, [x, unused])
    assert x.grad is None and y.grad is None
    assert gx.item() == 4.0
    np.testing.assert_array_equal(gu.data, [0.0, 0.0])


def test_grad_with_grad_outputs_and_several_outputs():
    x = Tensor([1.0, 2.0])
    a, b = x * 3, x * x
    (g,) = grad([a, b], x, grad_outputs=[Tensor([1.0, 0.0]), Tensor([0.0, 1.0])])
    np.testing.assert_array_equal(g.data, [3.0, 4.0])


@pytest.mark.parametrize("upstream", [np.array([2.0, -1.0]), [np.array([2.0, -1.0])], (Tensor([2.0, -1.0]),),
                                      Tensor([2.0, -1.0]), 3.0, 3, np.float64(3.0), Tensor(3.0)],
                         ids=["array", "list", "tuple", "tensor", "float", "int", "numpy number", "one-number tensor"])
def test_grad_takes_a_single_grad_output_for_a_single_output(upstream):
    x = Tensor([1.0, 2.0])
    y = x * x  # dy/dx = 2x = [2, 4]
    one = upstream[0] if isinstance(upstream, (list, tuple)) else upstream
    want = np.array([2.0, 4.0]) * (one.data if isinstance(one, Tensor) else one)
    for create_graph in (False, True):
        (g,) = grad(y, x, grad_outputs=upstream, create_graph=create_graph)
        np.testing.assert_array_equal(g.data, want)
    y.backward(one)  # backward(grad) takes the same
    np.testing.assert_array_equal(x.grad.data, want)


def test_grad_outputs_must_match_the_outputs():
    x = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="1 for 2 outputs"):
        grad([x * 2, x * 3], x, grad_outputs=np.ones(2))
    with pytest.raises(ValueError, match="3 for 1 outputs"):
        grad(x * 2, x, grad_outputs=[1.0, 2.0, 3.0])


def test_grad_with_respect_to_an_intermediate():
    x = Tensor([3.0])
    h = x * x
    y = tt.sin(h)
    (gh,) = grad(y, h)
    assert gh.item() == pytest.approx(math.cos(9.0))


# ---- accumulation and graph shape ---------------------------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    x = Tensor([1.5])
    y = x * x
    y.backward()
    y.backward()
    assert x.grad.item() == 6.0
    assert y.grad.item() == 2.0  # intermediates too
    x.zero_grad()
    y.backward(Tensor([0.5]))
    assert x.grad.item() == 1.5


def test_reused_input_has_one_edge_per_use_and_sums_contributions():
    x = Tensor([1.2])
    sq = x * x
    assert sq.inputs == (x, x)
    assert sq.op == "Mul"
    y = sq * x + x
    y.backward()
    assert x.grad.item() == pytest.approx(5.32, rel=1e-15)
    assert sq.grad.item() == pytest.approx(1.2)


def test_every_node_gets_a_gradient_and_the_graph_is_kept():
    x = Tensor([0.5])
    h = tt.exp(x)
    y = h * 3.0
    y.backward()
    assert y.grad.item() == 1.0
    assert h.grad.item() == 3.0
    assert y.op == "Mul" and h.op == "Exp"
    y.backward()  # still there
    assert x.grad.item() == pytest.approx(6 * math.exp(0.5))


def test_gradient_shapes_follow_inputs_under_broadcasting():
    w = Tensor(np.ones((1, 3)))
    b = Tensor(2.0)
    x = Tensor(np.arange(6.0).reshape(2, 3))
    (x * w + b).backward()
    assert w.grad.shape == (1, 3) and b.grad.shape == ()
    np.testing.assert_array_equal(w.grad.data, [[3.0, 5.0, 7.0]])
    assert b.grad.item() == 6.0


def test_constants_from_python_numbers_need_no_gradient():
    x = Tensor([2.0])
    y = 3.0 * x + 1.0
    two = y.inputs[0].inputs[0]
    assert not two.requires_grad
    y.backward()
    assert two.grad is None
    assert x.grad.item() == 3.0


def test_topological_order_lists_every_node_once_inputs_first():
    x = Tensor([1.0], label="x")
    c = Tensor.constant(2.0, label="2")
    a = x * x
    y = a * c + tt.sin(a)
    order = tt.topological_order(y)
    assert order[-1] is y
    assert len(order) == len({id(n) for n in order}) == 6
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for inp in node.inputs:
            assert position[id(inp)] < position[id(node)]
    assert [n.op for n in order if n.op] == ["Mul", "Mul", "Sin", "Add"]
    assert x.label == "x" and x.op is None and x.is_leaf


def _recursive_order(*roots):
    """The seed's recursive depth-first order (inputs in order), the reference for the engine's."""
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for child in node.inputs:
                visit(child)
            order.append(node)

    for root in roots:
        visit(root)
    return order


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1,
                max_size=25), st.integers(1, 3))
def test_topological_order_is_the_seeds_recursive_order_without_recursion(steps, roots):
    nodes = [Tensor([1.0]), Tensor.constant(2.0), Tensor([3.0])]
    for kind, i, j in steps:  # each op takes earlier nodes, so shared inputs and repeats abound
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a * b if kind == 0 else a + b if kind == 1 else tt.sin(a))
    picked = nodes[-roots:]
    assert [id(n) for n in tt.topological_order(*picked)] == [id(n) for n in _recursive_order(*picked)]


def test_100k_op_chain_has_no_recursion_error():
    x = Tensor([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 1.0
    limit = sys.getrecursionlimit()
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad.item() == 1.0
    assert y.item() == 100_001.0
    del y  # freeing a deep chain must not overflow the C stack either


def _doubling(depth):
    x = Tensor([1.0])
    a = x
    for _ in range(depth):
        a = a + a
    return x, a


def test_2_to_the_60_paths_are_each_visited_once():
    # Per path, the seed's recursion would make 2**60 calls and never finish.
    x, a = _doubling(60)
    a.backward()
    assert x.grad.item() == 2.0**60
    assert a.item() == 2.0**60


def test_work_grows_linearly_with_depth():
    # Count the rule calls rather than timing them: 2**n paths but n ops.
    calls = []
    original = tt.ops.Add.backward

    def counting(ctx, g, a, b, out):
        calls.append(1)
        return original(ctx, g, a, b, out)

    tt.ops.Add.backward = staticmethod(counting)
    try:
        for depth in (10, 40):
            calls.clear()
            _doubling(depth)[1].backward()
            assert len(calls) == depth
    finally:
        tt.ops.Add.backward = staticmethod(original)


# ---- grad mode ------------------------------------------------------------------------------------


def test_no_grad_builds_no_graph_and_works_as_decorator():
    x = Tensor([1.0])
    with no_grad():
        y = x * 2
        assert not tt.is_grad_enabled()
        with tt.enable_grad():
            z = x * 2
    assert tt.is_grad_enabled()
    assert y._ctx is None and not y.requires_grad
    assert z.op == "Mul"

    @no_grad()
    def double(t):
        return t * 2

    assert double(x).is_leaf
    assert (x * 2).op == "Mul"


def test_no_grad_in_one_thread_does_not_affect_another():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            done.wait(5)
            seen["quiet"] = (Tensor([1.0]) * 2).is_leaf

    def busy():
        inside.wait(5)
        seen["enabled"] = tt.is_grad_enabled()
        seen["busy"] = (Tensor([1.0]) * 2).op
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"quiet": True, "enabled": True, "busy": "Mul"}


# ---- the textbook rules next to the fast ones ----------------------------------------------------

RULED = [op for op in vars(ops).values() if isinstance(op, type) and vars(op).get("rule") is not None]


def _context(op, needs_grad):
    ctx = Context()
    ctx.op, ctx.args, ctx.needs_grad = op, (), needs_grad
    return ctx


def test_the_ops_with_speed_ups_in_backward_have_a_textbook_rule():
    assert {op.__name__ for op in RULED} == {"Sub", "Mul", "Div", "Pow", "MatMul", "Maximum", "Minimum"}


@pytest.mark.parametrize("op", RULED, ids=lambda op: op.__name__)
def test_each_textbook_rule_agrees_with_the_fast_backward(op, rng):
    shapes = [((3, 4), (4, 2)), ((1, 1), (1, 5))] if op is ops.MatMul else SHAPE_PAIRS
    exponents = (None, 2.0, 3.0, 0.5, -1.0) if op is ops.Pow else (None,)  # Pow's shortcuts
    for a_shape, b_shape in shapes:
        for exponent in exponents:
            a, b = _positive(rng, a_shape), _positive(rng, b_shape)
            if exponent is not None:
                b = np.full(b_shape, exponent)
            out = op.forward(a, b)
            g = rng.standard_normal(out.shape)
            for needs_grad in ((True, True), (True, False), (False, True)):
                fast = op.backward(_context(op, needs_grad), g, a, b, out)
                plain = op.rule(g, a, b, out)
                for need, f, p in zip(needs_grad, fast, plain):
                    if need:  # (what backward gives for an input that needs nothing is never used)
                        np.testing.assert_allclose(f, np.broadcast_to(p, np.shape(f)), rtol=1e-14, atol=1e-15)


HIGHER = {
    ops.Sub: lambda x: tt.sin(x) - x * x, ops.Mul: lambda x: tt.sin(x) * x * x, ops.Div: lambda x: tt.sin(x) / x,
    ops.Pow: lambda x: x**3 + x**x + 2.0**x, ops.Maximum: lambda x: tt.maximum(x * x, tt.sin(x)),
    ops.Minimum: lambda x: tt.minimum(x * x, tt.sin(x)),
}


@pytest.mark.parametrize("op", [op for op in RULED if op is not ops.MatMul], ids=lambda op: op.__name__)
def test_each_textbook_rule_gives_the_fast_ones_higher_derivatives(op, monkeypatch):
    """Differentiated again and again (create_graph), the textbook rule gives what backward gives."""
    x = Tensor(np.array([0.3, 0.7, 1.9]))
    fast = [d.data for d in derivatives(HIGHER[op], x, 3)]
    monkeypatch.setattr(op, "backward", staticmethod(lambda ctx, g, *inputs_and_out: op.rule(g, *inputs_and_out)))
    plain = [d.data for d in derivatives(HIGHER[op], x, 3)]
    for d_fast, d_plain in zip(fast, plain):
        np.testing.assert_allclose(d_plain, d_fast, rtol=1e-10)  # (the orders of rounding differ)


# ---- numerics --------------------------------------------------------------------------------------


def test_ieee_results_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor([-1.0, 0.0, 1.0])
        logs = tt.log(x)
        inv = 1.0 / x
        big = tt.exp(Tensor([1000.0]))
        (logs.sum() + inv.sum()).backward()
        root = tt.sqrt(Tensor([-2.0, 0.0]))
        root.backward()
        cube_root_of_negative = Tensor([-8.0]) ** (1 / 3)
    assert np.isnan(logs.data[0]) and logs.data[1] == -np.inf
    assert inv.data[1] == np.inf
    assert big.item() == np.inf
    assert np.isnan(cube_root_of_negative.item())
    # 1/x + -1/x² at -1, 0 and 1: at 0 it is inf - inf.
    np.testing.assert_array_equal(x.grad.data, [-2.0, np.nan, 0.0])
    np.testing.assert_array_equal(root.data, [np.nan, 0.0])


def test_huge_powers_overflow_to_inf_in_float64():
    nine = Tensor.constant(9.0)
    result = nine ** (nine**nine)  # 9**387420489: a float64 inf, never a Python big integer
    assert result.item() == np.inf and result.data.dtype == np.float64
    assert (Tensor(10.0) ** 10000.0).item() == np.inf


def test_small_integer_powers_match_numpy(rng):
    x = rng.standard_normal(1000) * 3
    for n in range(-6, 17):
        got = (Tensor(x) ** n).data
        np.testing.assert_allclose(got, np.power(x, float(n)), rtol=4e-15 * max(abs(n), 1))
    out = Tensor(x) ** 1
    assert out.data is not x  # results never share memory with their inputs


def test_stable_sigmoid_and_softplus_for_large_magnitudes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0])
        s = tt.sigmoid(x)
        sp = tt.softplus(x)
        (s.sum() + sp.sum()).backward()
    np.testing.assert_allclose(s.data[1], math.exp(-40) / (1 + math.exp(-40)), rtol=1e-15)
    assert s.data[0] == 0.0 and s.data[2] == 0.5 and s.data[4] == 1.0
    np.testing.assert_allclose(sp.data, [0.0, math.log1p(math.exp(-40)), math.log(2), 40.0, 1000.0],
                               rtol=1e-15)
    assert np.all(np.isfinite(x.grad.data))


def test_kinks_follow_pytorch():
    x = Tensor([0.0])
    tt.relu(x).backward()
    assert x.grad.item() == 0.0  # relu'(0) = 0
    x.zero_grad()
    tt.abs(x).backward()
    assert x.grad.item() == 0.0  # abs'(0) = 0
    a, b = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 1.0, 4.0])
    tt.maximum(a, b).backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])  # a tie splits in half
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0, 1.0])
    a.zero_grad(), b.zero_grad()
    tt.minimum(a, b).backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


@pytest.mark.parametrize("make", [lambda v: Tensor([v]), lambda v: Tensor(np.array([v, 1.0]))], ids=["one", "vector"])
def test_conventions_at_nan_and_minus_zero(make):
    """The choices noted next to Relu and Abs in ops.py: PyTorch's, but relu(-0.0) = +0.0."""
    def first(t):
        return t.data.flat[0]

    x = make(np.nan)
    (g,) = grad(tt.relu(x), x)
    assert first(g) == 1.0  # as PyTorch: only x <= 0 stops the gradient
    (g,) = grad(tt.abs(x), x)
    assert first(g) == 0.0  # as PyTorch: sign(nan) counts as 0
    x = make(-0.0)
    y = tt.relu(x)
    assert first(y) == 0.0 and not np.signbit(first(y))  # relu is never negative, not even -0
    assert first(7.0 / y) == np.inf  # PyTorch gives -inf
    (g,) = grad(y, x)
    assert first(g) == 0.0
    for v, slope in [(-2.0, -1.0), (0.0, 0.0), (-0.0, 0.0), (3.0, 1.0), (np.inf, 1.0), (-np.inf, -1.0)]:
        x = make(v)
        (g,) = grad(tt.abs(x), x)
        assert first(g) == slope, v


def test_relu_masks_an_infinite_upstream_gradient_instead_of_making_nan():
    x = Tensor([-1.0, 4.0])
    tt.sqrt(tt.relu(x)).backward()  # sqrt'(0) = inf upstream of relu's flat side
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.25])


def test_power_edges_follow_pytorch():
    x = Tensor([0.0, 2.0])
    (x**0).backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])  # not 0 * 0**-1 = nan
    base, e = Tensor([0.0, 2.0]), Tensor([2.0, 3.0])
    (base**e).backward()
    np.testing.assert_array_equal(e.grad.data, [0.0, 8.0 * math.log(2.0)])  # 0**b for b >= 0: 0
    np.testing.assert_array_equal(base.grad.data, [0.0, 12.0])


def derivatives(f, x: Tensor, order: int) -> list[Tensor]:
    """f(x), f'(x), ... up to `order`, each by differentiating the last (create_graph)."""
    out = [f(x)]
    for _ in range(order):
        out.append(grad(out[-1], x, create_graph=True)[0])
    return out


def truth(f, x: float, order: int) -> float:
    """The order-th derivative of f at x by mpmath, at 30 digits."""
    with mpmath.workdps(30):
        return float(mpmath.diff(f, mpmath.mpf(x), order))


@pytest.mark.parametrize(("f", "f_mp", "x0", "order"), [
    (lambda x: x**x, lambda x: x**x, 2.0, 2),  # 13.46699..., not 10.69 (the x**2 shortcut dropped a term)
    (lambda x: x ** (x + x), lambda x: x ** (2 * x), 1.0, 3),  # 18, not 10
    (lambda x: x ** (x - 1), lambda x: x ** (x - 1), 1.0, 2),  # exponent 0 at the point: 2, not 1
    (lambda x: 2.0**x * x**3.5, lambda x: 2**x * x**3.5, 1.3, 3),
    (lambda x: tt.sin(x) ** tt.cos(x), lambda x: mpmath.sin(x) ** mpmath.cos(x), 0.7, 3),
])
def test_an_exponent_that_depends_on_x_gives_exact_higher_derivatives(f, f_mp, x0, order):
    for x in (Tensor(x0), Tensor(np.array([x0, x0]))):  # one number and a vector: the same
        got = derivatives(f, x, order)[-1].data
        np.testing.assert_allclose(got, truth(f_mp, x0, order), rtol=1e-13)


def test_a_mixed_partial_through_a_differentiable_exponent_keeps_the_log_term():
    x, p = Tensor([2.0, 3.0]), Tensor(2.0)
    (gx,) = grad((x**p).sum(), x, create_graph=True)  # p·x^(p-1)
    (gxp,) = grad(gx.sum(), p)  # sum of x^(p-1)·(1 + p·log x)
    assert gxp.item() == pytest.approx(2 * (1 + 2 * math.log(2)) + 3 * (1 + 2 * math.log(3)), rel=1e-15)
    assert gxp.item() == pytest.approx(14.36426245424844, rel=1e-15)


@pytest.mark.parametrize(("f", "order"), [
    (lambda x: x**0, 2),  # 0, not nan: the rule built 0·x^-1, whose derivative is 0·inf at 0
    (lambda x: x**1, 3),
    (lambda x: x**2, 3),
    (lambda x: x**3, 4),
    (lambda x: (x - 1.0) ** 0 + x**1 * 0.5, 3),
    (lambda x: x ** Tensor.constant([0.0, 1.0, 2.0]), 3),  # one constant exponent per element
    (lambda x: 0.0**x, 3),  # 0^x = 0 for x > 0: d/db masked at base 0 without taking log(0)
])
def test_a_constant_exponent_builds_no_nan_into_higher_derivatives(f, order):
    for v in (0.0, 1.0, 1.5):
        for d in derivatives(f, Tensor([v]), order)[1:]:
            assert np.all(np.isfinite(d.data)), (v, d)


def test_constant_powers_at_zero_have_their_textbook_derivatives():
    x = Tensor([0.0])
    assert [d.item() for d in derivatives(lambda x: x**0, x, 3)] == [1.0, 0.0, 0.0, 0.0]
    assert [d.item() for d in derivatives(lambda x: x**1, x, 3)] == [0.0, 1.0, 0.0, 0.0]
    assert [d.item() for d in derivatives(lambda x: x**3, x, 4)] == [0.0, 0.0, 0.0, 6.0, 0.0]
    assert [d.item() for d in derivatives(lambda x: 0.0**x, Tensor([1.5]), 3)] == [0.0, 0.0, 0.0, 0.0]


def test_a_half_power_is_ieee_pow_at_minus_zero_and_minus_infinity():
    for x in (Tensor(-np.inf), Tensor([-np.inf]), Tensor(np.array([-np.inf, 4.0]))):
        assert (x**0.5).data.flat[0] == np.inf  # IEEE pow; sqrt would give nan
    for x in (Tensor(-0.0), Tensor(np.array([-0.0, 4.0]))):
        zero = (x**0.5).data.flat[0]
        assert zero == 0.0 and not np.signbit(zero)  # pow(-0, 0.5) is +0; sqrt(-0) is -0
    assert math.pow(-math.inf, 0.5) == math.inf and math.copysign(1, math.pow(-0.0, 0.5)) == 1


def test_comparisons_are_constant_masks():
    x = Tensor([-1.0, 0.0, 2.0])
    mask = x > 0
    assert not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [0.0, 0.0, 1.0])
    np.testing.assert_array_equal((x <= 0).data, [1.0, 1.0, 0.0])

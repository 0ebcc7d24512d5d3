"""One-number tensors held as Python floats (the scalar fast path in `Function.apply`).

The fast path must be invisible: every op gives the same bits, forward and backward, as the
numpy path on the same numbers, IEEE edge cases included; `.data` is still a float64 ndarray
of the right shape; and no warning or exception escapes. More than that, every result is
elementwise: one x alone gives the bits that the same x gives inside a vector of many (f, f'
and f'' of generated formulas, ** with exponents that depend on x included).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_expr import expressions, generated

import tinytorch as tt
from tinytorch import Tensor, grad, ops
from tinytorch.expr import parse
from tinytorch.tensor import _binary, _unary

FLOAT_OPS = sorted((op for op in vars(ops).values()
                    if isinstance(op, type) and issubclass(op, tt.Function) and op.on_floats),
                   key=lambda op: op.__name__)
UNARY = [op for op in FLOAT_OPS if op.forward.__code__.co_argcount == 1]
BINARY = [op for op in FLOAT_OPS if op.forward.__code__.co_argcount == 2]

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, -17.0, 1e-310, 1e308, -1e308, np.inf, -np.inf, np.nan]


def run(op, values, make):
    """The op's output and its inputs' gradients (with upstream 1), inputs built by `make`,
    through the operators' way in (`x * y`, `x.sin()`), which has the fast path."""
    inputs = [make(v) for v in values]
    out = (_unary if len(inputs) == 1 else _binary)(op, *inputs)
    grads = grad(out, inputs)
    return out, grads


def as_float(v):
    return Tensor([v])


def as_array(v):
    return Tensor(np.array([v]))


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values, nan where nan, and the same sign of zero (a nan's sign means nothing)."""
    numbers = ~np.isnan(a)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True) \
        and np.array_equal(np.signbit(a[numbers]), np.signbit(b[numbers]))


def test_operators_and_functions_take_the_fast_path():
    x, y = Tensor(0.5), Tensor([2.0])
    for out in [x + y, x - 1, 2 * x, x / y, 1 / x, -x, abs(x), tt.sin(x), x.exp(), tt.maximum(x, y),
                tt.minimum(1.0, x), tt.sigmoid(x), tt.relu(-x)]:
        assert type(out._data) is float and out._ctx is not None


def test_the_ops_that_run_on_floats_are_the_elementwise_ones():
    names = {op.__name__ for op in FLOAT_OPS}
    assert {"Add", "Sub", "Mul", "Div", "Neg", "Pow", "Sin", "Exp", "Log", "Maximum"} <= names
    assert not names & {"MatMul", "Sum", "Mean", "Reshape", "Expand", "Transpose", "Where"}
    assert len(UNARY) + len(BINARY) == len(FLOAT_OPS)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.__name__)
def test_unary_ops_give_the_numpy_paths_bits_forward_and_backward(op):
    assert Tensor([0.5])._data == 0.5  # the fast path's representation: a Python float
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in SPECIAL:
            fast_out, fast_grads = run(op, [v], as_float)
            slow_out, slow_grads = run(op, [v], as_array)
            assert type(fast_out._data) is float and type(slow_out._data) is np.ndarray
            assert same_bits(fast_out.data, slow_out.data), (op.__name__, v, fast_out, slow_out)
            for f, s in zip(fast_grads, slow_grads):
                assert same_bits(f.data, s.data), (op.__name__, v, f, s)


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
def test_binary_ops_give_the_numpy_paths_bits_forward_and_backward(op):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for a, b in itertools.product(SPECIAL, repeat=2):
            fast_out, fast_grads = run(op, [a, b], as_float)
            slow_out, slow_grads = run(op, [a, b], as_array)
            assert type(fast_out._data) is float
            assert same_bits(fast_out.data, slow_out.data), (op.__name__, a, b)
            for f, s in zip(fast_grads, slow_grads):
                assert same_bits(f.data, s.data), (op.__name__, a, b, f, s)


def test_division_by_zero_is_ieee_not_an_exception():
    x = Tensor([1.0])
    y = x / 0.0
    assert y.item() == np.inf
    y.backward()
    assert x.grad.item() == np.inf
    z = Tensor(0.0)
    (g,) = grad(tt.log(z) + tt.sqrt(z), z)
    assert g.item() == np.inf
    assert np.isnan((Tensor(0.0) / 0.0).item())


def test_data_is_a_float64_array_of_the_tensors_shape():
    for t, shape in [(Tensor(2.0), ()), (Tensor(3), ()), (Tensor([8]), (1,)), (Tensor([2.5]) * 2, (1,)),
                     (Tensor(2.0) + Tensor([1.0]), (1,)), (Tensor([1.0]) + Tensor(2.0), (1,))]:
        assert type(t._data) is float
        assert t.shape == shape and t.ndim == len(shape) and t.size == 1
        assert isinstance(t.data, np.ndarray) and t.data.dtype == np.float64 and t.data.shape == shape
        assert t.data is t.data  # made once, then kept


def test_asking_about_a_one_number_tensor_keeps_it_on_the_fast_path():
    t = Tensor([2.5])
    assert (t.shape, t.ndim, t.size, t.dtype, t.item(), t.requires_grad) == ((1,), 1, 1, np.float64, 2.5, True)
    assert type(t._data) is float and type((t * 2)._data) is float


def test_micrograd_style_updates_through_data_work():
    w = Tensor([0.5])
    for _ in range(3):  # minimise w**2 by hand: w <- w - 0.25 * 2w, so w halves each step
        w.grad = None
        (w * w).backward()
        w.data -= 0.25 * w.grad.data
    assert w.data.tolist() == [0.0625] and (w * 2).item() == 0.125


def test_a_graph_built_on_floats_back_propagates_after_its_data_was_read():
    x = Tensor([0.7])
    y = tt.sin(x) * x + x**3
    for node in tt.topological_order(y):
        node.data  # noqa: B018  (what the graph view does: every node becomes an array)
    y.backward()
    want = np.cos(0.7) * 0.7 + np.sin(0.7) + 3 * 0.7**2
    assert x.grad.item() == pytest.approx(want, rel=1e-15)


def test_data_can_be_replaced():
    t = Tensor([2.0])
    t.data = np.array([5.0, 6.0])
    assert t.shape == (2,) and (t * 2).data.tolist() == [10.0, 12.0]


def test_gradients_take_the_shape_of_their_tensor():
    x, c = Tensor([3.0]), Tensor(2.0)
    y = x * c + c
    y.backward()
    assert x.grad.shape == (1,) and x.grad.data.tolist() == [2.0]
    assert c.grad.shape == () and c.grad.item() == 4.0
    (gx,) = grad(y, x)
    assert gx.shape == (1,) and gx.data.tolist() == [2.0]


def test_a_one_number_tensor_mixes_with_arrays_and_sums_its_gradient_back():
    w = Tensor([0.5])
    xs = Tensor(np.array([1.0, 2.0, 3.0]))
    y = (w * xs).sum()
    y.backward()
    assert w.grad.shape == (1,) and w.grad.item() == 6.0
    assert xs.grad.data.tolist() == [0.5, 0.5, 0.5]


def test_float_path_and_array_path_agree_through_a_formula_and_its_second_derivative():
    f = lambda x: tt.sin(x) * tt.exp(-(x * x)) + tt.tanh(x) / (1.0 + x * x) - tt.softplus(-x)  # noqa: E731
    for v in [-2.0, -0.3, 0.0, 0.7, 4.0]:
        results = []
        for make in (as_float, as_array):
            x = make(v)
            (d1,) = grad(f(x), x, create_graph=True)
            (d2,) = grad(d1, x)
            results.append((f(x).data, d1.data, d2.data))
        for fast, slow in zip(*results):
            assert same_bits(fast, slow)


def test_repr_and_conversions_follow_the_seed():
    assert repr(Tensor([8]) + Tensor([5])) == "tensor([13])"
    assert repr(Tensor(2.5) * 2) == "tensor(5)" and repr(Tensor([0.25]) * 2) == "tensor([0.5])"
    assert float(Tensor(2.5)) == 2.5 and Tensor([4]).item() == 4.0
    assert len(Tensor([1.0])) == 1


def test_a_power_with_a_longer_exponent_shape_matches_the_array_path():
    for base, exponent in [(1.1, 3.0), (0.7, -5.0), (2.0, 0.5), (3.3, 2.2)]:
        fast = Tensor(base) ** Tensor([exponent])
        slow = Tensor(np.array(base)) ** Tensor(np.array([exponent]))
        assert type(fast._data) is float and fast.shape == slow.shape == (1,)
        assert same_bits(fast.data, slow.data), (base, exponent)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_any_formula_gives_the_same_bits_on_floats_as_on_arrays(drawn):
    text, _ = generated(drawn)
    expr = parse(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in (-1.1291, 0.2917, 2.6459):
            results = []
            for make in (as_float, as_array):
                x = make(v)
                y = expr(x=x)
                (d1,) = grad(y, x, create_graph=True)
                (d2,) = grad(d1, x)
                results.append((y.data, d1.data, d2.data))
            for fast, slow in zip(*results):
                assert same_bits(fast, slow), (text, v, fast, slow)


VECTOR = np.array([-1.1291, 0.2917, 2.6459, 2.0, 0.5, -3.0])  # whole and half values hit **'s shortcuts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions())
def test_any_formula_gives_the_same_bits_at_one_x_as_inside_a_vector(drawn):
    """Each element of a vectorised result is what that x alone gives: f, f' and f'', bit for bit
    (the curves and the graph view of one page then never disagree, not even in the last digit)."""
    text, _ = generated(drawn)
    expr = parse(text)

    def f_d1_d2(x):
        y = expr(x=x)
        (d1,) = grad(y, x, create_graph=True)
        (d2,) = grad(d1, x)
        return [np.broadcast_to(t.data, x.shape) for t in (y, d1, d2)]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        together = f_d1_d2(Tensor(VECTOR.copy()))
        for i, v in enumerate(VECTOR):
            for make in (as_float, as_array):
                alone = f_d1_d2(make(v))
                for k, (one, many) in enumerate(zip(alone, together)):
                    assert same_bits(one, many[i:i + 1]), (text, v, ["f", "f'", "f''"][k], one, many[i])

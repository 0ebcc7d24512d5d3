"""The public functions: `tinytorch.sin(x)`, `tinytorch.sum(x, axis=0)`, ...

Each takes Tensors or plain numbers and always returns a Tensor. They are attached to
Tensor as methods too, so `x.sin()` is `tinytorch.sin(x)`.
"""

from __future__ import annotations

from . import ops
from .tensor import Tensor, _binary, _unary


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor.constant(x)


def _elementwise(op: type[ops.Function]):
    def function(x) -> Tensor:
        return _unary(op, x)

    function.__name__ = function.__qualname__ = op.__name__.lower()
    function.__doc__ = op.__doc__
    return function


exp, log, sqrt, abs, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, relu, softplus = map(
    _elementwise,
    (ops.Exp, ops.Log, ops.Sqrt, ops.Abs, ops.Sin, ops.Cos, ops.Tan, ops.Asin, ops.Acos, ops.Atan,
     ops.Sinh, ops.Cosh, ops.Tanh, ops.Sigmoid, ops.Relu, ops.Softplus))


def maximum(a, b) -> Tensor:
    """Elementwise max(a, b). The gradient goes to the larger; a tie splits it in half."""
    return _binary(ops.Maximum, a, b)


def minimum(a, b) -> Tensor:
    """Elementwise min(a, b). The gradient goes to the smaller; a tie splits it in half."""
    return _binary(ops.Minimum, a, b)


def where(cond, a, b) -> Tensor:
    """a where `cond` is true (nonzero), else b. `cond` is a mask and gets no gradient."""
    mask = cond.data if isinstance(cond, Tensor) else cond
    return ops.Where.apply(Tensor.constant(mask), a, b)


def _axis(axis):
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


def sum(x, axis=None, keepdims: bool = False) -> Tensor:
    """Sum over `axis` (an int, a tuple, or None for all)."""
    return ops.Sum.apply(_tensor(x), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    """Mean over `axis` (an int, a tuple, or None for all)."""
    return ops.Mean.apply(_tensor(x), axis=_axis(axis), keepdims=keepdims)


def matmul(a, b) -> Tensor:
    """a @ b, with numpy's rules for vectors and batches."""
    return ops.MatMul.apply(_tensor(a), b)


def reshape(x, shape) -> Tensor:
    return _tensor(x).reshape(shape)


def transpose(x, axes=None) -> Tensor:
    return _tensor(x).transpose(axes or ())


for _f in (exp, log, sqrt, abs, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, sigmoid, relu,
           softplus, maximum, minimum, sum, mean, matmul):
    setattr(Tensor, _f.__name__, _f)
del _f

__all__ = ["exp", "log", "sqrt", "abs", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
           "sigmoid", "relu", "softplus", "maximum", "minimum", "where", "sum", "mean", "matmul", "reshape",
           "transpose"]

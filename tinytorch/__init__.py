"""tinytorch: a small reverse-mode autograd engine on numpy.

    >>> from tinytorch import Tensor
    >>> x = Tensor([1.2])
    >>> y = x * x * x + x
    >>> y.backward()
    >>> x.grad
    tensor([5.32])
"""

from .functional import (
                         abs,
                         acos,
                         asin,
                         atan,
                         cos,
                         cosh,
                         exp,
                         log,
                         matmul,
                         maximum,
                         mean,
                         minimum,
                         relu,
                         reshape,
                         sigmoid,
                         sin,
                         sinh,
                         softplus,
                         sqrt,
                         sum,
                         tan,
                         tanh,
                         transpose,
                         where,
)
from .ops import Function
from .tensor import Context, Tensor, enable_grad, grad, is_grad_enabled, no_grad, topological_order

__all__ = [
    "Tensor", "Function", "Context", "grad", "no_grad", "enable_grad", "is_grad_enabled",
    "topological_order",
    "exp", "log", "sqrt", "abs", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "sigmoid", "relu", "softplus", "maximum", "minimum", "where", "sum", "mean",
    "matmul", "reshape", "transpose",
]

"""tinytorch: a small reverse-mode autograd engine on numpy.

    >>> from tinytorch import Tensor
    >>> x = Tensor([1.2])
    >>> y = x * x * x + x
    >>> y.backward()
    >>> x.grad
    tensor([5.32])

`Tensor` and backward live in `tensor.py`, the ops (forward and backward side by side) in
`ops.py`, the functions below in `functional.py`, the step-by-step recording of a backward
pass in `trace.py`, a tiny network in `nn.py`, and the safe expression language in `expr.py`
(imported on its own). Only numpy is needed. The app's pictures, curves and figures are built
from this engine in a separate package, `lessons`, which this one never imports.
"""

from .functional import *  # noqa: F403  (exp, log, ..., sum, mean: see functional.__all__)
from .functional import __all__ as _functions
from .ops import Function
from .tensor import Context, Tensor, enable_grad, grad, is_grad_enabled, no_grad, topological_order
from .trace import trace_backward

__all__ = ["Tensor", "Function", "Context", "grad", "no_grad", "enable_grad", "is_grad_enabled",
           "topological_order", "trace_backward", *_functions]

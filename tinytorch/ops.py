"""Every op of tinytorch: one class each, forward and backward side by side.

forward(*arrays, **options) computes the value from numpy arrays.
backward(ctx, g, *inputs, out) gets `g`, the gradient of the loss with respect to `out`, and
returns the gradient with respect to each input: g times the local derivative (the chain
rule). It returns None for an input that needs no gradient (`ctx.needs_grad`).

Each op also states its rule as `latex`, for the app's pages. Where backward carries speed-ups
(gradients nobody needs are skipped, x**2 is 2x) or masks at the edges, a plain `rule(g, *inputs,
out)` next to it is the textbook version, the one to read first; the tests check that the two agree.

A plain backward passes numpy arrays to the rules; `create_graph=True` passes Tensors. The
rules are written once for both, with operators and the lowercase op functions at the bottom
of this file (`cos(x)`, `where(...)`): on arrays those are numpy, on Tensors they record ops.

Derivatives at kinks, edges, nan and -0 follow PyTorch, except relu(-0.0) (see Relu); each
choice is noted next to its op.
"""

from __future__ import annotations

import numpy as np

from .tensor import Function, Tensor

# ---- arithmetic -----------------------------------------------------------------------------


class Add(Function):
    """a + b;  d/da = 1, d/db = 1"""

    latex = r"\frac{\partial (a+b)}{\partial a} = 1 \qquad \frac{\partial (a+b)}{\partial b} = 1"
    on_floats = "python"

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(ctx, g, a, b, out):
        return g, g


class Sub(Function):
    """a - b;  d/da = 1, d/db = -1"""

    latex = r"\frac{\partial (a-b)}{\partial a} = 1 \qquad \frac{\partial (a-b)}{\partial b} = -1"
    on_floats = "python"

    @staticmethod
    def forward(a, b):
        return a - b

    @staticmethod
    def rule(g, a, b, out):
        return g, -g

    @staticmethod
    def backward(ctx, g, a, b, out):
        return g, (-g if ctx.needs_grad[1] else None)


class Neg(Function):
    """-a;  d/da = -1"""

    latex = r"\frac{d\,(-a)}{da} = -1"
    on_floats = "python"

    @staticmethod
    def forward(a):
        return -a

    @staticmethod
    def backward(ctx, g, a, out):
        return -g


class Mul(Function):
    """a * b;  d/da = b, d/db = a"""

    latex = r"\frac{\partial (ab)}{\partial a} = b \qquad \frac{\partial (ab)}{\partial b} = a"
    on_floats = "python"

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def rule(g, a, b, out):
        return g * b, g * a

    @staticmethod
    def backward(ctx, g, a, b, out):
        da, db = ctx.needs_grad
        return (g * b if da else None), (g * a if db else None)


class Div(Function):
    """a / b;  d/da = 1/b, d/db = -a/b² = -out/b"""

    latex = (r"\frac{\partial}{\partial a}\frac{a}{b} = \frac{1}{b} \qquad "
             r"\frac{\partial}{\partial b}\frac{a}{b} = -\frac{a}{b^2}")
    on_floats = "python"

    @staticmethod
    def forward(a, b):
        return a / b

    @staticmethod
    def rule(g, a, b, out):
        return g / b, -g * a / (b * b)

    @staticmethod
    def backward(ctx, g, a, b, out):
        da, db = ctx.needs_grad
        return (g / b if da else None), (-(g * out) / b if db else None)


def _value(t):
    """The numbers inside, for decisions that have no derivative (masks, signs, ties)."""
    return t.data if isinstance(t, Tensor) else t


def _one_exponent(b) -> float | None:
    """The exponent as a Python float when one number serves every element, else None."""
    if type(b) is float:  # the float path: the commonest case, first
        return b
    b = _value(b)
    return b if type(b) is float else b.item() if b.size == 1 else None


def _zeros_like(g):
    """Zeros the shape of g: a gradient that is exactly 0, even where g is inf or nan."""
    g = _value(g)
    return 0.0 if isinstance(g, float) else np.zeros(g.shape)


def _int_power(a, n: int):
    """a**n for a whole n, by repeated squaring: numpy's general pow costs twice as much on a
    vector, and over ten times as much on one number."""
    if n == 2:  # x**2, the commonest power: the same product the loop below makes
        return a * a
    if n < 0:
        return 1.0 / _int_power(a, -n)
    result = (np.ones_like(a) if type(a) is np.ndarray else 1.0) if n == 0 else None
    square = a
    while n:
        if n & 1:
            result = square if result is None else result * square
        n >>= 1
        if n:
            square = square * square
    return result


def _power_of(a, e: float):
    """a**e for one exponent e: by multiplication for a small whole e, else numpy's pow.

    A half is sqrt, except that IEEE pow gives +0 at -0 and +inf at -inf where sqrt gives -0
    and nan."""
    if e.is_integer() and abs(e) <= Pow.SMALL_INTEGER:
        return _int_power(a, int(e))
    if e == 0.5:
        return np.where(a == -np.inf, np.inf, np.sqrt(a + 0.0))
    return np.power(a, e)


def _shortcut(b: np.ndarray) -> np.ndarray:
    """Where `_power_of` takes a shortcut for exponents b."""
    return ((b == np.trunc(b)) & (np.abs(b) <= Pow.SMALL_INTEGER)) | (b == 0.5)


class Pow(Function):
    """a ** b;  d/da = b·a^(b-1), d/db = a^b·log(a)

    As PyTorch: d/da is 0 where b == 0 (not 0·a^-1, which is nan at a = 0), and d/db is 0
    where a == 0 and b >= 0 (not 0·log 0 = nan). A negative base with a fractional exponent
    gives nan, never a complex number.

    A constant exponent (one that needs no gradient) takes shortcuts in backward. An exponent
    that depends on the inputs keeps every term of the rule, so that higher derivatives are
    exact: d/da = b·a^(b-1) is masked only where a == 0 too. Elsewhere it is 0 at b == 0 by
    itself, and a mask there would drop its derivative with respect to b, a^(b-1)·(1 + b·log a).

    Each element's result depends on that element's a and b alone, whatever the shapes, so
    one x gives the same bits as the same x inside a vector.
    """

    latex = r"\frac{\partial a^b}{\partial a} = b\,a^{b-1} \qquad \frac{\partial a^b}{\partial b} = a^b \ln a"
    on_floats = "numpy"
    SMALL_INTEGER = 16  # whole exponents up to this size are done by multiplication

    @staticmethod
    def forward(a, b):
        e = _one_exponent(b)
        if e is None:  # one exponent per element: numpy's pow, then each shortcut where it applies
            out = np.power(a, b)
            fast = _shortcut(b)
            if fast.any():
                a_all, b_all = np.broadcast_arrays(a, b)
                fast = np.broadcast_to(fast, out.shape)
                for each in np.unique(b_all[fast]):
                    here = fast & (b_all == each)
                    out[here] = _power_of(a_all[here], float(each))
            return out
        out = _power_of(a, e)
        if type(b) is np.ndarray:  # arrays: the result in memory of its own, shaped as numpy's
            if out is a or type(out) is not np.ndarray:
                out = np.array(out)
            if b.ndim > out.ndim:  # a one-element exponent with more axes than a adds them
                out = out.reshape((1,) * (b.ndim - out.ndim) + out.shape)
        return out

    @staticmethod
    def rule(g, a, b, out):
        return g * b * power(a, b - 1), g * out * log(a)

    @staticmethod
    def backward(ctx, g, a, b, out):
        need_a, need_b = ctx.needs_grad
        da = db = None
        if need_a and need_b:  # an exponent that depends on the inputs: the whole rule
            zero = (_value(a) == 0) & (_value(b) == 0)  # 0·0^-1, masked; a safe base there builds no 0·inf
            da = where(zero, 0.0, g * b * power(where(zero, 1.0, a), b - 1))
        elif need_a:  # a constant exponent n: n·a^(n-1), and n is never differentiated
            n = _one_exponent(b)
            if n == 0:
                da = _zeros_like(g)
            elif n == 2:  # x**2, the commonest power: 2x
                da = g * (b * a)
            elif n is not None:
                da = g * (b * power(a, b - 1))
            else:  # one constant per element: 0 where it is 0, and a safe exponent there
                vb = _value(b)
                da = where(vb == 0, 0.0, g * (b * power(a, np.where(vb == 0, 1.0, vb) - 1.0)))
        if need_b:  # 0**b for b >= 0: masked; a safe base there takes no log(0)
            zero = (_value(a) == 0) & (_value(b) >= 0)
            db = where(zero, 0.0, g * out * log(where(zero, 1.0, a)))
        return da, db


class MatMul(Function):
    """a @ b (numpy's matmul: 1-D operands are vectors, leading axes broadcast);
    d/da = g @ bᵀ, d/db = aᵀ @ g

    G (g in the code) is the gradient arriving at the product, shaped like it.
    """

    latex = r"\frac{\partial L}{\partial A} = G\,B^\top \qquad \frac{\partial L}{\partial B} = A^\top G"

    @staticmethod
    def forward(a, b):
        return a @ b

    @staticmethod
    def rule(g, a, b, out):  # matrices (backward: vectors too)
        return g @ b.T, a.T @ g

    @staticmethod
    def backward(ctx, g, a, b, out):
        # Treat vectors as 1-row / 1-column matrices, then drop that axis again.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        g2 = g.reshape(_matmul_shape(a2.shape, b2.shape))
        da = db = None
        if ctx.needs_grad[0]:
            da = g2 @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                da = da.reshape(da.shape[:-2] + da.shape[-1:])
        if ctx.needs_grad[1]:
            db = a2.swapaxes(-1, -2) @ g2
            if b.ndim == 1:
                db = db.reshape(db.shape[:-1])
        return da, db


def _matmul_shape(a: tuple, b: tuple) -> tuple:
    return np.broadcast_shapes(a[:-2], b[:-2]) + (a[-2], b[-1])


# ---- elementwise functions ------------------------------------------------------------------


class Exp(Function):
    """exp(x);  d/dx = exp(x) = out"""

    latex = r"\frac{d}{dx} e^x = e^x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * out


class Log(Function):
    """log(x), the natural logarithm (nan for x < 0, -inf at 0);  d/dx = 1/x"""

    latex = r"\frac{d}{dx} \ln x = \frac{1}{x}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.log(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g / x


class Sqrt(Function):
    """sqrt(x) (nan for x < 0);  d/dx = 1/(2·sqrt x), inf at 0 as in PyTorch"""

    latex = r"\frac{d}{dx} \sqrt{x} = \frac{1}{2\sqrt{x}}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g / (2.0 * out)


class Abs(Function):
    """|x|;  d/dx = sign(x)

    As PyTorch: 0 at x = 0, and 0 at x = nan too (numpy's sign(nan) is nan).
    """

    latex = r"\frac{d}{dx} \lvert x \rvert = \operatorname{sign}(x)"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * _sign(_value(x))


def _sign(v):
    """-1, 0 or 1 as v is negative, zero or positive, and 0 at nan (numpy's sign gives nan)."""
    if type(v) is float:  # one number: Python compares it ten times faster than numpy
        return (v > 0) - (v < 0)
    return np.greater(v, 0) * 1.0 - np.less(v, 0)


class Sin(Function):
    """sin(x);  d/dx = cos(x)"""

    latex = r"\frac{d}{dx} \sin x = \cos x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * cos(x)


class Cos(Function):
    """cos(x);  d/dx = -sin(x)"""

    latex = r"\frac{d}{dx} \cos x = -\sin x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return -(g * sin(x))


class Tan(Function):
    """tan(x);  d/dx = 1 + tan²(x) = 1 + out²"""

    latex = r"\frac{d}{dx} \tan x = 1 + \tan^2 x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.tan(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * (1.0 + out * out)


class Asin(Function):
    """asin(x) (nan outside [-1, 1]);  d/dx = 1/sqrt(1 - x²)"""

    latex = r"\frac{d}{dx} \arcsin x = \frac{1}{\sqrt{1 - x^2}}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g / sqrt(1.0 - x * x)


class Acos(Function):
    """acos(x) (nan outside [-1, 1]);  d/dx = -1/sqrt(1 - x²)"""

    latex = r"\frac{d}{dx} \arccos x = -\frac{1}{\sqrt{1 - x^2}}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.arccos(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return -g / sqrt(1.0 - x * x)


class Atan(Function):
    """atan(x);  d/dx = 1/(1 + x²)"""

    latex = r"\frac{d}{dx} \arctan x = \frac{1}{1 + x^2}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.arctan(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g / (1.0 + x * x)


class Sinh(Function):
    """sinh(x);  d/dx = cosh(x)"""

    latex = r"\frac{d}{dx} \sinh x = \cosh x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.sinh(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * cosh(x)


class Cosh(Function):
    """cosh(x);  d/dx = sinh(x)"""

    latex = r"\frac{d}{dx} \cosh x = \sinh x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.cosh(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * sinh(x)


class Tanh(Function):
    """tanh(x);  d/dx = 1 - tanh²(x) = 1 - out²"""

    latex = r"\frac{d}{dx} \tanh x = 1 - \tanh^2 x"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * (1.0 - out * out)


class Sigmoid(Function):
    """sigmoid(x) = 1/(1 + exp(-x));  d/dx = out·(1 - out)

    Computed as exp(x)/(1 + exp(x)) for x < 0, so exp never overflows and tiny values
    keep their digits (sigmoid(-40) = 4.2e-18, not 0).
    """

    latex = r"\frac{d}{dx} \sigma(x) = \sigma(x)\,\bigl(1 - \sigma(x)\bigr)"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0, e) / (1.0 + e)

    @staticmethod
    def backward(ctx, g, x, out):
        return g * out * (1.0 - out)


class Relu(Function):
    """relu(x) = max(x, 0);  d/dx = 1 for x > 0, else 0

    As PyTorch: 0 at the kink x = 0, and 1 at x = nan (the gradient is stopped only where
    x <= 0). Unlike PyTorch, relu(-0.0) is +0.0, not -0.0: relu is never negative, so
    1/relu(-x) at x = 0 is +inf, as on either side of 0, not -inf. (numpy's maximum gives
    its second input at a tie, so np.maximum(-0.0, 0.0) is +0.0.)
    """

    latex = r"\frac{d}{dx} \max(x, 0) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.maximum(x, 0.0)

    @staticmethod
    def backward(ctx, g, x, out):
        return where(_value(x) <= 0, 0.0, g)


class Softplus(Function):
    """softplus(x) = log(1 + exp(x));  d/dx = sigmoid(x)

    Computed as max(x, 0) + log1p(exp(-|x|)), which neither overflows for large x nor
    loses the small values for very negative x.
    """

    latex = r"\frac{d}{dx} \ln(1 + e^x) = \sigma(x)"
    on_floats = "numpy"

    @staticmethod
    def forward(x):
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, g, x, out):
        return g * sigmoid(x)


class Maximum(Function):
    """max(a, b), elementwise;  the gradient goes to the larger input.

    As PyTorch: a tie splits it in half between a and b, and a nan passes it to both.
    """

    latex = (r"\frac{\partial \max(a, b)}{\partial a} = "
             r"\begin{cases} 1 & a > b \\ \tfrac{1}{2} & a = b \\ 0 & a < b \end{cases}")
    on_floats = "numpy"

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b)

    @staticmethod
    def rule(g, a, b, out):
        va, vb = _value(a), _value(b)  # not differentiated
        half = where(va == vb, 0.5 * g, g)  # a tie splits g
        return where(va < vb, 0, half), where(va > vb, 0, half)

    @staticmethod
    def backward(ctx, g, a, b, out):
        va, vb = _value(a), _value(b)
        half = where(va == vb, 0.5 * g, g)
        need_a, need_b = ctx.needs_grad
        da = where(va < vb, 0.0, half) if need_a else None
        db = where(va > vb, 0.0, half) if need_b else None
        return da, db


class Minimum(Function):
    """min(a, b), elementwise;  the gradient goes to the smaller input (ties split, as max)."""

    latex = (r"\frac{\partial \min(a, b)}{\partial a} = "
             r"\begin{cases} 1 & a < b \\ \tfrac{1}{2} & a = b \\ 0 & a > b \end{cases}")
    on_floats = "numpy"

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b)

    @staticmethod
    def rule(g, a, b, out):
        va, vb = _value(a), _value(b)  # not differentiated
        half = where(va == vb, 0.5 * g, g)  # a tie splits g
        return where(va > vb, 0, half), where(va < vb, 0, half)

    @staticmethod
    def backward(ctx, g, a, b, out):
        va, vb = _value(a), _value(b)
        half = where(va == vb, 0.5 * g, g)
        need_a, need_b = ctx.needs_grad
        da = where(va > vb, 0.0, half) if need_a else None
        db = where(va < vb, 0.0, half) if need_b else None
        return da, db


class Where(Function):
    """where(cond, a, b): a where cond holds, else b;  the gradient follows the chosen side.
    cond is a mask, not differentiated."""

    latex = r"\frac{\partial}{\partial a} = c \qquad \frac{\partial}{\partial b} = 1 - c \qquad (c = 0 \text{ or } 1)"

    @staticmethod
    def forward(cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g, cond, a, b, out):
        c = _value(cond)
        return None, where(c, g, 0.0), where(c, 0.0, g)


# ---- reductions and shapes ------------------------------------------------------------------


def _kept_shape(shape: tuple, axis) -> tuple:
    """`shape` with the reduced axes kept as size 1 (what keepdims=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    axes = {ax % len(shape) for ax in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """sum over `axis` (all by default);  every summed element gets the same gradient g"""

    latex = r"\frac{\partial}{\partial x_i} \sum_j x_j = 1"

    @staticmethod
    def forward(x, axis=None, keepdims=False):
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g, x, out):
        kept = g.reshape(_kept_shape(x.shape, ctx.axis))
        return expand(kept, shape=x.shape)


class Mean(Function):
    """mean over `axis` (all by default);  each element gets g / (number averaged)"""

    latex = r"\frac{\partial}{\partial x_i} \frac{1}{n} \sum_j x_j = \frac{1}{n}"

    @staticmethod
    def forward(x, axis=None, keepdims=False):
        return np.mean(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g, x, out):
        count = x.size // max(out.size, 1) if x.size else 1
        kept = g.reshape(_kept_shape(x.shape, ctx.axis))
        return expand(kept / float(count), shape=x.shape)


class Expand(Function):
    """broadcast to a larger `shape` (no copy);  the engine sums the gradient back"""

    latex = r"\frac{\partial L}{\partial x} = \textstyle\sum_{\text{copies of } x} G"

    @staticmethod
    def forward(x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g, x, out):
        # the engine sums g over the broadcast axes
        return g


class Reshape(Function):
    """the same numbers in a new `shape`;  the gradient is reshaped back"""

    latex = r"\frac{\partial L}{\partial x} = G \text{ in the shape of } x"

    @staticmethod
    def forward(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, g, x, out):
        return g.reshape(x.shape)


class Transpose(Function):
    """axes permuted (reversed by default);  the gradient is permuted back"""

    latex = r"\frac{\partial L}{\partial x} = G \text{ with its axes put back}"

    @staticmethod
    def forward(x, axes=None):
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, g, x, out):
        if ctx.axes is None:  # reversed, so reverse again
            return g.transpose()
        return g.transpose(tuple(np.argsort(ctx.axes)))


# The op functions used by the backward rules above: on arrays they compute with numpy, on
# Tensors (create_graph=True) they record the op. The public, always-Tensor versions are in
# `functional.py`.
sin, cos, sinh, cosh, sqrt, log, sigmoid = (Sin.apply, Cos.apply, Sinh.apply, Cosh.apply,
                                             Sqrt.apply, Log.apply, Sigmoid.apply)
power, where, expand = Pow.apply, Where.apply, Expand.apply

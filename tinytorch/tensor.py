"""Tensor, the op context, and reverse-mode backward.

This is the seed article's `tinytorch.py`, with its three bugs fixed:

* backward visits every node once, in topological order, with an explicit stack instead of one
  recursive call per path (exponential on shared subexpressions, and a RecursionError on deep
  graphs);
* a node reached along several paths *adds up* its gradients instead of keeping the last one;
* each gradient takes the shape of the tensor it belongs to (broadcast axes are summed away).

The ops themselves live in `ops.py`, each with its forward and backward side by side.
"""

from __future__ import annotations

import contextlib
import contextvars
import operator
from collections.abc import Iterable, Sequence
from types import MappingProxyType

import numpy as np

# Grad mode is per context (so per thread): Streamlit serves many sessions from threads of one
# process, and `no_grad` in one of them must not switch off graph building in another.
_grad_enabled = contextvars.ContextVar("tinytorch_grad_enabled", default=True)


def is_grad_enabled() -> bool:
    """True when new ops are recorded in the graph (the default)."""
    return _grad_enabled.get()


@contextlib.contextmanager
def _grad_mode(enabled: bool):
    token = _grad_enabled.set(enabled)
    try:
        yield
    finally:
        _grad_enabled.reset(token)


def no_grad():
    """Context manager and decorator: ops inside build no graph (results have no `_ctx`).

    `with no_grad(): ...` or `@no_grad()`. Only the current thread/context is affected.
    """
    return _grad_mode(False)


def enable_grad():
    """Undo an enclosing `no_grad` for a block or function."""
    return _grad_mode(True)


def _number(data) -> float | None:
    """`data` as a Python float when it is one plain number (an int only while exactly
    representable), else None."""
    kind = type(data)
    if kind is float:
        return data
    if kind is int and -_EXACT_INT <= data <= _EXACT_INT:
        return float(data)
    return None


_EXACT_INT = 2**53


def _as_array(data) -> np.ndarray:
    """Real numbers as a float64 array (no copy when `data` already is one)."""
    if type(data) is float:  # the commonest case, a number in a formula: 4x faster this way
        return np.array(data)
    if isinstance(data, Tensor):
        return data.data
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Tensor data must be real numbers, not {array.dtype}")
    return array.astype(np.float64, copy=False)


# numpy's floating-point warnings must not leak out of the engine: IEEE nan and inf are the
# answers we want. np.errstate costs ~1.5 µs a call, too much per op on small tensors; numpy 2
# keeps the same setting in a context variable that can be switched for a tenth of that.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _fp_state

    with np.errstate(all="ignore"):
        _FP_IGNORE = _fp_state.get()
except (ImportError, AttributeError):  # another numpy: its public, per-thread np.seterr

    class _fp_state:  # noqa: N801  (stands in for the context variable)
        @staticmethod
        def set(_):
            return np.seterr(all="ignore")

        @staticmethod
        def reset(old):
            np.seterr(**old)

    _FP_IGNORE = None


# C-level helpers: map() with these runs no Python frame per tensor (ops are called a lot).
_DATA = operator.attrgetter("data")  # always an ndarray
_REQUIRES_GRAD = operator.attrgetter("requires_grad")
_new = object.__new__
_NO_OPTIONS = MappingProxyType({})
_FLOAT64 = np.dtype(np.float64)
# needs_grad of one or two inputs, looked up rather than built once per op: `_NEEDS_1[a]`, `_NEEDS_2[a][b]`
_NEEDS_1 = ((False,), (True,))
_NEEDS_2 = (((False, False), (False, True)), ((True, False), (True, True)))


class Context:
    """What an op remembers for backward: which op ran, on which inputs, with which options.

    The seed calls this `Function(op, *args)`. `args` keeps the inputs in order and with
    repeats, so `x*x` has two edges to `x`. Options such as `axis` are attributes.
    """

    __slots__ = ("op", "args", "needs_grad", "__dict__")  # the dict only for ops with options

    op: type[Function]
    args: tuple[Tensor, ...]
    needs_grad: tuple[bool, ...]  # per input: does it want a gradient? (rules skip the rest)


class Function:
    """Base of every op. A subclass defines two static methods, side by side:

    forward(*arrays, **options) -> ndarray
        computes the result from plain numpy arrays.
    backward(ctx, grad, *inputs, out) -> one gradient per input (None where not needed)
        turns the gradient of the result into gradients of the inputs (the chain rule).

    A plain `backward()` calls the rules with numpy arrays, which is fast. With
    `create_graph=True` it calls the *same* rules with Tensors, so the gradient is itself a
    graph and can be differentiated again (f'', f''', ...). That is why rules use operators and
    the op functions (`cos(x)`, `where(...)`) rather than `np.cos`: see `Function.apply`.
    """

    # The derivative rule as LaTeX, for reading (the app's pages show it), and where backward has
    # speed-ups, `rule(g, *inputs, out)`: the same rule without them, as a textbook writes it.
    latex: str = ""
    rule = None

    # Can the op run on one-number tensors held as Python floats (see `Tensor`)?
    #   None: no, it needs arrays (shapes, axes, matmul);
    #   "python": forward and backward are plain arithmetic (+ - * /), run as Python floats;
    #   "numpy": forward may call numpy functions, which take a float and give a number.
    # Either way a Python float raising ZeroDivisionError or OverflowError is redone with
    # numpy float64 scalars, which give IEEE inf and nan: the same numbers as the array path.
    on_floats: str | None = None

    @staticmethod
    def forward(*arrays, **options):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad, *inputs_and_out):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **options):
        """Run the op and record it in the graph.

        With a Tensor among the arguments: a Tensor out, recorded when grad mode is on and
        some input requires grad (Python numbers become constants). With no Tensor at all:
        plain numpy out, nothing recorded -- that is how backward rules run on arrays during
        a plain backward. (The public functions always give Tensors: `functional.py`.)
        """
        tensors = 0
        for a in args:
            if isinstance(a, Tensor):
                tensors += 1
        if not tensors:
            return cls.forward(*args, **options)
        inputs = args if tensors == len(args) else tuple(
            [a if isinstance(a, Tensor) else _constant(a) for a in args])
        data = _quietly(cls.forward, tuple(map(_DATA, inputs)), options)
        if type(data) is not np.ndarray:  # numpy gives scalars, not 0-d arrays, for 0-d inputs
            data = np.asarray(data, dtype=np.float64)
        return _output(cls, inputs, tuple(map(_REQUIRES_GRAD, inputs)), data, None, options)


# The operators' way in (`x * y`, `-x`, `x.sin()`): `op.apply` for one or two inputs, with a
# short path for one-number tensors held as Python floats. The generic `apply` costs several
# times the arithmetic, and scalar code (micrograd's kind) is nothing but such ops.


def _unary(cls: type[Function], a) -> Tensor:
    if not isinstance(a, Tensor):
        a = _constant(a)
    da = a._data
    if type(da) is not float or not cls.on_floats:
        return cls.apply(a)
    return _output(cls, (a,), _NEEDS_1[a.requires_grad], _forward_on_floats(cls, (da,)), a._shape, None)


def _binary(cls: type[Function], a, b) -> Tensor:
    if not isinstance(a, Tensor):
        a = _constant(a)
    if not isinstance(b, Tensor):
        b = _constant(b)
    da, db = a._data, b._data
    if type(da) is not float or type(db) is not float or not cls.on_floats:
        return cls.apply(a, b)
    # A one-number tensor's shape is () or (1,), and () with (1,) broadcasts to (1,).
    return _output(cls, (a, b), _NEEDS_2[a.requires_grad][b.requires_grad], _forward_on_floats(cls, (da, db)),
                   a._shape or b._shape, None)


def _forward_on_floats(cls: type[Function], values: tuple[float, ...]) -> float:
    try:
        if cls.on_floats == "python":
            return cls.forward(*values)
        return float(_quietly(cls.forward, values))
    except ArithmeticError:  # 1.0/0.0 and friends: numpy scalars give inf or nan instead
        return _on_numpy_scalars(cls.forward, values)


def _output(cls: type[Function], inputs: tuple[Tensor, ...], needs_grad: tuple[bool, ...], data, shape,
            options) -> Tensor:
    """The op's result, linked to its inputs when the graph is being recorded. `shape` is given
    when the op ran on Python floats."""
    record = True in needs_grad and _grad_enabled.get()
    out = _new(Tensor)  # Tensor._wrap, inlined: this runs once per op
    out._data, out._shape = data, shape
    out._grad = out.label = None
    out.requires_grad = record
    if record:
        ctx = out._ctx = _new(Context)
        ctx.op, ctx.args, ctx.needs_grad = cls, inputs, needs_grad
        if options:
            ctx.__dict__.update(options)
    else:
        out._ctx = None
    return out


def _constant(data) -> Tensor:
    """A number or array in a formula, as a Tensor that needs no gradient (no label)."""
    number = _number(data)
    return Tensor._wrap(_as_array(data) if number is None else number, False)


def _quietly(function, args, options=_NO_OPTIONS):
    """function(*args, **options) with numpy's floating-point warnings off."""
    token = _fp_state.set(_FP_IGNORE)
    try:
        return function(*args, **options)
    finally:
        _fp_state.reset(token)


def _on_numpy_scalars(rule, values):
    """Run `rule` on numpy float64 scalars (IEEE inf and nan, no exceptions) and give back a
    Python float (or a tuple of them, for a backward rule)."""
    out = _quietly(rule, [np.float64(v) if type(v) is float else v for v in values])
    return out if isinstance(out, tuple) else float(out)


class Tensor:
    """An n-dimensional array of float64 that remembers how it was computed.

    `Tensor(data)` accepts Python numbers, (nested) lists and numpy arrays; a float64 array is
    used without a copy (the engine never writes into arrays in place).

    Attributes: `data` (the ndarray), `grad` (a Tensor, or None before backward), `label`
    (an optional human name, set by the expression language and shown by the graph view),
    and `requires_grad`. Tensors you create require grad, as in the seed, so `x.grad` is
    filled by backward; Python numbers mixed into ops become constants that do not.

    One-number tensors made from Python numbers (`Tensor(2.0)`, `Tensor([8])`, the 0.5 in
    `x + 0.5`) keep their number as a Python float until someone asks for `.data`: a numpy
    call on a one-element array costs ten times the arithmetic, and micrograd-style scalar
    code is all one-element arrays. Ops marked `on_floats` compute on the float directly and
    give the same IEEE results as numpy; `.data` is still an ndarray of the right shape.
    """

    __slots__ = ("_data", "_shape", "_grad", "requires_grad", "label", "_ctx", "__weakref__")

    def __init__(self, data, requires_grad: bool = True, label: str | None = None):
        number = _number(data)
        if number is None and type(data) is list and len(data) == 1:
            number = _number(data[0])
            self._shape = (1,)
        else:
            self._shape = ()
        self._data = _as_array(data) if number is None else number
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._ctx: Context | None = None

    @property
    def data(self) -> np.ndarray:
        """The values as a float64 ndarray. A one-number tensor makes it on first use and keeps
        it from then on (so `w.data -= lr * w.grad.data` works, as in micrograd)."""
        d = self._data
        if type(d) is float:
            d = self._data = np.array(d) if not self._shape else np.array([d])
        return d

    @data.setter
    def data(self, value) -> None:
        self._data = _as_array(value)

    @property
    def grad(self) -> Tensor | None:
        """d(output)/d(this tensor) after backward, shaped like this tensor; None before."""
        g = self._grad
        if g is not None and not isinstance(g, Tensor):
            # backward stores plain numbers; most are never looked at, so wrap on first use
            g = self._grad = _gradient_tensor(g, self)
        return g

    @grad.setter
    def grad(self, value) -> None:
        self._grad = value if value is None or isinstance(value, Tensor) else Tensor.constant(value)

    @classmethod
    def constant(cls, data, label: str | None = None) -> Tensor:
        """A Tensor that never requires grad (a number in a formula)."""
        t = _constant(data)
        t.label = label
        return t

    @classmethod
    def _wrap(cls, data, requires_grad: bool, shape: tuple[int, ...] = ()) -> Tensor:
        # The ops' fast path: `data` is already a float64 array, or a Python float of `shape`.
        t = cls.__new__(cls)
        t._data = data
        t._shape = shape
        t._grad = t.label = t._ctx = None
        t.requires_grad = requires_grad
        return t

    # ---- plain array facts -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        d = self._data
        return self._shape if type(d) is float else d.shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        d = self._data
        return 1 if type(d) is float else d.size

    @property
    def dtype(self) -> np.dtype:
        d = self._data
        return _FLOAT64 if type(d) is float else d.dtype

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        d = self._data
        return d if type(d) is float else d.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def __len__(self) -> int:
        return len(self.data)

    def __float__(self) -> float:
        return float(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __repr__(self) -> str:
        # The seed prints tensor([13]) for 8 + 5: whole numbers without numpy's trailing dot.
        data = self.data
        with np.errstate(all="ignore"):
            whole = data.size > 0 and bool(np.all(np.abs(data) < 2**53) and np.all(data == np.trunc(data)))
        return f"tensor({data.astype(np.int64) if whole else data})"

    # ---- graph introspection -----------------------------------------------------------

    @property
    def op(self) -> str | None:
        """Name of the op that made this tensor (`'Mul'`), or None for inputs and constants."""
        return self._ctx.op.__name__ if self._ctx is not None else None

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The op's inputs, in order and with repeats (`x*x` gives `(x, x)`); () for leaves."""
        return self._ctx.args if self._ctx is not None else ()

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    def detach(self) -> Tensor:
        """The same values, cut from the graph (a constant)."""
        return Tensor._wrap(self._data, False, self._shape)

    def zero_grad(self) -> None:
        self._grad = None

    # ---- operators: a Tensor or a Python number on either side -----------------------

    __array_ufunc__ = None  # `ndarray * Tensor` defers to Tensor.__rmul__ instead of looping

    def __add__(self, other):
        return _binary(ops.Add, self, other)

    def __radd__(self, other):
        return _binary(ops.Add, other, self)

    def __sub__(self, other):
        return _binary(ops.Sub, self, other)

    def __rsub__(self, other):
        return _binary(ops.Sub, other, self)

    def __mul__(self, other):
        return _binary(ops.Mul, self, other)

    def __rmul__(self, other):
        return _binary(ops.Mul, other, self)

    def __truediv__(self, other):
        return _binary(ops.Div, self, other)

    def __rtruediv__(self, other):
        return _binary(ops.Div, other, self)

    def __pow__(self, other):
        return _binary(ops.Pow, self, other)

    def __rpow__(self, other):
        return _binary(ops.Pow, other, self)

    def __matmul__(self, other):
        return ops.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return ops.MatMul.apply(other, self)

    def __neg__(self):
        return _unary(ops.Neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary(ops.Abs, self)

    # Comparisons give masks: constant 0/1 tensors with no gradient. `==` stays identity, so
    # tensors can be dict keys (the engine keeps gradients in a dict keyed by tensor).
    def __lt__(self, other):
        return Tensor.constant(self.data < _as_array(other))

    def __le__(self, other):
        return Tensor.constant(self.data <= _as_array(other))

    def __gt__(self, other):
        return Tensor.constant(self.data > _as_array(other))

    def __ge__(self, other):
        return Tensor.constant(self.data >= _as_array(other))

    # ---- shapes (the functions such as exp and sum are attached in functional.py) ------

    def reshape(self, *shape) -> Tensor:
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return ops.Reshape.apply(self, shape=tuple(shape))

    def flatten(self) -> Tensor:
        return self.reshape(-1)

    def transpose(self, *axes) -> Tensor:
        axes = axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes
        return ops.Transpose.apply(self, axes=tuple(axes) if axes else None)

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(axes)

    def expand(self, *shape) -> Tensor:
        shape = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
        return ops.Expand.apply(self, shape=tuple(shape))

    # ---- autograd ----------------------------------------------------------------------

    def backward(self, grad=None, create_graph: bool = False) -> None:
        """Fill `.grad` of every tensor this one depends on (intermediates too).

        `grad` is the upstream gradient, ones shaped like this tensor by default (as in the
        seed), so on a vector of x values one call gives f'(x) at every point. Gradients add
        up across calls, as in PyTorch; reset them with `zero_grad()` or `t.grad = None`. The
        graph is kept, so it can be drawn or differentiated again.
        """
        seed = _seed(self, grad, create_graph)
        _backpropagate([self], [seed], create_graph, store=True)


def _seed(output: Tensor, grad, create_graph: bool):
    if grad is None:
        # ones without allocating them: a float, or a read-only view of one number (stride 0)
        seed = 1.0 if type(output._data) is float else np.broadcast_to(np.float64(1.0), output.shape)
    else:
        seed = _as_array(grad)
        if seed.shape != output.shape:
            seed = np.broadcast_to(seed, output.shape)
    if create_graph:
        return grad if isinstance(grad, Tensor) and grad.shape == output.shape else _gradient_tensor(seed, output)
    return seed


def _gradient_tensor(g, like: Tensor) -> Tensor:
    """A gradient kept by backward (an array, or a number for a one-number tensor) as a
    constant Tensor shaped like `like`."""
    if isinstance(g, float):  # Python floats and numpy float64 scalars
        return Tensor._wrap(float(g), False, like.shape)
    return Tensor._wrap(np.asarray(g, dtype=np.float64), False)


def grad(outputs, inputs, grad_outputs=None, create_graph: bool = False) -> tuple[Tensor, ...]:
    """Gradients of `outputs` with respect to `inputs`, returned as a tuple; `.grad` is untouched.

    `outputs` and `inputs` may be single Tensors or sequences. `grad_outputs` are the upstream
    gradients (ones by default): a list or tuple with one per output, or for a single output
    one Tensor, array or number, as in PyTorch. An input the outputs do not depend on gets zeros. With
    `create_graph=True` the gradients are recorded as a graph of their own, so that

        (d1,) = grad(f, x, create_graph=True)
        (d2,) = grad(d1, x, create_graph=True)     # f''
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):  # one Tensor, array or number
        grad_outputs = (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad_outputs must match outputs one for one: {len(grad_outputs)} for "
                         f"{len(outputs)} outputs")
    seeds = [_seed(out, g, create_graph) for out, g in zip(outputs, grad_outputs)]
    found = _backpropagate(list(outputs), seeds, create_graph, store=False, wanted=inputs)
    result = []
    for t in inputs:
        g = found.get(t)
        if g is None:
            g = np.zeros_like(t.data)
        result.append(g if isinstance(g, Tensor) else _gradient_tensor(g, t))
    return tuple(result)


def _as_tuple(x) -> tuple:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def topological_order(*roots: Tensor) -> list[Tensor]:
    """Every tensor the roots were computed from, inputs before the ops that use them.

    Leaves (inputs and constants) are included, each tensor once; the roots come last. Each
    node's `.op`, `.inputs` and `.label` then describe the graph. A depth-first search with
    an explicit stack replaces the seed's recursion, so a 100,000-op chain is fine.
    """
    order: list[Tensor] = []
    seen: set[Tensor] = set()  # tensors hash by identity (they define no __eq__)
    # Only tensors go on the stack, no per-node tuples or iterators: on a long chain those all
    # stay alive at once, and the garbage collector would scan them again and again. An op
    # whose inputs are being searched waits under a None: when the None comes back to the
    # top, its inputs are all placed, and so it is placed next.
    stack = list(reversed(roots))
    push, pop, place = stack.append, stack.pop, order.append
    while stack:
        node = pop()
        if node is None:
            place(pop())
        elif node not in seen:  # (a node reached again by another path is already placed)
            seen.add(node)
            ctx = node._ctx
            if ctx is None:  # a leaf: nothing to search
                place(node)
            else:
                push(node)
                push(None)
                for child in reversed(ctx.args):  # the first input is searched first
                    if child not in seen:
                        push(child)
    return order


def _backpropagate(roots: Sequence[Tensor], seeds: Sequence, create_graph: bool, store: bool,
                   wanted: Iterable[Tensor] = (), observe=None) -> dict:
    """The chain rule over the graph, each node once, outputs first.

    `store=True` is `backward()`: every node reached accumulates into `.grad`. Otherwise the
    gradients of `wanted` tensors are returned (for `grad()`), and the others are freed as
    soon as they have been passed on. `observe(node, g, contributions)`, if given, sees each
    op's step as it happens (`trace.py` records the backward pass with it).
    """
    grads: dict[Tensor, object] = {}  # gradients received so far, summed ("accumulated")
    for root, seed in zip(roots, seeds):
        if root.requires_grad:
            grads[root] = grads[root] + seed if root in grads else seed
    wanted = {id(t) for t in wanted}
    found: dict[Tensor, object] = {}
    mode = enable_grad() if create_graph else no_grad()
    pop, get = grads.pop, grads.get
    with mode, np.errstate(all="ignore"):
        for node in reversed(topological_order(*roots)):
            g = pop(node, None)
            if g is None:  # not on a path to the output, or needs no gradient
                continue
            if store:
                prev = node._grad
                node._grad = g if prev is None else prev + g
            if wanted and id(node) in wanted:
                found[node] = g
            ctx = node._ctx
            if ctx is None:
                continue
            args = ctx.args
            value = node._data
            if create_graph:
                in_grads = ctx.op.backward(ctx, g, *args, node)
            elif type(value) is float:  # a one- or two-input op run on floats (`_binary`)
                try:  # (an input's data read since is an array: the rules take both)
                    if len(args) == 2:
                        in_grads = ctx.op.backward(ctx, g, args[0]._data, args[1]._data, value)
                    else:
                        in_grads = ctx.op.backward(ctx, g, args[0]._data, value)
                except ArithmeticError:  # g / 0.0 and friends: redo with IEEE inf and nan
                    in_grads = _on_numpy_scalars(ctx.op.backward, (ctx, g, *(a._data for a in args), value))
            else:
                in_grads = ctx.op.backward(ctx, g, *map(_DATA, args), value)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if observe:
                passed = []
            for arg, gi in zip(args, in_grads):
                if gi is not None and arg.requires_grad:
                    if not isinstance(gi, float):  # an array or Tensor: to the input's shape
                        if type(arg._data) is float and not create_graph and gi.size == 1:
                            gi = gi.item()  # a one-number input keeps a number
                        else:
                            shape = arg.shape
                            if gi.shape != shape:
                                gi = _sum_to(gi, shape)
                    prev = get(arg)
                    # Out of place: `gi` may be shared with another node (Add passes g through).
                    grads[arg] = gi if prev is None else prev + gi
                elif observe:
                    gi = None
                if observe:
                    passed.append(gi)
            if observe:
                observe(node, g, tuple(passed))
    return found


def _sum_to(g, shape: tuple[int, ...]):
    """Undo broadcasting: sum `g` over the axes along which an input of `shape` was stretched."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


from . import ops  # noqa: E402  (ops subclass Function, so they load after it)

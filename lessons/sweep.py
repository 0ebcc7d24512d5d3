"""Every slider position at once: the graph built on a vector of x, one forward and one backward.

The Playground's slider has a few hundred positions. Rather than run the engine once per
position as x moves, `sweep` builds f's graph once with x = the vector of every position and
runs one backward pass: each node's value, gradient and local derivatives come out as arrays,
one entry per position. That is vectorised autodiff doing what it is for (every op of the
expression language is elementwise, so entry k of every array is exactly what a graph built at
x = positions[k] would hold), and it lets the browser move x without asking the server again.

Node ids follow `viz.graph_nodes` (the topological order, "n0", "n1", ...), so the sweep's
columns line up with the graph picture's slots.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinytorch.tensor import Tensor, enable_grad, grad, topological_order
from tinytorch.trace import local_derivatives

from .curves import _frozen
from .viz import NodeInfo, graph_nodes

__all__ = ["MAX_POSITIONS", "NodeSweep", "Sweep", "nearest", "positions", "sweep"]

MAX_POSITIONS = 1201  # positions per sweep: what the browser receives grows with positions × nodes
_WIDENINGS = (1, 2, 5, 10, 20, 50, 100)  # a coarser step stays a multiple of the slider's own

Build = Callable[[Tensor], Tensor]


def positions(lo: float, hi: float, step: float, limit: int = MAX_POSITIONS) -> np.ndarray:
    """The slider's positions: lo, lo + step, lo + 2·step, ... up to hi, and hi itself.

    Each is rounded a few digits below the step, so that -3 + 177·0.01 is -1.77 exactly as
    typed in a link. With more than `limit` positions the step is widened (2, 5, 10... times),
    so every position is still one the slider itself can take.
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi and step > 0):
        raise ValueError(f"positions need lo < hi and a positive step, not {lo}, {hi}, {step}")
    for widen in _WIDENINGS:
        wide = step * widen
        count = math.floor((hi - lo) / wide * (1 + 1e-12)) + 1
        if count + 1 <= limit:
            break
    else:
        raise ValueError(f"more than {limit} positions even with a step of {wide:g}")
    digits = max(0, -math.floor(math.log10(wide))) + 4
    xs = np.round(lo + wide * np.arange(count), digits)
    if hi - xs[-1] > wide * 1e-9:
        xs = np.append(xs, hi)
    xs[-1] = min(xs[-1], hi)
    xs.flags.writeable = False
    return xs


def nearest(xs: np.ndarray, x: float) -> int:
    """The index of the position closest to x."""
    return int(np.abs(xs - x).argmin())


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays has no single truth value
class NodeSweep:
    """One node of the graph (as `viz.NodeInfo` describes it) at every position."""

    id: str
    label: str
    kind: str  # "input", "constant", "intermediate" or "output"
    op: str | None
    inputs: tuple[str, ...]
    value: np.ndarray
    grad: np.ndarray | None  # None for constants: they need no gradient
    local: tuple[np.ndarray | None, ...]  # d(node)/d(input i); None where the input needs none


@dataclass(frozen=True, eq=False)
class Sweep:
    """f's graph at every position `x`: each node's arrays, and f, f′ (and f″) at each x."""

    x: np.ndarray
    nodes: tuple[NodeSweep, ...]
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray | None = None

    def __len__(self) -> int:
        return self.x.size

    def at(self, k: int) -> list[NodeInfo]:
        """The graph's records at position k: what `viz.graph_nodes` gives for a graph built
        at x = self.x[k], after backward."""

        def one(a):
            return None if a is None else float(a[k])

        return [NodeInfo(n.id, n.label, n.kind, n.op, n.inputs, float(n.value[k]), one(n.grad),
                         tuple(one(d) for d in n.local)) for n in self.nodes]


def sweep(build: Build, xs: np.ndarray, *, second: bool = False) -> Sweep:
    """Build f = build(x) once on the vector `xs` and run backward once.

    `build` must work elementwise, as expressions do. With `second`, the backward pass records
    its own graph (create_graph) and is differentiated once more for f″.
    """
    xs = np.asarray(xs, dtype=np.float64)
    n = xs.size
    x = Tensor(xs, label="x")
    with enable_grad():  # a sweep inside someone's no_grad() must still give gradients
        y = build(x)
        if y.requires_grad:
            y.backward(create_graph=second)
        d2 = None
        if second:
            d1 = x.grad
            d2 = grad(d1, x)[0].data if d1 is not None and d1.requires_grad else np.zeros(n)
    records = graph_nodes(y, local=False)  # ids, labels, kinds and inputs, as the picture has them
    nodes = []
    for record, t in zip(records, topological_order(y), strict=True):
        local = tuple(None if d is None else _frozen(d, (n,)) for d in local_derivatives(t))
        gradient = None if t.grad is None else _frozen(t.grad.data, (n,))
        nodes.append(NodeSweep(record.id, record.label, record.kind, record.op, record.inputs,
                               _frozen(t.data, (n,)), gradient, local))
    df = x.grad.data if x.grad is not None else np.zeros(n)  # f does not depend on x: f′ = 0
    return Sweep(_frozen(xs, (n,)), tuple(nodes), _frozen(y.data, (n,)), _frozen(df, (n,)),
                 None if d2 is None else _frozen(d2, (n,)))

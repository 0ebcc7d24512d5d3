"""The backward pass, step by step: what the step-through page shows.

`trace_backward(y)` runs the engine's own backward on `y` and records every step as it
happens, in the engine's real order:

* the seed: the gradient of y with respect to itself is 1;
* then one step per op: the gradient arriving at the op's output (upstream), the op's local
  derivative for each input, their product (the chain rule), and what that input had
  received before and after -- a reused input shows the accumulation, old + new = total.

Recording goes through the same loop as `backward()`, so the trace cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tensor import Tensor, _backpropagate, _gradient_tensor, _seed, _sum_to, topological_order


@dataclass(frozen=True)
class InputStep:
    """One input of the op whose backward runs."""

    tensor: Tensor
    local: np.ndarray | None  # d(op output)/d(this input); None when it needs no gradient
    contribution: np.ndarray | None  # upstream × local: what the chain rule passes back
    before: np.ndarray | None  # what the input had received before this step (None: nothing)
    after: np.ndarray | None  # before + contribution

    @property
    def accumulates(self) -> bool:
        """True when this step adds to a gradient the input already had (a reused input)."""
        return self.before is not None and self.contribution is not None


@dataclass(frozen=True)
class BackwardStep:
    number: int  # 1 is the seed; ops follow from 2 on
    tensor: Tensor  # the seed's output, or the output of the op whose backward runs
    upstream: np.ndarray  # d(y)/d(tensor): complete, since every consumer ran before
    inputs: tuple[InputStep, ...] = ()

    @property
    def op(self) -> str | None:
        return None if self.number == 1 else self.tensor.op


@dataclass(frozen=True)
class BackwardTrace:
    output: Tensor
    nodes: tuple[Tensor, ...]  # topological order, inputs first (as `topological_order`)
    steps: tuple[BackwardStep, ...]  # steps[0] is the seed

    def __len__(self) -> int:
        return len(self.steps)

    def received(self, upto: int) -> dict[Tensor, np.ndarray]:
        """Each tensor's gradient as it stands after step `upto` (0: forward pass only, none)."""
        grads: dict[Tensor, np.ndarray] = {}
        for step in self.steps[:upto]:
            if step.number == 1:
                grads[step.tensor] = step.upstream
            for inp in step.inputs:
                if inp.after is not None:
                    grads[inp.tensor] = inp.after
        return grads

    def final(self) -> dict[Tensor, np.ndarray]:
        return self.received(len(self.steps))


def local_derivatives(node: Tensor) -> tuple[np.ndarray | None, ...]:
    """d(node)/d(input) for each input, elementwise: the op's backward rule with upstream 1.

    Exact for elementwise ops (everything the expression language builds); for reductions
    and matmul it is the gradient of sum(node) instead.
    """
    ctx = node._ctx
    if ctx is None:
        return ()
    ones = np.ones_like(node.data)
    with np.errstate(all="ignore"):
        rule = ctx.op.backward(ctx, ones, *(a.data for a in ctx.args), node.data)
    rule = rule if isinstance(rule, tuple) else (rule,)
    return tuple(None if d is None or not a.requires_grad else np.asarray(_sum_to(d, a.shape))
                 for a, d in zip(ctx.args, rule))


def _array(value, like: Tensor) -> np.ndarray | None:
    """A gradient as the engine passes it (an array, or a number for a one-number tensor) as
    an array shaped like `like`."""
    return None if value is None else _gradient_tensor(value, like).data


def trace_backward(output: Tensor, grad=None) -> BackwardTrace:
    """Run backward on `output` and record each step. `.grad` attributes are left untouched."""
    seed = _seed(output, grad, create_graph=False)
    steps = [BackwardStep(1, output, _array(seed, output))]
    received: dict[Tensor, np.ndarray] = {output: seed}

    def observe(node: Tensor, upstream, contributions) -> None:
        inputs = []
        for arg, local, passed in zip(node.inputs, local_derivatives(node), contributions):
            before = received.get(arg) if passed is not None else None
            after = None
            if passed is not None:
                # the same sum, in the same order, as the engine's own accumulation
                after = received[arg] = passed if before is None else before + passed
            inputs.append(InputStep(arg, local, _array(passed, arg), _array(before, arg), _array(after, arg)))
        steps.append(BackwardStep(len(steps) + 1, node, _array(upstream, node), tuple(inputs)))

    _backpropagate([output], [seed], create_graph=False, store=False, observe=observe)
    return BackwardTrace(output, tuple(topological_order(output)), tuple(steps))

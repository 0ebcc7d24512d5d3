"""A tiny neural network on tinytorch tensors: an MLP, a stable loss, SGD and Adam, a training loop.

    >>> import numpy as np
    >>> from tinytorch.nn import MLP, training_steps
    >>> X = np.random.default_rng(0).uniform(-1, 1, size=(200, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)         # xor: the class is the sign of x·y
    >>> model = MLP()                                  # 2-16-16-1, tanh
    >>> for step in training_steps(model, X, y, steps=300):
    ...     pass                                       # a page updates its progress bar here
    >>> step.accuracy >= 0.95
    True

Nothing here is special to neural networks: the forward pass is matmul, add and tanh, the loss
is a formula of tensors, and one engine gradient gives d(loss)/d(every weight). The optimisers
then change the weights in place, which is why they must own those arrays (MLP makes its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from . import functional as F
from .tensor import Tensor, grad, no_grad

__all__ = ["ACTIVATIONS", "ADAM_LR", "DEFAULT_SIZES", "DEFAULT_STEPS", "MAX_STEPS", "OPTIMIZERS", "SGD_LR",
           "Adam", "BoundaryGrid", "MLP", "Optimizer", "SGD", "TrainingStep", "accuracy", "bce_with_logits",
           "l2_penalty", "predict_grid", "train", "train_step", "training_steps"]

ACTIVATIONS = MappingProxyType({"tanh": F.tanh, "relu": F.relu})
DEFAULT_SIZES = (2, 16, 16, 1)
ADAM_LR = 0.01  # Adam's default step: moons (noise 0.1) passes 95% after 60-120 of DEFAULT_STEPS steps
SGD_LR = 0.5  # plain descent needs a larger rate for the same progress (0.1 stalls near 90% on moons)
DEFAULT_STEPS = 300
MAX_STEPS = 5000
GRID_POINTS = 100  # per side of the decision-boundary grid
GRID_MARGIN = 0.15  # the grid extends this fraction of the data's span beyond the data


class MLP:
    """A multilayer perceptron: x → act(x W1 + b1) → act(· W2 + b2) → ... → · Wk + bk (logits).

    `sizes` are the widths of the layers, input first: (2, 16, 16, 1) takes points in the
    plane and gives one logit (score) per point; sigmoid(logit) is the probability of class 1.
    Weights start random (scaled by 1/sqrt(fan-in) for tanh, sqrt(2/fan-in) for relu, so the
    signal keeps its size through the layers); biases start at zero. `seed` fixes them.
    """

    def __init__(self, sizes: Sequence[int] = DEFAULT_SIZES, activation: str = "tanh", seed: int = 0):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes must list at least two positive layer widths, not {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        self.sizes = sizes
        self.activation = activation
        rng = np.random.default_rng(seed)
        gain = 2.0 if activation == "relu" else 1.0  # relu zeroes half its inputs: twice the variance
        self.weights: list[Tensor] = []
        self.biases: list[Tensor] = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:]), start=1):
            w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(gain / fan_in)
            self.weights.append(Tensor(w, label=f"W{i}"))
            self.biases.append(Tensor(np.zeros(fan_out), label=f"b{i}"))

    def parameters(self) -> list[Tensor]:
        """Every weight and bias, layer by layer: W1, b1, W2, b2, ..."""
        return [p for layer in zip(self.weights, self.biases) for p in layer]

    def __call__(self, X) -> Tensor:
        """The logits for the points X (n × sizes[0]): a Tensor of shape (n, sizes[-1])."""
        return self.layer_outputs(X)[-1]

    def layer_outputs(self, X) -> list[Tensor]:
        """What every layer gives for the points X: one (n × width) Tensor per layer after the
        input, each hidden layer's after its activation, and last the logits."""
        h = X if isinstance(X, Tensor) else Tensor.constant(X)
        if h.ndim != 2 or h.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), not {h.shape}")
        act = ACTIVATIONS[self.activation]
        last = len(self.weights) - 1
        outputs = []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w + b
            if i < last:  # the output layer stays linear: logits may be any real number
                h = act(h)
            outputs.append(h)
        return outputs

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r})"


def bce_with_logits(logits: Tensor, y) -> Tensor:
    """Mean binary cross-entropy of labels y (0 or 1) given logits z, computed stably.

    −[y·log σ(z) + (1−y)·log(1−σ(z))] simplifies to softplus(z) − y·z, and softplus never
    overflows (σ(z) itself rounds to 1 for z > 37, and log(1 − 1) is −∞).
    """
    z = logits.reshape(-1)
    target = np.asarray(y, dtype=np.float64).reshape(-1)
    if target.shape != z.shape:
        raise ValueError(f"y must have one label per logit: {target.shape[0]} labels, {z.shape[0]} logits")
    return F.mean(F.softplus(z) - target * z)


def l2_penalty(model: MLP, rate: float) -> Tensor:
    """Weight decay as a loss term: rate/2 · Σ w² over every weight (not the biases). Its gradient
    is rate·w, so each step also pulls every weight a little towards 0: smaller weights, a
    smoother boundary, less fitting of the noise."""
    return 0.5 * rate * sum((F.sum(w * w) for w in model.weights), Tensor.constant(0.0))


def accuracy(logits, y) -> float:
    """The fraction of points on the right side: logit > 0 means class 1 (probability > 0.5)."""
    z = (logits.data if isinstance(logits, Tensor) else np.asarray(logits)).reshape(-1)
    return float(np.mean((z > 0) == (np.asarray(y).reshape(-1) == 1)))


# ---- optimisers: they change p.data in place, from p.grad -------------------------------------


class Optimizer:
    """What every optimiser shares: the parameters it updates, a learning rate, zero_grad.

    `step()` reads each parameter's `.grad` (filled by `loss.backward()`, or set from
    `grad(loss, params)`) and changes `p.data` in place; parameters without a gradient are skipped.
    """

    def __init__(self, params: Sequence[Tensor], lr: float):
        self.params = list(params)
        self.lr = float(lr)

    def step(self) -> None:
        raise NotImplementedError

    def zero_grad(self) -> None:
        """Forget the gradients, so the next backward starts from zero (they would add up)."""
        for p in self.params:
            p.grad = None


class SGD(Optimizer):
    """Plain gradient descent: p ← p − lr·dL/dp, for each parameter p."""

    def __init__(self, params: Sequence[Tensor], lr: float = SGD_LR):
        super().__init__(params, lr)

    def step(self) -> None:
        for p in self.params:
            if p.grad is not None:
                p.data -= self.lr * p.grad.data


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): gradient descent with a running mean of the gradient (momentum)
    divided by a running root-mean-square of it, so every weight moves about `lr` per step
    whatever the scale of its gradient.
    """

    def __init__(self, params: Sequence[Tensor], lr: float = ADAM_LR,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m = [np.zeros_like(p.data) for p in self.params]  # running mean of the gradient
        self.v = [np.zeros_like(p.data) for p in self.params]  # running mean of its square

    def step(self) -> None:
        self.t += 1
        # Both means start at 0, which biases them low for the first steps; these undo that.
        correct1 = 1 - self.beta1**self.t
        correct2 = 1 - self.beta2**self.t
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad.data
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p.data -= self.lr * (m / correct1) / (np.sqrt(v / correct2) + self.eps)


OPTIMIZERS = MappingProxyType({"Adam": Adam, "SGD": SGD})  # for a page's picker: OPTIMIZERS[name](params, lr)


# ---- training -------------------------------------------------------------------------------


class TrainingStep(NamedTuple):
    """One step of training: its number (1 first), and the loss and accuracy before the update."""

    step: int
    loss: float
    accuracy: float


def train_step(model: MLP, X, y, optimizer: Optimizer, l2: float = 0.0) -> tuple[float, float]:
    """One step on the points (X, y), a batch or all of them: forward pass, loss (cross-entropy,
    plus `l2_penalty` when l2 > 0), `grad(loss, parameters)`, optimiser update.

    Returns the cross-entropy and the accuracy before the update. Afterwards each parameter's
    `.grad` holds this step's gradient (the next step replaces it), for a page to show.
    """
    params = model.parameters()
    inputs = X if isinstance(X, Tensor) else Tensor.constant(np.asarray(X, dtype=np.float64))
    logits = model(inputs)
    data_loss = bce_with_logits(logits, y)
    loss = data_loss + l2_penalty(model, l2) if l2 else data_loss
    # grad() rather than backward(): only the parameters' gradients are kept, not every node's.
    for p, g in zip(params, grad(loss, params)):
        p.grad = g
    optimizer.step()
    return data_loss.item(), accuracy(logits, y)


def training_steps(model: MLP, X, y, steps: int = DEFAULT_STEPS,
                   optimizer: Optimizer | None = None) -> Iterator[TrainingStep]:
    """Train `model` on (X, y) with full-batch steps (`train_step`), yielding a TrainingStep after each.

    The optimiser defaults to Adam(model.parameters(), ADAM_LR). A generator, so a page can
    update a progress bar or redraw the boundary every few steps, and stop early by breaking.
    """
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"The number of steps must be a whole number from 1 to {MAX_STEPS}, not {steps!r}.")
    if optimizer is None:
        optimizer = Adam(model.parameters())
    inputs = Tensor.constant(np.asarray(X, dtype=np.float64))
    for k in range(1, int(steps) + 1):
        yield TrainingStep(k, *train_step(model, inputs, y, optimizer))


def train(model: MLP, X, y, steps: int = DEFAULT_STEPS, optimizer: Optimizer | None = None,
          callback: Callable[[TrainingStep], object] | None = None) -> list[TrainingStep]:
    """Run `training_steps` to the end; `callback(step)` after each. Returns every step."""
    history = []
    for step in training_steps(model, X, y, steps, optimizer):
        history.append(step)
        if callback is not None:
            callback(step)
    return history


class BoundaryGrid(NamedTuple):
    """The model's probability of class 1 on a grid: probs[i, j] at (xs[j], ys[i])."""

    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray


def predict_grid(model: MLP, X, n: int = GRID_POINTS) -> BoundaryGrid:
    """sigmoid(model) on an n×n grid covering the points X (plus a margin), in one pass.

    Runs under `no_grad`: no graph is kept, so redrawing during training costs one forward pass.
    """
    X = np.asarray(X, dtype=np.float64)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = GRID_MARGIN * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    gx, gy = np.meshgrid(xs, ys)
    with no_grad():
        logits = model(np.column_stack([gx.ravel(), gy.ravel()]))
        probs = F.sigmoid(logits).data.reshape(n, n)
    for a in (xs, ys, probs):
        a.flags.writeable = False
    return BoundaryGrid(xs, ys, probs)

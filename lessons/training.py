"""A training run you can watch, pause and step: the network page's data, model and history.
Numpy and tinytorch only.

    >>> from lessons.training import Settings, TrainingRun
    >>> run = TrainingRun(Settings(data="xor", seed=3))
    >>> run.advance(200)  # steps taken
    200
    >>> run.latest.test_accuracy > 0.9
    True

Everything random comes from the settings' seed: the points (`datasets.make`), the split into
training and test points, the first weights (`nn.MLP`) and the order of the batches. So the same
settings give the same run, step for step, however the steps are grouped (a page's ticks, the
"step" button): a shared link reproduces it.

Each step trains on one batch of training points (`nn.train_step`); an epoch is one pass over
them in a fresh random order, the last batch of an epoch taking what is left. After every step
the whole training set and the test set are scored (no graph kept), so the history shows how
well the network does on points it never trained on.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from tinytorch import nn, no_grad

from . import datasets
from .i18n import _, count

__all__ = ["LEARNING_RATES", "L2_RATES", "MAX_BATCH", "MAX_LAYERS", "MAX_RUN_STEPS", "MAX_SEED", "MAX_UNITS",
           "POINTS", "Record", "Settings", "TrainingRun", "TRAIN_SHARES"]

POINTS = 200  # points per data set, training and test together
TRAIN_SHARES = tuple(range(10, 100, 10))  # percent of the points used for training; the rest test it
MAX_LAYERS, MAX_UNITS = 4, 16  # hidden layers, units per hidden layer
MAX_BATCH = 50
MAX_SEED = 10**6
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
L2_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
MAX_RUN_STEPS = 10_000  # a run stops here: the history and the work a session may ask for stay bounded


class Settings(NamedTuple):
    """What a run is made of; equal settings make equal runs."""

    data: str = datasets.DATASETS[0]
    noise: float = 0.1
    train_share: int = 50  # percent
    seed: int = 0
    layers: int = 2
    units: int = 8
    activation: str = "tanh"
    optimizer: str = "Adam"
    lr: float = 0.03
    l2: float = 0.0
    batch: int = 10

    @property
    def sizes(self) -> tuple[int, ...]:
        """The layer widths: the two coordinates in, `layers` hidden layers of `units`, one logit out."""
        return (2, *([self.units] * self.layers), 1)


def _check(s: Settings) -> None:
    """A ValueError with a message fit for the page, for any setting out of bounds."""
    def whole(value, low, high) -> bool:
        return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and low <= value <= high

    problems = [
        (s.data in datasets.DATASETS, _("The data set must be one of {choices}."), {"choices": datasets.DATASETS}),
        (math.isfinite(s.noise) and 0 <= s.noise <= datasets.MAX_NOISE,
         _("The noise must be between 0 and {high}."), {"high": f"{datasets.MAX_NOISE:g}"}),
        (s.train_share in TRAIN_SHARES, _("The training share must be one of {choices}%."),
         {"choices": tuple(map(str, TRAIN_SHARES))}),
        (whole(s.seed, 0, MAX_SEED), _("The seed must be a whole number from 0 to {high}."), {"high": count(MAX_SEED)}),
        (whole(s.layers, 0, MAX_LAYERS), _("The number of hidden layers must be from 0 to {high}."),
         {"high": MAX_LAYERS}),
        (whole(s.units, 1, MAX_UNITS), _("The units per layer must be from 1 to {high}."), {"high": MAX_UNITS}),
        (s.activation in nn.ACTIVATIONS, _("The activation must be one of {choices}."),
         {"choices": tuple(nn.ACTIVATIONS)}),
        (s.optimizer in nn.OPTIMIZERS, _("The optimizer must be one of {choices}."), {"choices": tuple(nn.OPTIMIZERS)}),
        (s.lr in LEARNING_RATES, _("The learning rate must be one of the slider's values."), {}),
        (s.l2 in L2_RATES, _("The L2 rate must be one of the slider's values."), {}),
        (whole(s.batch, 1, MAX_BATCH), _("The batch size must be from 1 to {high}."), {"high": MAX_BATCH}),
    ]
    for ok, message, fields in problems:
        if not ok:
            raise ValueError(message.format(**{k: ", ".join(v) if isinstance(v, tuple) else v
                                               for k, v in fields.items()}))


class Record(NamedTuple):
    """How the network does after `step` steps: cross-entropy and accuracy on each set."""

    step: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float


class TrainingRun:
    """One network being trained on one data set, a step at a time (see the module docstring).

    `history` holds a Record for step 0 (the untrained network) and after every step since.
    The model's parameters carry the last step's gradients in `.grad` (None before the first).
    """

    def __init__(self, settings: Settings):
        _check(settings)
        self.settings = settings
        X, y = datasets.make(settings.data, n=POINTS, noise=settings.noise, seed=settings.seed)
        self._rng = np.random.default_rng(settings.seed)  # the split, then the batches
        order = self._rng.permutation(POINTS)
        cut = POINTS * settings.train_share // 100
        self.X_train, self.y_train = X[order[:cut]], y[order[:cut]]
        self.X_test, self.y_test = X[order[cut:]], y[order[cut:]]
        self.X, self.y = X, y  # all the points, for the picture's extent
        self.model = nn.MLP(settings.sizes, settings.activation, seed=settings.seed)
        self.optimizer = nn.OPTIMIZERS[settings.optimizer](self.model.parameters(), settings.lr)
        self.batch = min(settings.batch, cut)  # a batch larger than the training set is all of it
        self._queue = np.empty(0, dtype=np.intp)  # this epoch's training points not yet used
        self.step = 0
        self.epoch = 0  # epochs started
        self.history: list[Record] = [self._score()]

    @property
    def latest(self) -> Record:
        return self.history[-1]

    @property
    def finished(self) -> bool:
        """Whether the run has reached MAX_RUN_STEPS (it takes no more steps)."""
        return self.step >= MAX_RUN_STEPS

    def advance(self, steps: int) -> int:
        """Train for up to `steps` more steps (never beyond MAX_RUN_STEPS); how many were taken."""
        taken = max(0, min(int(steps), MAX_RUN_STEPS - self.step))
        for _taken in range(taken):
            batch = self._next_batch()
            nn.train_step(self.model, self.X_train[batch], self.y_train[batch], self.optimizer, self.settings.l2)
            self.step += 1
            self.history.append(self._score())
        return taken

    def _next_batch(self) -> np.ndarray:
        if not self._queue.size:
            self._queue = self._rng.permutation(len(self.y_train))
            self.epoch += 1
        batch, self._queue = self._queue[:self.batch], self._queue[self.batch:]
        return batch

    def _score(self) -> Record:
        with no_grad():
            train = self.model(self.X_train)
            test = self.model(self.X_test)
            return Record(self.step, nn.bce_with_logits(train, self.y_train).item(),
                          nn.accuracy(train, self.y_train), nn.bce_with_logits(test, self.y_test).item(),
                          nn.accuracy(test, self.y_test))

"""Training the "tiny network" page's MLP, as ratios against hand-written numpy measured in the same run.

    python benchmarks/network.py [--quick]

The network is the page's default: 2-16-16-1 with tanh, mean binary cross-entropy from logits,
Adam, full batch, on 200 "moons" points. The baseline is the same network written out by hand in
numpy (forward, backward with the derivatives worked out on paper, the same Adam update), starting
from the same weights; both must give the same losses before anything is timed.

1. One training step (forward, backward, update), median of interleaved rounds.
2. A whole training run of 300 steps from fresh weights, as the Train button does it.
3. One decision-boundary redraw: `predict_grid` on 100×100 points (forward only, no graph).
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import fmt_time, interleaved, start  # noqa: E402

from lessons.datasets import make  # noqa: E402
from tinytorch.nn import ADAM_LR, MAX_STEPS, MLP, Adam, predict_grid, train, training_steps  # noqa: E402

STEPS = 300


class ByHand:
    """The same MLP and Adam in plain numpy, backward pass derived by hand."""

    def __init__(self, model: MLP, lr: float = ADAM_LR, betas=(0.9, 0.999), eps=1e-8):
        self.params = [p.data.copy() for p in model.parameters()]  # W1, b1, W2, b2, W3, b3
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        w1, b1, w2, b2, w3, b3 = self.params
        h1 = np.tanh(X @ w1 + b1)
        h2 = np.tanh(h1 @ w2 + b2)
        z = (h2 @ w3 + b3)[:, 0]
        loss = np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)
        dz = ((1 / (1 + np.exp(-z)) - y) / len(y))[:, None]  # d(softplus(z) - y z)/dz = sigmoid(z) - y
        da2 = (dz @ w3.T) * (1 - h2 * h2)
        da1 = (da2 @ w2.T) * (1 - h1 * h1)
        grads = [X.T @ da1, da1.sum(0), h1.T @ da2, da2.sum(0), h2.T @ dz, dz.sum(0)]
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / (1 - self.beta1**self.t)) / (np.sqrt(v / (1 - self.beta2**self.t)) + self.eps)
        return float(loss)


def check_same_losses(X, y):
    ours = [s.loss for s in train(MLP(seed=0), X, y, 20)]
    hand = ByHand(MLP(seed=0))
    theirs = [hand.step(X, y) for _ in range(20)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def one_step(X, y, rounds):
    model = MLP(seed=0)
    steps = training_steps(model, X, y, steps=MAX_STEPS)  # more steps than the rounds will take
    hand = ByHand(MLP(seed=0))
    candidates = {"hand": lambda: hand.step(X, y), "tinytorch": lambda: next(steps)}
    t = interleaved(candidates, rounds=rounds, repeat=20)
    print("1. One training step (forward, backward, Adam), 2-16-16-1 tanh on 200 points")
    print(f"   numpy by hand {fmt_time(t['hand'])}, tinytorch {fmt_time(t['tinytorch'])}: "
          f"{t['tinytorch'] / t['hand']:.1f}x the hand-written time")


def whole_run(X, y, rounds):
    def ours():
        model = MLP(seed=0)
        return train(model, X, y, STEPS, Adam(model.parameters()))[-1].accuracy

    def by_hand():
        hand = ByHand(MLP(seed=0))
        for _ in range(STEPS):
            hand.step(X, y)

    t = interleaved({"hand": by_hand, "tinytorch": ours}, rounds=rounds)
    print(f"\n2. A whole training run: {STEPS} steps from fresh weights (the Train button)")
    print(f"   numpy by hand {fmt_time(t['hand'])}, tinytorch {fmt_time(t['tinytorch'])} "
          f"({fmt_time(t['tinytorch'] / STEPS)} a step): {t['tinytorch'] / t['hand']:.1f}x; "
          f"training accuracy {ours():.1%}")


def boundary_redraw(X, y, rounds):
    model = MLP(seed=0)
    train(model, X, y, STEPS)
    w = [p.data for p in model.parameters()]
    grid = predict_grid(model, X, n=100)

    def by_hand():
        gx, gy = np.meshgrid(grid.xs, grid.ys)
        points = np.column_stack([gx.ravel(), gy.ravel()])
        z = np.tanh(np.tanh(points @ w[0] + w[1]) @ w[2] + w[3]) @ w[4] + w[5]
        return (1 / (1 + np.exp(-z))).reshape(gx.shape)

    np.testing.assert_allclose(by_hand(), grid.probs, rtol=1e-12, atol=1e-15)

    candidates = {"hand": by_hand, "tinytorch": lambda: predict_grid(model, X, n=100)}
    t = interleaved(candidates, rounds=rounds, repeat=10)
    print("\n3. One decision-boundary redraw: probabilities on 100×100 points (forward only)")
    print(f"   numpy by hand {fmt_time(t['hand'])}, predict_grid {fmt_time(t['tinytorch'])}: "
          f"{t['tinytorch'] / t['hand']:.1f}x")


def page_tick(rounds):
    from lessons import svg, training, training_plots
    from ui import view

    print(f"\n4. One tick of the network page: {view.STEPS_PER_TICK} steps, then the three pictures "
          f"(a tick every {view.TICK_SECONDS} s)")
    for settings in (training.Settings(), training.Settings(layers=4, units=16)):
        run = training.TrainingRun(settings)
        run.advance(300)  # a trained network draws sharper pictures: more bytes
        candidates = {"steps": partial(run.advance, view.STEPS_PER_TICK),
                      "pictures": partial(training_plots.pictures, run)}
        t = interleaved(candidates, rounds=rounds)
        sizes = [len(svg.data_url(picture)) for picture in training_plots.pictures(run)]
        tick = t["steps"] + t["pictures"]
        print(f"   {'-'.join(map(str, settings.sizes))}: steps {fmt_time(t['steps'])}, pictures "
              f"{fmt_time(t['pictures'])} ({t['pictures'] / t['steps']:.1f}x the steps); a tick is "
              f"{tick / view.TICK_SECONDS:.0%} of its interval; sent: "
              f"{' + '.join(f'{b / 1000:.0f}' for b in sizes)} = {sum(sizes) / 1000:.0f} KB a tick")


def main():
    rounds = start(__doc__, quick=3, full=15)
    X, y = make("moons", n=200, noise=0.1, seed=0)
    check_same_losses(X, y)
    one_step(X, y, rounds)
    whole_run(X, y, max(3, rounds // 3))
    boundary_redraw(X, y, rounds)
    page_tick(rounds)


if __name__ == "__main__":
    main()

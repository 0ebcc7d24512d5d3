"""A training run you can pause and step (lessons/training.py): seeded from end to end, the same run
however its steps are grouped, a clean train/test split, every point once per epoch, bounded."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from lessons import datasets, training
from lessons.training import POINTS, Record, Settings, TrainingRun
from tinytorch import nn


def params(run: TrainingRun) -> list[np.ndarray]:
    return [p.data.copy() for p in run.model.parameters()]


def test_the_module_example_runs():
    assert doctest.testmod(training).failed == 0


def test_the_same_settings_give_the_same_run_however_its_steps_are_grouped():
    settings = Settings(data="circles", seed=5, batch=7, layers=3, units=5, optimizer="SGD", lr=0.3, l2=0.001)
    at_once, in_ticks, one_by_one = TrainingRun(settings), TrainingRun(settings), TrainingRun(settings)
    at_once.advance(40)
    for size in (7, 13, 20):
        in_ticks.advance(size)
    for _ in range(40):
        one_by_one.advance(1)
    for other in (in_ticks, one_by_one):
        assert other.history == at_once.history
        for a, b in zip(params(other), params(at_once)):
            np.testing.assert_array_equal(a, b)
    assert at_once.step == 40 and len(at_once.history) == 41


def test_another_seed_is_another_run_points_split_and_weights():
    a, b = TrainingRun(Settings(seed=1)), TrainingRun(Settings(seed=2))
    assert not np.array_equal(a.X, b.X)
    assert not np.array_equal(params(a)[0], params(b)[0])
    X, y = datasets.make("moons", n=POINTS, noise=0.1, seed=1)  # the seed makes the points too
    np.testing.assert_array_equal(a.X, X)
    np.testing.assert_array_equal(a.y, y)


@pytest.mark.parametrize("share", training.TRAIN_SHARES)
def test_the_split_shares_out_every_point_once(share):
    run = TrainingRun(Settings(train_share=share, seed=3))
    assert len(run.y_train) == POINTS * share // 100 and len(run.y_train) + len(run.y_test) == POINTS
    together = np.concatenate([run.X_train, run.X_test])
    order = np.lexsort(together.T)
    np.testing.assert_array_equal(together[order], run.X[np.lexsort(run.X.T)])  # the same points, each once
    assert len({tuple(p) for p in run.X_train} & {tuple(p) for p in run.X_test}) == 0


def test_each_epoch_trains_on_every_training_point_once(monkeypatch):
    seen: list[np.ndarray] = []
    real = nn.train_step

    def recording(model, X, y, *rest):
        seen.append(np.array(X))
        return real(model, X, y, *rest)

    monkeypatch.setattr(training.nn, "train_step", recording)
    run = TrainingRun(Settings(batch=7, seed=2))  # 100 training points: 14 batches of 7, then one of 2
    run.advance(15)
    assert run.epoch == 1 and [len(b) for b in seen] == [7] * 14 + [2]
    epoch = np.concatenate(seen)
    np.testing.assert_array_equal(epoch[np.lexsort(epoch.T)], run.X_train[np.lexsort(run.X_train.T)])
    run.advance(1)
    assert run.epoch == 2  # the next batch starts a new pass, in a new order
    assert not np.array_equal(seen[15], seen[0])


def test_a_batch_larger_than_the_training_set_is_all_of_it():
    run = TrainingRun(Settings(train_share=10, batch=training.MAX_BATCH))
    assert run.batch == len(run.y_train) == 20
    run.advance(3)
    assert run.epoch == 3


def test_the_history_scores_the_training_and_the_test_points_after_each_step():
    run = TrainingRun(Settings(seed=4))
    untrained = nn.MLP(Settings().sizes, seed=4)
    first = run.history[0]
    assert first.step == 0
    assert first.train_loss == pytest.approx(nn.bce_with_logits(untrained(run.X_train), run.y_train).item(), rel=1e-14)
    assert first.test_accuracy == nn.accuracy(untrained(run.X_test), run.y_test)
    run.advance(5)
    last = run.latest
    assert last == Record(5, nn.bce_with_logits(run.model(run.X_train), run.y_train).item(),
                          nn.accuracy(run.model(run.X_train), run.y_train),
                          nn.bce_with_logits(run.model(run.X_test), run.y_test).item(),
                          nn.accuracy(run.model(run.X_test), run.y_test))
    assert [r.step for r in run.history] == list(range(6))


def test_training_learns_the_shape_and_the_test_points_show_it():
    run = TrainingRun(Settings())
    run.advance(300)
    assert run.latest.train_loss < 0.1 * run.history[0].train_loss
    assert run.latest.test_accuracy >= 0.95  # points it never trained on


def test_l2_keeps_the_weights_smaller():
    plain, decayed = TrainingRun(Settings(seed=6)), TrainingRun(Settings(seed=6, l2=0.03))
    plain.advance(300)
    decayed.advance(300)

    def size(run):
        return sum(float(np.sum(w.data**2)) for w in run.model.weights)
    assert size(decayed) < 0.7 * size(plain)


def test_no_hidden_layer_is_a_straight_boundary():
    run = TrainingRun(Settings(layers=0))
    assert run.model.sizes == (2, 1)
    run.advance(10)


def test_a_run_stops_at_its_limit(monkeypatch):
    monkeypatch.setattr(training, "MAX_RUN_STEPS", 25)
    run = TrainingRun(Settings())
    assert run.advance(20) == 20 and not run.finished
    assert run.advance(20) == 5 and run.finished and run.step == 25
    assert run.advance(1) == 0 and len(run.history) == 26


@pytest.mark.parametrize(("change", "message"), [
    ({"data": "spirals"}, "data set"),
    ({"noise": -0.1}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"train_share": 55}, "training share"),
    ({"seed": -1}, "seed"),
    ({"seed": training.MAX_SEED + 1}, "seed"),
    ({"layers": 5}, "hidden layers"),
    ({"units": 0}, "units"),
    ({"units": 2.5}, "units"),
    ({"activation": "gelu"}, "activation"),
    ({"optimizer": "RMSprop"}, "optimizer"),
    ({"lr": 0.05}, "learning rate"),
    ({"l2": -1.0}, "L2"),
    ({"batch": 0}, "batch"),
    ({"batch": True}, "batch"),
])
def test_every_setting_is_checked_with_its_own_message(change, message):
    with pytest.raises(ValueError, match=message):
        TrainingRun(Settings()._replace(**change))

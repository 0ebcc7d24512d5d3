"""Toy data sets and the tiny network: geometry, loss, gradients, optimisers, training, the boundary grid."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.datasets import DATASETS, MAX_NOISE, MAX_POINTS, make
from tinytorch import Tensor, grad, no_grad
from tinytorch.nn import (
    ADAM_LR,
    MLP,
    OPTIMIZERS,
    SGD,
    Adam,
    accuracy,
    bce_with_logits,
    l2_penalty,
    predict_grid,
    train,
    train_step,
    training_steps,
)

# ---- data sets --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("n", [200, 57])
def test_datasets_are_balanced_shaped_and_read_only(name, n):
    X, y = make(name, n=n, noise=0.2, seed=3)
    assert X.shape == (n, 2) and y.shape == (n,) and X.dtype == np.float64
    assert set(np.unique(y)) == {0, 1}
    assert np.count_nonzero(y == 0) == n // 2 and np.count_nonzero(y == 1) == n - n // 2
    assert not X.flags.writeable and not y.flags.writeable


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_deterministic_per_seed(name):
    X1, y1 = make(name, seed=7)
    X2, y2 = make(name, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(name, seed=8)
    assert not np.array_equal(X1, X3)


def test_datasets_are_shuffled():
    _, y = make("moons")
    assert np.count_nonzero(np.diff(y)) > 10  # not 100 zeros then 100 ones (one change of class)


def test_noiseless_moons_are_two_half_circles():
    X, y = make("moons", n=101, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)  # unit circle, y >= 0
    assert upper[:, 1].min() >= -1e-12
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert lower[:, 1].max() <= 0.5 + 1e-12  # centred at (1, 0.5), opening upwards


def test_noiseless_circles_have_radii_one_and_a_half():
    X, y = make("circles", n=100, noise=0.0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.5, rtol=1e-12)


def test_noiseless_xor_follows_the_sign_rule():
    X, y = make("xor", n=400, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    assert np.abs(X).max() <= 1
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert len(quadrants) == 4


@pytest.mark.parametrize("name", DATASETS)
def test_noise_is_gaussian_with_the_given_spread(name):
    # Same seed: the same points and order, so the difference is the noise alone.
    X0, y0 = make(name, n=2000, noise=0.0, seed=1)
    X1, y1 = make(name, n=2000, noise=0.3, seed=1)
    np.testing.assert_array_equal(y0, y1)
    shift = X1 - X0
    assert np.std(shift) == pytest.approx(0.3, rel=0.05) and abs(np.mean(shift)) < 0.03


@pytest.mark.parametrize("zero", [-0.0, "-0", "-0e3"])
def test_negative_zero_noise_is_no_noise(zero):
    # -0.0 passes 0 <= noise, and numpy's normal(scale=-0.0) raises "scale < 0": a link's noise=-0 crashed.
    X, y = make("moons", n=50, noise=float(zero), seed=2)
    X0, y0 = make("moons", n=50, noise=0.0, seed=2)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": "spirals"}, "Unknown data set 'spirals': choose one of moons, circles, xor"),
    ({"n": 3}, "number of points"),
    ({"n": MAX_POINTS + 1}, "number of points"),
    ({"n": 10.5}, "number of points"),
    ({"noise": -0.1}, "noise"),
    ({"noise": MAX_NOISE * 2}, "noise"),
])
def test_bad_dataset_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make(**{"name": "moons", **kwargs})


# ---- the network ------------------------------------------------------------------------------


def test_mlp_shapes_parameters_and_seed():
    model = MLP((2, 5, 3, 1), seed=4)
    params = model.parameters()
    assert [p.shape for p in params] == [(2, 5), (5,), (5, 3), (3,), (3, 1), (1,)]
    assert all(p.requires_grad for p in params)
    assert model(np.zeros((7, 2))).shape == (7, 1)
    np.testing.assert_array_equal(MLP((2, 5, 3, 1), seed=4).parameters()[0].data, params[0].data)
    assert not np.array_equal(MLP((2, 5, 3, 1), seed=5).parameters()[0].data, params[0].data)


def test_mlp_forward_matches_numpy():
    model = MLP((2, 4, 1), activation="relu", seed=1)
    for p in model.parameters():  # nonzero biases, so that adding them is tested too
        p.data += 0.1
    X = np.random.default_rng(0).standard_normal((6, 2))
    w1, b1, w2, b2 = (p.data for p in model.parameters())
    np.testing.assert_allclose(model(X).data, np.maximum(X @ w1 + b1, 0) @ w2 + b2, rtol=1e-14)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sizes": (2,)}, "sizes"), ({"sizes": (2, 0, 1)}, "sizes"), ({"activation": "gelu"}, "activation"),
])
def test_bad_mlp_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_mlp_checks_the_input_width():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        MLP()(np.zeros((4, 3)))


def test_bce_with_logits_matches_the_textbook_formula():
    z = np.linspace(-6, 6, 13)
    y = (np.arange(13) % 2).astype(float)
    p = 1 / (1 + np.exp(-z))
    textbook = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert bce_with_logits(Tensor(z), y).item() == pytest.approx(textbook, rel=1e-13)


def test_bce_with_logits_is_stable_for_huge_logits():
    # sigmoid(±1000) rounds to 1 or 0, and the textbook formula gives log(0) = −∞; these are exact:
    z = Tensor([1000.0, -1000.0, 1000.0, -1000.0])
    loss = bce_with_logits(z, [1, 0, 0, 1])  # right, right, wrong by 1000, wrong by 1000
    assert loss.item() == pytest.approx(500.0, rel=1e-15)
    (g,) = grad(loss, z)
    np.testing.assert_allclose(g.data, [0, 0, 0.25, -0.25])  # (sigmoid(z) − y) / n


def test_bce_needs_one_label_per_logit():
    with pytest.raises(ValueError, match="one label per logit"):
        bce_with_logits(Tensor(np.zeros((4, 1))), [0, 1, 1])


def test_accuracy_counts_the_right_side_of_zero():
    assert accuracy(np.array([[2.0], [-1.0], [0.5], [-3.0]]), [1, 0, 0, 0]) == 0.75


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_network_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((9, 2)), rng.integers(0, 2, 9)
    model = MLP((2, 3, 2, 1), activation=activation, seed=2)
    params = model.parameters()
    for p in params:
        p.data += rng.normal(scale=0.3, size=p.shape)  # nonzero biases: their gradients matter too
    engine = [g.data for g in grad(bce_with_logits(model(X), y), params)]

    def loss() -> float:
        with no_grad():
            return bce_with_logits(model(X), y).item()

    eps = 1e-6
    for p, g in zip(params, engine):
        numeric = np.zeros_like(p.data)
        for idx in np.ndindex(p.shape):
            keep = p.data[idx]
            p.data[idx] = keep + eps
            up = loss()
            p.data[idx] = keep - eps
            down = loss()
            p.data[idx] = keep
            numeric[idx] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


# ---- optimisers ------------------------------------------------------------------------------


def test_sgd_step_is_p_minus_lr_grad_and_zero_grad_clears():
    p = Tensor([1.0, -2.0])
    p.grad = Tensor.constant([0.5, 4.0])
    opt = SGD([p], lr=0.1)
    opt.step()
    np.testing.assert_allclose(p.data, [0.95, -2.4])
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # nothing to do without a gradient
    np.testing.assert_allclose(p.data, [0.95, -2.4])


def test_adam_first_step_moves_each_weight_by_lr_against_its_gradient_sign():
    # After bias correction the first step is lr·g/(|g| + eps): the same size whatever the scale of g
    # (to within eps/|g| = 1e-5 for the smallest one here).
    p = Tensor([1.0, 1.0, 1.0])
    p.grad = Tensor.constant([1e-3, -5.0, 200.0])
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.data, [0.99, 1.01, 0.99], rtol=1e-6)


def test_adam_follows_the_published_update_for_several_steps():
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((5, 3))
    p = Tensor(np.zeros(3))
    opt = Adam([p], lr=0.1, betas=(0.8, 0.9), eps=1e-8)
    m = v = np.zeros(3)
    want = np.zeros(3)
    for t, g in enumerate(grads, start=1):
        p.grad = Tensor.constant(g)
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        want = want - 0.1 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-8)
        np.testing.assert_allclose(p.data, want, rtol=1e-12)


def test_optimizers_are_offered_by_name():
    assert set(OPTIMIZERS) == {"Adam", "SGD"}
    opt = OPTIMIZERS["Adam"]([Tensor([0.0])])
    assert isinstance(opt, Adam) and opt.lr == ADAM_LR


# ---- training ---------------------------------------------------------------------------------


def test_default_training_fits_the_moons():
    X, y = make("moons", n=200, noise=0.1, seed=0)
    history = train(MLP(seed=0), X, y)  # the page's defaults: 2-16-16-1, tanh, Adam, 300 steps
    assert len(history) == 300
    assert history[-1].accuracy >= 0.95
    assert history[-1].loss < 0.1 * history[0].loss


def test_training_steps_report_the_loss_before_each_update():
    X, y = make("xor", n=40, seed=1)
    model = MLP((2, 4, 1), seed=1)
    expected = bce_with_logits(MLP((2, 4, 1), seed=1)(X), y).item()  # same weights, untrained
    steps = training_steps(model, X, y, steps=3)
    first = next(steps)
    assert first.step == 1 and first.loss == pytest.approx(expected, rel=1e-14)
    assert [s.step for s in steps] == [2, 3]
    assert all(p.grad is not None for p in model.parameters())  # the last step's, for a page to show


def test_sgd_training_lowers_the_loss_and_callbacks_see_every_step():
    X, y = make("circles", n=60, seed=2)
    model = MLP((2, 8, 1), seed=2)
    seen = []
    history = train(model, X, y, 50, SGD(model.parameters(), lr=0.5), callback=seen.append)
    assert seen == history and history[-1].loss < history[0].loss


@pytest.mark.parametrize("steps", [0, 10**6, 2.5])
def test_training_step_count_is_checked(steps):
    X, y = make("moons", n=10)
    with pytest.raises(ValueError, match="number of steps"):
        next(training_steps(MLP(), X, y, steps=steps))


def test_predict_grid_covers_the_data_and_matches_the_model():
    X, y = make("moons", n=50, seed=0)
    model = MLP(seed=0)
    g = predict_grid(model, X, n=30)
    assert g.xs.shape == g.ys.shape == (30,) and g.probs.shape == (30, 30)
    assert g.xs[0] < X[:, 0].min() and g.xs[-1] > X[:, 0].max()
    assert g.ys[0] < X[:, 1].min() and g.ys[-1] > X[:, 1].max()
    assert np.all((g.probs >= 0) & (g.probs <= 1)) and not g.probs.flags.writeable
    i, j = 7, 21  # probs[i, j] is at (xs[j], ys[i])
    logit = model(np.array([[g.xs[j], g.ys[i]]])).item()
    assert g.probs[i, j] == pytest.approx(1 / (1 + math.exp(-logit)), rel=1e-12)


def test_predict_grid_builds_no_graph():
    X, _ = make("moons", n=20)
    model = MLP(seed=0)
    before = [p.grad for p in model.parameters()]
    predict_grid(model, X, n=5)
    assert [p.grad for p in model.parameters()] == before
    with no_grad():
        assert model(X).is_leaf  # what predict_grid runs: no op is recorded


# ---- one step, with weight decay, and every layer's output ------------------------------------------


def test_train_step_updates_by_the_gradient_and_keeps_it_on_each_parameter():
    X, y = make("moons", n=30, seed=3)
    model, twin = MLP((2, 5, 1), seed=3), MLP((2, 5, 1), seed=3)
    before = [p.data.copy() for p in model.parameters()]
    loss = bce_with_logits(twin(X), y)
    expected = [g.data for g in grad(loss, twin.parameters())]
    result = train_step(model, X, y, SGD(model.parameters(), lr=0.1))
    assert result == (pytest.approx(loss.item(), rel=1e-14), accuracy(twin(X), y))
    for p, old, g in zip(model.parameters(), before, expected):
        np.testing.assert_allclose(p.grad.data, g, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(p.data, old - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_l2_adds_rate_times_each_weight_to_its_gradient_and_leaves_the_biases():
    X, y = make("circles", n=20, seed=4)
    plain, decayed = MLP((2, 3, 1), seed=5), MLP((2, 3, 1), seed=5)
    train_step(plain, X, y, SGD(plain.parameters(), lr=0.0001))
    weights = [w.data.copy() for w in decayed.weights]
    reported = train_step(decayed, X, y, SGD(decayed.parameters(), lr=0.0001), l2=0.3)
    assert reported[0] == pytest.approx(bce_with_logits(MLP((2, 3, 1), seed=5)(X), y).item())  # cross-entropy only
    for w, w0, p in zip(decayed.weights, weights, plain.weights):
        np.testing.assert_allclose(w.grad.data, p.grad.data + 0.3 * w0, rtol=1e-12, atol=1e-15)
    for b, p in zip(decayed.biases, plain.biases):
        np.testing.assert_allclose(b.grad.data, p.grad.data, rtol=1e-12, atol=1e-15)


def test_l2_penalty_is_half_the_rate_times_the_sum_of_squared_weights():
    model = MLP((2, 4, 3, 1), seed=6)
    expected = 0.5 * 0.2 * sum(float(np.sum(w.data**2)) for w in model.weights)
    assert l2_penalty(model, 0.2).item() == pytest.approx(expected, rel=1e-14)
    (g,) = grad(l2_penalty(model, 0.2), [model.weights[1]])
    np.testing.assert_allclose(g.data, 0.2 * model.weights[1].data, rtol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_layer_outputs_are_each_layers_activations_and_the_logits_last(activation):
    X, _ = make("xor", n=12, seed=7)
    model = MLP((2, 4, 3, 1), activation=activation, seed=7)
    outputs = model.layer_outputs(X)
    assert [o.shape for o in outputs] == [(12, 4), (12, 3), (12, 1)]
    act = np.tanh if activation == "tanh" else (lambda v: np.maximum(v, 0))
    w, b = [p.data for p in model.weights], [p.data for p in model.biases]
    h1 = act(X @ w[0] + b[0])
    h2 = act(h1 @ w[1] + b[1])
    for got, want in zip(outputs, (h1, h2, h2 @ w[2] + b[2])):
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(model(X).data, outputs[-1].data)


def test_no_hidden_layer_is_logistic_regression():
    X, y = make("moons", n=40, seed=8)
    model = MLP((2, 1), seed=8)
    (logits,) = model.layer_outputs(X)
    np.testing.assert_allclose(logits.data, X @ model.weights[0].data + model.biases[0].data, rtol=1e-14)

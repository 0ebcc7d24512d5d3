"""Train a tiny network: a 2-16-16-1 MLP learns to separate two classes of points, with backprop for every weight."""

import streamlit as st

from lessons import datasets, page_plots, viz
from tinytorch import nn
from ui import compute, presenter, view, widgets

widgets.require_app_navigation()

side = presenter.controls().side
settings = view.NetworkSettings(
    data=side.selectbox("Data set", datasets.DATASETS, key=view.DATASET, **widgets.URL_BOUND),
    noise=side.slider("Noise", 0.0, view.MAX_NOISE, view.DEFAULT_NOISE, view.NOISE_STEP, key=view.NOISE,
                      help="How far the points scatter around their shape.", **widgets.URL_BOUND),
    activation=side.radio("Activation", tuple(nn.ACTIVATIONS), key=view.ACTIVATION, horizontal=True,
                          help="What each hidden unit applies to its weighted sum.", **widgets.URL_BOUND),
    optimizer=side.radio("Optimizer", tuple(nn.OPTIMIZERS), key=view.OPTIMIZER, horizontal=True,
                         help=f"Adam (lr {nn.ADAM_LR:g}) scales each weight's step by its gradient's history; "
                              f"SGD (lr {nn.SGD_LR:g}) is plain gradient descent.", **widgets.URL_BOUND),
    steps=side.slider("Training steps", view.MIN_TRAIN_STEPS, view.MAX_TRAIN_STEPS, view.DEFAULT_TRAIN_STEPS,
                      view.TRAIN_STEP_STEP, key=view.TRAIN_STEPS, help="Each step uses every point once.",
                      **widgets.URL_BOUND),
)
X, y = compute.dataset(settings.data, settings.noise)
theme = widgets.theme()

st.title("Train a tiny network")
st.caption(f"A network with two hidden layers of 16 units ({sum(p.data.size for p in nn.MLP().parameters())} "
           "weights) scores each point; the loss says how wrong the scores are. One backward pass gives the "
           "loss's gradient for every weight at once, and the optimiser nudges them all downhill — the same "
           "backprop as on the Playground, on a bigger graph.")
train = st.button("Train", type="primary", icon=":material/play_arrow:", key="train")
progress = st.empty()
metrics = st.empty()
left, right = st.columns(2)
boundary_slot, loss_slot = left.empty(), right.empty()


def draw(model: nn.MLP, losses, accuracies, key: str) -> None:
    # Unique keys: an unchanged figure drawn twice in one run (a stuck relu net) must not clash.
    boundary = page_plots.boundary_figure(nn.predict_grid(model, X), X, y, theme=theme)
    boundary_slot.plotly_chart(boundary, theme=None, key=f"boundary-{key}", config={"displaylogo": False})
    if losses:
        loss_slot.plotly_chart(page_plots.loss_figure(losses, accuracies, theme=theme), theme=None,
                               key=f"loss-{key}", config={"displaylogo": False})


if train:
    model = nn.MLP(activation=settings.activation)
    optimizer = nn.OPTIMIZERS[settings.optimizer](model.parameters())
    losses, accuracies = [], []
    bar = progress.progress(0.0, text="Training…")
    for step in nn.training_steps(model, X, y, settings.steps, optimizer):
        losses.append(step.loss)
        accuracies.append(step.accuracy)
        bar.progress(step.step / settings.steps, text=f"Step {step.step} of {settings.steps}")
        if view.redraw_now(step.step, settings.steps):
            draw(model, losses, accuracies, str(step.step))
    st.session_state[compute.TRAINED] = compute.TrainedNetwork(settings, model, tuple(losses), tuple(accuracies),
                                                               compute.final_accuracy(model, X, y))
    progress.empty()

trained = st.session_state.get(compute.TRAINED)
if trained is not None and trained.settings == settings:
    draw(trained.model, trained.losses, trained.accuracies, "trained")
    shown = metrics.columns(3)
    shown[0].metric("Accuracy", f"{trained.accuracy:.1%}")
    shown[1].metric("Loss, first step", viz.format_number(trained.losses[0]))
    shown[2].metric("Loss, last step", viz.format_number(trained.losses[-1]))
else:
    # Before training (or after a setting changed): the untrained network's guess, a coin toss.
    draw(nn.MLP(activation=settings.activation), [], [], "untrained")
    loss_slot.info("Press **Train**: the loss curve and the boundary update as the network learns." +
                   (" The last training used other settings." if trained is not None else ""),
                   icon=":material/play_arrow:")

"""Train a tiny network: watch a small MLP learn to separate two classes, with backprop for every weight."""

import time

import streamlit as st

from lessons import i18n, svg, training, training_plots
from lessons.i18n import _
from tinytorch import nn
from ui import compute, language, links, presenter, theme, turns, view, widgets

widgets.require_app_navigation()

# Every setting of the run, in one place: each is a URL parameter, so a link reproduces the run.
side, defaults = presenter.controls().side, view.NETWORK_DEFAULTS
side.subheader(_("Data"))
data = links.named_choice(side, "selectbox", _("Data set"), view.DATASET, lambda name: _(view.DATASET_NAMES[name]))
noise = side.slider(_("Noise"), 0.0, view.MAX_NOISE, step=view.NOISE_STEP,
                    help=_("How far the points scatter around their shape."), **links.bound(view.NOISE, defaults.noise))
shares = training.TRAIN_SHARES
train_share = side.slider(_("Training points"), shares[0], shares[-1], step=shares[1] - shares[0], format="%d%%",
                          help=_("The share of the points the network trains on; the rest test it."),
                          **links.bound(view.TRAIN_SHARE, defaults.train_share))
seed = side.number_input(_("Seed"), 0, training.MAX_SEED, step=1,
                         help=_("Fixes the points, the split, the first weights and the order of the batches."),
                         **links.bound(view.SEED, defaults.seed))
side.button(_("New points and weights"), key="reseed", icon=":material/casino:", on_click=links.assign,
            args=({view.SEED: (seed + 1) % (training.MAX_SEED + 1)},))
side.subheader(_("Network"))
layers = side.slider(_("Hidden layers"), 0, training.MAX_LAYERS, **links.bound(view.LAYERS, defaults.layers))
units = side.slider(_("Units per hidden layer"), 1, training.MAX_UNITS, disabled=layers == 0,
                    **links.bound(view.UNITS, defaults.units))
activation = side.radio(_("Activation"), tuple(nn.ACTIVATIONS), horizontal=True,
                        help=_("What each hidden unit applies to its weighted sum."), **links.linked(view.ACTIVATION))
side.subheader(_("Training"))
optimizer = side.radio(_("Optimizer"), tuple(nn.OPTIMIZERS), horizontal=True,
                       help=_("Adam scales each weight's step by its gradient's history; SGD is plain gradient "
                              "descent."), **links.linked(view.OPTIMIZER))
lr = side.select_slider(_("Learning rate"), training.LEARNING_RATES, format_func="{:g}".format,
                        **links.bound(view.NETWORK_RATE, defaults.lr))
l2 = side.select_slider(_("L2 regularisation"), training.L2_RATES, format_func="{:g}".format,
                        help=_("Adds rate/2 · Σw² to the loss: every step also pulls each weight towards 0."),
                        **links.bound(view.L2, defaults.l2))
batch = side.slider(_("Batch size"), 1, training.MAX_BATCH,
                    help=_("Training points per step; an epoch is one pass over all of them."),
                    **links.bound(view.BATCH, defaults.batch))
settings = training.Settings(data, noise, train_share, int(seed), layers, units, activation, optimizer, lr, l2, batch)
theme.rerun_on_switch()  # the pictures are the server's: redrawn in the theme shown

st.title(_("Train a tiny network"))
st.caption(_("The network scores every point of the plane; the loss says how wrong its scores are on the training "
             "points. One backward pass per batch gives the loss's gradient for every weight at once, and the "
             "optimizer nudges them all downhill: the same backprop as on the Playground, on a bigger graph. The "
             "open markers are test points, never trained on: they show whether it learned the shape or the noise."))

try:
    run = compute.network_run(settings)
except ValueError as problem:  # training.py's own sentence about a setting
    st.error(str(problem), icon=":material/tune:")
    st.stop()


# While the fragment reruns, Streamlit may run a button's callback twice for one click: Play and
# Pause say what to reach (playing or not), so a second delivery changes nothing. Step, while
# playing, only pauses; paused (no fragment rerunning), each click trains on one more batch.
def _play(playing: bool) -> None:
    st.session_state[view.PLAYING] = playing


def _step(settings: training.Settings) -> None:
    if st.session_state.get(view.PLAYING, False):
        st.session_state[view.PLAYING] = False
    else:
        compute.network_run(settings).advance(1)


playing = st.session_state.get(view.PLAYING, False) and not run.finished
buttons = st.columns([1, 1, 1, 4], vertical_alignment="center")
buttons[0].button(_("Pause") if playing else _("Play"), key="play", type="primary", on_click=_play, args=(not playing,),
                  width="stretch", icon=":material/pause:" if playing else ":material/play_arrow:",
                  disabled=run.finished)
buttons[1].button(i18n.pgettext("train on one batch", "Step"), key="step_once", on_click=_step, args=(settings,),
                  width="stretch", icon=":material/skip_next:", disabled=run.finished,
                  help=_("Train on one batch (while playing: pause first)."))
buttons[2].button(_("Reset"), key="reset", on_click=compute.restart_network, args=(settings,), width="stretch",
                  icon=":material/restart_alt:", help=_("Back to the first weights (the same seed: the same run)."))
edges = links.named_choice(buttons[3], "radio", _("Edges show"), view.EDGES, lambda show: _(view.EDGE_NAMES[show]),
                           horizontal=True, help=_("Each weight's value, or the gradient the last batch gave it."))


def live() -> None:
    """What training changes: redrawn in place every tick while playing (stable keys: never blank)."""
    language.activate()  # a tick reruns this fragment alone, without the entry script
    run = compute.network_run(settings)
    playing = st.session_state.get(view.PLAYING, False)
    with turns.TRAINING:  # one session's tick computes at a time (ui/turns.py): the server keeps up
        if playing and not run.finished:
            run.advance(view.STEPS_PER_TICK)
        # Pictures as images (data: URLs): Streamlit keeps each <img> and swaps its source, and the
        # browser shows the old picture until the new one is ready, so nothing blanks (see svg.py).
        # Drawn before anything is shown, so that a tick's status line and its pictures arrive together.
        network_picture, boundary_picture, loss_picture = training_plots.pictures(run, edges, theme.current())
    if playing and run.finished:
        st.session_state[view.PLAYING] = False
        st.rerun(scope="app")  # stop the ticks, show the buttons as they now are
    st.caption(view.network_status(run, playing))
    latest = run.latest
    numbers = st.columns(4)
    numbers[0].metric(_("Training loss"), f"{latest.train_loss:.3f}")
    numbers[1].metric(_("Test loss"), f"{latest.test_loss:.3f}")
    numbers[2].metric(_("Training accuracy"), i18n.percent(latest.train_accuracy))
    numbers[3].metric(_("Test accuracy"), i18n.percent(latest.test_accuracy))
    network, boundary = st.columns([3, 2], vertical_alignment="center")
    network.image(svg.data_url(network_picture), width="stretch",
                  alt=_("The network: each unit's output over the plane, and an edge per weight"))
    network.caption(_("Each square is what one unit outputs over the plane on the right: violet below 0, green above "
                      "(the output's is the probability of class 1). One edge per weight, as wide as the weight: "
                      "green positive, violet negative; or, showing gradients, as wide as ∂loss/∂weight from the "
                      "last batch. Pause for every number."))
    boundary.image(svg.data_url(boundary_picture), width="stretch",
                   alt=_("The points and the network's decision boundary"))
    st.image(svg.data_url(loss_picture), width="stretch",
             alt=_("The loss and the accuracy on the training and the test points, step by step"))
    if playing:  # let the server send this tick's pictures before the next tick can start (see view.py)
        time.sleep(view.TICK_SEND_SECONDS)
    if not playing:
        with st.expander(_("Every weight and bias: its value and its gradient from the last batch")):
            st.dataframe(view.weights_table(run.model), hide_index=True, width="stretch", placeholder="—")


st.fragment(live, run_every=view.TICK_SECONDS if playing else None)()

"""Functions worth showing a class, each with the point it is best looked at."""

from __future__ import annotations

from typing import NamedTuple

from lessons.i18n import N_


class Preset(NamedTuple):
    name: str  # English (N_), like why: shown as _(name)
    text: str
    why: str  # one line shown under the menu


PRESETS: tuple[Preset, ...] = (
    Preset(N_("Cubic: x³ + 2x"), "x^3 + 2x", N_("Power and product rules; x is used twice, so its gradient adds up.")),
    Preset(N_("The seed article: x·x·x + x"), "x*x*x + x",
           N_("x feeds four edges; at x = 1.2 the contributions add up to f′ = 5.32.")),
    Preset(N_("Shared subexpression"), "(x^2 + 1)*sin(x^2 + 1)",
           N_("x²+1 is computed once and used twice: its gradient is the sum of both paths.")),
    Preset(N_("Damped wave: sin(x)·exp(−x²)"), "sin(x)*exp(-x^2)", N_("Product and chain rule together.")),
    Preset(N_("Sigmoid"), "sigmoid(x)", N_("σ′ = σ(1 − σ): largest at 0, vanishing for large |x|.")),
    Preset("tanh", "tanh(x)", N_("tanh′ = 1 − tanh²: the gradient saturates away from 0.")),
    Preset(N_("ReLU"), "relu(x)", N_("A kink at 0: the derivative jumps from 0 to 1 (0 at the kink itself).")),
    Preset(N_("Softplus"), "softplus(x)", N_("A smooth ReLU; its derivative is the sigmoid.")),
    Preset("log(1 + x²)", "log(1 + x^2)", N_("The chain rule through log: 2x / (1 + x²).")),
    Preset(N_("A kink: |x² − 1|"), "abs(x^2 - 1)", N_("Two kinks, at ±1; abs′(0) is taken as 0.")),
    Preset(N_("Max of two curves"), "max(x, x^2 - 1)", N_("The gradient flows to whichever input is larger.")),
    Preset(N_("Pole: 1/x"), "1/x", N_("Undefined at 0: the curve has a gap there, not an error.")),
)

"""Functions worth showing a class, each with the point it is best looked at."""

from __future__ import annotations

from typing import NamedTuple


class Preset(NamedTuple):
    name: str
    text: str
    why: str  # one line shown under the menu


PRESETS: tuple[Preset, ...] = (
    Preset("Cubic: x³ + 2x", "x^3 + 2x", "Power and product rules; x is used twice, so its gradient adds up."),
    Preset("The seed article: x·x·x + x", "x*x*x + x",
           "x feeds four edges; at x = 1.2 the contributions add up to f′ = 5.32."),
    Preset("Shared subexpression", "(x^2 + 1)*sin(x^2 + 1)",
           "x²+1 is computed once and used twice: its gradient is the sum of both paths."),
    Preset("Damped wave: sin(x)·exp(−x²)", "sin(x)*exp(-x^2)", "Product and chain rule together."),
    Preset("Sigmoid", "sigmoid(x)", "σ′ = σ(1 − σ): largest at 0, vanishing for large |x|."),
    Preset("tanh", "tanh(x)", "tanh′ = 1 − tanh²: the gradient saturates away from 0."),
    Preset("ReLU", "relu(x)", "A kink at 0: the derivative jumps from 0 to 1 (0 at the kink itself)."),
    Preset("Softplus", "softplus(x)", "A smooth ReLU; its derivative is the sigmoid."),
    Preset("log(1 + x²)", "log(1 + x^2)", "The chain rule through log: 2x / (1 + x²)."),
    Preset("A kink: |x² − 1|", "abs(x^2 - 1)", "Two kinks, at ±1; abs′(0) is taken as 0."),
    Preset("Max of two curves", "max(x, x^2 - 1)", "The gradient flows to whichever input is larger."),
    Preset("Pole: 1/x", "1/x", "Undefined at 0: the curve has a gap there, not an error."),
)

"""Functions the browser tests type, with their closed forms, and what the graph should show."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lessons.viz import format_number
from tinytorch.expr import parse
from ui import view


@dataclass(frozen=True)
class Case:
    text: str  # as typed
    f: object  # closed forms
    df: object

    @property
    def label(self) -> str:
        """The output box's label: the canonical text."""
        return parse(self.text).text

    def expected(self, x: float) -> dict[str, tuple[str, str]]:
        """The x box and the output box: values and gradients (d f / d output = 1)."""
        return {"x": (format_number(x), format_number(self.df(x))),
                self.label: (format_number(self.f(x)), "1")}


sin, cos, exp, tanh = math.sin, math.cos, math.exp, math.tanh

DEFAULT = Case(view.DEFAULT_FUNCTION, lambda x: x**3 + 2 * x, lambda x: 3 * x**2 + 2)
WAVE = Case("x*sin(x) + x^2", lambda x: x * sin(x) + x * x, lambda x: sin(x) + x * cos(x) + 2 * x)
BELL = Case("exp(-x^2)*x", lambda x: exp(-x * x) * x, lambda x: exp(-x * x) * (1 - 2 * x * x))
SIX = [  # one per concurrent session: different functions and different points
    (Case("x^2", lambda x: x * x, lambda x: 2 * x), 0.7),
    (Case("sin(x)", sin, cos), -1.3),
    (Case("exp(x)/2", lambda x: exp(x) / 2, lambda x: exp(x) / 2), 0.25),
    (Case("x^3 - x", lambda x: x**3 - x, lambda x: 3 * x * x - 1), 1.9),
    (Case("cos(x)*x", lambda x: cos(x) * x, lambda x: cos(x) - x * sin(x)), -2.2),
    (Case("tanh(x) + 1", lambda x: tanh(x) + 1, lambda x: 1 - tanh(x) ** 2), 0.45),
]

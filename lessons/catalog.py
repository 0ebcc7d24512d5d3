"""The "Operations" reference, read from the engine itself so it cannot drift from the code.

`operations()` finds every op class in `tinytorch.ops` (each subclass of `Function` defined
there, in the order of the file) and reports what its docstring and source say:

    >>> from lessons.catalog import op_info
    >>> info = op_info("Sin")
    >>> info.symbol, info.formula, info.derivative
    ('sin', 'sin(x)', 'd/dx = cos(x)')
    >>> print(info.backward_source)
    @staticmethod
    def backward(ctx, g, x, out):
        return g * cos(x)
    <BLANKLINE>

The docstrings of ops.py open with a paragraph "forward formula;  derivative rule"; later
paragraphs are notes (kinks, edge cases, numerical care). Each op also carries its rule as LaTeX
(`latex`), and where its backward has speed-ups, a textbook `rule` method: that is the code a
student reads first (`rule_source`), with the code that runs (`forward_source`,
`backward_source`) behind it.

    >>> info = op_info("Pow")
    >>> info.has_speed_ups, op_info("Sin").has_speed_ups
    (True, False)
    >>> print(info.rule_source)
    @staticmethod
    def rule(g, a, b, out):
        return g * b * power(a, b - 1), g * out * log(a)
    <BLANKLINE>
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass

from tinytorch import ops
from tinytorch.tensor import Function

from .viz import op_symbol

__all__ = ["OpInfo", "extract", "has_prose", "op_info", "operations", "paragraphs"]


@dataclass(frozen=True)
class OpInfo:
    """One op of the engine: its class name, its symbol in the graph, its rule and its source."""

    name: str  # the class name, as `Tensor.op` reports it: "Mul"
    symbol: str  # what the graph view's op circle shows: "×"
    formula: str  # the forward computation: "a * b"
    derivative: str  # the backward rule: "d/da = b, d/db = a"
    notes: str  # the rest of the docstring ("" when there is none)
    latex: str  # the derivative rule as LaTeX, for st.latex
    forward_source: str  # `def forward` as written in ops.py (with its decorator), dedented
    backward_source: str
    rule_source: str  # the textbook rule: `def rule` where backward has speed-ups, else backward itself
    line: int  # where the class starts in ops.py (1-based)

    @property
    def has_speed_ups(self) -> bool:
        """Whether the code that runs differs from the textbook rule (Pow, Mul, ...)."""
        return self.rule_source != self.backward_source

    @property
    def summary(self) -> str:
        """The docstring's first paragraph as one line: "a * b;  d/da = b, d/db = a"."""
        return f"{self.formula};  {self.derivative}" if self.derivative else self.formula


def _is_op(cls) -> bool:
    return (isinstance(cls, type) and issubclass(cls, Function) and cls is not Function
            and cls.__module__ == ops.__name__)


def _class_lines() -> dict[str, int]:
    """Where each top-level class of ops.py starts (1-based), from one scan of its lines:
    inspect.getsourcelines(cls) would re-read the whole file for every class."""
    lines = inspect.getsource(ops).splitlines()
    return {line[6:].split("(", 1)[0].split(":", 1)[0]: number
            for number, line in enumerate(lines, start=1) if line.startswith("class ")}


def _op_classes(lines: dict[str, int]) -> list[type[Function]]:
    """Every Function subclass defined in ops.py (found in the module, not listed by hand), in file order."""
    found = [cls for _, cls in inspect.getmembers(ops, _is_op)]
    return sorted(found, key=lambda cls: lines[cls.__name__])


def _split_doc(cls: type) -> tuple[str, str, str]:
    """(formula, derivative, notes) from the docstring: first paragraph split at its first ";"."""
    doc = inspect.cleandoc(cls.__doc__ or "")
    first, _, notes = doc.partition("\n\n")
    summary = " ".join(first.split())  # a first paragraph may wrap onto a second line (MatMul)
    formula, _, derivative = summary.partition(";")
    return formula.strip(), derivative.strip(), notes.strip()


def _source(cls: type, method: str) -> str:
    """The method's source as written in cls (not inherited), dedented; "" when cls has none."""
    if vars(cls).get(method) is None:
        return ""
    return textwrap.dedent(inspect.getsource(getattr(cls, method)))


def _info(cls: type[Function], lines: dict[str, int]) -> OpInfo:
    formula, derivative, notes = _split_doc(cls)
    backward = _source(cls, "backward")
    return OpInfo(name=cls.__name__, symbol=op_symbol(cls.__name__), formula=formula,
                  derivative=derivative, notes=notes, latex=cls.latex, forward_source=_source(cls, "forward"),
                  backward_source=backward, rule_source=_source(cls, "rule") or backward,
                  line=lines[cls.__name__])


def operations() -> tuple[OpInfo, ...]:
    """Every op of the engine, in the order of ops.py (arithmetic, functions, reductions, shapes).

    Reads ops.py each call (a few ms); a page can cache the result.
    """
    lines = _class_lines()
    return tuple(_info(cls, lines) for cls in _op_classes(lines))


def op_info(name: str) -> OpInfo:
    """The op called `name` (a class name as `Tensor.op` gives it, e.g. "Mul"); ValueError if none."""
    cls = getattr(ops, name, None) if isinstance(name, str) else None
    lines = _class_lines()
    if not _is_op(cls):
        known = ", ".join(c.__name__ for c in _op_classes(lines))
        raise ValueError(f"tinytorch has no op called {name!r}; the ops are {known}")
    return _info(cls, lines)


# ---- the prose of the docstrings, for translation --------------------------------------------------
# The Operations page shows each op's formula and notes from its docstring. Their English is the
# message id; Babel finds them through `extract` (locales/babel.cfg), as it finds _() in the code.

_WORD = re.compile(r"\b[A-Za-z]{3,}\b(?!\()")  # a word of prose: three letters or more, not a call


def paragraphs(text: str) -> tuple[str, ...]:
    """A docstring's hard-wrapped paragraphs, each as one line."""
    return tuple(" ".join(p.split()) for p in text.split("\n\n") if p.strip())


def has_prose(text: str) -> bool:
    """Whether a formula has words to translate: "log(x), the natural logarithm" has, "a * b" and
    "exp(x)" have not (maths stays maths)."""
    return _WORD.search(text) is not None


def extract(fileobj, keywords, comment_tags, options):
    """A Babel extraction method for tinytorch/ops.py (locales/babel.cfg names it): each op's
    formula that has prose in it, and each paragraph of its notes, with the line of its class."""
    del fileobj, keywords, comment_tags, options  # the module itself is read, as operations() reads it
    for info in operations():
        if has_prose(info.formula):
            yield info.line, None, info.formula, [f"The formula of {info.name} (the Operations page's heading)."]
        for paragraph in paragraphs(info.notes):
            yield info.line, None, paragraph, [f"A note on {info.name}, from its docstring in tinytorch/ops.py."]

"""The computation graph as a picture: `graph_nodes` for a table, `to_digraph` for graphviz.

Every tensor of the graph becomes a rounded *value* box (label, value, grad); every op becomes a
small circle with its symbol between its inputs and its result, so `x*x` shows one x box with
two edges into the × circle. Node ids ("n0", "n1", ...) follow the topological order, never
Python's `id()`, so the same graph always gives the same DOT text (and the same SVG).

graphviz is imported only when a picture is drawn: `graph_nodes` and `format_number` also serve
the node table and the curve notes, which must work without it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from tinytorch.tensor import Tensor, topological_order
from tinytorch.trace import local_derivatives

from .i18n import _
from .palette import ROLES

__all__ = ["NodeInfo", "THEMES", "fill", "format_number", "graph_nodes", "node_table", "op_symbol", "picture",
           "short_labels", "slot_words", "to_digraph", "to_dot", "to_svg"]


# ---- numbers ------------------------------------------------------------------------------------


def format_number(v: float, digits: int = 4) -> str:
    """`v` to `digits` significant digits: 5.32, -0.0001234, 1.235e+05, nan, ∞, −∞ (never "-0")."""
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"  # also -0.0: a sign on zero only puzzles students
    return f"{v:.{digits}g}"


def _summary(data: np.ndarray) -> float | str:
    """One number as a float; a larger array as its shape ("shape 3×4"), which fits in a box."""
    if data.size == 1:
        return float(data.item())
    return "shape " + ("×".join(map(str, data.shape)) or "()")


def _show(v: float | str | None) -> str:
    if v is None:
        return "—"
    return format_number(v) if isinstance(v, float) else v


# ---- the graph as records -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One tensor of the graph, as the picture and the node table show it.

    `value` and `grad` are floats for one-element tensors, else a short text such as
    "shape 3×4"; `grad` is None before backward (and for constants). `local_grads[i]` is
    d(this)/d(input i) at the current values, for one-element nodes and inputs that need a
    gradient (None otherwise); it is what backward multiplies the upstream gradient by.
    """

    id: str
    label: str
    kind: str  # "input", "constant", "intermediate" or "output"
    op: str | None  # "Mul", or None for leaves
    inputs: tuple[str, ...]  # ids of the op's inputs, in order and with repeats
    value: float | str
    grad: float | str | None
    local_grads: tuple[float | None, ...]


_SYMBOLS = MappingProxyType({"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Pow": "^", "Neg": "−", "MatMul": "@",
            "Maximum": "max", "Minimum": "min"})


def op_symbol(op: str) -> str:
    """What an op circle shows: "×" for Mul, "sin" for Sin."""
    return _SYMBOLS.get(op, op.lower())


def _kind(t: Tensor, is_root: bool) -> str:
    if t._ctx is None:
        # A leaf stays an input or a constant even as the root (f(x) = x): that is what it is.
        return "input" if t.requires_grad else "constant"
    return "output" if is_root else "intermediate"


def _fallback_label(t: Tensor) -> str:
    if t._ctx is not None:
        return t._ctx.op.__name__
    if t.data.size == 1:
        return format_number(t.data.item())
    return "input" if t.requires_grad else "constant"


def _local_grads(t: Tensor) -> tuple[float | None, ...]:
    """d(t)/d(input i) for a one-element op (see `trace.local_derivatives`)."""
    if t._ctx is None:
        return ()
    if t.data.size != 1 or any(a.data.size != 1 for a in t.inputs):
        return (None,) * len(t.inputs)
    return tuple(None if d is None else float(d.item()) for d in local_derivatives(t))


def graph_nodes(output: Tensor, grads: Mapping[Tensor, np.ndarray] | None = None, *,
                local: bool = True) -> list[NodeInfo]:
    """One record per tensor `output` was computed from, in topological order (inputs first).

    Gradients are the tensors' `.grad`, or, when `grads` is given, the arrays it maps tensors to
    (a backward pass part-way through: `BackwardTrace.received`); a tensor it lacks has none.
    `local=False` skips the local derivatives (the picture does not show them).
    """
    return _records(output, local=local, grads=grads)


def _records(output: Tensor, local: bool, grads: Mapping[Tensor, np.ndarray] | None = None) -> list[NodeInfo]:
    # The picture does not show local derivatives: skipping them saves 60% of the work.
    order = topological_order(output)
    ids = {t: f"n{i}" for i, t in enumerate(order)}  # tensors hash by identity

    def grad_of(t: Tensor) -> np.ndarray | None:
        if grads is not None:
            return grads.get(t)
        return None if t.grad is None else t.grad.data

    records = []
    for t in order:
        g = grad_of(t)
        records.append(NodeInfo(
            id=ids[t],
            label=t.label if t.label is not None else _fallback_label(t),
            kind=_kind(t, t is output),
            op=t.op,
            inputs=tuple(ids[a] for a in t.inputs),
            value=_summary(t.data),
            grad=None if g is None else _summary(np.asarray(g)),
            local_grads=_local_grads(t) if local else (),
        ))
    return records


def node_table(nodes: list[NodeInfo]) -> list[dict[str, str]]:
    """The graph as table rows: node, kind, op, value, local derivatives and gradient, as text.

    Local derivatives read "∂/∂x = 2.4" per input, named by the input's label; the gradient is
    what backward left on the node (d output / d node).
    """
    labels = {n.id: n.label for n in nodes}
    rows = []
    for n in nodes:
        local = "; ".join(f"∂/∂{labels[i]} = {_show(d)}" for i, d in zip(n.inputs, n.local_grads))
        rows.append({"node": n.label, "kind": n.kind, "op": op_symbol(n.op) if n.op else "",
                     "value": _show(n.value), "local derivatives": local, "gradient": _show(n.grad)})
    return rows


# ---- the picture --------------------------------------------------------------------------------

# The colours mean what they mean on the plots (palette.py): the input x in x's blue, the output
# f in ink, the backward pass's highlight in the gradients' vermillion. Pale fills with a strong
# border on light backgrounds, dark fills with a light border on dark ones; kinds also differ in
# border width and style, so they stay apart in greyscale and on a washed-out projector.
# Each style: (fill, border, text, border width, extra style).
_LIGHT, _DARK = ROLES["light"], ROLES["dark"]
THEMES = MappingProxyType({
    "light": MappingProxyType({
        "input": ("#D6ECF8", _LIGHT["x"], "#111111", "2.5", ""),
        "constant": ("#EEEEEE", "#777777", "#111111", "1.2", ",dashed"),
        "intermediate": ("#FFFFFF", "#555555", "#111111", "1.2", ""),
        "output": ("#E4E4E4", _LIGHT["f"], "#111111", "3.5", ""),
        "op": ("#EEEEBB", "#999933", "#111111", "1.2", ""),
        "dim": ("#F2F2F2", "#C8C8C8", "#A0A0A0", "1", ""),
        "edge": "#555555",
        "accent": _LIGHT["df"],
    }),
    "dark": MappingProxyType({
        "input": ("#0B3A56", _DARK["x"], "#F4F4F4", "2.5", ""),
        "constant": ("#3A3A3A", "#AAAAAA", "#F4F4F4", "1.2", ",dashed"),
        "intermediate": ("#262626", "#BBBBBB", "#F4F4F4", "1.2", ""),
        "output": ("#4A4A4A", _DARK["f"], "#F4F4F4", "3.5", ""),
        "op": ("#45451C", "#DDDD77", "#F4F4F4", "1.2", ""),
        "dim": ("#2A2A2A", "#555555", "#808080", "1", ""),
        "edge": "#BBBBBB",
        "accent": _DARK["df"],
    }),
})

_FONT = "Helvetica,Arial,sans-serif"
_MAX_LABEL = 36  # longer sub-expressions are shortened (`short_labels`); hover and the node table show them whole
_HEAD = 12  # characters kept from the start of a shortened label; the rest of _MAX_LABEL from its end
_EDGE_NAMES = "abcdefgh"  # operand names on the edges of ops with several inputs
# HTML-like labels: markup characters become entities, and so do { } | (record syntax). `dot`
# still expands \N, \G, \L... inside HTML text (even from the &#92; entity), so a backslash is
# followed by an invisible word joiner (U+2060) that breaks the sequence. Control characters
# (newlines, NUL) become spaces rather than reaching `dot`.
_ESCAPES = MappingProxyType(str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                          "\ue000": " ",
                          "\\": "&#92;&#8288;", "{": "&#123;", "}": "&#125;", "|": "&#124;",
                          **{chr(c): " " for c in (*range(32), 127)}}))


def _theme(theme: str) -> dict:
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, not {theme!r}")
    return THEMES[theme]


def _html(text: str) -> str:
    """`text` made safe to place inside a graphviz HTML-like label."""
    return text.translate(_ESCAPES)


def short_labels(nodes: Iterable[NodeInfo]) -> dict[str, str]:
    """What each box is called in the picture: its label, or, past _MAX_LABEL characters, its
    start and its end around a "…", which keeps a running sum's boxes apart (they differ in
    what was added last). Two different labels never read the same: any that still collide
    are numbered in graph order ("… #2"). The whole label is in the node table and on hover.
    """
    shown: dict[str, str] = {}
    full: dict[str, str] = {}
    for node in nodes:
        text = node.label
        shown[node.id] = text if len(text) <= _MAX_LABEL else f"{text[:_HEAD]}…{text[_HEAD - _MAX_LABEL + 1:]}"
        full[node.id] = text
    groups: dict[str, list[str]] = {}
    for node_id, text in shown.items():
        groups.setdefault(text, []).append(node_id)
    for text, ids in groups.items():
        if len({full[i] for i in ids}) > 1:  # different sub-expressions that shortened alike
            for number, node_id in enumerate(ids, 1):
                shown[node_id] = f"{text} #{number}"
    return shown


# The value and grad lines have a fixed size, wide enough for the longest number format_number
# writes ("grad -1.235e+05"): a box then keeps its size when x moves, so the layout does not
# depend on the numbers. `picture` relies on it to lay a graph out once and refill its numbers.
_NUMBER_CELL = 'FIXEDSIZE="TRUE" WIDTH="92" HEIGHT="16" ALIGN="LEFT"'


def _value_label(node: NodeInfo, name: str, slots: bool = False) -> str:
    """A value box's label, the box called `name`. With `slots`, the numbers are placeholders
    that `fill` replaces.

    A constant's box is small: its number (and its name, for pi or e), and no gradient line,
    since a constant needs none; its value never changes, so it needs no slot either.
    """
    if node.kind == "constant":
        shown = _show(node.value)
        text = name if name == shown else f"{name} = {shown}"
        return f"<{_html(text)}>"
    # (A slot holds its line's words too: `dot` measures the placeholder characters wide, and
    # "value " plus a placeholder overflowed the cell once ids reached n100.)
    words = slot_words()
    value = _slot(node.id, "v") if slots else _html(words["v"] + _show(node.value))
    grad = _slot(node.id, "g") if slots else _html(words["g"] + _show(node.grad))
    return (f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f"<TR><TD><B>{_html(name)}</B></TD></TR>"
            f'<TR><TD {_NUMBER_CELL}><FONT POINT-SIZE="12">{value}</FONT></TD></TR>'
            f'<TR><TD {_NUMBER_CELL}><FONT POINT-SIZE="12">{grad}</FONT></TD></TR>'
            f"</TABLE>>")


# A slot is marked with a private-use character, which `_html` removes from every label: `dot`
# turns entities back into characters, so only a character no label can contain is safe.
_MARK = "\ue000"


def _slot(node_id: str, which: str) -> str:
    return f"{_MARK}{node_id}{which}{_MARK}"


_SLOT = f"{_MARK}(n\\d+)([vg]){_MARK}"  # a pattern for re.sub (which caches it compiled)


def _attrs(**attrs: str) -> str:
    # Every value is one of our own constants (colours, widths, "a") or an HTML-like label built
    # from `_html` text, so plain quoting is enough; `<...>` must stay unquoted to mean HTML.
    return " ".join(f"{k}={v}" if v.startswith("<") else f'{k}="{v}"' for k, v in attrs.items())


def _line(statement: str, *attrs: str) -> str:
    """One DOT statement of the graph's body, with its non-empty attribute lists."""
    joined = " ".join(a for a in attrs if a)
    return f"\t{statement} [{joined}]\n" if joined else f"\t{statement}\n"


def _slot_name(slot: int) -> str:
    return _EDGE_NAMES[slot] if slot < len(_EDGE_NAMES) else str(slot)


def _style(theme: str, kind: str, emphasised: bool, shape: str) -> str:
    """The attributes of a node (all but its label): few combinations, all computed at import."""
    palette = THEMES[theme]
    fill, border, text, width, extra = palette[kind]
    if emphasised:
        border, width = palette["accent"], "4"
    style = f"rounded,filled{extra}" if shape == "box" else f"filled{extra}"
    # Small margins and minimum sizes (graphviz pads to 0.75 × 0.5 in by default): the graph's
    # width sets how large its text can be on a projector.
    size = {"margin": "0.06,0.03"} if shape == "box" else {"fontsize": "15", "margin": "0.01", "width": "0.3",
                                                          "height": "0.3"}
    return _attrs(shape=shape, style=style, fillcolor=fill, color=border, fontcolor=text, penwidth=width,
                  **size)


_STYLES = MappingProxyType({
    (theme, kind, hot, shape): _style(theme, kind, hot, shape)
    for theme in THEMES for kind in ("input", "constant", "intermediate", "output", "op", "dim")
    for hot in (False, True) for shape in ("box", "circle", "ellipse")})


def to_digraph(output: Tensor, *, highlight: Iterable[str] | None = None, dim: bool = False,
               theme: str = "light", grads: Mapping[Tensor, np.ndarray] | None = None, slots: bool = False):
    """The graph of `output` as a `graphviz.Digraph`, laid out left to right.

    `highlight`: node ids (as in `graph_nodes`) to emphasise, e.g. an op and its inputs while
    its backward runs: their boxes, the op circle of a highlighted result and the edges between
    highlighted nodes get the accent colour. `dim=True` greys everything (a stale graph).
    `theme` is "light" or "dark"; the background is transparent either way. `grads` overrides
    the gradients shown, as in `graph_nodes`. `slots=True` leaves placeholders for the numbers
    (see `picture`).
    """
    import graphviz

    palette = _theme(theme)
    marked = frozenset() if dim else frozenset(highlight or ())
    edge_colour = palette["dim"][1] if dim else palette["edge"]
    accent = _attrs(color=palette["accent"], penwidth="2.5")
    # DOT lines are written here rather than with Digraph.node/edge: the library re-quotes every
    # attribute of every node, which made a 150-op graph take 20 ms instead of 2.
    body = []
    nodes = _records(output, local=False, grads=grads)
    names = short_labels(nodes)
    for node in nodes:
        hot = node.id in marked
        box_style = _STYLES[theme, "dim" if dim else node.kind, hot, "box"]
        # id and class name each box, circle and edge in the SVG, so that a page can restyle
        # and highlight them (theme, a backward step, a focused node) without a new layout.
        body.append(_line(node.id, f"label={_value_label(node, names[node.id], slots)}", box_style,
                          _attrs(id=node.id, **{"class": f"tt-{node.kind}"})))
        if node.op is None:
            continue
        op_id, symbol = f"{node.id}_op", op_symbol(node.op)
        op_style = _STYLES[theme, "dim" if dim else "op", hot, "circle" if len(symbol) <= 2 else "ellipse"]
        body.append(_line(op_id, f"label=<{_html(symbol)}>", op_style, _attrs(id=op_id, **{"class": "tt-op"})))
        # weight 2: a result sits right after its op circle, not a rank later with a gap between
        body.append(_line(f"{op_id} -> {node.id}", accent if hot else "", _attrs(id=f"e_{node.id}", weight="2")))
        # One edge per use, so x*x shows two; with several operands each edge names its slot
        # (a, b: the order matters for − ÷ ^), which also tells repeated edges apart. A head
        # label, unlike a plain edge label, adds no rank to the layout (plain labels made
        # `dot` 50x slower on long graphs).
        several = len(node.inputs) > 1
        for slot, source in enumerate(node.inputs):
            body.append(_line(f"{source} -> {op_id}",
                              accent if hot and source in marked else "",
                              _attrs(headlabel=_slot_name(slot)) if several else "",
                              _attrs(id=f"e_{source}_{node.id}_{slot}")))
    return graphviz.Digraph(
        graph_attr={"rankdir": "LR", "bgcolor": "transparent", "nodesep": "0.2", "ranksep": "0.14",
                    "fontname": _FONT,
                    # Caps the x-placement search at one pass per node: an input used at every
                    # depth (x in a long sum) otherwise takes `dot` seconds to minutes.
                    "nslimit": "1"},
        node_attr={"fontname": _FONT, "fontsize": "14"},
        edge_attr={"color": edge_colour, "fontcolor": edge_colour, "fontname": _FONT, "fontsize": "11",
                   "arrowsize": "0.7", "labeldistance": "1.6"},
        body=body,
    )


def to_dot(output: Tensor, **kw) -> str:
    """The DOT source of `to_digraph(output, **kw)`."""
    return to_digraph(output, **kw).source


def picture(output: Tensor, **kw) -> str | None:
    """The graph laid out and drawn once as SVG, with placeholders where its numbers go; None
    when graphviz's programs are not installed.

    The layout depends on the graph's structure only (the number cells have a fixed size), so
    one picture serves every x: `fill` writes the numbers in, which takes microseconds where a
    layout takes milliseconds to a second (`layout.svg` bounds it). Options as `to_digraph`.
    """
    drawn = _drawn(to_dot(output, slots=True, **kw))
    return None if drawn is None else _compact(drawn)


def _drawn(source: str) -> str | None:
    from . import layout  # runs graphviz's programs, each within a time limit

    try:
        return layout.svg(source)[0]
    except layout.GraphvizMissing:
        return None


def _compact(svg: str) -> str:
    """`dot`'s SVG without what a picture does not need (comments, tooltips) and with the font
    named once: a quarter smaller, and it is sent on every slider move."""
    svg = re.sub(r"<!--.*?-->\n?|<title>.*?</title>\n?|<\?xml.*?\?>\n?|<!DOCTYPE.*?>\n?", "", svg, flags=re.S)
    svg = svg.replace(f' font-family="{_FONT}"', "")
    return re.sub(r"(<svg\b[^>]*>)", rf"\1<style>text{{font-family:{_FONT}}}</style>", svg, count=1)


def slot_words() -> dict[str, str]:
    """What a box's two lines say before their numbers, in the reader's language: "value ", "grad "."""
    return {"v": _("value") + " ", "g": _("grad") + " "}


def fill(svg: str, nodes: list[NodeInfo]) -> str:
    """`picture`'s SVG with the values and gradients of `nodes` (from `graph_nodes`) written in."""
    numbers, words = {}, slot_words()
    for node in nodes:
        numbers[node.id, "v"] = _html(words["v"] + _show(node.value))
        numbers[node.id, "g"] = _html(words["g"] + _show(node.grad))
    return re.sub(_SLOT, lambda m: numbers.get((m[1], m[2]), "?"), svg)


def to_svg(output: Tensor, **kw) -> bytes | None:
    """The graph rendered as SVG (laid out within `layout`'s limits), or None when graphviz's
    programs are not installed."""
    drawn = _drawn(to_dot(output, **kw))
    return None if drawn is None else drawn.encode("utf-8")

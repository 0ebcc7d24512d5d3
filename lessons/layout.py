"""Laying a computation graph out within a time budget: `dot` when it is quick, our own layered
layout when it is not, drawn by graphviz either way (so the SVG has the same nodes, labels,
colours and number slots, and nothing downstream can tell which layout it got).

`dot` is excellent on small graphs and hopeless on some long ones: an input used at every depth
(`x*x*…*x`, `x-x-…`, 149 ops) makes every edge from it cross every rank, and `dot` spends 4–7 s
of CPU on the ~20,000 virtual nodes that creates. So:

1. `dot_cost` estimates that work from the graph alone (the ranks the edges span, linear time);
   above DOT_MAX_COST `dot` is not tried at all;
2. otherwise `dot` runs in a subprocess for at most DOT_TIME_LIMIT seconds;
3. failing that, `layered` places the nodes in columns by depth (linear time, plus a sort per
   column), inputs used once next to their op and inputs used many times in a lane below, and
   graphviz's `neato -n2` only draws them where they were put (tens of milliseconds).

Only graphviz's programs are used (no Python package), each in a subprocess that a time limit
ends: a layout can never hold a server thread longer than the limits below.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

__all__ = ["DOT_MAX_COST", "DOT_TIME_LIMIT", "DRAW_TIME_LIMIT", "GraphvizMissing", "LayoutTooSlow", "dot_cost",
           "layered", "svg"]

DOT_TIME_LIMIT = 0.5  # seconds `dot` may take for one picture; then our own layout (the goal for a first render)
DOT_MAX_COST = 4000  # virtual nodes (see dot_cost) beyond which `dot` is not tried: ~0.2 s of `dot` here
DRAW_TIME_LIMIT = 5.0  # seconds for `neato -n2` to draw a laid-out graph (it takes ~0.05 s for 300 nodes)

# Our layout's spacing, in points (as `dot` spaces viz's graphs: ranksep 0.4 in, nodesep 0.25 in).
COLUMN_GAP, ROW_GAP = 30.0, 18.0
_CHAR_WIDTH, _ROW_HEIGHT, _PADDING = 7.5, 19.0, 16.0  # an estimate of a label's size, generous


class GraphvizMissing(RuntimeError):
    """graphviz's programs are not installed here."""


class LayoutTooSlow(RuntimeError):
    """Even drawing a laid-out graph took longer than DRAW_TIME_LIMIT."""


# ---- the graph, read from viz's DOT text -------------------------------------------------------

_EDGE = re.compile(r"^\t(\S+) -> (\S+)")
_NODE = re.compile(r"^\t(\S+) \[(.*)\]$")
_DEFAULTS = ("graph", "node", "edge")
_FIXED_WIDTH = re.compile(r'WIDTH="(\d+)"')


@dataclass
class Graph:
    """Node statements in order (id -> attributes); edges as (tail, head)."""

    statements: dict[str, str] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def parse(cls, source: str) -> Graph:
        graph = cls()
        for line in source.splitlines():
            if edge := _EDGE.match(line):
                graph.edges.append((edge[1], edge[2]))
            elif (node := _NODE.match(line)) and node[1] not in _DEFAULTS:
                graph.statements[node[1]] = node[2]
        return graph

    @cached_property
    def nodes(self) -> dict[str, tuple[float, float]]:
        """Each node's size estimate (width, height) in points, in statement order: read from the
        labels when our layout asks (the cost check, on every new function, needs none)."""
        return {n: _size(attrs) for n, attrs in self.statements.items()}


def _label(attrs: str) -> str:
    """The label attribute's value: an HTML-like label's <...> (balanced), or a quoted string."""
    start = attrs.find("label=")
    if start < 0:
        return ""
    rest = attrs[start + len("label="):]
    if not rest.startswith("<"):
        return rest[1:].split('"', 1)[0] if rest.startswith('"') else rest.split(" ", 1)[0]
    depth = 0
    for i, c in enumerate(rest):
        depth += {"<": 1, ">": -1}.get(c, 0)
        if depth == 0:
            return rest[: i + 1]
    return rest


def _size(attrs: str) -> tuple[float, float]:
    """A generous estimate of a node's size from its label: rows of text, the widest row, and
    any fixed-width cell (the number cells are 104 pt)."""
    label = _label(attrs)
    if label.startswith("<"):  # an HTML-like label: its text is inside the outer <...>
        label = label[1:-1]
    text = re.sub(r"&#?\w+;", "x", label)  # an entity is one character
    rows = [r.strip() for r in re.split(r"<[^>]+>", text) if r.strip() and r.strip() not in ('"', "<", ">")]
    width = max([len(r) for r in rows] or [1]) * _CHAR_WIDTH + _PADDING
    width = max([width, *(float(w) + _PADDING for w in _FIXED_WIDTH.findall(label))])
    height = max(1, len(rows)) * _ROW_HEIGHT + _PADDING
    if "shape=circle" in attrs or 'shape="circle"' in attrs:
        width = height = max(width, 36.0)
    return width, height


# ---- how much work `dot` would do -----------------------------------------------------------------


def _layers(graph: Graph) -> tuple[dict[str, int], dict[str, list[str]], dict[str, list[str]]]:
    """Each node's column (a node one right of its deepest input; an input one left of its first
    use), and the graph's predecessor and successor lists. Linear time (Kahn's order)."""
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for tail, head in graph.edges:
        preds[head].append(tail)
        succs[tail].append(head)
    waiting = {n: len(preds[n]) for n in graph.statements}
    order = [n for n in graph.statements if not waiting[n]]
    for n in order:  # grows as nodes become ready
        for s in succs[n]:
            waiting[s] -= 1
            if not waiting[s]:
                order.append(s)
    layer: dict[str, int] = {}
    for n in order:
        if preds[n]:  # inputs do not push their consumers right: they move next to them below
            layer[n] = 1 + max((layer[p] for p in preds[n] if preds[p]), default=0)
    for n in order:
        if not preds[n]:
            layer[n] = max(0, min((layer[s] for s in succs[n]), default=1) - 1)
    return layer, preds, succs


def dot_cost(graph: Graph) -> int:
    """About how many virtual nodes `dot` would add: every edge longer than one rank is split into
    one node per rank it crosses, and its positioning work grows with them (x used at each of
    149 depths: ~22,000, and 4 s). Ranks as `dot` counts them: inputs in the first one."""
    rank: dict[str, int] = {}
    layer, preds, _ = _layers(graph)
    for n in sorted(graph.statements, key=layer.__getitem__):
        rank[n] = 1 + max((rank[p] for p in preds[n]), default=-1)
    return sum(max(0, rank[head] - rank[tail] - 1) for tail, head in graph.edges)


# ---- our own layout ----------------------------------------------------------------------------


def layered(graph: Graph) -> dict[str, tuple[float, float]]:
    """Node centres in points (x to the right, y downwards): columns by depth, each node at the
    mean height of its inputs where there is room; inputs used more than once in a lane below
    everything, so that their many edges do not run through the other nodes."""
    layer, preds, succs = _layers(graph)
    shared = {n for n in graph.nodes if not preds[n] and len(succs[n]) > 1}
    columns: dict[int, list[str]] = defaultdict(list)
    for n in graph.nodes:
        columns[layer[n]].append(n)
    lefts, left = {}, 0.0
    for c in range(max(columns, default=0) + 1):
        lefts[c] = left
        left += max((graph.nodes[n][0] for n in columns[c]), default=0.0) + COLUMN_GAP

    y: dict[str, float] = {}

    def wanted(n: str) -> float:
        if preds[n]:
            placed = [y[p] for p in preds[n] if p in y]
            return sum(placed) / len(placed) if placed else 0.0
        consumer = succs[n][0] if succs[n] else None  # an input used once: just above its op
        around = [y[p] for p in preds.get(consumer, ()) if p in y] if consumer else []
        return (sum(around) / len(around) if around else 0.0) - graph.nodes[n][1]

    for c in sorted(columns):
        movable = sorted((n for n in columns[c] if n not in shared), key=wanted)
        bottom = float("-inf")
        for n in movable:
            half = graph.nodes[n][1] / 2
            y[n] = max(wanted(n), bottom + ROW_GAP + half)
            bottom = y[n] + half
    lane = max((y[n] + graph.nodes[n][1] / 2 for n in y), default=0.0) + 2 * ROW_GAP
    lane_end: dict[int, float] = defaultdict(lambda: float("-inf"))
    for n in (n for n in graph.nodes if n in shared):  # in order: the first inputs leftmost
        width, height = graph.nodes[n]
        row = 0
        while lane_end[row] + COLUMN_GAP > lefts[layer[n]]:
            row += 1
        lane_end[row] = lefts[layer[n]] + width
        y[n] = lane + row * (height + ROW_GAP) + height / 2
    return {n: (lefts[layer[n]] + graph.nodes[n][0] / 2, y[n]) for n in graph.nodes}


def _pinned(source: str, places: dict[str, tuple[float, float]]) -> str:
    """viz's DOT text with every node pinned where `places` puts it, for `neato -n2` to draw."""
    def pin(match: re.Match) -> str:
        x, y = places[match[1]]
        return f'\t{match[1]} [pos="{x:.1f},{-y:.1f}!" {match[2]}]'

    lines = [_NODE.sub(pin, line) if (m := _NODE.match(line)) and m[1] in places else line
             for line in source.splitlines()]
    head = next(i for i, line in enumerate(lines) if line.rstrip().endswith("{"))
    lines.insert(head + 1, "\tgraph [splines=curved outputorder=edgesfirst]")
    return "\n".join(lines) + "\n"


# ---- running graphviz ----------------------------------------------------------------------------


def _run(program: str, args: list[str], source: str, limit: float) -> str | None:
    """A graphviz program's SVG for `source`, or None when it took longer than `limit` seconds
    (the subprocess is killed then)."""
    path = shutil.which(program)
    if path is None:
        raise GraphvizMissing(program)
    try:
        done = subprocess.run([path, *args, "-Tsvg"], input=source.encode(), capture_output=True, timeout=limit,
                              check=True)
    except subprocess.TimeoutExpired:
        return None
    return done.stdout.decode("utf-8")


def svg(source: str) -> tuple[str, str]:
    """(SVG, which layout: "dot" or "layered") of a graph in viz's DOT text, within the limits
    above. Raises GraphvizMissing when graphviz is not installed."""
    graph = Graph.parse(source)
    if dot_cost(graph) <= DOT_MAX_COST and (drawn := _run("dot", [], source, DOT_TIME_LIMIT)) is not None:
        return drawn, "dot"
    drawn = _run("neato", ["-n2"], _pinned(source, layered(graph)), DRAW_TIME_LIMIT)
    if drawn is None:
        raise LayoutTooSlow(f"drawing {len(graph.statements)} nodes took over {DRAW_TIME_LIMIT} s")
    return drawn, "layered"

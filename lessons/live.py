"""What the browser's live view receives, packed small: the graph picture, and every number
the graph and the node table show at every slider position.

The browser moves x itself (no server round trip), so it needs every position's numbers up
front. Sent as text they are large (a 60-op graph at 601 positions holds 120,000 numbers). So:

* Each number is sent as the 4-significant-digit decimal that `viz.format_number` shows,
  packed in one integer (`number_codes`): the browser writes the same text from it (the rule is
  `number_text`, mirrored in ui/live.js), so the numbers on screen are the engine's, to the digit
  the server would print, with no float formatting in JavaScript.
* Along a column (one node's value over the positions) neighbouring codes differ little: they
  go as differences, their four bytes split into four planes, and the whole blob is gzipped.
  The 60-op graph's numbers take about 30 KB that way.

`pack` writes a blob, `unpack` reads it back (the tests, and the AppTest helpers, use it to
check the numbers in the element's data).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import struct
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from .sweep import Sweep
from .viz import NodeInfo, format_number, op_symbol, short_labels

__all__ = ["FORMAT", "blob_id", "diff_paths", "graph_blob", "live_blob", "mark_role", "node_meta", "number_codes",
           "number_text", "numbers", "pack", "unpack"]

FORMAT = 1  # bump when the blob's layout changes (ui/live.js reads it)

# A number's code: 0 for zero, 1 nan, 2 +inf, 3 -inf; otherwise its four significant digits m
# (signed, 1000 ≤ |m| ≤ 9999) and decimal exponent e as (e + _EXP_BIAS)·_SPAN + m + _M_BIAS.
_SPECIAL = {0: "0", 1: "nan", 2: "∞", 3: "−∞"}
_SPAN, _M_BIAS, _EXP_BIAS = 20000, 10000, 400


def number_codes(values) -> np.ndarray:
    """Each value as the int32 code of the text `format_number` writes for it.

    Numpy finds the four digits of almost every value at once; a value within a millionth of a
    rounding tie, or at the ends of the float range, takes Python's correctly rounded "e" format
    ("%.4g", format_number's, is defined by the same digits)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    codes = np.zeros(values.size, dtype=np.int32)
    codes[np.isnan(values)] = 1
    codes[values == math.inf] = 2
    codes[values == -math.inf] = 3
    regular = np.flatnonzero(np.isfinite(values) & (values != 0))
    v = values[regular]
    with np.errstate(all="ignore"):
        size = np.abs(v)
        exponent = np.floor(np.log10(size))
        scaled = size / 10.0 ** (exponent - 3)  # 1000 <= scaled < 10000 when exponent is right
        digits = np.rint(scaled)
        settled = ((np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) & (digits >= 1000) & (digits <= 9999)
                   & (np.abs(exponent) < 300))
    mantissa = np.where(v < 0, -digits, digits)
    codes[regular[settled]] = ((exponent[settled] + _EXP_BIAS) * _SPAN + mantissa[settled] + _M_BIAS).astype(np.int32)
    for i, x in zip(regular[~settled].tolist(), v[~settled].tolist()):
        m, e = f"{x:.3e}".split("e")
        codes[i] = (int(e) + _EXP_BIAS) * _SPAN + int(m.replace(".", "")) + _M_BIAS
    return codes


def number_text(code: int) -> str:
    """The text of a number's code: what `format_number` writes ("%.4g", with 0, nan, ∞, −∞)."""
    if code in _SPECIAL:
        return _SPECIAL[code]
    exponent, mantissa = divmod(code, _SPAN)
    exponent -= _EXP_BIAS
    mantissa -= _M_BIAS
    sign, digits = ("-" if mantissa < 0 else ""), str(abs(mantissa))
    if -4 <= exponent < 4:  # fixed point, as %g chooses, without trailing zeros
        if exponent >= 0:
            whole, fraction = digits[: exponent + 1], digits[exponent + 1:]
        else:
            whole, fraction = "0", "0" * (-exponent - 1) + digits
        fraction = fraction.rstrip("0")
        return sign + whole + ("." + fraction if fraction else "")
    fraction = digits[1:].rstrip("0")
    return f"{sign}{digits[0]}{'.' + fraction if fraction else ''}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def numbers(nodes: Iterable[NodeInfo]) -> dict[str, list]:
    """The graph's numbers at one point, as the live view shows them: {id: [value, grad,
    [local derivatives]]} as text (constants, which show no numbers, left out)."""

    def show(v):
        return "—" if v is None else format_number(v) if isinstance(v, float) else str(v)

    return {n.id: [show(n.value), show(n.grad), [show(d) for d in n.local_grads]]
            for n in nodes if n.kind != "constant"}


MARKS = ("tangent", "point")  # the `meta` of the plot's traces that move with x (plots.function_figure)


def mark_role(meta: object) -> str | None:
    """Which of the plot's traces the live view moves with x, by the trace's `meta`: the tangent
    and the point (their names are in the reader's language). ui/live.js finds them by the same rule."""
    return meta if meta in MARKS else None


def blob_id(*key) -> str:
    """A short name for a blob made from `key` (what the page asks the browser to show)."""
    return hashlib.sha256(repr((FORMAT, *key)).encode()).hexdigest()[:16]


def pack(header: Mapping, floats: Sequence[np.ndarray] = (), columns: Sequence[np.ndarray] = ()) -> bytes:
    """One gzipped blob: the header as JSON, then float64 arrays, then columns of number codes.

    Layout before gzip: uint32 header length; the header (UTF-8 JSON); each float array
    (little-endian float64); then the columns, all of one length, concatenated, each as the
    differences of its codes (the first from 0), as int32 split into four byte planes. The
    header says how many of each there are ("floats", "columns", "n").
    """
    head = json.dumps({**header, "format": FORMAT, "floats": len(floats), "columns": len(columns)},
                      separators=(",", ":"), allow_nan=False).encode()
    parts = [struct.pack("<I", len(head)), head]
    parts += [np.ascontiguousarray(a, dtype="<f8").tobytes() for a in floats]
    if len(columns):
        codes = np.stack([np.asarray(c, dtype=np.int64) for c in columns])
        deltas = np.diff(codes, axis=1, prepend=0).astype("<i4").ravel()
        parts.append(deltas.view(np.uint8).reshape(-1, 4).T.tobytes())
    return gzip.compress(b"".join(parts), compresslevel=6, mtime=0)  # mtime=0: the same bytes every time


def unpack(blob: bytes) -> tuple[dict, list[np.ndarray], list[np.ndarray]]:
    """(header, float arrays, code columns) from a `pack` blob."""
    raw = gzip.decompress(blob)
    (length,) = struct.unpack_from("<I", raw)
    header = json.loads(raw[4:4 + length])
    offset, n = 4 + length, header.get("n", 0)
    floats = []
    for _ in range(header["floats"]):
        floats.append(np.frombuffer(raw, dtype="<f8", count=n, offset=offset))
        offset += 8 * n
    columns = []
    if header["columns"]:
        planes = np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(4, -1)
        deltas = planes.T.copy().view("<i4").reshape(header["columns"], n)
        columns = list(np.cumsum(deltas, axis=1, dtype=np.int64).astype(np.int32))
    return header, floats, columns


def diff_paths(a, b, path: tuple = ()) -> list[list]:
    """Where two JSON-like trees differ: [[path, value in b], ...], paths as lists of keys and
    indices. The live view restyles its plot for the other theme with it."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for k in a for d in diff_paths(a[k], b[k], (*path, k))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (p, q) in enumerate(zip(a, b)) for d in diff_paths(p, q, (*path, i))]
    return [] if a == b else [[list(path), b]]


def node_meta(nodes: Sequence[NodeInfo]) -> list[dict]:
    """What the live view needs to know of each node besides its numbers: its id (the SVG's),
    the name its box shows and its whole sub-expression (for hover and the node table), its
    kind, its op's symbol and its inputs' ids."""
    shown = short_labels(nodes)
    meta = []
    for n in nodes:
        entry = {"id": n.id, "label": shown[n.id], "full": n.label, "kind": n.kind,
                 "op": op_symbol(n.op) if n.op else "", "inputs": list(n.inputs)}
        if n.kind == "constant":  # a constant's number never changes: it travels here, once
            entry["value"] = format_number(n.value) if isinstance(n.value, float) else str(n.value)
        meta.append(entry)
    return meta


def graph_blob(nodes: Sequence[NodeInfo], svg: str, key: str) -> bytes:
    """A graph without a slider (the backprop and two-variable pages): the picture and the
    nodes; the page sends each step's numbers with `numbers`."""
    return pack({"kind": "graph", "id": key, "svg": svg, "nodes": node_meta(nodes)})


def live_blob(sweep: Sweep, svg: str, figure: Mapping, dark_figure: Mapping, key: str, step: float) -> bytes:
    """The Playground's live view: the picture, the plot (`figure` in the light theme, and what
    changes in the dark one), and every node's value, gradient and local derivatives at every
    position of `sweep`, with x, f, f′ (and f″) for the slider and the numbers above the graph.

    `step` is the positions' spacing (the slider shows x to its decimals).
    """
    n = len(sweep)
    columns: list[np.ndarray] = []  # the values; coded all at once below (one numpy pass, not one per column)

    def column(values) -> int:
        columns.append(np.broadcast_to(np.asarray(values, dtype=np.float64).ravel(), (n,)))
        return len(columns) - 1

    records = sweep.at(0)  # the structure: ids, labels, kinds, inputs
    meta = node_meta(records)
    for entry, node in zip(meta, sweep.nodes, strict=True):
        if node.kind == "constant":
            continue  # a constant's box shows its number in its name, fixed
        entry["v"] = column(node.value)
        entry["g"] = None if node.grad is None else column(node.grad)
        entry["l"] = [None if d is None else column(d) for d in node.local]
    metrics = {"x": column(sweep.x), "f": column(sweep.f), "df": column(sweep.df),
               "d2f": None if sweep.d2f is None else column(sweep.d2f)}
    floats = [sweep.x, sweep.f, sweep.df] + ([] if sweep.d2f is None else [sweep.d2f])
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    header = {"kind": "live", "id": key, "n": n, "svg": svg, "nodes": meta, "metrics": metrics,
              "decimals": decimals, "figure": figure,
              "themes": {"dark": diff_paths(figure, dark_figure), "light": diff_paths(dark_figure, figure)}}
    return pack(header, floats, number_codes(np.concatenate(columns)).reshape(len(columns), n))

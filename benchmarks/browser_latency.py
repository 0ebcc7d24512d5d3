"""Slider latency in a real browser: from a key press on the x slider to the new numbers in the
graph, with where the time goes.

    python benchmarks/browser_latency.py [--moves 30] [--warmup 3]

Starts `streamlit run playground.py` on loopback and drives headless Chromium (see
benchmarks/browser.py for which one). For a small function (x^3 + 2x, 3 ops) and a 60-op one,
it presses ArrowRight on the focused slider `--moves` times, one move at a time (each move waits
until the graph shows the new x and the run has ended), and reports p50 and p95 of:

    key -> graph in DOM      what a student waits for (target: p50 <= 150 ms)
    key -> next frame        ... until the browser paints it (next animation frame)
    key -> request sent      client: the slider turns the key into a rerun request
    request -> first msg     server: queueing and the start of the rerun, up to its first element
    request -> graph msg     server: the script up to and including st.graphviz_chart
    request -> run finished  server: the whole rerun (the plot, the table, the tabs... after the graph)
    graph msg -> graph DOM   client: graphviz layout (wasm) and React, while later messages arrive

All times are taken in the page on one clock (performance.now): an init script wraps the page's
WebSocket to timestamp every frame, listens to keydown, and a MutationObserver notes when the
x box first shows the new value. Playwright's own websocket events give the same frames' bytes,
which are decoded as Streamlit ForwardMsgs to know which frame carries the graph, the plot, the
end of the run. The server's CPU time per rerun comes from /proc.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import machine  # noqa: E402

from benchmarks import browser as harness  # noqa: E402
from lessons.viz import format_number  # noqa: E402
from tinytorch.expr import parse  # noqa: E402
from ui import view  # noqa: E402

SMALL = "x^3 + 2x"
# 60 operations, 239 characters (the parser allows 300): a long sum of products and calls.
LARGE = ("sin(x)*x + cos(x/2) + tanh(x/3)*x + exp(x/4) + sigmoid(x/5)*x + softplus(x/6) + sin(x/7)*x"
         " + cos(x/8) + tanh(x/9)*x + exp(x/10) + sigmoid(x/11)*x + softplus(x/12) + sin(x/13)*x + cos(x/14)"
         " + tanh(x/15)*x + exp(x/16) + sigmoid(x/17)*x + x^2")
START_X = -0.2  # moves go right from here: 0.01 per press on the default range
TARGET_P50_MS = 150

INSTRUMENT_JS = """
(() => {
  const graphNodes = GRAPH_NODES_FN;
  const tt = window.__tt = {frames: [], keys: [], target: null, dom: null, paint: null};
  const size = (d) => typeof d === 'string' ? d.length : (d.byteLength ?? d.size ?? 0);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => tt.frames.push(['in', performance.now(), size(e.data)]));
    }
    send(data) {
      tt.frames.push(['out', performance.now(), size(data)]);
      return super.send(data);
    }
  };
  addEventListener('keydown', () => tt.keys.push(performance.now()), true);
  const shows = () => graphNodes().some(lines => lines[0] === 'x' && lines[1] === 'value ' + tt.target);
  new MutationObserver(() => {
    if (tt.target !== null && tt.dom === null && shows()) {
      tt.dom = performance.now();
      requestAnimationFrame(() => { tt.paint = performance.now(); });
    }
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
               attributeFilter: ['src']});
  tt.arm = (text) => { tt.target = text; tt.dom = null; tt.paint = null; return tt.frames.length; };
})();
""".replace("GRAPH_NODES_FN", harness.GRAPH_NODES_FN)

ROWS = [  # (label, start event, end event)
    ("key -> graph in DOM", "key", "dom"),
    ("key -> next frame", "key", "paint"),
    ("  key -> request sent  (client)", "key", "send"),
    ("  request -> first msg  (server)", "send", "first"),
    ("  request -> graph msg  (server)", "send", "graph"),
    ("  request -> run finished (server)", "send", "finished"),
    ("  graph msg -> graph in DOM (client)", "graph", "dom"),
]


class Frames:
    """Every websocket frame as Playwright saw it (bytes, in order), decoded on demand."""

    def __init__(self, page):
        self.received: list[bytes] = []
        self.sent: list[bytes] = []
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", lambda p: self.received.append(p if isinstance(p, bytes) else p.encode()))
        ws.on("framesent", lambda p: self.sent.append(p if isinstance(p, bytes) else p.encode()))

    @staticmethod
    def kind(payload: bytes, incoming: bool) -> str:
        """'delta:graphviz_chart', 'script_finished', 'rerun_script', ..."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg() if incoming else BackMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type") or "?"
        if incoming and kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            kind = "delta:" + (msg.delta.new_element.WhichOneof("type") or "?")
        return kind


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def one_move(page, frames: Frames, expected_x: str) -> dict:
    """Press ArrowRight once; return the move's events (ms, page clock) and byte counts."""
    mark = page.evaluate("(t) => window.__tt.arm(t)", expected_x)
    keys_before = page.evaluate("() => window.__tt.keys.length")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__tt.dom !== null && window.__tt.paint !== null", timeout=60_000,
                           polling=harness.POLL_MS)
    harness.settled(page, 60_000)
    tt = page.evaluate("""(m) => { const f = window.__tt.frames; return {frames: f.slice(m),
        keys: window.__tt.keys, dom: window.__tt.dom, paint: window.__tt.paint,
        n_in: f.filter(x => x[0] === 'in').length, n_out: f.filter(x => x[0] === 'out').length}; }""", mark)
    # Playwright delivers its websocket events asynchronously: wait (bounded) until it has them all.
    n_in, n_out = tt["n_in"], tt["n_out"]
    deadline = time.monotonic() + 10
    while (len(frames.received) < n_in or len(frames.sent) < n_out) and time.monotonic() < deadline:
        page.wait_for_timeout(5)
    if len(frames.received) < n_in or len(frames.sent) < n_out:
        raise RuntimeError(f"Playwright saw fewer frames than the page: page {n_in}/{n_out}, playwright "
                           f"{len(frames.received)}/{len(frames.sent)}")
    first_in = n_in - sum(1 for f in tt["frames"] if f[0] == "in")
    first_out = n_out - sum(1 for f in tt["frames"] if f[0] == "out")
    events = {"key": tt["keys"][keys_before], "dom": tt["dom"], "paint": tt["paint"]}
    sizes = {"in": 0, "out": 0, "graph": 0, "plot": 0}
    i_in, i_out = first_in, first_out
    for direction, t, n in tt["frames"]:
        if direction == "out":
            payload, i_out = frames.sent[i_out], i_out + 1
            assert len(payload) == n, (len(payload), n)
            if Frames.kind(payload, incoming=False) == "rerun_script":
                events.setdefault("send", t)
            sizes["out"] += n
            continue
        payload, i_in = frames.received[i_in], i_in + 1
        assert len(payload) == n, (len(payload), n)
        kind = Frames.kind(payload, incoming=True)
        sizes["in"] += n
        if kind.startswith("delta"):
            events.setdefault("first", t)
        if kind in ("delta:graphviz_chart", "delta:imgs"):  # the graph, drawn by the browser or the server
            events["graph"], sizes["graph"] = t, n
        elif kind == "delta:plotly_chart":
            sizes["plot"] = n
        elif kind == "script_finished":
            events["finished"] = t
    missing = {"send", "first", "graph", "finished"} - set(events)
    if missing:
        raise RuntimeError(f"move to x={expected_x}: no {sorted(missing)} event")
    return {"events": events, "sizes": sizes}


def measure(chromium, server, text: str, moves: int, warmup: int) -> dict:
    """A fresh context (its own page clock, websocket and frame lists) for one function."""
    context = chromium.new_context(viewport=harness.VIEWPORT)
    context.add_init_script(INSTRUMENT_JS)
    harness.keep_on_machine(context, server.url)  # the favicon, answered locally
    page = context.new_page()
    frames = Frames(page)
    page.goto(f"{server.url}/?" + _query(f=text, x=START_X))
    harness.wait_drawn(page, 60_000)
    page.locator('[data-testid="stSlider"] input[type="range"][aria-label="x"]').focus()
    step = view.slider_step(*view.DEFAULT_RANGE)
    x = START_X
    results = []
    cpu = None
    for i in range(warmup + moves):
        if i == warmup:
            cpu = server.cpu_seconds()
        x = round(x + step, 10)
        move = one_move(page, frames, format_number(x))
        if i >= warmup:
            results.append(move)
    cpu_per_rerun = (server.cpu_seconds() - cpu) / moves
    context.close()
    return {"moves": results, "server_cpu_ms": cpu_per_rerun * 1000}


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode({k: str(v) for k, v in params.items()})


def report(results: dict[str, dict]) -> None:
    names = list(results)
    width = 38
    print(f"\n{'':{width}}" + "".join(f"{name:>22}" for name in names))
    print(f"{'(ms)':{width}}" + "".join(f"{'p50':>11}{'p95':>11}" for _ in names))
    for label, start, end in ROWS:
        cells = ""
        for name in names:
            spans = [m["events"][end] - m["events"][start] for m in results[name]["moves"]]
            cells += f"{percentile(spans, 50):11.0f}{percentile(spans, 95):11.0f}"
        print(f"{label:{width}}" + cells)
    print()
    for label, key in [("bytes in per rerun (server -> page)", "in"), ("  of which the graph element", "graph"),
                       ("  of which the plot element", "plot"), ("bytes out per rerun (page -> server)", "out")]:
        print(f"{label:{width}}" + "".join(f"{statistics.median(m['sizes'][key] for m in results[n]['moves']):22,.0f}"
                                           for n in names))
    print(f"{'server CPU per rerun (ms)':{width}}" + "".join(f"{results[n]['server_cpu_ms']:22.1f}" for n in names))
    print("\nMessage times are when the page's main thread handled each message: while it lays out and\n"
          "draws the graph, later messages wait, so 'run finished' can include that wait; 'request -> graph\n"
          "msg' is the clean server-side figure (the graph is sent before the plot and the rest).")
    for name in names:
        p50 = percentile([m["events"]["dom"] - m["events"]["key"] for m in results[name]["moves"]], 50)
        verdict = "meets" if p50 <= TARGET_P50_MS else "misses"
        print(f"{name}: p50 {p50:.0f} ms {verdict} the {TARGET_P50_MS} ms target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--only", choices=["small", "large"], help="measure one function only")
    parser.add_argument("--streamlit-arg", action="append", default=[], metavar="ARG",
                        help="extra `streamlit run` option, e.g. --streamlit-arg=--runner.postScriptGC=false")
    args = parser.parse_args()

    import streamlit
    from playwright.sync_api import sync_playwright

    functions = {f"small ({parse(SMALL).node_count} ops)": SMALL, f"large ({parse(LARGE).node_count} ops)": LARGE}
    if args.only:
        functions = {name: text for name, text in functions.items() if name.startswith(args.only)}
    with harness.AppServer(extra_args=args.streamlit_arg) as server, sync_playwright() as p:
        chromium = harness.launch(p)
        print(f"machine: {machine()}")
        print(f"Chromium {chromium.version}, Streamlit {streamlit.__version__}, server on loopback"
              + (f", {' '.join(args.streamlit_arg)}" if args.streamlit_arg else ""))
        results = {}
        for name, text in functions.items():
            results[name] = measure(chromium, server, text, args.moves, args.warmup)
        print(f"{args.moves} moves each (after {args.warmup} warm-up moves), one ArrowRight per move")
        report(results)
        chromium.close()


if __name__ == "__main__":
    main()

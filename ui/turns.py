"""Turns at the server's heavy, repeated work: training ticks of the network page, a few sessions
at a time, in the order they asked.

Every session's script runs in a thread of one Python process. While training plays, each
session's fragment asks for a tick four times a second, and each tick is ~20 ms of CPU held under
the interpreter's lock (GIL). With a dozen sessions playing, a dozen such threads took turns at the
GIL every few milliseconds, and the thread that sends Streamlit's messages (the event loop) fell
behind: a session's next tick then arrived before the last one's output was sent, and Streamlit
drops the output of a run it has replaced. Nobody saw training move, and every other student's
click waited seconds (benchmarks/load.py, "play"; docs/performance.md).

Taking turns keeps at most `n` ticks computing at once; the others wait off the GIL, and the event
loop keeps up. A waiting session's fragment is still running, so the browser's next ticks fold
into it instead of starting new runs: each student's pictures simply come less often when many
play. Turns are handed over in arrival order (threading.Semaphore lets a newcomer take a freed
turn ahead of a woken waiter, which under contention left some sessions waiting for a minute).

A run a person started (opening the page, Play, Pause, a setting) is served before the ticks that
wait: it waited behind every playing session's tick, 1.5 s (p50) in a soak of 200 students.
Ticks are a clock's; a person is waiting for these.
"""

from __future__ import annotations

import threading
from collections import deque
from contextlib import contextmanager

from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ui import view


class FairTurns:
    """At most `n` holders at a time (`with turns:`, or `with turns.turn(first=True):` to be served
    before those that wait without it); the others wait, each kind first come, first served."""

    def __init__(self, n: int):
        if n < 1:
            raise ValueError(f"at least one turn at a time, not {n}")
        self._free = n
        self._lock = threading.Lock()
        self._first: deque[threading.Event] = deque()
        self._waiting: deque[threading.Event] = deque()

    def _take(self, first: bool) -> None:
        with self._lock:
            if self._free and not (self._first or self._waiting):
                self._free -= 1
                return
            mine = threading.Event()
            (self._first if first else self._waiting).append(mine)
        mine.wait()  # the holder that leaves hands its turn to the longest waiter of the first kind

    def _give_back(self) -> None:
        with self._lock:
            if self._first:
                self._first.popleft().set()
            elif self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1

    @contextmanager
    def turn(self, first: bool = False):
        self._take(first)
        try:
            yield self
        finally:
            self._give_back()

    def __enter__(self) -> FairTurns:
        self._take(False)
        return self

    def __exit__(self, *exc) -> None:
        self._give_back()

    @property
    def waiting(self) -> int:
        return len(self._first) + len(self._waiting)


TRAINING = FairTurns(view.TRAINING_TURNS)  # the network page's ticks: training steps and pictures


def training_turn():
    """A turn at TRAINING for this run: a tick (a rerun of the fragment alone) waits its turn in
    line; a run a person started goes ahead of the ticks."""
    ctx = get_script_run_ctx()
    return TRAINING.turn(first=not (ctx and ctx.fragment_ids_this_run))

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
"""

from __future__ import annotations

import threading
from collections import deque

from ui import view


class FairTurns:
    """At most `n` holders at a time (`with turns:`); the others wait, served first come, first served."""

    def __init__(self, n: int):
        if n < 1:
            raise ValueError(f"at least one turn at a time, not {n}")
        self._free = n
        self._lock = threading.Lock()
        self._waiting: deque[threading.Event] = deque()

    def __enter__(self) -> FairTurns:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            mine = threading.Event()
            self._waiting.append(mine)
        mine.wait()  # the holder that leaves hands its turn to the longest waiter
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1

    @property
    def waiting(self) -> int:
        return len(self._waiting)


TRAINING = FairTurns(view.TRAINING_TURNS)  # the network page's ticks: training steps and pictures

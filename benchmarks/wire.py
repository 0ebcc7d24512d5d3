"""Does the simulated tab send what Chromium sends? One student's session, done once in real
Chromium and once by benchmarks/protocol.py's tab, on the same server, message by message.

    python benchmarks/wire.py          # prints every difference; exits 1 if there is one

The session (benchmarks/student.py): open the lecturer's link, type a function, release x two
positions on, switch to Backprop, then to the network page, press Play, watch for a few seconds,
Pause, go back to the Playground (the shared view carried), and release x again.

Chromium's frames are read with the DevTools protocol (`Network.webSocketFrameSent`) and decoded
as BackMsgs. Compared: every field of every message, with the widget states as a set (the front
end's order follows the order its widget code loaded in) and the cached message hashes as a set.
A `run_every` fragment's ticks depend on the clock, so for them the count is compared within a
quarter, and each tick's content (all but the cached hashes) against Chromium's first. Once
training has played, the pictures a tab keeps are those of the step it reached, which the clock
decides too: from there the cached hashes are compared by number, when both ran as many ticks.

benchmarks/load.py runs this check before every load test (the lecturer's visit), so the figures
it reports are for messages known to be the browser's.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from google.protobuf.json_format import MessageToDict  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from student import LINK, BrowserStudent, SimulatedStudent, switch_step  # noqa: E402

TYPED = "sin(2x)*exp(-x^2/3) + 1"
PLAY_SECONDS = 3.0
TICK_SLACK = 2  # ticks more or fewer than Chromium's, at the least


def browser_session(base_url: str) -> BrowserStudent:
    """The session in real Chromium (Playwright's sync API); its frames and requests, by step."""
    from browser import launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        student = BrowserStudent(chromium, base_url)
        student.open(LINK)
        student.type(TYPED)
        student.release(2)
        student.go("backprop")
        student.go("network")
        student.play(PLAY_SECONDS)
        student.go("")
        student.release(3)
        student.close()
        chromium.close()
    return student


async def simulated_session(port: int, assets=None) -> list[tuple[str, BackMsg]]:
    """The same session by a simulated tab: every message it sent, with its step."""
    student = SimulatedStudent(port, assets)
    sent: list[tuple[str, BackMsg]] = []

    def mark(step: str, since: int) -> None:
        sent.extend((step, msg) for _, msg in student.tab.sent[since:])

    await student.open(LINK)
    mark("open", 0)
    for step, action in (("type", lambda: student.type(TYPED)), ("release", lambda: student.release(2)),
                         (switch_step("backprop"), lambda: student.go("backprop")),
                         (switch_step("network"), lambda: student.go("network"))):
        since = len(student.tab.sent)
        await action()
        mark(step, since)
    since = len(student.tab.sent)
    await student.play()
    await asyncio.sleep(PLAY_SECONDS)
    mark("play", since)
    since = len(student.tab.sent)
    await student.pause()
    mark("pause", since)
    for step, action in ((switch_step(""), lambda: student.go("")), ("release 2", lambda: student.release(3))):
        since = len(student.tab.sent)
        await action()
        mark(step, since)
    await student.close()
    return sent


def normal(msg: BackMsg, hashes: str = "set") -> dict:
    """A message as a dict, with what may differ in order only as sets; the cached message
    hashes as a set, as a count (`hashes="count"`), or left out (`"none"`)."""
    d = MessageToDict(msg)
    state = d.get("rerunScript")
    if state is not None:
        widgets = state.get("widgetStates", {}).pop("widgets", [])
        state["widgetStates"] = {w["id"]: w for w in widgets} | ({"(present)": True} if "widgetStates" in state
                                                                   else {})
        kept = state.pop("cachedMessageHashes", [])
        if hashes != "none":
            state["cachedMessageHashes"] = sorted(kept) if hashes == "set" else f"{len(kept)} hashes"
    return d


def differences(path: str, a, b) -> list[str]:
    """Where two normalised messages differ, as 'field: chromium → simulated' lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            found += differences(f"{path}.{key}" if path else key, a.get(key, "(absent)"), b.get(key, "(absent)"))
        return found
    return [] if a == b else [f"{path}: chromium {str(a)[:160]!r}, simulated {str(b)[:160]!r}"]


def is_tick(msg: BackMsg) -> bool:
    return msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun


def compare(chromium: list[tuple[str, BackMsg]], simulated: list[tuple[str, BackMsg]]) -> list[str]:
    """Every difference between the two sessions' messages, step by step."""
    steps = list(dict.fromkeys(step for step, _ in chromium + simulated))
    ticks = ([m for _, m in chromium if is_tick(m)], [m for _, m in simulated if is_tick(m)])
    found, trained, same_ticks = [], False, len(ticks[0]) == len(ticks[1])
    for step in steps:
        # From here a tab keeps pictures of the training at the step it reached: the same number of
        # them if both ran as many ticks; else one has a tick's pictures more or fewer.
        trained |= step == "play"
        ours = [m for s, m in simulated if s == step and not is_tick(m)]
        theirs = [m for s, m in chromium if s == step and not is_tick(m)]
        if len(theirs) != len(ours):
            found.append(f"{step}: chromium sent {len(theirs)} messages, simulated {len(ours)}")
        hashes = "set" if not trained else "count" if same_ticks else "none"
        for i, (a, b) in enumerate(zip(theirs, ours)):
            found += [f"{step} #{i + 1}: {d}" for d in differences("", normal(a, hashes), normal(b, hashes))]
    # The browser's timer sends ticks until the run that stops them reaches it, so how many depends
    # on the machine's load: their number within a quarter (or TICK_SLACK), each one's content exactly.
    if abs(len(ticks[0]) - len(ticks[1])) > max(TICK_SLACK, len(ticks[0]) // 4):
        found.append(f"chromium sent {len(ticks[0])} ticks, simulated {len(ticks[1])}")
    if ticks[0]:
        first = normal(ticks[0][0], "none")
        for i, b in enumerate(ticks[1]):
            found += [f"tick {i + 1}: {d}" for d in differences("", first, normal(b, "none"))]
    return found


def check(server) -> tuple[list[str], BrowserStudent]:
    """Run both sessions on `server`; the differences, and the browser's record (its files)."""
    real = browser_session(server.url)
    chromium = []
    for _, step, data in sorted(real.frames):
        msg = BackMsg()
        msg.ParseFromString(data)
        chromium.append((step, msg))
    simulated = asyncio.run(simulated_session(server.port, real.assets()))
    summary = (f"wire check: Chromium sent {len(chromium)} messages "
               f"({sum(is_tick(m) for _, m in chromium)} ticks), the simulated tab {len(simulated)} "
               f"({sum(is_tick(m) for _, m in simulated)} ticks)")
    print(summary)
    return compare(chromium, simulated), real


def run():
    """The check on a server of its own, printed: the files the browser fetched (student.Assets),
    and the differences."""
    from browser import AppServer

    with AppServer() as server:
        found, real = check(server)
    assets = real.assets()
    print(f"files a browser fetches: {len(assets.before)} before the websocket, "
          f"{assets.total() - len(assets.before)} later")
    print(f"differences from Chromium's messages: {len(found)}" + "".join(f"\n  {d}" for d in found))
    return assets, found


def main() -> None:
    _, found = run()
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

"""A class at once: N students against one server, each a simulated browser tab.

    python benchmarks/load.py open  [--students 100]       # everyone opens the link at the same moment
    python benchmarks/load.py type  [--students 100]       # everyone types their own function at once
    python benchmarks/load.py soak  [--students 200] [--seconds 300] [--every 20] [--play 30] [--actions ...]
    python benchmarks/load.py play  [--students 5,10,20,40] [--seconds 60]  # that many train at once
    python benchmarks/load.py cold                         # the first visitor after a cold start
    python benchmarks/load.py cost                         # server CPU per action, one student at a time
    python benchmarks/load.py all                          # cold, cost, open, type, soak, play

First, a real Chromium does one student's session on a server of its own (benchmarks/wire.py):
its websocket frames are compared with the simulated tab's, and the files it fetched (the page's
scripts, styles and fonts: ~10 MB, served by the app itself) are what every simulated student
fetches too, six at a time, before opening its websocket (`--no-browser` skips both).

Then each scenario starts `streamlit run playground.py` on 127.0.0.1 and drives it with tabs that
send what Chromium sends (benchmarks/protocol.py, benchmarks/student.py): the first run of the
link, every widget's state with each rerun, the function typed, x released in the live view (its
event), page switches from the sidebar (the shared view carried: ui/navigation.py may add a rerun),
and on the network page Play, the ticks of its `run_every` fragment (a fragment rerun every 0.25 s,
sent whether the last has finished or not, as the browser's timer does), and Pause. What is timed
is the server: from the message to the end of its run (`script_finished`); an open also counts
the files before the websocket.

Except in `cold`, the lecturer has opened the link once before the class does (as
docs/deployment.md asks), so the server has done its imports. In the soak, every student acts
about every `--every` seconds (a random phase, then a random action from `--actions`: type a new
function, release x, switch page, train: press Play, watch for `--play` seconds, Pause), the way a
class works through a lecture, for `--seconds`.

Reports, per action: count, p50, p95 and max; while training plays, the gap between redraws (p50,
p95) and the steps trained per second (the page's pace is 40: 10 steps a tick); errors (an
exception box, a run that did not finish, a timeout, a dropped websocket, a file not served); the
server's CPU (cores used on average) and memory (resident at start, every minute, at the end, and
the peak). Exits 1 when there was any error. The tabs run in this process, on the same 2 cores as
the server: the figures are a lower bound on what the server alone could do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from protocol import AppServer  # noqa: E402
from student import LINK, PAGES, Assets, SimulatedStudent, own_function  # noqa: E402
from timing import available_cores, machine  # noqa: E402

from ui import view  # noqa: E402

ACTION_TIMEOUT = 120.0  # seconds before a run that has not finished counts as an error
PACE = view.STEPS_PER_TICK / view.TICK_SECONDS  # steps a second while training plays, when the server keeps up
SHOWN_STEP = re.compile(r"Step ([\d,]+) ·")  # the network page's status line (view.network_status)


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def resident(server: AppServer) -> float:
    return server.peak_memory_kib()["VmRSS"] / 1024


class Report:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.gaps: list[float] = []  # seconds between a playing tab's redraws
        self.paces: list[float] = []  # steps trained a second, per time Play was on
        self.received = 0  # bytes of files served

    def record(self, action: str, seconds: float, run=None) -> None:
        if run is not None and (run.exceptions or run.status != "ok"):
            self.errors.append(f"{action}: {run.status} {run.exceptions[:1]}")
            return
        self.times[action].append(seconds)

    def print(self) -> None:
        print(f"{'action':12s} {'count':>6s} {'p50':>8s} {'p95':>8s} {'max':>8s}")
        for action, times in self.times.items():
            print(f"{action:12s} {len(times):6d} {statistics.median(times):7.2f}s {percentile(times, 0.95):7.2f}s "
                  f"{max(times):7.2f}s")
        if self.gaps:
            print(f"{'redraw gap':12s} {len(self.gaps):6d} {statistics.median(self.gaps):7.2f}s "
                  f"{percentile(self.gaps, 0.95):7.2f}s {max(self.gaps):7.2f}s   (the page asks every "
                  f"{view.TICK_SECONDS} s)")
            print(f"steps shown a second while playing: median {statistics.median(self.paces):.0f}, lowest "
                  f"{min(self.paces):.0f} (the page's pace: {PACE:.0f})")
        if self.received:
            print(f"files served: {self.received / 1e6:.0f} MB")
        print(f"errors: {len(self.errors)}" + "".join(f"\n  {e}" for e in self.errors[:10]))


class Student:
    """A simulated student whose actions are timed into a Report."""

    def __init__(self, index: int, port: int, assets: Assets, report: Report, rng: random.Random):
        self.index, self.report, self.rng = index, report, rng
        self.sim = SimulatedStudent(port, assets)
        self.typed = 0

    async def _timed(self, action: str, step):
        begin = time.perf_counter()
        try:
            run = await asyncio.wait_for(step(), ACTION_TIMEOUT)
        except Exception as problem:  # a timeout or a dropped websocket: the student saw nothing
            self.report.errors.append(f"{action}: {type(problem).__name__} {problem}"[:200])
            return None
        if run is not None:
            self.report.record(action, time.perf_counter() - begin, run)
        return run

    async def open(self, path: str = "/") -> None:
        async def step():
            run = await self.sim.open(LINK, path)
            if run.status == "ok" and not run.exceptions:
                self.report.times["first run"].append(run.seconds)  # the websocket's part of the open
            return run
        await self._timed("open", step)

    async def go(self, page: str) -> None:
        await self._timed("switch", lambda: self.sim.go(page))

    async def type(self) -> None:
        await self.go("")
        self.typed += 1
        await self._timed("type", lambda: self.sim.type(own_function(self.index, self.typed)))

    async def release(self) -> None:
        if self.sim.tab.page != "":
            await self.go("")
        moves = self.rng.choice([-1, 1]) * self.rng.randint(1, 60)
        await self._timed("release", lambda: self.sim.release(moves))

    async def switch(self) -> None:
        await self.go(self.rng.choice([p for p in PAGES if p != self.sim.tab.page]))

    async def train(self, seconds: float) -> None:
        """Play, watch the network learn for `seconds`, Pause."""
        await self.go("network")
        if await self._timed("play", self.sim.play) is None:
            return
        tab, begin = self.sim.tab, time.perf_counter()
        first, texts = len(tab.redraws), len(tab.fragment_texts)
        await asyncio.sleep(seconds)
        redraws = tab.redraws[first:]
        played = time.perf_counter() - begin
        self.report.gaps += [b - a for a, b in zip([begin, *redraws], redraws)]
        if redraws:
            self.report.gaps.append(time.perf_counter() - redraws[-1])  # waiting for the next one
        shown = [int(m[1].replace(",", "")) for _, text in tab.fragment_texts[texts - 1 if texts else 0:]
                 if (m := SHOWN_STEP.match(text))]  # the step the status line showed, from before Play on
        self.report.paces.append((shown[-1] - shown[0]) / played if len(shown) > 1
                                 else len(redraws) * view.STEPS_PER_TICK / played)
        await self._timed("pause", self.sim.pause)
        self.report.errors += [f"tick: {e}"[:200] for e in tab.tick_errors]
        tab.tick_errors.clear()

    async def close(self) -> None:
        if self.sim.tab is not None and self.sim.tab.closed_reason:
            self.report.errors.append(self.sim.tab.closed_reason)
        self.report.errors += self.sim.errors
        self.report.received += self.sim.received
        await self.sim.close()


async def _everyone(students, action: str, *args) -> None:
    await asyncio.gather(*(getattr(s, action)(*args) for s in students))


class Watch:
    """The server's CPU and memory over a scenario."""

    def __init__(self, server: AppServer):
        self.server, self.started = server, time.perf_counter()
        self.memory = [(0.0, resident(server))]

    def mark(self) -> None:
        self.memory.append((time.perf_counter() - self.started, resident(self.server)))

    async def every_minute(self, end: float) -> None:
        while time.perf_counter() + 60 < end:
            await asyncio.sleep(60)
            self.mark()

    def print(self) -> None:
        self.mark()
        peak = self.server.peak_memory_kib()["VmHWM"] / 1024
        print("server memory: " + ", ".join(f"{m:.0f} MiB at {t:.0f} s" for t, m in self.memory)
              + f"; peak {peak:.0f} MiB")


async def scenario(name: str, args, assets: Assets, students_count: int) -> bool:
    """Run one scenario on a fresh server; print its report. True when there was no error."""
    report = Report()
    with AppServer() as server:
        watch, rng = Watch(server), random.Random(11)
        students = [Student(i, server.port, assets, report, random.Random(i)) for i in range(students_count)]
        if name != "cold":  # the lecturer opened the link before the class (docs/deployment.md): not counted
            lecturer = Student(-1, server.port, assets, Report(), rng)
            await lecturer.open()
            await lecturer.close()
        cpu0, wall0, mine0 = server.cpu_seconds(), time.perf_counter(), time.process_time()
        if name == "cold":
            await students[0].open()  # the server has served nobody yet: imports, first compile
        elif name == "cost":
            await cost(server, students[0], args)
        elif name in ("open", "type"):
            if name == "type":
                await _everyone(students, "open")
                await asyncio.gather(*(s.sim.loaded() for s in students))  # they read the page, then type
                report.times.clear()
                cpu0, wall0, mine0 = server.cpu_seconds(), time.perf_counter(), time.process_time()
            await _everyone(students, name)
        elif name == "play":
            await play(students, args, report)
        else:
            await soak(students, args, watch)
        cpu, wall, mine = server.cpu_seconds() - cpu0, time.perf_counter() - wall0, time.process_time() - mine0
        print(f"{wall:.1f} s: server CPU {cpu:.1f} s ({cpu / wall:.2f} cores); the tabs' CPU {mine:.1f} s "
              f"({mine / wall:.2f} cores)")
        await asyncio.gather(*(s.close() for s in students))
        watch.print()
        log = server.log()
    report.print()
    if "Traceback" in log:
        report.errors.append("the server logged a traceback")
        print(log[log.index("Traceback"):][:2000])
    return not report.errors


async def cost(server: AppServer, student: Student, args) -> None:
    """Server CPU per action, one student, `--repeat` of each (and a while of training)."""
    await student.open()
    report = student.report
    print(f"{'action':12s} {'server CPU per action':>22s}")
    for action in ("release", "type", "switch"):
        cpu0, count0 = server.cpu_seconds(), len(report.times.get(action, []))
        for _ in range(args.repeat):
            await getattr(student, action)()
        done = len(report.times[action]) - count0
        print(f"{action:12s} {(server.cpu_seconds() - cpu0) / done * 1e3:19.0f} ms")
    await student.go("network")
    cpu0, redraws0 = server.cpu_seconds(), len(student.sim.tab.redraws)
    await student.train(20.0)
    ticks = len(student.sim.tab.redraws) - redraws0
    print(f"{'tick':12s} {(server.cpu_seconds() - cpu0) / ticks * 1e3:19.0f} ms  ({ticks} ticks in 20 s, "
          f"Play and Pause included)")


async def play(students: list[Student], args, report: Report) -> None:
    """Everyone on the network page presses Play within one tick, and watches for `--seconds`;
    one more student, on the Playground, releases x every 2 s (what training costs the others)."""
    observer, players = students[0], students[1:]
    await _everyone(students, "open")
    await asyncio.gather(*(s.sim.loaded() for s in students))
    await observer.go("")
    await _everyone(players, "go", "network")
    report.times.clear()
    end = time.perf_counter() + args.seconds + 2

    async def watching() -> None:
        while time.perf_counter() < end:
            await observer._timed("release (other)", lambda: observer.sim.release(observer.rng.randint(-40, 40)))
            await asyncio.sleep(2.0)

    async def one(player: Student) -> None:
        await asyncio.sleep(player.rng.uniform(0, view.TICK_SECONDS))
        await player.train(args.seconds)

    await asyncio.gather(watching(), *(one(p) for p in players))


async def soak(students: list[Student], args, watch: Watch) -> None:
    await _everyone(students, "open")
    await asyncio.gather(*(s.sim.loaded() for s in students))
    for s in students:
        s.report.times.clear()
    end = time.perf_counter() + args.seconds
    actions = args.actions.split(",")

    async def work(student: Student) -> None:
        await asyncio.sleep(student.rng.uniform(0, args.every))
        while time.perf_counter() < end:
            action = student.rng.choice(actions)
            await (student.train(args.play) if action == "train" else getattr(student, action)())
            await asyncio.sleep(max(0.0, args.every * student.rng.uniform(0.8, 1.2)))

    await asyncio.gather(watch.every_minute(end), *(work(s) for s in students))


def record_browser(skip: bool) -> tuple[Assets, list[str]]:
    """One student's session in Chromium (benchmarks/wire.py): the files it fetched, and where
    the simulated tab's messages differ from its own (none, or the figures are not a browser's)."""
    if skip:
        return Assets(), []
    from wire import run

    return run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("open", "type", "soak", "play", "cold", "cost", "all"))
    parser.add_argument("--repeat", type=int, default=20, help="actions of each kind, for cost")
    parser.add_argument("--students", help="100 for open and type, 200 for soak, 5,10,20,40 for play")
    parser.add_argument("--seconds", type=float, help="300 for soak, 60 for play")
    parser.add_argument("--every", type=float, default=20)
    parser.add_argument("--play", type=float, default=30, help="seconds a student watches training, in the soak")
    parser.add_argument("--actions", default="type,release,switch,train,release",
                        help="the soak's mix, drawn at random (releasing x is what students do most)")
    parser.add_argument("--no-browser", action="store_true", help="no Chromium: no wire check, no page files")
    parser.add_argument("--no-files", action="store_true", help="students do not fetch the page's files "
                        "(as when a proxy or a CDN serves them)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    assets, differences = record_browser(args.no_browser)
    if args.no_files:
        assets = Assets()
    ok = not differences
    names = ("cold", "cost", "open", "type", "soak", "play") if args.scenario == "all" else (args.scenario,)
    for name in names:
        default = {"soak": "200", "play": "5,10,20,40", "cold": "1", "cost": "1"}.get(name, "100")
        counts = [int(n) for n in ((args.students if args.scenario != "all" else None) or default).split(",")]
        seconds = args.seconds
        args.seconds = seconds or (60 if name == "play" else 300)
        for count in counts:
            who = f"{count} student(s)" + (" training at once, and 1 other" if name == "play" else "")
            print(f"\n== {available_cores():.2f} of {os.cpu_count()} cores free; {name}: {who}")
            ok &= asyncio.run(scenario(name, args, assets, count + (name == "play")))
        args.seconds = seconds
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

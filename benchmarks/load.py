"""A class at once: N students against one server, each a websocket tab speaking Streamlit's protocol.

    python benchmarks/load.py open  [--students 100]       # everyone opens the link at the same moment
    python benchmarks/load.py type  [--students 100]       # everyone types their own function at once
    python benchmarks/load.py soak  [--students 200] [--seconds 300] [--every 20]
    python benchmarks/load.py cold                         # the first visitor after a cold start
    python benchmarks/load.py cost                         # server CPU per action, one student at a time
    python benchmarks/load.py all                          # the four above, each on a fresh server

Each scenario starts `streamlit run playground.py` on 127.0.0.1 (benchmarks/protocol.py) and
drives it with tabs that send what a browser tab sends: a rerun with the link's query string,
then widget states (the function typed, the slider released, the Train button), and page
switches. No browser draws anything, so what is measured is the server: the time from a
message to the end of its run (`script_finished`).

Except in `cold`, the lecturer has opened the link once before the class does (as
docs/deployment.md asks), so the server has done its imports. In the soak, every student acts
about every `--every` seconds (a random phase, then a random action: type a new function,
release the slider, switch page, train the network), the way a class works through a lecture,
for `--seconds`.

Reports, per action: count, p50, p95 and max; errors (an exception box, a run that did not
finish, a timeout, a dropped websocket); the server's CPU (cores used on average) and memory
(resident at start, every minute, at the end, and the peak). Exits 1 when there was any error.
The tabs run in this process, on the same 2 cores as the server: the figures are a lower
bound on what the server alone could do.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from protocol import AppServer, Tab  # noqa: E402
from timing import machine  # noqa: E402

from ui import view  # noqa: E402

ACTION_TIMEOUT = 120.0  # seconds before a run that has not finished counts as an error
LINK = urlencode({view.FUNCTION: "x^3 + 2x", view.POINT: "1.2"})  # what the lecturer hands out
PAGES = ("", "backprop", "two_variables", "descent", "network")


def own_function(student: int, attempt: int = 0) -> str:
    """A function nobody else types: a different shape and coefficients per student and attempt."""
    a, b = 1 + student % 7, 2 + (student // 7 + attempt) % 11
    shapes = (f"sin({a}x)*exp(-x^2/{b}) + {attempt}", f"x^3 - {a}x^2 + {b}x - {student}",
              f"tanh({a}x - {b}) + log(1 + x^2)*{attempt + 1}", f"{a}x^2*sin(x/{b}) + {student}x")
    return shapes[(student + attempt) % len(shapes)]


def resident(server: AppServer) -> float:
    return server.peak_memory_kib()["VmRSS"] / 1024


class Report:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def record(self, action: str, seconds: float, run=None) -> None:
        if run is not None and (run.exceptions or run.status != "ok"):
            self.errors.append(f"{action}: {run.status} {run.exceptions[:1]}")
            return
        self.times[action].append(seconds)

    def print(self) -> None:
        print(f"{'action':10s} {'count':>6s} {'p50':>8s} {'p95':>8s} {'max':>8s}")
        for action, times in self.times.items():
            times = sorted(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{action:10s} {len(times):6d} {statistics.median(times):7.2f}s {p95:7.2f}s {times[-1]:7.2f}s")
        print(f"errors: {len(self.errors)}" + "".join(f"\n  {e}" for e in self.errors[:10]))


class Student:
    def __init__(self, index: int, port: int, report: Report, rng: random.Random):
        self.index, self.port, self.report, self.rng = index, port, report, rng
        self.tab: Tab | None = None
        self.typed = 0

    async def _timed(self, action: str, step) -> None:
        begin = time.perf_counter()
        try:
            run = await asyncio.wait_for(step(), ACTION_TIMEOUT)
        except Exception as problem:  # a timeout or a dropped websocket: the student saw nothing
            self.report.errors.append(f"{action}: {type(problem).__name__} {problem}"[:200])
            return
        self.report.record(action, time.perf_counter() - begin, run)

    async def open(self) -> None:
        async def step():
            self.tab = await Tab.open(self.port, timeout=ACTION_TIMEOUT)
            return await self.tab.rerun(query=LINK, page="")
        await self._timed("open", step)

    async def go(self, page: str) -> None:
        if self.tab.page != page:
            await self._timed("switch", lambda: self.tab.rerun(page=page))

    async def type(self) -> None:
        await self.go("")
        self.typed += 1
        await self._timed("type", lambda: self.tab.set(view.FUNCTION, own_function(self.index, self.typed)))

    async def slide(self) -> None:
        if self.tab.page not in ("", "backprop"):
            await self.go("")
        await self._timed("slide", lambda: self.tab.set(view.POINT, round(self.rng.uniform(-2.5, 2.5), 2)))

    async def switch(self) -> None:
        await self.go(self.rng.choice([p for p in PAGES if p != self.tab.page]))

    async def train(self) -> None:
        await self.go("network")
        await self._timed("train", lambda: self.tab.set("train", True))

    async def close(self) -> None:
        if self.tab is not None:
            await self.tab.close()


async def _everyone(students, action: str) -> None:
    await asyncio.gather(*(getattr(s, action)() for s in students))


async def scenario(name: str, args) -> bool:
    """Run one scenario on a fresh server; print its report. True when there was no error."""
    report = Report()
    with AppServer() as server:
        started_at, memory = time.perf_counter(), [(0.0, resident(server))]
        rng = random.Random(11)
        students = [Student(i, server.port, report, random.Random(i)) for i in range(args.students)]
        if name != "cold":  # the lecturer opened the link before the class (docs/deployment.md): not counted
            lecturer = Student(-1, server.port, Report(), rng)
            await lecturer.open()
            await lecturer.close()
        if name == "cold":
            await students[0].open()  # the server has served nobody yet: imports, first compile
            students = students[:1]
        elif name == "cost":
            students = students[:1]
            await students[0].open()
            print(f"{'action':10s} {'server CPU per action':>22s}")
            for action in ("slide", "type", "switch", "train"):
                cpu0, count0 = server.cpu_seconds(), len(report.times.get(action, []))
                for _ in range(args.repeat):
                    await getattr(students[0], action)()
                    if action == "train":
                        await students[0].go("")  # as the soak mixes them: train from another page
                done = len(report.times[action]) - count0
                print(f"{action:10s} {(server.cpu_seconds() - cpu0) / done * 1e3:19.0f} ms")
        elif name in ("open", "type"):
            if name == "type":
                await _everyone(students, "open")
                report.times.clear()
            cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
            await _everyone(students, name)
            cpu, wall = server.cpu_seconds() - cpu0, time.perf_counter() - wall0
            print(f"the burst: {wall:.1f} s, server CPU {cpu:.1f} s ({cpu / wall:.2f} cores)")
        else:  # soak
            await _everyone(students, "open")
            cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
            end = wall0 + args.seconds
            actions = args.actions.split(",")

            async def work(student: Student) -> None:
                await asyncio.sleep(rng.uniform(0, args.every))
                while time.perf_counter() < end:
                    await getattr(student, student.rng.choice(actions))()
                    await asyncio.sleep(max(0.0, args.every * student.rng.uniform(0.8, 1.2)))

            async def watch() -> None:
                while time.perf_counter() < end:
                    await asyncio.sleep(60)
                    memory.append((time.perf_counter() - started_at, resident(server)))

            await asyncio.gather(watch(), *(work(s) for s in students))
            cpu, wall = server.cpu_seconds() - cpu0, time.perf_counter() - wall0
            print(f"{args.seconds} s soak: server CPU {cpu:.1f} s ({cpu / wall:.2f} cores)")
        memory.append((time.perf_counter() - started_at, resident(server)))
        peak = server.peak_memory_kib()["VmHWM"] / 1024
        await asyncio.gather(*(s.close() for s in students))
        log = server.log()
    report.print()
    print("server memory: " + ", ".join(f"{m:.0f} MiB at {t:.0f} s" for t, m in memory) + f"; peak {peak:.0f} MiB")
    if "Traceback" in log:
        report.errors.append("the server logged a traceback")
        print(log[log.index("Traceback"):][:2000])
    return not report.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("open", "type", "soak", "cold", "cost", "all"))
    parser.add_argument("--repeat", type=int, default=20, help="actions of each kind, for cost")
    parser.add_argument("--students", type=int, help="100 for open and type, 200 for soak")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--every", type=float, default=20)
    parser.add_argument("--actions", default="type,slide,switch,train,slide",
                        help="the soak's mix, drawn at random (sliding is what students do most)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    ok = True
    for name in (("cold", "cost", "open", "type", "soak") if args.scenario == "all" else (args.scenario,)):
        args.students = args.students if args.scenario != "all" and args.students else (200 if name == "soak" else 100)
        print(f"\n== {name}: {args.students if name not in ('cold', 'cost') else 1} student(s)")
        ok &= asyncio.run(scenario(name, args))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

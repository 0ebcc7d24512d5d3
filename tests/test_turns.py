"""ui/turns.py: at most n holders at a time, served in the order they came, and a turn is never lost."""

from __future__ import annotations

import threading
import time

import pytest

from ui.turns import FairTurns


def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_never_more_than_n_hold_a_turn(n):
    turns, lock = FairTurns(n), threading.Lock()
    inside, most = 0, 0

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with turns:
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0002)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert most == n and inside == 0 and turns.waiting == 0


def test_waiters_are_served_in_the_order_they_came():
    turns, served = FairTurns(1), []
    turns.__enter__()  # held: everyone below waits
    threads = []
    for name in "abcdef":
        def wait(name=name) -> None:
            with turns:
                served.append(name)
        threads.append(threading.Thread(target=wait))
        threads[-1].start()
        _until(lambda k=len(threads): turns.waiting == k)  # noqa: B008 - in line before the next one comes
    turns.__exit__(None, None, None)
    for t in threads:
        t.join(10)
    assert served == list("abcdef")


def test_a_newcomer_cannot_take_a_turn_handed_to_a_waiter():
    turns, served = FairTurns(1), []
    turns.__enter__()
    first = threading.Thread(target=lambda: (turns.__enter__(), served.append("waiter"), turns.__exit__()))
    first.start()
    _until(lambda: turns.waiting == 1)
    turns.__exit__(None, None, None)  # handed to the waiter, whether or not it has woken yet
    with turns:  # a newcomer
        served.append("newcomer")
    first.join(10)
    assert served == ["waiter", "newcomer"]


def test_a_holder_that_raises_gives_its_turn_back():
    turns = FairTurns(1)
    with pytest.raises(RuntimeError), turns:
        raise RuntimeError("a tick that failed")
    done = threading.Event()
    threading.Thread(target=lambda: (turns.__enter__(), done.set(), turns.__exit__())).start()
    assert done.wait(10)


def test_there_is_at_least_one_turn():
    with pytest.raises(ValueError):
        FairTurns(0)


"""BackgroundThread: the one start/stop lifecycle every background loop uses."""

from __future__ import annotations

import threading

from drivers.background import BackgroundThread


def test_body_runs_until_stopped_and_stop_wakes_its_wait() -> None:
    started = threading.Event()
    finished = threading.Event()

    def body(stop: threading.Event) -> None:
        started.set()
        stop.wait(3600)  # would block for an hour without the stop
        finished.set()

    loop = BackgroundThread("test-body", body)
    loop.start()
    assert started.wait(5)
    assert loop.running
    loop.stop()
    assert finished.is_set()
    assert not loop.running


def test_start_twice_runs_one_thread_and_a_stopped_loop_starts_again() -> None:
    runs: list[int] = []
    gate = threading.Event()

    def body(stop: threading.Event) -> None:
        runs.append(1)
        gate.set()
        stop.wait(3600)

    loop = BackgroundThread("test-twice", body)
    loop.start()
    loop.start()
    assert gate.wait(5)
    loop.stop()
    assert runs == [1]
    gate.clear()
    loop.start()
    assert gate.wait(5)
    loop.stop()
    assert runs == [1, 1]


def test_every_goes_on_after_a_failing_step() -> None:
    calls: list[int] = []
    third = threading.Event()

    def step() -> None:
        calls.append(len(calls))
        if len(calls) == 3:
            third.set()
        if len(calls) == 1:
            raise RuntimeError("the first run fails")

    loop = BackgroundThread.every("test-every", 0.001, step)
    loop.start()
    assert third.wait(5)
    loop.stop()
    assert calls[:3] == [0, 1, 2]


def test_stop_without_start_is_harmless() -> None:
    loop = BackgroundThread("never-started", lambda stop: None)
    loop.stop()
    assert not loop.running

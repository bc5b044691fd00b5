"""Several server processes behind one listening socket (`kiosk hall serve --workers N`).

The parent binds the socket, then forks the workers: each builds its own HallServer
(its own database connections, opened after the fork) and runs uvicorn on the
inherited socket; the kernel hands each new connection to one of them. We fork the
bound socket ourselves rather than use uvicorn's supervisor: that one spawns fresh
interpreters and re-imports the application from a string, and every worker here
needs the parent's parsed settings and options.

A worker killed by a signal (kill -9, the OOM killer) is replaced at once; a worker
that ends on its own with an error (a database it cannot reach) stops them all, since
its siblings would fail alike. SIGTERM or SIGINT to the parent stops every worker
gracefully.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)

# A worker's exit status when it could not start or ended with an error.
WORKER_FAILED = 3
PR_SET_PDEATHSIG = 1  # linux/prctl.h

# `run(stop_requests)`: serves until it returns; `stop_requests` is where the worker
# registers what a SIGTERM should do once it runs (set uvicorn's should_exit).
Worker = Callable[[list[Callable[[], None]]], None]


def _end_with_parent(parent: int) -> None:
    """Linux: SIGTERM when the parent dies (even by kill -9), so that no orphan keeps
    serving the port on its own; the standard library has no prctl."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _child(worker: Worker, parent: int) -> None:
    """The body of a forked worker; never returns."""
    stops: list[Callable[[], None]] = []
    requested: list[int] = []

    def on_signal(sig: int, _frame: FrameType | None) -> None:
        # Until uvicorn installs its own handlers (and after it restores this one
        # and re-raises the signal it caught), a stop request is remembered here.
        requested.append(sig)
        for stop in stops:
            stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _end_with_parent(parent)
    code = 0
    try:
        worker(stops)
    except BaseException:
        log.exception("hall server worker %d failed", os.getpid())
        code = WORKER_FAILED
    finally:
        logging.shutdown()
        os._exit(code)


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def run_workers(sock: socket.socket, count: int, worker: Worker) -> int:
    """Forks `count` workers on `sock` and supervises them until SIGTERM or SIGINT;
    0 when they were stopped, 1 when one failed on its own."""
    children: set[int] = set()
    stopping = False
    failed = False

    parent = os.getpid()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            _child(worker, parent)
        children.add(pid)
        log.info("hall server worker %d started", pid)

    def stop_all(sig: int = signal.SIGTERM, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):  # ended: collected below
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop_all) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for _ in range(count):
            spawn()
        while children:
            pid, status = os.wait()  # PEP 475: retried after our handler has run
            children.discard(pid)
            if stopping:
                continue
            if os.WIFSIGNALED(status):
                log.warning("hall server worker %d %s: starting another", pid, _ended(status))
                spawn()
            else:
                log.error("hall server worker %d ended (%s): stopping", pid, _ended(status))
                failed = True
                stop_all()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0

"""The people at the windows during the soak: the staff calling and finishing numbers
through the hall server's API (so queues drain and keypads prompt), and the taxpayers
voting on every keypad prompt."""

from __future__ import annotations

import contextlib
import random
import threading

import httpx

from drivers.keypad.protocol import KeypadEvent
from drivers.sim.keypads import KeypadBusEmulator
from kiosk.hall import api
from kiosk.soak.audit import Vote


class WindowStaff:
    """The window software of every window with a keypad."""

    def __init__(self, url: str, token: str, windows: set[int], seed: int) -> None:
        self.url = url
        self.token = token
        self.windows = windows
        self.rng = random.Random(seed * 7 + 1)
        self.serving: set[int] = set()

    def work(self, stop: threading.Event, arrivals_per_second: float) -> None:
        """Each turn a window either finishes the service it holds (the keypad there then
        asks for a vote) or calls the next number of a queue that has people waiting."""
        interval = min(1.0, 1 / max(arrivals_per_second * 3, 0.01))
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=3) as client:
            while not stop.wait(interval):
                with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                    self.turn(client)

    def turn(self, client: httpx.Client) -> None:
        rng, serving = self.rng, self.serving
        if serving and rng.random() < 0.5:
            window = rng.choice(sorted(serving))
            reply = client.post(api.PATH_WINDOW_ACTION.format(window=window, action="finish"))
            if reply.status_code == 200:
                serving.discard(window)
            return
        queues = client.get(api.PATH_QUEUES).json()["queues"]
        free = [
            window
            for queue in queues
            if queue["waiting"] > 0
            for window in queue["windows"]
            if window not in serving and window in self.windows
        ]
        if not free:
            return
        window = rng.choice(free)
        reply = client.post(api.PATH_WINDOW_ACTION.format(window=window, action="call-next"))
        if reply.status_code == 200 and reply.json().get("event") is not None:
            serving.add(window)


class Voters:
    """A random vote pressed on every keypad that prompts, remembered for the audit."""

    def __init__(self, keypads: KeypadBusEmulator, window_of: dict[int, int], seed: int) -> None:
        self.keypads = keypads
        self.window_of = window_of
        self.rng = random.Random(seed * 11 + 3)
        self._pressed: list[Vote] = []
        self._lock = threading.Lock()

    def vote(self, stop: threading.Event) -> None:
        voted: set[tuple[int, str]] = set()
        while not stop.wait(0.1):
            for address, window in self.window_of.items():
                number = self.keypads.prompting(address)
                if number is None or (address, number) in voted:
                    continue
                level = self.rng.randint(1, 5)
                self.keypads.press(address, KeypadEvent(level))
                voted.add((address, number))
                with self._lock:
                    self._pressed.append(Vote(window, level))

    def votes(self) -> list[Vote]:
        with self._lock:
            return list(self._pressed)

    def settled(self) -> bool:
        """No keypad has a vote waiting to be polled or a prompt on its display."""
        return all(
            not self.keypads.pending(address) and self.keypads.prompting(address) is None
            for address in self.window_of
        )

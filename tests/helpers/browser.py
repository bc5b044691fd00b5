"""Headless Chromium (Debian's) driven over the DevTools protocol: the web pages' tests
open a tab, evaluate script in it and wait on what the page shows."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.helpers.waiting import wait_for

WAIT = 20.0
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True}
TV = {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}


class Page:
    """One browser tab over the DevTools protocol."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=WAIT))
            if reply.get("id") == message_id:
                assert "error" not in reply, reply
                result: dict[str, Any] = reply["result"]
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = WAIT) -> Any:
        return wait_for(lambda: self.evaluate(expression), seconds, f"in the page: {expression}")


OpenPage = Callable[..., Page]


@contextmanager
def chromium(folder: Path) -> Iterator[OpenPage]:
    """A headless Chromium that may play sound without a click (as a TV in kiosk mode
    started with --autoplay-policy=no-user-gesture-required); `open(url, **metrics)`."""
    profile = folder / "chromium-profile"
    log = (folder / "chromium.log").open("w+")
    process = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    port_file = profile / "DevToolsActivePort"
    sockets = ExitStack()

    def open_page(url: str, **metrics: Any) -> Page:
        ready = wait_for(lambda: port_file.exists() and port_file.read_text().split(), WAIT)
        port = int(ready[0])
        target = httpx.put(f"http://127.0.0.1:{port}/json/new?{url}", timeout=WAIT).json()
        socket = sockets.enter_context(
            connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=WAIT)
        )
        page = Page(socket)
        page.send("Emulation.setDeviceMetricsOverride", **(metrics or PHONE))
        return page

    try:
        yield open_page
    finally:
        sockets.close()
        process.terminate()
        process.wait(timeout=20)
        log.close()

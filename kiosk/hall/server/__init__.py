"""The reference hall server: `kiosk hall serve`, or in-process for tests and benchmarks.

    url, stop = run_in_thread(db_path, settings)        # 127.0.0.1, a free port
    token = create_token(db_path, "K01", settings)     # shown once; stored hashed
    ...
    stop()

The web framework is loaded on first use of a name below, so the token commands
and the rest of the kiosk do not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.hall.server.app import HallServer, ServerOptions, create_app
    from kiosk.hall.server.runner import RunningHall, run_in_thread, serve, start_in_thread
    from kiosk.hall.server.tokens import create_token, list_tokens, revoke_token

__all__ = [
    "HallServer",
    "RunningHall",
    "ServerOptions",
    "create_app",
    "create_token",
    "list_tokens",
    "revoke_token",
    "run_in_thread",
    "serve",
    "start_in_thread",
]

_HOMES = {
    "HallServer": "app",
    "ServerOptions": "app",
    "create_app": "app",
    "RunningHall": "runner",
    "run_in_thread": "runner",
    "serve": "runner",
    "start_in_thread": "runner",
    "create_token": "tokens",
    "list_tokens": "tokens",
    "revoke_token": "tokens",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)

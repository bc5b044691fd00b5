"""What `kiosk config check` adds to the schema's checks: settings that load but that the
kiosk could not use (an http hall without a token, a port URL no driver opens, a data
folder that cannot be made, a CA file that is not there), and the one that works but
should not (plain http across the network)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from drivers.transport import port_url_problem
from kiosk.settings.problems import ConfigProblem
from kiosk.settings.schema import Settings

# The settings that name a device port, each opened by drivers.transport.
PORT_KEYS = (
    ("printer", "port"),
    ("identification", "reader_port"),
    ("identification", "scanner_port"),
    ("keypads", "port"),
)


def unusable(settings: Settings, file: str) -> list[ConfigProblem]:
    """Each setting the kiosk could not use, with its key and the reason."""
    problems = [*_hall_problems(settings, file), *_port_problems(settings, file)]
    reason = _uncreatable(settings.data_path)
    if reason:
        problems.append(ConfigProblem(file, "kiosk.data_dir", reason))
    return problems


def risky(settings: Settings) -> list[str]:
    """Settings that work but expose what they should not."""
    hall = settings.hall
    if hall.backend != "http":
        return []
    parts = urlsplit(hall.url)
    if parts.scheme == "http" and not _loopback(parts.hostname or ""):
        return [
            f"hall.url: plain http to {parts.hostname}, not this machine: the token and the "
            "taxpayers' key hashes cross the network readable; use https (hall serve "
            "--tls-cert/--tls-key)"
        ]
    return []


def _hall_problems(settings: Settings, file: str) -> list[ConfigProblem]:
    hall = settings.hall
    problems: list[ConfigProblem] = []
    if hall.backend == "http":
        if not hall.token:
            reason = "empty: the hall server refuses every call (kiosk hall token create ID)"
            problems.append(ConfigProblem(file, "hall.token", reason))
        elif any(char.isspace() or not char.isprintable() for char in hall.token):
            reason = "holds a space or a line break (copied with its newline?): no server takes it"
            problems.append(ConfigProblem(file, "hall.token", reason))
    if hall.ca_file is not None and not hall.ca_file.is_file():
        reason = f"the CA certificate file {hall.ca_file} does not exist"
        problems.append(ConfigProblem(file, "hall.ca_file", reason))
    return problems


def _port_problems(settings: Settings, file: str) -> list[ConfigProblem]:
    problems = []
    for section, key in PORT_KEYS:
        url = getattr(getattr(settings, section), key)
        reason = port_url_problem(url) if url else None
        if reason:
            problems.append(ConfigProblem(file, f"{section}.{key}", f"{url}: {reason}"))
    return problems


def _uncreatable(folder: Path) -> str | None:
    """Why `folder` could not be made and written by this user, or None."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return f"{folder} cannot be made: {existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        made = "is not writable" if existing == folder else f"cannot be made in {existing}"
        return f"{folder} {made} by this user"
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

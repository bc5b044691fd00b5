"""Writing a file so that a power cut leaves the old file or the new one, never half,
and so that a rewrite never widens who may read it."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

PRIVATE = 0o600  # a file holding a secret: the owner alone reads it


def file_mode(path: Path) -> int | None:
    """The permission bits of `path`, or None when there is no such file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write a temporary file beside `path`, fsync it, rename it over `path`, fsync the
    directory: after a power cut there is either the old file or the new one.

    The new file gets `mode` when given, else the mode (and, where allowed, the owner)
    of the file it replaces, else the umask's default. The temporary file is created
    with the final mode, so the data is never readable by more than that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        existing = path.stat()
    except FileNotFoundError:
        existing = None
    if mode is None and existing is not None:
        mode = stat.S_IMODE(existing.st_mode)
    try:
        descriptor = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode
        )
        with os.fdopen(descriptor, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)  # the umask may have taken bits away
            if existing is not None:
                _keep_owner(handle.fileno(), existing)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)


def _keep_owner(descriptor: int, existing: os.stat_result) -> None:
    """root editing the kiosk user's file leaves it the kiosk user's (else it could
    no longer read its own 0600 file); anyone else cannot change owners, and need not."""
    if (existing.st_uid, existing.st_gid) == (os.geteuid(), os.getegid()):
        return
    with contextlib.suppress(PermissionError):
        os.fchown(descriptor, existing.st_uid, existing.st_gid)


def fsync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

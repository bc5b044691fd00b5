"""The principals of the tokens in use, in memory: a request's token costs one dict
lookup, not a database read.

A revocation (or any change to the tokens) made through this process's store clears
the cache at once. Another process (the command line's `kiosk hall token revoke`, or
another server worker) bumps the database's token generation; a watcher thread reads
that one row every `check_seconds` and clears the cache when it moved. Polling one
row beats reading it on every request: the request path stays free of the database
and its lock, at the price of a revocation from elsewhere taking up to
`check_seconds` (0.5 s) here.
"""

from __future__ import annotations

import threading

from drivers.background import BackgroundThread
from kiosk.hall.server.principal import Principal
from kiosk.hall.server.store.credentials import Credentials, hash_token
from kiosk.queue import DatabaseError

CHECK_SECONDS = 0.5
# Enough for every kiosk, display and admin of a city's halls; beyond it the cache
# starts afresh rather than growing (a full one only costs database reads).
MAX_ENTRIES = 10_000


class TokenCache:
    def __init__(self, store: Credentials, check_seconds: float = CHECK_SECONDS) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._by_hash: dict[str, Principal] = {}
        self._epoch = 0  # bumped by every clear: a load that raced one is not kept
        self._generation = store.token_generation()
        store.tokens_changed.append(self.clear)
        self._watcher = BackgroundThread.every(
            "token-watcher", check_seconds, self._check, first_wait=check_seconds
        )

    def start(self) -> None:
        self._watcher.start()

    def stop(self) -> None:
        self._watcher.stop()

    def cached(self, token: str) -> Principal | None:
        """The principal of a token seen before (no database), None when not cached."""
        return self._by_hash.get(hash_token(token))

    def load(self, token: str) -> Principal | None:
        """The principal from the database (a blocking read), then cached."""
        with self._lock:
            epoch = self._epoch
        found = self._store.principal_for(token)
        if found is not None:
            with self._lock:
                if epoch == self._epoch:
                    if len(self._by_hash) >= MAX_ENTRIES:
                        self._by_hash.clear()
                    self._by_hash[hash_token(token)] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._epoch += 1
            self._by_hash = {}

    def _check(self) -> None:
        try:
            generation = self._store.token_generation()
        except DatabaseError:
            return  # the database is away: the requests will say so
        if generation != self._generation:
            self._generation = generation
            self.clear()

"""The bearer tokens: only their hashes are stored, each with its client's role, hall,
windows and expiry (a `Principal`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

from kiosk.hall.server.principal import Principal, Role, parse_windows, role_of, windows_text
from kiosk.hall.server.store.base import StoreBase
from kiosk.queue import DEFAULT_HALL, Transaction

_PRINCIPAL_COLUMNS = "client_id, token_hash, role, hall, windows, expires_at, created_at"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _principal(row: tuple[object, ...]) -> Principal:
    """From the columns of _PRINCIPAL_COLUMNS."""
    expires = row[5]
    return Principal(
        str(row[0]),
        role_of(str(row[2])),
        str(row[3]),
        parse_windows(str(row[4])),
        datetime.fromisoformat(str(expires)) if expires else None,
    )


def _next_generation(tx: Transaction) -> None:
    tx.execute("UPDATE token_generation SET generation = generation + 1 WHERE id = 1")


class Credentials(StoreBase):
    def create_token(
        self,
        client_id: str,
        role: Role = "kiosk",
        hall: str = DEFAULT_HALL,
        windows: Iterable[int] = (),
        expires_at: datetime | None = None,
    ) -> str:
        """A new token for the client (replacing any earlier one); shown only once."""
        token = secrets.token_urlsafe(32)
        expires = expires_at.isoformat() if expires_at is not None else None
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO tokens (client_id, token_hash, role, hall, windows, expires_at,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET token_hash = excluded.token_hash,"
                " role = excluded.role, hall = excluded.hall, windows = excluded.windows,"
                " expires_at = excluded.expires_at, created_at = excluded.created_at",
                (
                    client_id,
                    hash_token(token),
                    role,
                    hall,
                    windows_text(windows),
                    expires,
                    self.now().isoformat(),
                ),
            )
            _next_generation(tx)
        self._tell_tokens_changed()
        return token

    def revoke_token(self, client_id: str) -> bool:
        with self.db.transaction() as tx:
            revoked = tx.execute("DELETE FROM tokens WHERE client_id = ?", (client_id,)) == 1
            _next_generation(tx)
        self._tell_tokens_changed()
        return revoked

    def _tell_tokens_changed(self) -> None:
        for listener in self.tokens_changed:
            listener()

    def tokens(self) -> list[tuple[str, str]]:
        """(client id, created at) of every valid token."""
        with self.db.read() as tx:
            rows = tx.all("SELECT client_id, created_at FROM tokens ORDER BY client_id")
        return [(str(row[0]), str(row[1])) for row in rows]

    def principals(self) -> list[tuple[Principal, str]]:
        """Every token's principal, with its creation time."""
        with self.db.read() as tx:
            rows = tx.all(f"SELECT {_PRINCIPAL_COLUMNS} FROM tokens ORDER BY hall, client_id")
        return [(_principal(row), str(row[6])) for row in rows]

    def hall_clients(self, hall: str) -> list[str]:
        """The clients holding a token of `hall`."""
        with self.db.read() as tx:
            rows = tx.all("SELECT client_id FROM tokens WHERE hall = ? ORDER BY client_id", (hall,))
        return [str(row[0]) for row in rows]

    def token_generation(self) -> int:
        """Counts every change to the tokens, by any process."""
        with self.db.read() as tx:
            row = tx.one("SELECT generation FROM token_generation WHERE id = 1")
        return int(row[0]) if row else 0

    def principal_for(self, token: str) -> Principal | None:
        """The holder of this token, found by its hash (an index), expired or not."""
        presented = hash_token(token)
        with self.db.read() as tx:
            row = tx.one(
                f"SELECT {_PRINCIPAL_COLUMNS} FROM tokens WHERE token_hash = ?", (presented,)
            )
        if row is None or not hmac.compare_digest(presented.encode(), str(row[1]).encode()):
            return None
        return _principal(row)

    def client_for(self, token: str) -> str | None:
        """The client whose token this is."""
        found = self.principal_for(token)
        return None if found is None else found.client_id

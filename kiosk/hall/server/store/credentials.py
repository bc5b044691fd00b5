"""The kiosks' bearer tokens: only their hashes are stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from kiosk.hall.server.store.base import StoreBase


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Credentials(StoreBase):
    def create_token(self, client_id: str) -> str:
        """A new token for the client (replacing any earlier one); shown only once."""
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO tokens (client_id, token_hash, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (client_id) DO UPDATE SET token_hash = excluded.token_hash,"
                " created_at = excluded.created_at",
                (client_id, hash_token(token), self.now().isoformat()),
            )
        return token

    def revoke_token(self, client_id: str) -> bool:
        with self.db.transaction() as tx:
            return tx.execute("DELETE FROM tokens WHERE client_id = ?", (client_id,)) == 1

    def tokens(self) -> list[tuple[str, str]]:
        """(client id, created at) of every valid token."""
        with self.db.read() as tx:
            rows = tx.all("SELECT client_id, created_at FROM tokens ORDER BY client_id")
        return [(str(row[0]), str(row[1])) for row in rows]

    def client_for(self, token: str) -> str | None:
        """The client whose token this is; every stored hash is compared in constant time."""
        presented = hash_token(token)
        with self.db.read() as tx:
            rows = tx.all("SELECT client_id, token_hash FROM tokens")
        found: str | None = None
        for client_id, stored in rows:
            if hmac.compare_digest(presented.encode(), str(stored).encode()):
                found = str(client_id)
        return found

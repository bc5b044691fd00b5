"""A province 好差评 platform on loopback: takes signed JSON records (checking the
signature), answers as a test tells it to (by default {"code": "200"})."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APP_ID, SECRET = "hall-440300-01", "s3cret-for-the-test"


class Receiver:
    """The province platform: takes signed JSON records, answers {"code": "200"}."""

    def __init__(self) -> None:
        self.records: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.refusals: list[str] = []
        self.answers: list[tuple[int, dict[str, str]]] = []  # next answers, then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Timestamp"]
                expected = hmac.new(
                    SECRET.encode(), f"{APP_ID}\n{timestamp}\n".encode() + body, hashlib.sha256
                ).hexdigest()
                if self.headers["X-App-Id"] != APP_ID or self.headers["X-Signature"] != expected:
                    receiver.refusals.append("signature")
                    self.answer(401, {"code": "401"})
                    return
                receiver.records.append((dict(self.headers), json.loads(body)))
                status, answer = (
                    receiver.answers.pop(0) if receiver.answers else (200, {"code": "200"})
                )
                self.answer(status, answer)

            def answer(self, status: int, data: dict[str, str]) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/evaluations"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def of_type(self, idempotency_prefix: str) -> list[dict[str, Any]]:
        return [
            body
            for headers, body in self.records
            if headers["Idempotency-Key"].startswith(idempotency_prefix)
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

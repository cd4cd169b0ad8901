"""A partner's webhook endpoint for tests: an HTTP server on 127.0.0.1 (a free port) in a thread,
answering with scripted status codes and recording every request it gets, with the result of
checking its signature the way a partner would (monitoring.webhooks.verify_signature)."""
from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from monitoring.webhooks import verify_signature


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    answered: int
    signature_valid: bool | None  # None when the receiver was given no secret

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def event(self) -> str:
        return self.header("X-MSMT-Event") or ""


class WebhookReceiver:
    """Use as a context manager. `statuses` are answered in turn, then `default_status`."""

    def __init__(self, *, statuses: Iterable[int] = (), default_status: int = 200, secret: str | None = None):
        self.secret = secret
        self.default_status = default_status
        self._script = deque(statuses)
        self._requests: list[ReceivedRequest] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/msmt"

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._changed:
            return list(self._requests)

    def script(self, *statuses: int) -> None:
        with self._changed:
            self._script.extend(statuses)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedRequest]:
        """The first `count` requests, once they have arrived; AssertionError after `timeout` seconds."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self._requests) >= count, timeout=timeout)
            assert arrived, f"{len(self._requests)} of {count} webhook requests arrived within {timeout}s"
            return list(self._requests[:count])

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._changed:
            status = self._script.popleft() if self._script else self.default_status
            valid = None
            if self.secret is not None:
                valid = verify_signature(self.secret, headers.get("x-msmt-timestamp"), body,
                                         headers.get("x-msmt-signature"))
            self._requests.append(ReceivedRequest(path=path, headers=headers, body=body, answered=status,
                                                  signature_valid=valid))
            self._changed.notify_all()
            return status

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._answer(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                reply = b'{"ok": true}' if 200 <= status < 300 else b'{"error": "scripted failure"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format, *args):  # keep test output clean
                pass

        return Handler

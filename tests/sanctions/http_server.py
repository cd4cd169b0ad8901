"""A small threaded HTTP server on 127.0.0.1 for the list-sync tests.

Each test scripts its routes: a fixed reply, a sequence of replies (one per hit, the last one
repeated), or any function of the request. The server counts hits per path and keeps every
request's headers and every answered status, so tests can assert on retries and on conditional
GETs. Nothing here leaves the machine: the server binds 127.0.0.1 on a free port.

    def test_x(http_server):
        http_server.route("/list.xml", Reply(body=b"...", headers={"ETag": '"v1"'}))
        fetch(http_server.url("/list.xml"))
        assert http_server.hits["/list.xml"] == 1
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = ["LocalServer", "Reply", "Request", "conditional", "http_server", "sequence", "stream"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # False: no Content-Length; the body ends when the server closes the connection.
    content_length: bool = True
    # Seconds to wait before answering (cut short when the server stops).
    delay: float = 0.0
    # A streamed body: a function giving the chunks, written one by one without Content-Length
    # (replaces `body`; called again on every hit).
    chunks: Callable[[], Iterable[bytes]] | None = None


Handler = Callable[[Request], Reply]


def sequence(*replies: Reply) -> Handler:
    """One reply per hit, in order; the last one is repeated."""
    state = {"next": 0}
    lock = threading.Lock()

    def handler(request: Request) -> Reply:
        with lock:
            index = min(state["next"], len(replies) - 1)
            state["next"] += 1
        return replies[index]

    return handler


def conditional(body: bytes, *, etag: str = "", last_modified: str = "", **headers: str) -> Handler:
    """200 with the validators, or 304 (no body) when the request's If-None-Match matches the
    ETag, or, without an ETag, when If-Modified-Since equals Last-Modified."""
    validators = {name: value for name, value in (("ETag", etag), ("Last-Modified", last_modified)) if value}

    def handler(request: Request) -> Reply:
        if etag and request.header("If-None-Match"):
            candidates = {tag.strip() for tag in request.header("If-None-Match").split(",")}
            if etag in candidates or "*" in candidates:
                return Reply(status=304, headers=validators)
        elif not etag and last_modified and request.header("If-Modified-Since") == last_modified:
            return Reply(status=304, headers=validators)
        return Reply(body=body, headers={**validators, **headers})

    return handler


def stream(total_bytes: int, *, chunk_size: int = 16 * 1024, fill: bytes = b"x") -> Reply:
    """A 200 whose body is streamed without Content-Length, `total_bytes` long."""

    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent < total_bytes:
            size = min(chunk_size, total_bytes - sent)
            yield fill * size
            sent += size

    return Reply(chunks=chunks, content_length=False, headers={"Content-Type": "application/octet-stream"})


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.answered: list[tuple[str, int]] = []  # (path, status) per answered request, in order
        self.errors: list[str] = []  # exceptions raised while answering (e.g. the client hung up)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.handle_error = self._handle_error  # keep the test output quiet
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server", daemon=True
        )

    # --- scripting ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Reply | Handler | list[Reply]) -> str:
        """Answer `path` with a fixed Reply, a list (one per hit, last repeated) or a handler.
        Returns the route's URL."""
        if isinstance(reply, Reply):
            fixed = reply
            handler: Handler = lambda request: fixed  # noqa: E731
        elif isinstance(reply, list):
            handler = sequence(*reply)
        else:
            handler = reply
        self.routes[path] = handler
        return self.url(path)

    def statuses(self, path: str) -> list[int]:
        return [status for answered_path, status in self.answered if answered_path == path]

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes up slow handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- serving ------------------------------------------------------------------------------

    def _handle_error(self, request, client_address) -> None:
        import sys

        self.errors.append(repr(sys.exc_info()[1]))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection; a body may end at close

            def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
                pass

            def do_GET(self) -> None:
                server._serve(self, "GET")

            def do_HEAD(self) -> None:
                server._serve(self, "HEAD")

        return _Handler

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path.split("?", 1)[0]
        request = Request(method=method, path=path, headers={k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.hits[path] += 1
            self.requests.append(request)
            route = self.routes.get(path)
        if route is None:
            reply = Reply(status=404, body=b"no such route", headers={"Content-Type": "text/plain"})
        else:
            reply = route(request)
        if reply.delay and self._stopping.wait(reply.delay):
            return  # the server is stopping: give up without answering
        with self._lock:
            self.answered.append((path, reply.status))
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.chunks is None and reply.content_length and reply.status not in (204, 304):
                handler.send_header("Content-Length", str(len(reply.body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            if method == "HEAD" or reply.status in (204, 304):
                return
            if reply.chunks is None:
                handler.wfile.write(reply.body)
                return
            for chunk in reply.chunks():
                if self._stopping.is_set():
                    return
                handler.wfile.write(chunk)
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as exc:  # the client stopped reading: fine
            with self._lock:
                self.errors.append(repr(exc))


@pytest.fixture
def http_server():
    """A started LocalServer, stopped after the test."""
    with LocalServer() as server:
        yield server

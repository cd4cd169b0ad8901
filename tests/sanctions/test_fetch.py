"""Downloading a list: local files, HTTP with validators, retries with backoff, timeouts and the
size cap. Every HTTP test talks to a local server (tests.sanctions.http_server) and is bounded
in time: short timeouts and an injected `sleep` that only records the backoff."""
from __future__ import annotations

import gzip
import os
import socket
import threading
import time

import pytest

from sanctions.fetch import (
    DEFAULT_ATTEMPTS,
    USER_AGENT,
    FetchError,
    NotFoundFetchError,
    PermanentFetchError,
    TransientFetchError,
    fetch,
)
from tests.sanctions.http_server import Reply, conditional, http_server, stream  # noqa: F401 - fixture

BODY = b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-05-08T23:00:06.922Z"/>'
ETAG = '"un-2026-05-08"'
LAST_MODIFIED = "Fri, 08 May 2026 23:00:06 GMT"


class Sleeps(list):
    """Injected instead of time.sleep: records the backoff without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def http_fetch(url: str, sleeps: Sleeps, **options):
    options = {"timeout": 0.5, "attempts": 3, "backoff": 0.25, "sleep": sleeps, **options}
    return fetch(url, **options)


# --- Local files ------------------------------------------------------------------------------


def test_plain_path_and_file_url_read_the_same_bytes(tmp_path):
    path = tmp_path / "consolidated list.xml"  # a space: the file:// URL is percent-encoded
    path.write_bytes(BODY)

    by_path = fetch(str(path))
    by_url = fetch(path.as_uri())

    assert path.as_uri().endswith("/consolidated%20list.xml")
    assert by_path.content == by_url.content == BODY
    assert not by_path.not_modified and not by_url.not_modified
    assert (by_path.etag, by_path.last_modified) == ("", "")
    assert by_url.url == path.as_uri()


def test_file_ignores_conditional_validators(tmp_path):
    path = tmp_path / "list.xml"
    path.write_bytes(BODY)

    result = fetch(str(path), etag=ETAG, last_modified=LAST_MODIFIED)

    assert result.content == BODY  # a file has no 304: the content hash decides "unchanged"


@pytest.mark.parametrize("as_url", [False, True], ids=["path", "file-url"])
def test_missing_file_is_a_permanent_error(tmp_path, as_url):
    missing = tmp_path / "nowhere" / "consolidated.xml"

    with pytest.raises(PermanentFetchError) as caught:
        fetch(missing.as_uri() if as_url else str(missing))

    assert caught.value.transient is False
    assert "Cannot read" in str(caught.value) and "consolidated.xml" in str(caught.value)


def test_missing_file_is_not_found_but_an_unreadable_one_is_not(tmp_path):
    # "Not found" tells an optional companion file that is absent from one that failed to load.
    with pytest.raises(NotFoundFetchError):
        fetch((tmp_path / "missing.csv").as_uri())
    with pytest.raises(PermanentFetchError) as caught:
        fetch(str(tmp_path), max_bytes=10**9)

    assert not isinstance(caught.value, NotFoundFetchError)


def test_directory_instead_of_file_is_a_permanent_error(tmp_path):
    with pytest.raises(PermanentFetchError, match="Cannot read"):
        fetch(str(tmp_path), max_bytes=10**9)


def test_a_file_with_no_size_is_still_read_no_further_than_the_cap(tmp_path):
    # A device or a pipe reports a size of 0: the cap must hold while reading, not only by stat().
    with pytest.raises(PermanentFetchError, match="gives more than 4096 bytes, over the limit"):
        fetch("/dev/zero", max_bytes=4096)
    fifo = tmp_path / "list.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(b"<x/>"), daemon=True)
    writer.start()
    assert fetch(str(fifo), max_bytes=4096).content == b"<x/>"
    writer.join(timeout=5)


def test_file_over_the_cap_is_permanent_and_the_cap_itself_is_allowed(tmp_path):
    path = tmp_path / "list.xml"
    path.write_bytes(b"x" * 1000)

    assert fetch(str(path), max_bytes=1000).content == b"x" * 1000
    with pytest.raises(PermanentFetchError) as caught:
        fetch(str(path), max_bytes=999)

    assert caught.value.transient is False
    assert "1000 bytes, over the 999-byte limit" in str(caught.value)


def test_unsupported_scheme_is_permanent():
    with pytest.raises(PermanentFetchError, match="Unsupported URL scheme 'ftp'"):
        fetch("ftp://127.0.0.1/consolidated.xml", sleep=pytest.fail)


@pytest.mark.parametrize(("url", "reason"), [
    ("https://[::1/list.xml", "Invalid IPv6 URL"),
    ("http://127.0.0.1:99999/list.xml", "Port out of range"),
    ("http://127.0.0.1:port/list.xml", "Port could not be cast"),
    ("https:///list.xml", "no host"),
    ("http://127.0.0.1\x7f/list.xml", "non-printable"),  # refused by httpx, not urlparse
])
def test_malformed_url_is_permanent_and_says_so(url, reason):
    with pytest.raises(PermanentFetchError) as caught:
        fetch(url, attempts=3, sleep=pytest.fail)

    assert str(caught.value).startswith(f"not a valid URL: {url!r} (") and reason in str(caught.value)


# --- HTTP: success and validators -------------------------------------------------------------


def test_http_200_returns_body_and_validators(http_server, sleeps):
    url = http_server.route(
        "/consolidated.xml",
        Reply(body=BODY, headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Content-Type": "text/xml"}),
    )

    result = http_fetch(url, sleeps)

    assert result.content == BODY and not result.not_modified
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert http_server.hits["/consolidated.xml"] == 1 and sleeps == []
    request = http_server.requests_to("/consolidated.xml")[0]
    assert request.header("User-Agent") == USER_AGENT
    # First fetch: nothing to revalidate, so no conditional headers.
    assert request.header("If-None-Match") == request.header("If-Modified-Since") == ""


def test_http_200_without_validators_gives_empty_strings(http_server, sleeps):
    url = http_server.route("/plain.xml", Reply(body=BODY))

    result = http_fetch(url, sleeps)

    assert result.content == BODY and (result.etag, result.last_modified) == ("", "")


def test_conditional_get_sends_validators_and_304_is_not_modified(http_server, sleeps):
    url = http_server.route("/list.xml", conditional(BODY, etag=ETAG, last_modified=LAST_MODIFIED))

    first = http_fetch(url, sleeps)
    second = http_fetch(url, sleeps, etag=first.etag, last_modified=first.last_modified)

    assert first.content == BODY
    assert second.not_modified and second.content is None
    # The validators are kept, so the next sync can revalidate again.
    assert (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)
    conditional_request = http_server.requests_to("/list.xml")[1]
    assert conditional_request.header("If-None-Match") == ETAG
    assert conditional_request.header("If-Modified-Since") == LAST_MODIFIED
    assert http_server.statuses("/list.xml") == [200, 304]


def test_conditional_get_with_a_stale_etag_gets_the_new_body(http_server, sleeps):
    url = http_server.route("/list.xml", conditional(BODY, etag='"v2"'))

    result = http_fetch(url, sleeps, etag='"v1"')

    assert result.content == BODY and result.etag == '"v2"'
    assert http_server.statuses("/list.xml") == [200]


def test_redirect_is_followed(http_server, sleeps):
    target = http_server.route("/new/consolidated.xml", Reply(body=BODY, headers={"ETag": ETAG}))
    url = http_server.route("/consolidated.xml", Reply(status=302, headers={"Location": target}))

    result = http_fetch(url, sleeps)

    assert result.content == BODY and result.etag == ETAG
    assert result.url == url  # the requested URL, not the redirect target


def test_redirect_loop_is_permanent(http_server, sleeps):
    url = http_server.route("/loop", Reply(status=302, headers={"Location": "/loop"}))

    with pytest.raises(PermanentFetchError):
        http_fetch(url, sleeps)

    assert sleeps == []
    assert http_server.hits["/loop"] == 6  # the request plus max_redirects=5, then given up


# --- HTTP: errors and retries -------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_client_error_is_permanent_and_not_retried(http_server, sleeps, status):
    url = http_server.route("/gone.xml", Reply(status=status, body=b"nope"))

    with pytest.raises(PermanentFetchError) as caught:
        http_fetch(url, sleeps, attempts=4)

    assert caught.value.transient is False
    assert f"answered HTTP {status}" in str(caught.value)
    assert http_server.hits["/gone.xml"] == 1
    assert sleeps == []


@pytest.mark.parametrize(("status", "not_found"), [(404, True), (410, True), (400, False), (403, False)])
def test_only_404_and_410_are_not_found(http_server, sleeps, status, not_found):
    url = http_server.route("/gone.xml", Reply(status=status, body=b"nope"))

    with pytest.raises(PermanentFetchError) as caught:
        http_fetch(url, sleeps)

    assert isinstance(caught.value, NotFoundFetchError) is not_found


def test_server_error_then_success_is_retried_with_backoff(http_server, sleeps):
    url = http_server.route("/flaky.xml", [Reply(status=500), Reply(body=BODY, headers={"ETag": ETAG})])

    result = http_fetch(url, sleeps, attempts=3, backoff=0.25)

    assert result.content == BODY and result.etag == ETAG
    assert http_server.hits["/flaky.xml"] == 2
    assert http_server.statuses("/flaky.xml") == [500, 200]
    assert sleeps == [0.25]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_error_every_time_is_transient_after_all_attempts(http_server, sleeps, status):
    url = http_server.route("/down.xml", Reply(status=status, body=b"down"))

    with pytest.raises(TransientFetchError) as caught:
        http_fetch(url, sleeps, attempts=4, backoff=0.5)

    assert caught.value.transient is True
    assert isinstance(caught.value, FetchError)
    assert f"answered HTTP {status}" in str(caught.value) and "(after 4 attempts)" in str(caught.value)
    assert http_server.hits["/down.xml"] == 4
    assert sleeps == [0.5, 1.0, 2.0]  # exponential backoff between attempts, none after the last


def test_default_attempts_and_backoff(http_server, sleeps):
    url = http_server.route("/down.xml", Reply(status=503))

    with pytest.raises(TransientFetchError):
        fetch(url, timeout=0.5, sleep=sleeps)

    assert http_server.hits["/down.xml"] == DEFAULT_ATTEMPTS == 3
    assert sleeps == [2.0, 4.0]


def test_single_attempt_does_not_sleep(http_server, sleeps):
    url = http_server.route("/down.xml", Reply(status=500))

    with pytest.raises(TransientFetchError, match=r"after 1 attempts"):
        http_fetch(url, sleeps, attempts=1)

    assert http_server.hits["/down.xml"] == 1 and sleeps == []


def test_timeout_is_transient(http_server, sleeps):
    url = http_server.route("/slow.xml", Reply(body=BODY, delay=10))

    with pytest.raises(TransientFetchError) as caught:
        http_fetch(url, sleeps, timeout=0.3, attempts=2, backoff=0)

    assert "timed out after 0.3 s" in str(caught.value)
    assert "(after 2 attempts)" in str(caught.value)
    assert http_server.hits["/slow.xml"] == 2
    assert sleeps == [0]


def test_trickling_server_times_out_on_the_whole_download(http_server, sleeps):
    # A byte every 0.2 s never trips a per-read timeout; the 1 s for the whole download does.
    def trickle():
        for _ in range(25):
            time.sleep(0.2)
            yield b"x"

    url = http_server.route("/trickle.xml", Reply(chunks=trickle))
    started = time.monotonic()

    with pytest.raises(TransientFetchError) as caught:
        http_fetch(url, sleeps, timeout=1, attempts=1)

    assert time.monotonic() - started < 2
    assert "did not finish downloading within 1 s" in str(caught.value)


def test_connection_refused_is_transient(sleeps):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(TransientFetchError, match="could not be reached"):
        http_fetch(f"http://127.0.0.1:{port}/list.xml", sleeps, attempts=2, backoff=0)

    assert sleeps == [0]


# --- HTTP: size cap -----------------------------------------------------------------------------


def test_declared_content_length_over_the_cap_is_permanent(http_server, sleeps):
    url = http_server.route("/big.xml", Reply(body=b"x" * 5000))

    with pytest.raises(PermanentFetchError) as caught:
        http_fetch(url, sleeps, max_bytes=4999)

    assert "declares 5000 bytes, over the 4999-byte limit" in str(caught.value)
    assert http_server.hits["/big.xml"] == 1 and sleeps == []


def test_body_exactly_at_the_cap_is_accepted(http_server, sleeps):
    url = http_server.route("/exact.xml", Reply(body=b"x" * 5000))

    assert http_fetch(url, sleeps, max_bytes=5000).content == b"x" * 5000


def test_streamed_body_over_the_cap_without_content_length_is_permanent(http_server, sleeps):
    # 64 MiB offered, 64 KiB allowed: the client must stop reading, not buffer it all.
    url = http_server.route("/endless.xml", stream(64 * 1024 * 1024))

    with pytest.raises(PermanentFetchError) as caught:
        http_fetch(url, sleeps, max_bytes=64 * 1024, timeout=5)

    assert "sent more than the 65536-byte limit" in str(caught.value)
    assert http_server.hits["/endless.xml"] == 1 and sleeps == []
    request = http_server.requests_to("/endless.xml")[0]
    assert request.header("Range") == ""


def test_streamed_body_under_the_cap_without_content_length_is_read_to_the_end(http_server, sleeps):
    url = http_server.route("/streamed.xml", stream(100_000, chunk_size=4096))

    assert http_fetch(url, sleeps, max_bytes=100_000).content == b"x" * 100_000


def test_compressed_body_is_capped_after_decompression(http_server, sleeps):
    # A 2 MB body gzipped to a few KB: Content-Length is under the cap, the real content is not.
    bomb = gzip.compress(b"\0" * 2_000_000)
    url = http_server.route("/bomb.xml", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    assert len(bomb) < 64 * 1024

    with pytest.raises(PermanentFetchError, match="sent more than the 65536-byte limit"):
        http_fetch(url, sleeps, max_bytes=64 * 1024)

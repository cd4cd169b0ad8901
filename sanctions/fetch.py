"""Downloading a list: HTTP(S) with timeouts, a size cap, conditional GET and retries with
backoff, or a local file (`file://` URL or a path). No parsing and no database here."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import ParseResult, unquote, urlparse

import httpx

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 2.0
USER_AGENT = "sanctions-monitor/0.1 (+list sync)"


class FetchError(Exception):
    """The list could not be downloaded. `transient` errors (network, timeouts, 5xx, 429) are
    worth retrying later; the others (404, oversized body, missing file) are not."""

    # The "failed" ListVersion that services.list_sync recorded before raising (None elsewhere).
    version = None

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


class TransientFetchError(FetchError):
    def __init__(self, message: str):
        super().__init__(message, transient=True)


class PermanentFetchError(FetchError):
    def __init__(self, message: str):
        super().__init__(message, transient=False)


class NotFoundFetchError(PermanentFetchError):
    """Nothing is there: HTTP 404 or 410, or no such file. Unlike other failures this says
    something about the list itself (an optional file that is not published right now)."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    content: bytes | None  # None when the server answered 304 Not Modified
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.content is None


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF_SECONDS,
    sleep=time.sleep,
) -> FetchResult:
    """Download `url` (http, https, file or a plain path), retrying transient failures.

    `timeout` bounds each wait for data, and the body as a whole: a server that trickles its body
    fails with a TransientFetchError once `timeout` has passed since the request. The response
    head is bounded only by the per-read limit (httpx has no overall timeout): a server trickling
    its headers a byte at a time can hold an attempt longer, until the sync task's time limit."""
    scheme = _checked_url(url).scheme.lower()
    if scheme in ("", "file"):
        return _read_file(url, max_bytes=max_bytes)
    if scheme not in ("http", "https"):
        raise PermanentFetchError(f"Unsupported URL scheme '{scheme}' in {url}; use https://, http:// or file://.")

    last_error: TransientFetchError | None = None
    for attempt in range(1, attempts + 1):
        try:
            return _http_get(url, etag=etag, last_modified=last_modified, timeout=timeout, max_bytes=max_bytes)
        except TransientFetchError as exc:
            last_error = exc
            if attempt < attempts:
                sleep(backoff * 2 ** (attempt - 1))
    assert last_error is not None
    raise TransientFetchError(f"{last_error} (after {attempts} attempts)")


def _checked_url(url: str) -> ParseResult:
    """`url` parsed, or a PermanentFetchError: a malformed URL will not get better on a retry."""
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - parsed lazily: raises on a port that is not a number 0-65535
    except ValueError as exc:
        raise PermanentFetchError(f"not a valid URL: {url!r} ({exc})") from None
    if parsed.scheme.lower() in ("http", "https") and not parsed.hostname:
        raise PermanentFetchError(f"not a valid URL: {url!r} (no host)")
    return parsed


def _read_file(url: str, *, max_bytes: int) -> FetchResult:
    parsed = urlparse(url)
    path = Path(unquote(parsed.path) if parsed.scheme else url)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise PermanentFetchError(f"{path} is {size} bytes, over the {max_bytes}-byte limit.")
        # Read no more than the limit allows either way: a pipe or a device reports no size. In blocks:
        # read(max_bytes + 1) would allocate the whole limit (64 MB) up front for a 2 MB file.
        blocks, total = [], 0
        with path.open("rb") as file:
            while block := file.read(min(1 << 20, max_bytes + 1 - total)):
                blocks.append(block)
                total += len(block)
        content = b"".join(blocks)
        if len(content) > max_bytes:
            raise PermanentFetchError(f"{path} gives more than {max_bytes} bytes, over the limit.")
        return FetchResult(url=url, content=content)
    except FileNotFoundError as exc:
        raise NotFoundFetchError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    except OSError as exc:
        raise PermanentFetchError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def _http_get(url: str, *, etag: str, last_modified: str, timeout: float, max_bytes: int) -> FetchResult:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/xml, text/xml, text/csv, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5) as client:
            with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return FetchResult(url=url, content=None, etag=etag, last_modified=last_modified)
                if response.status_code >= 500 or response.status_code == 429:
                    raise TransientFetchError(f"{url} answered HTTP {response.status_code}")
                if response.status_code in (404, 410):
                    raise NotFoundFetchError(f"{url} answered HTTP {response.status_code}")
                if response.status_code >= 400:
                    raise PermanentFetchError(f"{url} answered HTTP {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise PermanentFetchError(f"{url} declares {declared} bytes, over the {max_bytes}-byte limit.")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise PermanentFetchError(f"{url} sent more than the {max_bytes}-byte limit.")
                    # httpx's timeout is per read: a byte now and then would keep it waiting forever.
                    if time.monotonic() > deadline:
                        raise TransientFetchError(f"{url} did not finish downloading within {timeout:g} s")
                return FetchResult(
                    url=url, content=bytes(body), etag=response.headers.get("ETag", ""),
                    last_modified=response.headers.get("Last-Modified", ""),
                )
    except httpx.TimeoutException as exc:
        raise TransientFetchError(f"{url} timed out after {timeout:g} s ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise TransientFetchError(f"{url} could not be reached: {exc}") from exc
    except httpx.InvalidURL as exc:  # not an HTTPError: e.g. a control character in the URL
        raise PermanentFetchError(f"not a valid URL: {url!r} ({exc})") from exc
    except httpx.HTTPError as exc:  # e.g. too many redirects
        raise PermanentFetchError(f"{url}: {exc}") from exc

"""Screening against the lists held in the database.

The index of the current list versions is built once per set of versions: by the sync that applies
a version, inside its transaction (so it is ready the moment the version is committed), or else by
the first process that needs it. It is stored as a file named by a digest of what it was built from
(the versions' content hashes and ids, the database, the screening settings and the engine's own
code), and every other process loads that file instead of building. A process keeps the index it
loaded until the versions change; one whose index cannot be built keeps serving the previous one,
stamped with the previous versions, and says why in its log and in /healthz.

A serving process also watches the folder (`watch_stored_indexes`): a file the sync stored before
its commit is loaded aside while the sync finishes, and taken up by the first request that sees the
new versions, so that request does not wait for the load. An index loaded aside is never served
before the versions it was built from are the current ones."""
from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import logging
import os
import pickle
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from .matching import DEFAULT_THRESHOLD, MatchResult, Query, ScreeningIndex
from .models import ListVersion
from .selectors import current_versions, screening_candidates, screening_source_slugs

logger = logging.getLogger(__name__)

DEFAULT_SOURCES = ("un-sc",)
# What a stored index was built by: the engine and the reads that turn entries into candidates. A
# change to either is another index, never a file of the old code's objects read by the new.
_BUILT_BY = (*sorted(Path(__file__).parent.joinpath("matching").glob("*.py")), Path(__file__).parent / "selectors.py")
ENGINE_DIGEST = hashlib.sha256(b"".join(path.read_bytes() for path in _BUILT_BY)).hexdigest()[:16]


@dataclass(frozen=True)
class IndexHandle:
    index: ScreeningIndex
    versions: dict[str, ListVersion | None]
    key: str = ""

    @property
    def version_key(self) -> tuple:
        return tuple((slug, v.pk if v else None) for slug, v in sorted(self.versions.items()))

    def version_for(self, source_slug: str) -> ListVersion | None:
        return self.versions.get(source_slug)


class IndexUnavailable(RuntimeError):
    """No index of the current versions, and none earlier in this process to serve instead."""


_cache: dict[tuple[str, ...], IndexHandle] = {}
_failures: dict[str, str] = {}  # index key -> why it could not be built, as /healthz shows it
_lock = threading.Lock()
_staged: dict[str, ScreeningIndex] = {}  # at most one: the newest stored index not yet in use, by key
_staging_lock = threading.Lock()
_stage_tried: set[str] = set()  # keys in use or read aside once: none is read aside (again), a bad file neither
_staging: dict[str, threading.Event] = {}  # keys being read aside now: set when the read ends
STAGING_WAIT_S = 60.0  # a request waits this long for a read aside under way before it reads the file itself


def index_key(versions: dict[str, ListVersion | None]) -> str:
    """The name of the index of `versions`: content hashes and ids both, so that a restored database
    whose ids now name other content, or the same content under other entry ids, is another index."""
    database = connection.settings_dict
    facts = {
        "engine": ENGINE_DIGEST,
        "database": [database["ENGINE"], str(database["NAME"]), database.get("HOST") or "", str(database.get("PORT") or "")],
        "programs": sorted(settings.SCREENING_PROGRAMS),
        "versions": [[slug, v.pk, v.content_sha256] if v else [slug, None, None] for slug, v in sorted(versions.items())],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def _folder() -> Path:
    return Path(settings.SCREENING_INDEX_DIR)


def _load(key: str) -> ScreeningIndex | None:
    try:
        stored = (_folder() / f"{key}.index").open("rb")
    except FileNotFoundError:
        return None
    with stored:
        # Hundreds of thousands of objects at once: the collector would walk them all many times over.
        enabled = gc.isenabled()
        gc.disable()
        try:
            index = pickle.load(stored)
        finally:
            if enabled:
                gc.enable()
    if not isinstance(index, ScreeningIndex):
        raise TypeError(f"{stored.name} holds a {type(index).__name__}, not a screening index")
    return index


def _readable(key: str) -> ScreeningIndex | None:
    """The stored index, or None when there is none or it cannot be read (then it is built again)."""
    try:
        return _load(key)
    except Exception:
        logger.exception("stored screening index %s unreadable: building it again", key)
        return None


def _store(key: str, index: ScreeningIndex) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a reader sees the whole file or none.
    with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{key}.", suffix=".tmp", delete=False) as out:
        try:
            pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, folder / f"{key}.index")
    _prune(folder)


STORED_KEPT = 4  # the newest indexes stay: a process still on an older version loads it rather than build


def _prune(folder: Path) -> None:
    stored = sorted(folder.glob("*.index"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in stored[STORED_KEPT:]:
        for path in (old, old.with_suffix(".lock")):
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _building(key: str):
    """One builder per index across processes (and containers sharing the folder): the others wait,
    then load what it stored."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{key}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load_or_build(source_slugs: tuple[str, ...], key: str) -> ScreeningIndex:
    with _staging_lock:
        index = _staged.pop(key, None)
        under_way = _staging.get(key)
    if index is None and under_way is not None:
        # Reading the same file twice at once would make both reads slower, on the same cores.
        under_way.wait(STAGING_WAIT_S)
        with _staging_lock:
            index = _staged.pop(key, None)
    if index is not None:
        return index
    index = _readable(key)
    if index is not None:
        return index
    with _building(key):
        index = _readable(key)
        if index is None:
            started = time.perf_counter()
            index = ScreeningIndex(screening_candidates(source_slugs=source_slugs))
            _store(key, index)
            logger.debug("screening index %s built: %d entries of %s in %.1f s", key, len(index),
                        ", ".join(source_slugs), time.perf_counter() - started)
    return index


def _serve(source_slugs: tuple[str, ...], handle: IndexHandle) -> IndexHandle:
    _cache[source_slugs] = handle
    with _staging_lock:
        _stage_tried.add(handle.key)  # in use once: never worth loading aside again
    return handle


def _fetch(source_slugs: tuple[str, ...], versions: dict[str, ListVersion | None], key: str) -> IndexHandle:
    """The handle of `key`, from this process's cache, the stored file or a build; on a failure the
    previous handle of these sources, when there is one (IndexUnavailable when there is none)."""
    handle = _cache.get(source_slugs)
    if handle is not None and handle.key == key:
        return handle
    with _lock:
        handle = _cache.get(source_slugs)
        if handle is not None and handle.key == key:
            return handle
        if key not in _failures:
            try:
                return _serve(source_slugs, IndexHandle(_load_or_build(source_slugs, key), versions, key))
            except Exception as exc:
                _failures[key] = f"{type(exc).__name__}: {exc}"
                logger.exception("screening index %s of %s could not be built", key, ", ".join(source_slugs))
        if handle is None:
            raise IndexUnavailable(f"no screening index of {', '.join(source_slugs)}: {_failures[key]}")
        logger.error("screening index %s could not be built (%s); still serving %s", key, _failures[key], handle.key)
        return handle


def current_index(source_slugs: tuple[str, ...] = DEFAULT_SOURCES) -> IndexHandle:
    """The index of the sources' last applied versions: one query to learn them, then this process's
    copy, or the stored one loaded, or (by the first process to need it) a build."""
    source_slugs = tuple(sorted(source_slugs))
    versions = current_versions(source_slugs=source_slugs)
    return _fetch(source_slugs, versions, index_key(versions))


def prepare_index(source_slugs: tuple[str, ...] | None = None) -> str | None:
    """Build and store the index of the versions as the caller's transaction sees them (the sync,
    before it commits a version), so that no process builds it on a request. A failed build is
    logged and remembered, and the version is applied all the same: processes keep the index they
    have. Returns the key, or None when the build failed."""
    source_slugs = tuple(sorted(source_slugs or screening_source_slugs()))
    versions = current_versions(source_slugs=source_slugs)
    key = index_key(versions)
    try:
        with _lock:
            index = _load_or_build(source_slugs, key)
            _serve(source_slugs, IndexHandle(index, versions, key))
    except Exception as exc:
        _failures[key] = f"{type(exc).__name__}: {exc}"
        logger.exception("screening index %s of %s could not be built; processes keep their current one",
                         key, ", ".join(source_slugs))
        return None
    return key


def warm_index() -> None:
    """Before a server or worker forks its processes: the index loaded (or built) in the parent, put
    out of the collector's reach, and the parent's database connections closed, so that every child
    starts with the index in memory it shares with the others."""
    try:
        current_index(screening_source_slugs())
    except Exception:
        logger.exception("screening index not loaded before the first request")
    finally:
        from django.db import connections

        connections.close_all()
    gc.collect()
    gc.freeze()


WATCH_INTERVAL_S = 0.2


def stage_newest_stored() -> str | None:
    """Load the newest stored index aside, unless this process has used it or read it before.
    Returns the key staged, or None when there was nothing new."""
    try:
        stored = max(_folder().glob("*.index"), key=lambda path: path.stat().st_mtime, default=None)
    except OSError:  # a file pruned between the listing and its stat: look again next time
        return None
    if stored is None:
        return None
    key = stored.stem
    with _staging_lock:
        if key in _stage_tried:
            return None
        _stage_tried.add(key)
        done = _staging[key] = threading.Event()
    try:
        index = _readable(key)
        if index is None:
            return None
        with _staging_lock:
            _staged.clear()
            _staged[key] = index
        return key
    finally:
        with _staging_lock:
            _staging.pop(key, None)
        done.set()


def watch_stored_indexes(interval_s: float = WATCH_INTERVAL_S, stop: threading.Event | None = None) -> threading.Thread:
    """In each serving process (after the fork: threads do not survive it), a daemon thread that
    stages every index a sync stores, until `stop` is set."""
    stop = stop or threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                stage_newest_stored()
            except Exception:
                logger.exception("watching stored screening indexes")
            stop.wait(interval_s)

    thread = threading.Thread(target=watch, name="screening-index-watch", daemon=True)
    thread.start()
    return thread


def forget_loaded() -> None:
    """Drop every index this process holds, loaded or staged, and what it remembers of failures."""
    with _lock, _staging_lock:
        _cache.clear()
        _failures.clear()
        _staged.clear()
        _stage_tried.clear()
        _staging.clear()


def index_status() -> dict:
    """What /healthz says of this process's indexes."""
    status = {"loaded": {",".join(slugs): handle.key for slugs, handle in _cache.items()}}
    if _staged:
        status["staged"] = list(_staged)
    if _failures:
        status["failed"] = dict(_failures)
    return status


def screen(query: Query, *, source_slugs: tuple[str, ...] = DEFAULT_SOURCES, limit: int = 5,
           threshold: float = DEFAULT_THRESHOLD) -> tuple[list[MatchResult], IndexHandle]:
    handle = current_index(source_slugs)
    return handle.index.screen(query, limit=limit, threshold=threshold), handle

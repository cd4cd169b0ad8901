"""Screening against the lists held in the database: the index of the current list versions,
kept in memory per process and rebuilt only when a newer version has been applied."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .matching import DEFAULT_THRESHOLD, MatchResult, Query, ScreeningIndex
from .models import ListVersion
from .selectors import current_versions, screening_candidates

DEFAULT_SOURCES = ("un-sc",)


@dataclass(frozen=True)
class IndexHandle:
    index: ScreeningIndex
    versions: dict[str, ListVersion | None]

    @property
    def version_key(self) -> tuple:
        return _version_key(self.versions)

    def version_for(self, source_slug: str) -> ListVersion | None:
        return self.versions.get(source_slug)


def _version_key(versions: dict[str, ListVersion | None]) -> tuple:
    return tuple((slug, v.pk if v else None) for slug, v in sorted(versions.items()))


_cache: dict[tuple[str, ...], IndexHandle] = {}
_lock = threading.Lock()


def current_index(source_slugs: tuple[str, ...] = DEFAULT_SOURCES) -> IndexHandle:
    source_slugs = tuple(sorted(source_slugs))
    versions = current_versions(source_slugs=source_slugs)
    with _lock:
        handle = _cache.get(source_slugs)
        if handle is None or handle.version_key != _version_key(versions):
            handle = IndexHandle(ScreeningIndex(screening_candidates(source_slugs=source_slugs)), versions)
            _cache[source_slugs] = handle
    return handle


def screen(query: Query, *, source_slugs: tuple[str, ...] = DEFAULT_SOURCES, limit: int = 5,
           threshold: float = DEFAULT_THRESHOLD) -> tuple[list[MatchResult], IndexHandle]:
    handle = current_index(source_slugs)
    return handle.index.screen(query, limit=limit, threshold=threshold), handle

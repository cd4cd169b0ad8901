"""How each kind of list source is downloaded and parsed: one small adapter per source kind.

An adapter turns a location (URL or path) into the raw files, a cheap content hash and
generation time (to record unchanged versions without parsing) and a ParsedList."""
from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlparse, urlunparse

from django.conf import settings

from .choices import SourceKind
from .fetch import FetchResult, NotFoundFetchError, fetch
from .parsers import ofac_sdn, un_xml
from .parsers.types import ParsedList


@dataclass(frozen=True)
class Download:
    location: str
    main: FetchResult
    extras: dict[str, bytes] = field(default_factory=dict)  # e.g. OFAC's alt.csv and add.csv

    @property
    def size_bytes(self) -> int:
        return len(self.main.content or b"") + sum(len(b) for b in self.extras.values())


@dataclass(frozen=True)
class SourceAdapter:
    download: Callable[..., Download]
    content_hash: Callable[[Download], str]
    parse: Callable[[Download], ParsedList]
    # When the publisher generated the downloaded file, read cheaply (None if it does not say).
    generated_at: Callable[[Download], datetime.datetime | None]
    # Whether a 304 for the main file means the whole list is unchanged (not so for OFAC, whose
    # aliases and addresses live in companion files).
    conditional: bool = True


def _download_single(location: str, *, etag: str = "", last_modified: str = "", **options) -> Download:
    return Download(location=location, main=fetch(location, etag=etag, last_modified=last_modified, **options))


def _sibling(location: str, filename: str) -> str:
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https", "file"):
        path = parsed.path.rsplit("/", 1)[0] + "/" + filename
        return urlunparse(parsed._replace(path=path, query="", fragment=""))
    return location.rsplit("/", 1)[0] + "/" + filename if "/" in location else filename


OFAC_COMPANION_FILES = ("alt.csv", "add.csv", "sdn_comments.csv")
OFAC_REQUIRED_REMOTELY = ("alt.csv", "add.csv")  # sdn_comments.csv only exists while some remarks overflow


def _download_ofac(location: str, *, etag: str = "", last_modified: str = "", **options) -> Download:
    main = fetch(location, etag=etag, last_modified=last_modified, **options)
    extras: dict[str, bytes] = {}
    remote = urlparse(location).scheme in ("http", "https")
    for filename in OFAC_COMPANION_FILES:
        try:
            extras[filename] = fetch(_sibling(location, filename), **options).content or b""
        except NotFoundFetchError:
            # A local sdn.csv may come alone; the published set always has its companions, and
            # syncing without them would silently drop every alias and address. Only "not there"
            # means absent: any other failure (503, timeout) fails the sync like one of sdn.csv,
            # or long remarks would be applied cut at 1,000 characters.
            if remote and filename in OFAC_REQUIRED_REMOTELY:
                raise
    return Download(location=location, main=main, extras=extras)


def _ofac_programs() -> frozenset[str] | None:
    programs = settings.OFAC_SDN_PROGRAMS
    return frozenset(programs) if programs else None


def _ofac_files(download: Download) -> dict:
    return {
        "alt": download.extras.get("alt.csv"),
        "add": download.extras.get("add.csv"),
        "sdn_comments": download.extras.get("sdn_comments.csv"),
        "programs": _ofac_programs(),
    }


def _single_file(module: str, parse: str) -> SourceAdapter:
    """The adapter of a list published as one file, by its parser module's name: every parser has
    `content_sha256(content)`, `read_generated_at(content)` and its `parse` function. Imported on use,
    so a process loads only the parsers of the lists it syncs."""
    def parser():
        return importlib.import_module(f"sanctions.parsers.{module}")

    return SourceAdapter(
        download=_download_single,
        content_hash=lambda d: parser().content_sha256(d.main.content),
        parse=lambda d: getattr(parser(), parse)(d.main.content),
        generated_at=lambda d: parser().read_generated_at(d.main.content),
    )


ADAPTERS: dict[str, SourceAdapter] = {
    SourceKind.UN_CONSOLIDATED: SourceAdapter(
        download=_download_single,
        content_hash=lambda d: un_xml.content_sha256(d.main.content),
        parse=lambda d: un_xml.parse_un_consolidated(d.main.content),
        generated_at=lambda d: un_xml.read_date_generated(d.main.content),
    ),
    SourceKind.OFAC_SDN: SourceAdapter(
        download=_download_ofac,
        content_hash=lambda d: ofac_sdn.content_sha256(d.main.content, **_ofac_files(d)),
        parse=lambda d: ofac_sdn.parse_ofac_sdn(d.main.content, **_ofac_files(d)),
        generated_at=lambda d: None,  # the legacy CSV files carry no publication date
        conditional=False,
    ),
    SourceKind.UN_1718_VESSELS: _single_file("un_1718_vessels", "parse_un_1718_vessels_csv"),
    SourceKind.UK_OFSI_CSV: _single_file("uk_ofsi", "parse_uk_ofsi_csv"),
    SourceKind.EU_FSF: _single_file("eu_fsf", "parse_eu_fsf"),
    SourceKind.FTM_ENTITIES: _single_file("ftm_entities", "parse_ftm_entities"),
}


def default_location(source_slug: str) -> str:
    """Where the registry (settings.LIST_SOURCES) says the source is fetched from; '' when nowhere."""
    spec = next((spec for spec in settings.LIST_SOURCES if spec.slug == source_slug), None)
    if spec is None:
        return ""
    return getattr(settings, spec.url_setting, spec.url) if spec.url_setting else spec.url

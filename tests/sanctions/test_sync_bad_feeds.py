"""The "bad feeds" acceptance: whatever the server sends, a bad download never touches the active
list. A good version (the seed sample, read from its path) is applied first; then each bad feed
is served from a local HTTP server and synced with `list_sync`. The outcome must be a recorded
"rejected" or "failed" ListVersion whose error says why, and the active list must be exactly as
before: same active entries, no EntryChange rows, no entry rewritten.

Also: unchanged content (same bytes, regenerated file, or 304 Not Modified) is "unchanged" and
is not parsed again."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from lxml import etree

from sanctions.fetch import FetchError, NotFoundFetchError, PermanentFetchError, TransientFetchError
from sanctions.models import EntryChange, ListEntry, ListEntryName, ListSource, ListVersion, Vessel
from sanctions.parsers import un_xml
from sanctions.services import last_applied_version, list_sync
from tests.sanctions.http_server import LocalServer, Reply, conditional, http_server, stream  # noqa: F401

SEED_PATH = Path(__file__).resolve().parents[2] / "seeds" / "un_consolidated_sample.xml"
SEED = SEED_PATH.read_bytes()
SEED_RECORDS = 38  # 19 INDIVIDUAL + 19 ENTITY in seeds/un_consolidated_sample.xml
FAST = {"attempts": 2, "backoff": 0, "timeout": 0.5}


@pytest.fixture
def un_sc(db) -> ListSource:
    return ListSource.objects.get(slug="un-sc")


@pytest.fixture
def applied(un_sc) -> ListVersion:
    """The good version every bad feed is compared with: the seed sample, from its path."""
    version = list_sync(source=un_sc, location=str(SEED_PATH))
    assert version.status == "applied" and version.added_count == SEED_RECORDS
    return version


def list_state(source: ListSource) -> dict:
    """Everything a bad feed must leave alone."""
    return {
        "active_ids": sorted(source.entries.filter(is_active=True).values_list("id", flat=True)),
        "entries": sorted(source.entries.values_list("id", "is_active", "updated_at", "last_seen_in_id", "snapshot")),
        "names": ListEntryName.objects.filter(entry__source=source).count(),
        "changes": EntryChange.objects.count(),
        "last_applied": last_applied_version(source).pk,
        "vessels": Vessel.objects.count(),
    }


def sync(source: ListSource, url: str, **options) -> tuple[ListVersion, FetchError | None]:
    """Run list_sync; returns the one ListVersion it recorded and the FetchError it raised, if any."""
    latest_before = ListVersion.objects.order_by("-id").values_list("id", flat=True).first() or 0
    raised = None
    try:
        returned = list_sync(source=source, location=url, fetch_options={**FAST, **options})
    except FetchError as exc:
        raised, returned = exc, None
    recorded = list(ListVersion.objects.filter(id__gt=latest_before))
    assert len(recorded) == 1, f"expected one new ListVersion, got {recorded}"
    if returned is not None:
        assert returned.pk == recorded[0].pk
    return recorded[0], raised


# --- The bad feeds ------------------------------------------------------------------------------


def halved(document: bytes) -> bytes:
    """The seed with every other record dropped: 20 of 38 entries gone."""
    root = etree.fromstring(document)
    for container in root:
        for record in list(container)[::2]:
            container.remove(record)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service Unavailable</h1><p>The list is being regenerated.</p></body></html>"
)
HTML_WITHOUT_DOCTYPE = b"<html><head><title>Error</title></head><body><h1>Error</h1><br><p>Try later</p></body></html>"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-12-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL><DATAID>9100101</DATAID>
<FIRST_NAME>&lol9;</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"""


def external_entity(system_id: str, *, encoding: str = "utf-8") -> bytes:
    declared = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
    return f"""<?xml version="1.0" encoding="{declared}"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "{system_id}">]>
<CONSOLIDATED_LIST dateGenerated="2026-12-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL><DATAID>9100101</DATAID>
<FIRST_NAME>&xxe;</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.001</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>""".encode(encoding)


def parameter_entity(server: LocalServer) -> bytes:
    dtd = server.route("/evil.dtd", Reply(body=b'<!ENTITY leak SYSTEM "file:///etc/passwd">'))
    return f"""<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY % remote SYSTEM "{dtd}"> %remote;]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&leak;</FIRST_NAME></INDIVIDUAL>
</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>""".encode()


EMPTY_LIST = (b'<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2026-12-01T00:00:00Z">'
              b"<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>")


@dataclass(frozen=True)
class BadFeed:
    reply: object  # Reply, list of Replies, or f(server) -> Reply
    status: str
    words: tuple[str, ...]  # must all be in the recorded error
    raises: type[FetchError] | None = None
    hits: int = 1
    options: tuple = ()  # extra fetch options

    def serve(self, server: LocalServer) -> str:
        reply = self.reply(server) if callable(self.reply) else self.reply
        return server.route("/consolidated.xml", reply)


BAD_FEEDS = {
    "empty-body": BadFeed(Reply(body=b""), "rejected", ("empty",)),
    "whitespace-body": BadFeed(Reply(body=b"  \r\n\t\n"), "rejected", ("empty",)),
    "truncated-xml": BadFeed(Reply(body=SEED[: len(SEED) // 2]), "rejected", ("not well-formed", "line")),
    "truncated-at-root": BadFeed(Reply(body=SEED[:300]), "rejected", ("not well-formed",)),
    "well-formed-but-no-records": BadFeed(Reply(body=EMPTY_LIST), "rejected", ("no INDIVIDUAL or ENTITY records",)),
    "html-error-page": BadFeed(
        Reply(body=HTML_ERROR_PAGE, headers={"Content-Type": "text/html; charset=utf-8"}), "rejected", ("DOCTYPE",)
    ),
    "html-without-doctype": BadFeed(
        Reply(body=HTML_WITHOUT_DOCTYPE, headers={"Content-Type": "text/html"}), "rejected",
        ("wrong root element", "html", "CONSOLIDATED_LIST"),
    ),
    "json-error": BadFeed(
        Reply(body=b'{"error": "rate limited"}', headers={"Content-Type": "application/json"}), "rejected",
        ("not well-formed",),
    ),
    "billion-laughs": BadFeed(Reply(body=BILLION_LAUGHS), "rejected", ("DOCTYPE", "refused")),
    "external-entity-file": BadFeed(
        Reply(body=external_entity("file:///etc/passwd")), "rejected", ("DOCTYPE", "refused")
    ),
    "external-entity-utf16": BadFeed(
        Reply(body=external_entity("file:///etc/passwd", encoding="utf-16")), "rejected", ("DOCTYPE", "refused")
    ),
    "external-parameter-entity": BadFeed(lambda server: Reply(body=parameter_entity(server)), "rejected", ("DOCTYPE",)),
    "drops-half-the-list": BadFeed(
        Reply(body=halved(SEED), headers={"ETag": '"halved"'}), "rejected",
        ("Refused", f"would delist 20 of {SEED_RECORDS} active entries", "force"),
    ),
    "oversized-declared": BadFeed(
        Reply(body=SEED), "failed", ("declares", "10000-byte limit"), raises=PermanentFetchError,
        options=(("max_bytes", 10_000),),
    ),
    "oversized-streamed": BadFeed(
        stream(5 * 1024 * 1024), "failed", ("sent more than", "10000-byte limit"), raises=PermanentFetchError,
        options=(("max_bytes", 10_000),),
    ),
    "http-404": BadFeed(Reply(status=404, body=b"not found"), "failed", ("HTTP 404",), raises=NotFoundFetchError),
    "http-500": BadFeed(
        Reply(status=500, body=b"oops"), "failed", ("HTTP 500", "after 2 attempts"), raises=TransientFetchError, hits=2,
    ),
    "http-503-then-truncated": BadFeed(
        [Reply(status=503), Reply(body=SEED[:1000])], "rejected", ("not well-formed",), hits=2,
    ),
    "timeout": BadFeed(
        Reply(body=SEED, delay=10), "failed", ("timed out after 0.5 s", "after 2 attempts"), raises=TransientFetchError,
        hits=2,
    ),
}


@pytest.mark.parametrize("case", BAD_FEEDS.values(), ids=BAD_FEEDS.keys())
def test_bad_feed_is_recorded_and_leaves_the_active_list_alone(un_sc, applied, http_server, case):
    before = list_state(un_sc)
    url = case.serve(http_server)

    version, raised = sync(un_sc, url, **dict(case.options))

    assert version.status == case.status
    assert version.source == un_sc and version.fetched_from == url
    for word in case.words:
        assert word in version.error, f"{word!r} not in the recorded error {version.error!r}"
    assert version.applied_at is None
    if case.raises is None:
        assert raised is None
    else:
        assert type(raised) is case.raises and str(raised) == version.error
    assert http_server.hits["/consolidated.xml"] == case.hits
    assert list_state(un_sc) == before
    assert not EntryChange.objects.filter(version=version).exists()


def test_a_refused_file_is_dated_by_its_root_when_the_root_is_readable(un_sc, applied, http_server):
    url = http_server.route("/consolidated.xml", Reply(body=SEED[: len(SEED) // 2]))  # cut after the root

    version = list_sync(source=un_sc, location=url)

    assert version.status == "rejected"
    assert version.generated_at == dt.datetime(2026, 11, 25, 23, 0, 7, 184000, tzinfo=dt.timezone.utc)


def test_external_entities_are_never_resolved(un_sc, applied, http_server):
    url = http_server.route("/consolidated.xml", Reply(body=parameter_entity(http_server)))
    file_url = http_server.route("/file-xxe.xml", Reply(body=external_entity("file:///etc/passwd")))

    sync(un_sc, url)
    sync(un_sc, file_url)

    assert http_server.hits["/evil.dtd"] == 0  # the parser never went out for the DTD
    assert not ListEntry.objects.filter(primary_name__contains="root:").exists()
    assert not ListVersion.objects.filter(error__contains="root:").exists()


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "streamed"])
def test_oversized_body_against_the_configured_cap(un_sc, applied, http_server, settings, streamed):
    settings.LIST_SYNC_MAX_BYTES = 20_000  # the seed (57 KB) is over it
    before = list_state(un_sc)
    url = http_server.route("/consolidated.xml", stream(len(SEED)) if streamed else Reply(body=SEED))

    with pytest.raises(PermanentFetchError):
        list_sync(source=un_sc, location=url, fetch_options={"attempts": 2, "backoff": 0, "timeout": 5})

    version = ListVersion.objects.order_by("-id").first()
    assert version.status == "failed" and "20000-byte limit" in version.error
    assert http_server.hits["/consolidated.xml"] == 1  # a permanent error is not retried
    assert list_state(un_sc) == before


def test_transient_failure_then_good_download_recovers(un_sc, applied, http_server):
    """After a failed sync, the next one goes through: a failed version is no baseline."""
    url = http_server.route("/consolidated.xml", [Reply(status=500), Reply(status=500), Reply(body=SEED)])

    with pytest.raises(TransientFetchError):
        list_sync(source=un_sc, location=url, fetch_options=FAST)
    recovered = list_sync(source=un_sc, location=url, fetch_options=FAST)

    assert recovered.status == "unchanged"  # same content as the applied seed
    assert list(un_sc.versions.order_by("id").values_list("status", flat=True)) == ["applied", "failed", "unchanged"]


def test_rejected_version_is_not_a_baseline_for_conditional_get(un_sc, applied, http_server):
    """A refused version's ETag must not be revalidated: a 304 would turn it into "unchanged"."""
    url = http_server.route("/consolidated.xml", conditional(halved(SEED), etag='"halved"'))

    first, _ = sync(un_sc, url)
    second, _ = sync(un_sc, url)

    assert (first.status, second.status) == ("rejected", "rejected")
    assert [r.header("If-None-Match") for r in http_server.requests_to("/consolidated.xml")] == ["", ""]
    assert ListEntry.objects.filter(source=un_sc, is_active=True).count() == SEED_RECORDS


def test_forced_sync_still_refuses_bad_xml(un_sc, applied, http_server):
    before = list_state(un_sc)
    url = http_server.route("/consolidated.xml", Reply(body=SEED[:5000]))

    version = list_sync(source=un_sc, location=url, force=True, fetch_options=FAST)

    assert version.status == "rejected" and "not well-formed" in version.error
    assert list_state(un_sc) == before


def test_forced_sync_applies_a_version_that_drops_half_the_list(un_sc, applied, http_server):
    """The refusal is a guard, not a dead end: force applies it, delisting the missing half."""
    url = http_server.route("/consolidated.xml", Reply(body=halved(SEED)))

    version = list_sync(source=un_sc, location=url, force=True, fetch_options=FAST)

    assert version.status == "applied" and version.removed_count == 20
    assert ListEntry.objects.filter(source=un_sc, is_active=True).count() == SEED_RECORDS - 20


# --- Unchanged content ------------------------------------------------------------------------------


@pytest.fixture
def parse_spy():
    with mock.patch.object(un_xml, "parse_un_consolidated", wraps=un_xml.parse_un_consolidated) as spy:
        yield spy


def test_same_content_served_twice_is_unchanged_without_parsing(un_sc, applied, http_server, parse_spy):
    before = list_state(un_sc)
    url = http_server.route("/consolidated.xml", Reply(body=SEED, headers={"Content-Type": "application/xml"}))

    first = list_sync(source=un_sc, location=url, fetch_options=FAST)
    second = list_sync(source=un_sc, location=url, fetch_options=FAST)

    assert (first.status, second.status) == ("unchanged", "unchanged")
    assert parse_spy.call_count == 0
    assert http_server.hits["/consolidated.xml"] == 2  # no validators: downloaded both times
    for version in (first, second):
        assert version.content_sha256 == applied.content_sha256
        assert version.record_count == SEED_RECORDS and version.active_count == SEED_RECORDS
        assert version.size_bytes == len(SEED) and version.fetched_from == url
        assert version.error == "" and version.applied_at is None
    assert list_state(un_sc) == before


def test_regenerated_file_with_only_a_new_timestamp_is_unchanged(un_sc, applied, http_server, parse_spy):
    regenerated = re.sub(rb'dateGenerated="[^"]*"', b'dateGenerated="2026-12-24T23:00:01.5Z"', SEED, count=1)
    assert regenerated != SEED
    before = list_state(un_sc)
    url = http_server.route("/consolidated.xml", Reply(body=regenerated))

    version = list_sync(source=un_sc, location=url, fetch_options=FAST)

    assert version.status == "unchanged" and parse_spy.call_count == 0
    assert version.content_sha256 == applied.content_sha256
    # The file's own generation time, not the applied version's.
    assert version.generated_at == dt.datetime(2026, 12, 24, 23, 0, 1, 500000, tzinfo=dt.timezone.utc)
    assert applied.generated_at != version.generated_at
    assert list_state(un_sc) == before


def test_not_modified_304_keeps_the_generation_time_of_the_file_it_revalidates(un_sc, applied, http_server):
    regenerated = re.sub(rb'dateGenerated="[^"]*"', b'dateGenerated="2026-12-24T23:00:01Z"', SEED, count=1)
    url = http_server.route("/consolidated.xml", conditional(regenerated, etag='"seed-2"'))

    first = list_sync(source=un_sc, location=url, fetch_options=FAST)  # 200, unchanged content
    second = list_sync(source=un_sc, location=url, fetch_options=FAST)  # 304

    assert http_server.statuses("/consolidated.xml") == [200, 304]
    assert (first.status, second.status) == ("unchanged", "unchanged")
    assert first.generated_at == second.generated_at == dt.datetime(2026, 12, 24, 23, 0, 1, tzinfo=dt.timezone.utc)


def test_not_modified_304_is_unchanged(un_sc, applied, http_server, parse_spy):
    before = list_state(un_sc)
    last_modified = "Wed, 25 Nov 2026 23:00:07 GMT"
    url = http_server.route("/consolidated.xml", conditional(SEED, etag='"seed-1"', last_modified=last_modified))

    first = list_sync(source=un_sc, location=url, fetch_options=FAST)  # 200, same content
    second = list_sync(source=un_sc, location=url, fetch_options=FAST)  # revalidated: 304

    assert http_server.statuses("/consolidated.xml") == [200, 304]
    revalidation = http_server.requests_to("/consolidated.xml")[1]
    assert revalidation.header("If-None-Match") == '"seed-1"'
    assert revalidation.header("If-Modified-Since") == last_modified
    assert (first.status, second.status) == ("unchanged", "unchanged")
    assert (second.etag, second.last_modified) == ('"seed-1"', last_modified)  # kept for the next one
    assert second.content_sha256 == applied.content_sha256 and second.record_count == SEED_RECORDS
    assert parse_spy.call_count == 0
    assert list_state(un_sc) == before

    third = list_sync(source=un_sc, location=url, fetch_options=FAST)  # still revalidates
    assert third.status == "unchanged" and http_server.statuses("/consolidated.xml") == [200, 304, 304]


def test_304_after_a_url_apply_keeps_revalidating(un_sc, http_server, parse_spy):
    """First sync from the URL applies the list and stores its ETag; the next ones get 304s."""
    url = http_server.route("/consolidated.xml", conditional(SEED, etag='"seed-1"'))

    applied_version = list_sync(source=un_sc, location=url, fetch_options=FAST)
    changes = EntryChange.objects.count()
    again = list_sync(source=un_sc, location=url, fetch_options=FAST)

    assert applied_version.status == "applied" and applied_version.etag == '"seed-1"'
    assert again.status == "unchanged" and parse_spy.call_count == 1
    assert http_server.statuses("/consolidated.xml") == [200, 304]
    assert EntryChange.objects.count() == changes


def test_forced_sync_does_not_send_validators(un_sc, applied, http_server):
    url = http_server.route("/consolidated.xml", conditional(SEED, etag='"seed-1"'))
    list_sync(source=un_sc, location=url, fetch_options=FAST)

    forced = list_sync(source=un_sc, location=url, force=True, fetch_options=FAST)

    assert [r.header("If-None-Match") for r in http_server.requests_to("/consolidated.xml")] == ["", ""]
    assert forced.status == "unchanged"  # parsed again, same content: nothing to apply


def test_304_does_not_hide_a_version_applied_from_elsewhere_since(un_sc, http_server, tmp_path):
    url = http_server.route("/consolidated.xml", conditional(SEED, etag='"seed-1"'))
    assert list_sync(source=un_sc, location=url, fetch_options=FAST).status == "applied"
    other_file = tmp_path / "older.xml"
    other_file.write_bytes(halved(SEED))
    assert list_sync(source=un_sc, location=str(other_file), force=True).status == "applied"  # e.g. a manual load

    again = list_sync(source=un_sc, location=url, fetch_options=FAST)

    # A full download would be applied (its hash differs from the active version's); a 304 must not differ.
    assert again.status == "applied"
    assert ListEntry.objects.filter(source=un_sc, is_active=True).count() == SEED_RECORDS

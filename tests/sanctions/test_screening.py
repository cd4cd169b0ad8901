"""The screening index, built once per set of list versions and stored for every process to load
(sanctions.screening). "Another process" is this one with its in-memory copy dropped: what it can
reach then is the stored file, as a freshly forked or restarted process would."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import sanctions.screening as screening
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from sanctions.matching import Query, ScreeningIndex
from sanctions.models import ListSource, ListVersion
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.selectors import screening_source_slugs
from sanctions.services import list_version_apply
from tests.monitoring.test_screening import with_new_individual

SEED = DEFAULT_LIST_PATH.read_bytes()


@pytest.fixture
def un_source(db):
    return ListSource.objects.get(slug="un-sc")


@pytest.fixture
def seed_list(un_source):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    return un_source.versions.get(status="applied")


@pytest.fixture
def builds(monkeypatch):
    """Every index this process builds (not loads), by the number of its entries."""
    built = []
    original = ScreeningIndex.__init__

    def counting(self, candidates):
        original(self, candidates)
        built.append(len(self))

    monkeypatch.setattr(ScreeningIndex, "__init__", counting)
    return built


def stored_files(settings) -> list[Path]:
    return sorted(Path(settings.SCREENING_INDEX_DIR).glob("*.index"))


def forget_in_memory():
    screening.forget_loaded()


def test_the_sync_stores_the_index_of_the_version_it_applies_before_it_commits(un_source, settings, builds):
    list_version_apply(source=un_source, parsed=parse_un_consolidated(SEED))
    [stored] = stored_files(settings)
    built_by_the_sync = list(builds)
    forget_in_memory()

    handle = screening.current_index(screening_source_slugs())
    assert stored.name == f"{handle.key}.index"
    assert built_by_the_sync == builds == [len(handle.index)]  # the request after the sync only loaded it


def test_another_process_loads_the_stored_index_and_never_builds(seed_list, settings, builds):
    first = screening.current_index(screening_source_slugs())
    forget_in_memory()
    builds.clear()

    loaded = screening.current_index(screening_source_slugs())

    assert builds == []
    assert loaded is not first and loaded.key == first.key
    assert [e.reference_number for e in loaded.index.candidates] == [e.reference_number for e in first.index.candidates]
    query = Query(name="Ri Won Ho", kind="person")
    assert [r.as_dict() for r in loaded.index.screen(query)] == [r.as_dict() for r in first.index.screen(query)]


def test_the_first_process_to_need_an_index_builds_and_stores_it(seed_list, settings, builds):
    for stored in stored_files(settings):
        stored.unlink()
    forget_in_memory()
    builds.clear()

    handle = screening.current_index(screening_source_slugs())

    assert builds == [len(handle.index)]
    assert stored_files(settings) == [Path(settings.SCREENING_INDEX_DIR) / f"{handle.key}.index"]


def test_a_new_version_is_another_index_and_the_old_one_is_never_served_for_it(seed_list, un_source, settings):
    before = screening.current_index(screening_source_slugs())

    list_version_apply(source=un_source, parsed=parse_un_consolidated(with_new_individual(SEED, "CHOE", "SON HUI")))

    after = screening.current_index(screening_source_slugs())
    assert after.key != before.key
    assert len(after.index) == len(before.index) + 1
    assert after.version_for("un-sc") == un_source.versions.filter(status="applied").latest("applied_at")
    assert after.index.screen(Query(name="Choe Son Hui", kind="person"))[0].candidate.reference_number == "KPi.099"


def test_the_key_follows_content_not_only_ids(seed_list):
    """A restored database can give a version id to other content: the index of the old content must not answer."""
    versions = {"un-sc": seed_list}
    key = screening.index_key(versions)
    other_content = ListVersion(pk=seed_list.pk, source=seed_list.source, content_sha256="0" * 64)
    other_id = ListVersion(pk=seed_list.pk + 1000, source=seed_list.source, content_sha256=seed_list.content_sha256)

    assert screening.index_key({"un-sc": other_content}) != key
    assert screening.index_key({"un-sc": other_id}) != key
    assert screening.index_key({"un-sc": seed_list}) == key


def test_the_key_follows_the_programmes_screened(seed_list, settings):
    key = screening.index_key({"un-sc": seed_list})
    settings.SCREENING_PROGRAMS = ("DPRK3",)

    assert screening.index_key({"un-sc": seed_list}) != key


def test_a_failed_build_keeps_the_previous_index_and_says_why(seed_list, un_source, monkeypatch, client, caplog):
    previous = screening.current_index(screening_source_slugs())

    def failing(*, source_slugs, entry_ids=None):
        raise MemoryError("index too large for this machine")

    monkeypatch.setattr(screening, "screening_candidates", failing)
    version = list_version_apply(source=un_source,
                                 parsed=parse_un_consolidated(with_new_individual(SEED, "CHOE", "SON HUI")))

    assert version.status == "applied"  # the list is applied all the same
    served = screening.current_index(screening_source_slugs())
    assert served is previous
    assert served.version_for("un-sc") != version  # stamped with the versions it was built from
    new_key = screening.index_key(screening.current_versions(source_slugs=screening_source_slugs()))
    assert "index too large" in caplog.text
    health = client.get("/healthz").json()["screening_index"]
    assert health["failed"] == {new_key: "MemoryError: index too large for this machine"}
    assert health["loaded"] == {",".join(sorted(screening_source_slugs())): previous.key}


def test_no_index_and_a_failed_build_is_an_error_not_an_empty_index(seed_list, settings, monkeypatch):
    for stored in stored_files(settings):
        stored.unlink()
    forget_in_memory()
    monkeypatch.setattr(screening, "screening_candidates",
                        lambda **_: (_ for _ in ()).throw(OSError("disk unreadable")))

    with pytest.raises(screening.IndexUnavailable, match="disk unreadable"):
        screening.current_index(screening_source_slugs())


def test_an_unreadable_stored_index_is_built_again(seed_list, settings, builds):
    handle = screening.current_index(screening_source_slugs())
    (Path(settings.SCREENING_INDEX_DIR) / f"{handle.key}.index").write_bytes(b"not a pickle")
    forget_in_memory()
    builds.clear()

    again = screening.current_index(screening_source_slugs())

    assert builds == [len(handle.index)]
    assert again.key == handle.key


def test_only_the_newest_stored_indexes_are_kept(seed_list, un_source, settings):
    keys = [screening.current_index(screening_source_slugs()).key]
    for number in range(screening.STORED_KEPT + 1):
        renamed = with_new_individual(SEED, "CHOE", "SON HUI" + " A" * (number + 1))
        list_version_apply(source=un_source, parsed=parse_un_consolidated(renamed))
        keys.append(screening.current_index(screening_source_slugs()).key)

    assert len(set(keys)) == screening.STORED_KEPT + 2
    assert sorted(path.stem for path in stored_files(settings)) == sorted(keys[-screening.STORED_KEPT:])


def on_previous_version_after_a_new_one_is_stored(un_source) -> tuple[screening.IndexHandle, str]:
    """This process serving the seed list's index while a sync (in another process, as far as this
    one can tell) stores the next version's index: the handle it serves, and the stored key."""
    before = screening.current_index(screening_source_slugs())
    list_version_apply(source=un_source, parsed=parse_un_consolidated(with_new_individual(SEED, "CHOE", "SON HUI")))
    after_key = screening.current_index(screening_source_slugs()).key
    forget_in_memory()
    screening._serve(tuple(sorted(screening_source_slugs())), before)
    return before, after_key


def test_a_stored_index_is_loaded_aside_and_the_first_request_of_its_versions_takes_it_up(
        seed_list, un_source, settings, builds):
    before, after_key = on_previous_version_after_a_new_one_is_stored(un_source)

    assert screening.stage_newest_stored() == after_key
    assert screening.index_status()["staged"] == [after_key]
    (Path(settings.SCREENING_INDEX_DIR) / f"{after_key}.index").unlink()  # only the staged copy is left
    builds.clear()

    handle = screening.current_index(screening_source_slugs())

    assert handle.key == after_key and builds == []  # neither built nor read from the file
    assert len(handle.index) == len(before.index) + 1
    assert "staged" not in screening.index_status()
    assert screening.stage_newest_stored() is None  # nothing newer than what is in use


def test_an_index_loaded_aside_is_never_served_before_its_versions_are_current(seed_list, settings):
    serving = screening.current_index(screening_source_slugs())
    not_yet_committed = "f" * 32
    screening._store(not_yet_committed, ScreeningIndex([]))

    assert screening.stage_newest_stored() == not_yet_committed

    assert screening.current_index(screening_source_slugs()) is serving
    assert screening.index_status()["staged"] == [not_yet_committed]


def test_an_unreadable_stored_index_is_read_once_by_the_watcher(seed_list, settings, caplog):
    screening.current_index(screening_source_slugs())
    broken = Path(settings.SCREENING_INDEX_DIR) / f"{'e' * 32}.index"
    broken.write_bytes(b"not a pickle")

    assert screening.stage_newest_stored() is None
    assert screening.stage_newest_stored() is None

    assert [r.message for r in caplog.records].count(f"stored screening index {'e' * 32} unreadable: building it again") == 1
    assert "staged" not in screening.index_status()


def test_the_watcher_thread_stages_what_a_sync_stores(seed_list, un_source, settings):
    _, after_key = on_previous_version_after_a_new_one_is_stored(un_source)
    stop = threading.Event()
    watcher = screening.watch_stored_indexes(interval_s=0.01, stop=stop)
    try:
        deadline = time.monotonic() + 30
        while "staged" not in screening.index_status() and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        watcher.join(timeout=5)

    assert screening.index_status()["staged"] == [after_key]
    assert not watcher.is_alive()


def test_a_request_waits_for_the_read_aside_under_way_instead_of_reading_the_file_again(
        seed_list, un_source, monkeypatch):
    _, after_key = on_previous_version_after_a_new_one_is_stored(un_source)
    reads, reading, finish = [], threading.Event(), threading.Event()
    original = screening._load

    def slow_load(key):
        reads.append(key)
        reading.set()
        finish.wait(10)
        return original(key)

    monkeypatch.setattr(screening, "_load", slow_load)
    watcher = threading.Thread(target=screening.stage_newest_stored)
    watcher.start()
    assert reading.wait(10)
    threading.Timer(0.2, finish.set).start()  # the read ends while the request waits for it

    handle = screening.current_index(screening_source_slugs())
    watcher.join(10)

    assert handle.key == after_key
    assert reads == [after_key]  # one read, the watcher's

"""Acceptance test of the UN list sync: replay the real copies of the Consolidated List in date order.

Every real copy under ``shared/data/un/`` (provenance and counts in ``shared/data/SOURCES.md``) is
synced through ``list_sync``, oldest first. What each step must do is worked out here, without the
application's parser: the DATAIDs of every file are read with the standard library's ElementTree,
and the running history gives the entries added (DATAID never seen), removed (active, now absent)
and relisted (seen before, inactive, present again). The database must agree, step by step.

The nine syncs run once per module (``replay`` fixture, inside one transaction that is rolled back
at the end); the tests below only read what they left behind.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from sanctions.models import EntryChange, ListEntry, ListSource, ListVersion
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.services import MAX_REMOVAL_RATIO, last_applied_version, list_sync

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
UN_DATA = SHARED_DATA / "un"
CORRUPT_COPY = UN_DATA / "_corrupted__wallblue4__sagrilaft-app" / "consolidated.xml"


@dataclass(frozen=True)
class Step:
    label: str
    path: str  # under shared/data/un/
    generated: str  # dateGenerated, as published
    individuals: int  # from SOURCES.md
    entities: int  # from SOURCES.md


# The real copies in date order, with the counts SOURCES.md gives for each.
STEPS = (
    Step("2017-07", "DukeQIANSH__dqun01/consolidated.xml", "2017-07-03T20:27:45.483-04:00", 650, 371),
    Step("2021-03", "kajala__django-jsanctions/consolidated.xml", "2021-03-12T19:03:54.942-05:00", 711, 293),
    Step("2024-09", "xd-mau5__deploy-test/consolidated.xml", "2024-09-26T00:00:07.514+00:00", 682, 193),
    Step("2025-08", "nizaranandkn__uaelist/consolidatedLegacyByPRN.xml", "2025-08-02T23:00:00.935+00:00", 684, 195),
    Step("2025-12-09", "haverisenosku__pakote_data/2025-12-09_df66289/un.xml", "2025-12-09T00:00:06.058+00:00",
         727, 273),
    Step("2025-12-10", "haverisenosku__pakote_data/2025-12-10_ff39c73/un.xml", "2025-12-10T00:00:06.263+00:00",
         726, 273),
    Step("2026-01-28", "haverisenosku__pakote_data/2026-01-28_8e464ed/un.xml", "2026-01-28T00:00:11.197+00:00",
         726, 273),
    Step("2026-02-27", "moov-io__watchman/UN_consolidated.xml", "2026-02-27T00:00:09.554+00:00", 730, 273),
    Step("2026-05-08", "TuaMaley__New-AML-TMS/un_sanctions.xml", "2026-05-08T23:00:06.922+00:00", 737, 272),
)
LABELS = [step.label for step in STEPS]
UNCHANGED_STEP = "2026-01-28"  # differs from 2025-12-10 only in dateGenerated (SOURCES.md)
IQI_074 = "6908121"  # DATAID of IQi.074, removed between 2025-12-09 and 2025-12-10 (format doc §6)


# --------------------------------------------------------------------------- independent reading


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


def canonical(element: ET.Element) -> tuple:
    """The element with whitespace normalised and nothing else dropped: equal means "no real change"."""
    return element.tag, norm(element.text), tuple(canonical(child) for child in element)


@dataclass(frozen=True)
class Rec:
    dataid: str
    kind: str
    reference: str
    regime: str
    comments: str
    aliases: frozenset[str]
    amended_on: tuple[str, ...]
    canon: tuple


def read_copy(path: Path) -> dict[str, Rec]:
    root = ET.parse(path).getroot()
    records: dict[str, Rec] = {}
    for container, tag in (("INDIVIDUALS", "INDIVIDUAL"), ("ENTITIES", "ENTITY")):
        for element in root.findall(f"{container}/{tag}"):
            dataid = norm(element.findtext("DATAID"))
            assert dataid and dataid not in records, f"{path}: DATAID {dataid!r} missing or repeated"
            records[dataid] = Rec(
                dataid=dataid,
                kind=tag.lower(),
                reference=norm(element.findtext("REFERENCE_NUMBER")),
                regime=norm(element.findtext("UN_LIST_TYPE")),
                comments=norm(element.findtext("COMMENTS1")),
                aliases=frozenset(norm(a.findtext("ALIAS_NAME")) for a in element.findall(f"{tag}_ALIAS")) - {""},
                amended_on=tuple(norm(v.text) for v in element.findall("LAST_DAY_UPDATED/VALUE") if norm(v.text)),
                canon=canonical(element),
            )
    return records


@dataclass
class Expected:
    step: Step
    records: dict[str, Rec]
    previous: dict[str, Rec]  # the file before (empty for the first)
    added: set[str]
    removed: set[str]
    relisted: set[str]
    active_before: set[str]


@functools.cache
def expected_history() -> list[Expected]:
    """added / removed / relisted per step, from DATAIDs alone and the running history."""
    seen: set[str] = set()
    active: set[str] = set()
    previous: dict[str, Rec] = {}
    out = []
    for step in STEPS:
        records = read_copy(UN_DATA / step.path)
        ids = set(records)
        out.append(Expected(step=step, records=records, previous=previous, added=ids - seen,
                            removed=active - ids, relisted=(ids & seen) - active, active_before=set(active)))
        seen |= ids
        active = ids  # every step is applied (forced), so the active list becomes the file
        previous = records
    return out


# --------------------------------------------------------------------------- the replay


@dataclass
class Outcome:
    step: Step
    version: ListVersion
    changes: dict[str, set[str]]  # change type -> DATAIDs
    before: dict[str, tuple]  # DATAID -> (pk, is_active, updated_at, delisted_on), before the sync
    after: dict[str, tuple]
    change_rows_before: int
    change_rows_after: int
    seconds: float
    raw_before: dict[str, dict]  # DATAID -> the record as stored (raw), before the sync
    raw_after: dict[str, dict]


@dataclass
class Replay:
    source: ListSource
    expected: list[Expected]
    outcomes: list[Outcome]
    total_seconds: float  # wall clock
    cpu_seconds: float  # this process only: the SQLite work, not slowed down by other load on the machine

    def at(self, label: str) -> tuple[Expected, Outcome]:
        index = LABELS.index(label)
        return self.expected[index], self.outcomes[index]


def stored_records(source: ListSource) -> dict[str, dict]:
    return dict(ListEntry.objects.filter(source=source).values_list("external_id", "raw"))


def entry_state(source: ListSource) -> dict[str, tuple]:
    return {ext: (pk, active, updated, delisted) for ext, pk, active, updated, delisted in
            ListEntry.objects.filter(source=source).values_list("external_id", "pk", "is_active", "updated_at",
                                                                "delisted_on")}


@pytest.fixture(scope="module")
def replay(django_db_setup, django_db_blocker):
    expected = expected_history()
    with django_db_blocker.unblock(), transaction.atomic():
        source = ListSource.objects.get(slug="un-sc")
        outcomes = []
        started, cpu_started = time.monotonic(), time.process_time()
        for step in STEPS:
            before, rows_before, raw_before = entry_state(source), change_rows(source), stored_records(source)
            t0 = time.monotonic()
            version = list_sync(source=source, location=str(UN_DATA / step.path), force=True)
            seconds = time.monotonic() - t0
            changes: dict[str, set[str]] = defaultdict(set)
            for ext, change_type in EntryChange.objects.filter(version=version).values_list(
                    "entry__external_id", "change_type"):
                changes[change_type].add(ext)
            outcomes.append(Outcome(step, version, dict(changes), before, entry_state(source), rows_before,
                                    change_rows(source), seconds, raw_before, stored_records(source)))
        total, cpu = time.monotonic() - started, time.process_time() - cpu_started
        yield Replay(source, expected, outcomes, total, cpu)
        transaction.set_rollback(True)  # leave the test database as it was


# --------------------------------------------------------------------------- 1. the data itself


def test_real_copies_have_the_counts_sources_md_gives():
    for exp in expected_history():
        kinds = [rec.kind for rec in exp.records.values()]
        assert (kinds.count("individual"), kinds.count("entity")) == (exp.step.individuals, exp.step.entities), \
            exp.step.label


def test_unchanged_step_really_differs_only_in_date_generated():
    stamp = re.compile(rb'dateGenerated="[^"]*"')
    before = (UN_DATA / STEPS[LABELS.index("2025-12-10")].path).read_bytes()
    after = (UN_DATA / STEPS[LABELS.index(UNCHANGED_STEP)].path).read_bytes()
    assert before != after
    assert stamp.sub(b"", before) == stamp.sub(b"", after)


# --------------------------------------------------------------------------- 2. every step


@pytest.mark.parametrize("label", LABELS)
def test_step_status_and_counts(replay, label):
    exp, out = replay.at(label)
    version = out.version
    version.refresh_from_db()

    assert version.status == ("unchanged" if label == UNCHANGED_STEP else "applied"), version.error
    assert version.error == ""
    assert version.fetched_from == str(UN_DATA / exp.step.path)
    assert version.generated_at == dt.datetime.fromisoformat(exp.step.generated)
    assert (version.individual_count, version.entity_count, version.record_count) == (
        exp.step.individuals, exp.step.entities, exp.step.individuals + exp.step.entities)
    assert version.active_count == len(exp.records)
    if label != UNCHANGED_STEP:
        assert version.applied_at is not None
        assert (version.added_count, version.removed_count, version.relisted_count) == (
            len(exp.added), len(exp.removed), len(exp.relisted))
        assert version.amended_count == len(out.changes.get("amended", ()))


@pytest.mark.parametrize("label", LABELS)
def test_step_changes_are_exactly_the_dataid_comparison(replay, label):
    exp, out = replay.at(label)

    assert out.changes.get("added", set()) == exp.added
    assert out.changes.get("removed", set()) == exp.removed
    assert out.changes.get("relisted", set()) == exp.relisted
    assert set(out.changes) <= {"added", "amended", "removed", "relisted"}
    # Amendments only concern entries that were active and are still there.
    assert out.changes.get("amended", set()) <= (exp.active_before & set(exp.records))
    # One row per changed entry, and nothing else written.
    assert out.change_rows_after - out.change_rows_before == sum(len(ids) for ids in out.changes.values())


@pytest.mark.parametrize("label", LABELS)
def test_after_each_step_the_active_list_is_the_file_and_ids_keep_their_entry(replay, label):
    exp, out = replay.at(label)

    assert {ext for ext, (_, active, _, _) in out.after.items() if active} == set(exp.records)
    assert set(out.after) == set(out.before) | set(exp.records)  # nothing ever deleted
    for ext, (pk, *_rest) in out.before.items():
        assert out.after[ext][0] == pk, f"DATAID {ext} moved to another ListEntry"
    for ext, (_, active, _, delisted) in out.after.items():
        assert (delisted is None) == active, ext


@pytest.mark.parametrize("label", LABELS)
def test_entries_a_step_does_not_change_are_not_touched(replay, label):
    # Without a change row only the stored record may be brought up to date (a republished field
    # the snapshot does not count, such as the INTERPOL links of 2026-05-08), and then updated_at moves.
    _, out = replay.at(label)
    changed = set().union(*out.changes.values()) if out.changes else set()

    for ext, (pk, active, updated, delisted) in out.before.items():
        if ext not in changed:
            after_pk, after_active, after_updated, after_delisted = out.after[ext]
            assert (after_pk, after_active, after_delisted) == (pk, active, delisted), \
                f"{label}: DATAID {ext} touched without an EntryChange"
            republished = out.raw_after[ext] != out.raw_before[ext]
            assert (after_updated != updated) == republished, (label, ext)


@pytest.mark.parametrize("label", LABELS)
def test_every_entry_in_a_copy_keeps_its_record_as_that_copy_publishes_it(replay, label):
    exp, out = replay.at(label)
    published = {record.external_id: record.raw
                 for record in parse_un_consolidated((UN_DATA / exp.step.path).read_bytes()).records}

    assert {ext: out.raw_after[ext] for ext in published} == published


def test_the_interpol_links_of_2026_05_08_reach_entries_listed_before(replay):
    exp, out = replay.at("2026-05-08")
    linked = {ext for ext in exp.records if "INTERPOL_LINK" in out.raw_after[ext]} - exp.added

    assert len(linked) > 800  # 864 existing records gained a link and no other change that counts
    assert not any("INTERPOL_LINK" in out.raw_before[ext] for ext in linked)


def test_removed_entries_carry_the_version_date_as_delisting_date(replay):
    for exp, out in zip(replay.expected, replay.outcomes):
        day = dt.datetime.fromisoformat(exp.step.generated).date()  # the day as published, in its own offset
        for ext in exp.removed:
            _, active, _, delisted = out.after[ext]
            assert not active and delisted == day, (exp.step.label, ext)


def test_documented_additions_and_removals_are_found(replay):
    """Format doc §6 names some of them; the reference numbers must match the DATAID comparison."""
    def refs(label, change_type):
        exp, out = replay.at(label)
        source = exp.records if change_type != "removed" else exp.previous
        return {source[ext].reference for ext in out.changes.get(change_type, ())}

    assert {"QDi.317", "QDi.336"} <= refs("2025-12-09", "removed")
    assert refs("2025-12-10", "removed") == {"IQi.074"}
    assert refs("2026-02-27", "added") == {"SDi.007", "SDi.008", "SDi.009", "SDi.010"}
    assert refs("2026-05-08", "added") == {"QDi.437", "QDi.438", "QDi.439", "SDi.011", "SDi.012", "SDi.013",
                                           "SDi.014"}
    assert refs("2026-05-08", "removed") == {"QDe.137"}
    assert {"HTi.008", "HTi.009"} <= refs("2025-12-09", "added")


def test_final_state_after_the_replay(replay):
    everything = set().union(*(exp.records for exp in replay.expected))
    last = replay.outcomes[-1]

    assert ListEntry.objects.filter(source=replay.source).count() == len(everything)
    assert set(last.after) == everything
    assert last_applied_version(replay.source).pk == last.version.pk
    assert ListVersion.objects.filter(source=replay.source).count() == len(STEPS)


def test_replay_is_fast(replay):
    # "Well under a minute on SQLite": about 10 s of CPU on an idle machine. CPU time of this
    # process, so a busy machine does not make it flaky (on PostgreSQL the server's share is not counted).
    assert replay.cpu_seconds < 60, [(o.step.label, round(o.seconds, 1)) for o in replay.outcomes]


# --------------------------------------------------------------------------- 3. unchanged


def test_2025_12_10_to_2026_01_28_is_unchanged_and_touches_nothing(replay):
    exp, out = replay.at(UNCHANGED_STEP)
    previous = replay.outcomes[LABELS.index(UNCHANGED_STEP) - 1].version

    assert out.version.status == "unchanged"
    assert out.version.content_sha256 == previous.content_sha256
    assert out.changes == {}
    assert out.change_rows_after == out.change_rows_before
    assert out.after == out.before
    assert (out.version.added_count, out.version.amended_count, out.version.removed_count,
            out.version.relisted_count) == (0, 0, 0, 0)
    assert exp.added == exp.removed == exp.relisted == set()


# --------------------------------------------------------------------------- 4. IQi.074


def test_iqi_074_is_removed_at_2025_12_10_and_keeps_its_history(replay):
    exp, out = replay.at("2025-12-10")
    assert exp.removed == {IQI_074} and exp.previous[IQI_074].reference == "IQi.074"

    entry = ListEntry.objects.get(source=replay.source, external_id=IQI_074)
    assert entry.reference_number == "IQi.074"
    assert not entry.is_active and entry.delisted_on == dt.date(2025, 12, 10)
    removal = EntryChange.objects.get(version=out.version, entry=entry)
    assert removal.change_type == "removed"
    assert removal.diff == {"is_active": {"before": True, "after": False}}

    # The same ListEntry from its first appearance to the end, with all its earlier rows kept.
    present_in = [o for e, o in zip(replay.expected, replay.outcomes) if IQI_074 in e.records]
    first = present_in[0]
    assert {o.after[IQI_074][0] for o in replay.outcomes if IQI_074 in o.after} == {entry.pk}
    history = list(entry.changes.order_by("version_id").values_list("version_id", "change_type"))
    assert history[0] == (first.version.pk, "added")
    assert history[-1] == (out.version.pk, "removed")
    earlier = [row for row in history if row[0] < out.version.pk]
    assert earlier and all(row[1] in ("added", "amended") for row in earlier)
    assert entry.first_seen_in_id == first.version.pk
    assert entry.last_seen_in_id == replay.outcomes[LABELS.index("2025-12-10") - 1].version.pk
    # Nothing happens to it afterwards: still inactive, no further rows.
    assert all(IQI_074 not in e.records for e in replay.expected[LABELS.index("2025-12-10"):])
    assert not entry.changes.filter(version_id__gt=out.version.pk).exists()
    assert entry.names.filter(kind="primary").exists()  # its details stay for the record


def test_long_address_notes_of_taliban_entities_are_kept(replay):
    """TAe.011's ENTITY_ADDRESS NOTE is 588 characters in every copy (TAe.010's 529, until 2026-02)."""
    last = ET.parse(UN_DATA / STEPS[-1].path).getroot()
    [tae_011] = [e for e in last.iter("ENTITY") if norm(e.findtext("REFERENCE_NUMBER")) == "TAe.011"]
    published = [norm(n.text) for n in tae_011.findall("ENTITY_ADDRESS/NOTE") if len(norm(n.text)) > 500]
    assert published

    entry = ListEntry.objects.get(source=replay.source, reference_number="TAe.011")
    stored = list(entry.addresses.values_list("note", flat=True))
    for note in published:
        assert any(len(s) >= 500 and note.startswith(s) for s in stored), note[:60]


# --------------------------------------------------------------------------- 5. Iran


def test_iran_entries_delisted_in_2024_come_back_in_2025_as_the_same_entries(replay):
    exp_2021, out_2021 = replay.at("2021-03")
    iran = {ext for ext, rec in exp_2021.records.items() if rec.regime == "Iran"}
    assert len(iran) == 84  # format doc §6: the 84 Iran records of 2021
    assert not iran & set(replay.at("2024-09")[0].records)
    assert not iran & set(replay.at("2025-08")[0].records)
    exp_back, out_back = replay.at("2025-12-09")
    assert iran <= set(exp_back.records)
    assert iran == exp_back.relisted  # the only relisting in the whole replay
    assert all(not e.relisted for e in replay.expected if e.step.label != "2025-12-09")

    _, out_2024 = replay.at("2024-09")
    assert iran <= out_2024.changes["removed"]
    assert iran <= out_back.changes["relisted"]
    assert not iran & out_back.changes.get("added", set())
    for ext in iran:
        pk = out_2021.after[ext][0]
        assert out_2024.after[ext][0] == pk and not out_2024.after[ext][1]
        assert out_back.before[ext][:2] == (pk, False)
        assert out_back.after[ext][0] == pk and out_back.after[ext][1] is True and out_back.after[ext][3] is None

    entries = ListEntry.objects.filter(source=replay.source, external_id__in=iran)
    assert entries.count() == len(iran)
    assert set(entries.values_list("regime", flat=True)) == {"Iran"}
    assert all(e.is_active and e.delisted_on is None for e in entries)
    for entry in entries:
        kinds = [c for _, c in entry.changes.order_by("version_id").values_list("version_id", "change_type")]
        assert kinds[0] == "added" and "removed" in kinds and "relisted" in kinds
        assert kinds.index("removed") < kinds.index("relisted")
    # IRe.001 "7TH OF TIR", DATAID 110403 (format doc §6), followed by name.
    tir = ListEntry.objects.get(source=replay.source, external_id="110403")
    assert tir.reference_number == "IRe.001" and tir.primary_name == "7TH OF TIR" and tir.is_active


# --------------------------------------------------------------------------- 6. amendments


def amended_diffs(version: ListVersion) -> dict[str, dict]:
    return dict(EntryChange.objects.filter(version=version, change_type="amended")
                .values_list("entry__external_id", "diff"))


@pytest.mark.parametrize("label", LABELS[1:])
def test_amendments_follow_content_not_formatting(replay, label):
    exp, out = replay.at(label)
    if label == UNCHANGED_STEP:
        assert "amended" not in out.changes
        return
    diffs = amended_diffs(out.version)
    assert set(diffs) == out.changes.get("amended", set())
    common = set(exp.records) & set(exp.previous)

    # A changed COMMENTS1 (whitespace aside) is always an amendment naming "comments".
    new_comments = {ext for ext in common if exp.records[ext].comments != exp.previous[ext].comments}
    assert new_comments <= set(diffs)
    for ext in new_comments:
        assert diffs[ext]["comments"] == {"before": exp.previous[ext].comments, "after": exp.records[ext].comments}
    # A record identical but for whitespace and indentation is never an amendment.
    identical = {ext for ext in common if exp.records[ext].canon == exp.previous[ext].canon}
    assert not identical & set(diffs)
    # Every diff names at least one field, with different values on each side.
    for ext, diff in diffs.items():
        assert diff and all(change["before"] != change["after"] for change in diff.values()), ext


def test_qdi_065_amendment_has_a_field_level_diff(replay):
    """Format doc §6: QDi.065 gained 2025-10-06 and 2025-10-21 and a new COMMENTS1 sentence."""
    exp, out = replay.at("2025-12-09")
    [ext] = [e for e, rec in exp.records.items() if rec.reference == "QDi.065"]
    assert exp.records[ext].comments != exp.previous[ext].comments

    change = EntryChange.objects.get(version=out.version, entry__external_id=ext)
    assert change.change_type == "amended"
    assert change.diff["comments"] == {"before": exp.previous[ext].comments, "after": exp.records[ext].comments}
    assert change.diff["amended_on"]["before"] == list(exp.previous[ext].amended_on)
    assert change.diff["amended_on"]["after"] == list(exp.records[ext].amended_on)
    assert {"2025-10-06", "2025-10-21"} <= set(change.diff["amended_on"]["after"]) - set(
        change.diff["amended_on"]["before"])
    entry = change.entry
    assert entry.comments.split() == exp.records[ext].comments.split()
    assert entry.amended_on == list(exp.records[ext].amended_on)


def test_changed_alias_list_is_an_amendment_naming_names(replay):
    found = 0
    for exp, out in zip(replay.expected[1:], replay.outcomes[1:]):
        common = set(exp.records) & set(exp.previous)
        changed = sorted(ext for ext in common if exp.records[ext].aliases != exp.previous[ext].aliases)
        if not changed:
            continue
        diffs = amended_diffs(out.version)
        for ext in changed:
            assert ext in diffs, (exp.step.label, exp.records[ext].reference)
            names = diffs[ext]["names"]
            aliases = {side: {row["name"] for row in names[side] if row["kind"] == "alias"}
                       for side in ("before", "after")}
            assert aliases == {"before": set(exp.previous[ext].aliases), "after": set(exp.records[ext].aliases)}
            found += 1
        # The entry's stored names follow the newest version.
        last = changed[0]
        stored = set(ListEntry.objects.get(source=replay.source, external_id=last).names
                     .filter(kind="alias").values_list("name", flat=True))
        latest = next(e.records[last] for e in reversed(replay.expected) if last in e.records)
        assert stored == set(latest.aliases)
    assert found > 0


# --------------------------------------------------------------------------- 7. refusals (own source)


@pytest.fixture
def own_un_source(db):
    """A UN source of its own, empty, so these tests do not depend on the replay (or on test order)."""
    return ListSource.objects.create(slug="un-sc-own", name="UN list (test copy)", authority="UN Security Council",
                                     kind="un_consolidated")


def change_rows(source: ListSource) -> int:
    return EntryChange.objects.filter(entry__source=source).count()


def test_biggest_delisting_step_is_refused_without_force_and_changes_nothing(own_un_source):
    expected = expected_history()
    ratios = [(len(e.removed) / len(e.active_before), i) for i, e in enumerate(expected) if e.active_before]
    ratio, index = max(ratios)
    assert ratio > MAX_REMOVAL_RATIO and STEPS[index].label == "2024-09"  # Iran leaving: 167 of 1,004
    source = own_un_source
    base = list_sync(source=source, location=str(UN_DATA / STEPS[index - 1].path))
    assert base.status == "applied"
    before, rows_before = entry_state(source), change_rows(source)

    refused = list_sync(source=source, location=str(UN_DATA / STEPS[index].path))

    refused.refresh_from_db()
    assert refused.status == "rejected"
    assert refused.applied_at is None
    exp = expected[index]
    assert f"{len(exp.removed)} of {len(exp.active_before)}" in refused.error
    assert "force" in refused.error
    assert entry_state(source) == before
    assert change_rows(source) == rows_before
    assert not EntryChange.objects.filter(version=refused).exists()
    assert last_applied_version(source).pk == base.pk


def test_corrupt_copy_after_a_good_version_is_rejected_and_changes_nothing(own_un_source):
    try:
        ET.parse(CORRUPT_COPY)
    except ET.ParseError as exc:
        line, column = exc.position  # 53, 10 according to SOURCES.md
    else:
        pytest.fail("the corrupt copy parsed")
    assert (line, column) == (53, 10)
    source = own_un_source
    good = list_sync(source=source, location=str(UN_DATA / STEPS[LABELS.index("2025-08")].path))
    assert good.status == "applied"
    before, rows_before = entry_state(source), change_rows(source)
    active_before = set(ListEntry.objects.filter(source=source, is_active=True).values_list("pk", "updated_at"))

    version = list_sync(source=source, location=str(CORRUPT_COPY))

    version.refresh_from_db()
    assert version.status == "rejected"
    assert f"line {line}, column {column}" in version.error
    assert version.applied_at is None and version.fetched_from == str(CORRUPT_COPY)
    assert set(ListEntry.objects.filter(source=source, is_active=True).values_list("pk", "updated_at")) \
        == active_before
    assert len(active_before) == 684 + 195
    assert entry_state(source) == before
    assert change_rows(source) == rows_before
    assert last_applied_version(source).pk == good.pk

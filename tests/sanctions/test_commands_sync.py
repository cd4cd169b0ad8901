"""The sync commands as an operator or a scheduler uses them: `sync_un_list` and `sync_list`.

Exit codes (sanctions/management/sync_command.py): 0 applied or unchanged, 2 rejected, 1 when the
list could not be fetched (or the command was misused). With --json the last line of stdout is one
JSON object: status, added, amended, removed, relisted, active, content_sha256, plus the extra keys
version_id (always) and error (when the version has one); a failed fetch gives them all too.

Most tests run the commands in-process (call_command, catching SystemExit for the exit code);
`test_exit_codes_and_stderr_of_the_real_process` runs them as processes against a migrated
SQLite file, to check what a shell actually sees.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from sanctions.models import EntryChange, ListEntry, ListEntryName, ListSource, ListVersion, Vessel
from sanctions.services import last_applied_version

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
UN_DATA = SHARED_DATA / "un"
OFAC_BENCH = SHARED_DATA / "ofac" / "moov-io__watchman__bench"
SEED = REPO_ROOT / "seeds" / "un_consolidated_sample.xml"
CORRUPT_COPY = UN_DATA / "_corrupted__wallblue4__sagrilaft-app" / "consolidated.xml"
UN_2025_12_09 = UN_DATA / "haverisenosku__pakote_data" / "2025-12-09_df66289" / "un.xml"
UN_2025_12_10 = UN_DATA / "haverisenosku__pakote_data" / "2025-12-10_ff39c73" / "un.xml"
UN_2026_01_28 = UN_DATA / "haverisenosku__pakote_data" / "2026-01-28_8e464ed" / "un.xml"
UN_2026_05_08 = UN_DATA / "TuaMaley__New-AML-TMS" / "un_sanctions.xml"
DPRK_PROGRAMS = ["DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"]

REQUIRED_KEYS = {"status", "added", "amended", "removed", "relisted", "active", "content_sha256"}
EXTRA_KEYS = {"version_id"}  # always; "error" too when the version has one


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        last = self.stdout.splitlines()[-1]
        value = json.loads(last)
        assert isinstance(value, dict), last
        return value


def run(command: str, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return Run(code, out.getvalue(), err.getvalue())


def record_count(path: Path) -> int:
    root = ET.parse(path).getroot()
    return len(root.findall("INDIVIDUALS/INDIVIDUAL")) + len(root.findall("ENTITIES/ENTITY"))


def parse_error_position(path: Path) -> tuple[int, int]:
    try:
        ET.parse(path)
    except ET.ParseError as exc:
        return exc.position
    raise AssertionError(f"{path} parsed")


def world_state() -> tuple:
    """Everything a sync may change in the list, to check that a refused one changed nothing."""
    return (
        sorted(ListEntry.objects.values_list("pk", "external_id", "is_active", "delisted_on", "updated_at")),
        EntryChange.objects.count(),
        last_applied_version(ListSource.objects.get(slug="un-sc")),
    )


def assert_summary_keys(summary: dict, *, error: bool = False) -> None:
    assert set(summary) == REQUIRED_KEYS | EXTRA_KEYS | ({"error"} if error else set())
    assert re.fullmatch(r"[0-9a-f]{64}", summary["content_sha256"])
    assert all(isinstance(summary[k], int) for k in ("added", "amended", "removed", "relisted", "active"))


# --------------------------------------------------------------------------- sync_un_list


def test_seed_is_applied_then_unchanged_with_json_summary(db, tmp_path):
    expected = record_count(SEED)

    first = run("sync_un_list", "--file", str(SEED), "--json")

    assert first.code == 0 and first.stderr == ""
    assert len(first.stdout.splitlines()) == 2  # the human line, then the JSON
    assert first.stdout.splitlines()[0] == (
        f"un-sc: applied ({expected} added, 0 amended, 0 removed, 0 relisted; {expected} active).")
    summary = first.json
    assert_summary_keys(summary)
    assert summary["status"] == "applied"
    assert (summary["added"], summary["amended"], summary["removed"], summary["relisted"], summary["active"]) == (
        expected, 0, 0, 0, expected)
    version = ListVersion.objects.get(pk=summary["version_id"])
    assert version.content_sha256 == summary["content_sha256"]
    assert version.fetched_from == str(SEED.resolve())
    assert ListEntry.objects.filter(is_active=True).count() == expected
    state = world_state()

    second = run("sync_un_list", "--file", str(SEED), "--json")

    assert second.code == 0 and second.stderr == ""
    assert second.stdout.splitlines()[0] == f"un-sc: unchanged ({expected} active)."
    again = second.json
    assert_summary_keys(again)
    assert again["status"] == "unchanged"
    assert (again["added"], again["amended"], again["removed"], again["relisted"], again["active"]) == (
        0, 0, 0, 0, expected)
    assert again["content_sha256"] == summary["content_sha256"]
    assert again["version_id"] != summary["version_id"]
    assert world_state() == state

    # Regenerated by the publisher (another dateGenerated, same content): still unchanged.
    regenerated = tmp_path / "regenerated.xml"
    regenerated.write_bytes(re.sub(rb'dateGenerated="[^"]*"', b'dateGenerated="2030-01-01T00:00:00Z"',
                                   SEED.read_bytes(), count=1))
    third = run("sync_un_list", "--file", str(regenerated), "--json")
    assert third.code == 0 and third.json["status"] == "unchanged"
    assert third.json["content_sha256"] == summary["content_sha256"]
    assert world_state() == state


def test_real_copies_give_the_right_numbers(db):
    first = run("sync_un_list", "--file", str(UN_2025_12_09), "--json")
    assert first.code == 0, first.stderr
    assert_summary_keys(first.json)
    assert (first.json["status"], first.json["added"], first.json["active"]) == ("applied", 1000, 1000)
    assert record_count(UN_2025_12_09) == 1000

    # IQi.074 leaves the list on 2025-12-10.
    second = run("sync_un_list", "--file", str(UN_2025_12_10), "--json")
    assert second.code == 0, second.stderr
    summary = second.json
    assert_summary_keys(summary)
    assert (summary["status"], summary["added"], summary["amended"], summary["removed"], summary["relisted"],
            summary["active"]) == ("applied", 0, 0, 1, 0, 999)
    assert ListEntry.objects.get(reference_number="IQi.074").is_active is False

    # 2026-01-28 differs only in dateGenerated.
    third = run("sync_un_list", "--file", str(UN_2026_01_28), "--json")
    assert third.code == 0
    assert (third.json["status"], third.json["active"]) == ("unchanged", 999)
    assert third.json["content_sha256"] == summary["content_sha256"]


def test_corrupt_copy_exits_2_with_one_line_saying_where_and_changes_nothing(db):
    line, column = parse_error_position(CORRUPT_COPY)
    assert run("sync_un_list", "--file", str(SEED)).code == 0
    state = world_state()

    result = run("sync_un_list", "--file", str(CORRUPT_COPY), "--json")

    assert result.code == 2
    [message] = result.stderr.splitlines()
    assert message.startswith("un-sc: rejected: ")
    assert f"line {line}, column {column}" in message
    summary = result.json
    assert_summary_keys(summary, error=True)
    assert summary["status"] == "rejected" and f"line {line}, column {column}" in summary["error"]
    assert (summary["added"], summary["amended"], summary["removed"], summary["relisted"]) == (0, 0, 0, 0)
    assert len(result.stdout.splitlines()) == 1  # only the JSON: the reason went to stderr
    assert world_state() == state
    assert ListVersion.objects.get(pk=summary["version_id"]).status == "rejected"


def test_rejected_summary_reports_the_entries_that_stay_active(db, tmp_path):
    assert run("sync_un_list", "--file", str(SEED)).code == 0
    still_active = ListEntry.objects.filter(is_active=True).count()
    half = tmp_path / "half.xml"
    trimmed_copy(SEED, half)

    unreadable = run("sync_un_list", "--file", str(CORRUPT_COPY), "--json")
    refused = run("sync_un_list", "--file", str(half), "--json")

    assert (unreadable.code, refused.code) == (2, 2)
    assert (unreadable.json["active"], refused.json["active"]) == (still_active, still_active)


def trimmed_copy(source: Path, target: Path) -> tuple[int, int]:
    """Write `source` without every second INDIVIDUAL and ENTITY; return (kept, dropped)."""
    tree = etree.parse(str(source))
    kept = dropped = 0
    for container in tree.getroot():
        for index, record in enumerate(list(container)):
            if index % 2:
                container.remove(record)
                dropped += 1
            else:
                kept += 1
    tree.write(str(target), xml_declaration=True, encoding="UTF-8")
    return kept, dropped


def test_version_dropping_half_the_list_needs_force(db, tmp_path):
    full = record_count(UN_2026_05_08)
    half = tmp_path / "half.xml"
    kept, dropped = trimmed_copy(UN_2026_05_08, half)
    assert kept + dropped == full and record_count(half) == kept and dropped >= full // 2
    assert run("sync_un_list", "--file", str(UN_2026_05_08)).code == 0
    state = world_state()

    refused = run("sync_un_list", "--file", str(half), "--json")

    assert refused.code == 2
    [message] = refused.stderr.splitlines()
    assert f"would delist {dropped} of {full} active entries" in message and "force" in message
    assert refused.json["status"] == "rejected"
    assert_summary_keys(refused.json, error=True)
    assert world_state() == state

    forced = run("sync_un_list", "--file", str(half), "--json", "--force")

    assert forced.code == 0, forced.stderr
    summary = forced.json
    assert_summary_keys(summary)
    assert (summary["status"], summary["added"], summary["amended"], summary["removed"], summary["relisted"],
            summary["active"]) == ("applied", 0, 0, dropped, 0, kept)
    assert ListEntry.objects.filter(is_active=False).count() == dropped
    assert EntryChange.objects.filter(version_id=summary["version_id"], change_type="removed").count() == dropped


def test_missing_file_exits_1_with_one_line(db, tmp_path):
    missing = tmp_path / "missing.xml"

    plain = run("sync_un_list", "--file", str(missing))

    assert plain.code == 1
    assert plain.stdout == ""
    [message] = plain.stderr.splitlines()
    assert message.startswith("Sync failed: Cannot read ") and str(missing) in message

    as_json = run("sync_un_list", "--file", str(missing), "--json")
    assert as_json.code == 1
    assert as_json.json["error"] == message.removeprefix("Sync failed: ")
    assert not ListEntry.objects.exists()
    assert set(ListVersion.objects.values_list("status", flat=True)) == {"failed"}  # the trace of the attempt


def test_failed_fetch_summary_has_every_key_and_the_entries_still_in_force(db, tmp_path):
    assert run("sync_un_list", "--file", str(SEED)).code == 0
    missing = tmp_path / "missing.xml"

    failed = run("sync_un_list", "--url", missing.as_uri(), "--json")

    assert failed.code == 1
    version = ListVersion.objects.latest("id")
    assert failed.json == {
        "status": "failed", "added": 0, "amended": 0, "removed": 0, "relisted": 0,
        "active": record_count(SEED),  # what stays in force
        "content_sha256": None,  # nothing was downloaded
        "version_id": version.pk, "error": version.error,
    }
    assert version.status == "failed" and str(missing) in version.error


def test_malformed_url_exits_1_with_one_line_and_is_recorded_as_failed(db):
    as_json = run("sync_un_list", "--url", "https://[::1/list.xml", "--json")

    assert as_json.code == 1
    [message] = as_json.stderr.splitlines()
    assert message == "Sync failed: not a valid URL: 'https://[::1/list.xml' (Invalid IPv6 URL)"
    assert as_json.json["status"] == "failed" and as_json.json["error"] == message.removeprefix("Sync failed: ")
    version = ListVersion.objects.get()
    assert (version.status, version.fetched_from, version.error) == (
        "failed", "https://[::1/list.xml", as_json.json["error"]
    )


# --------------------------------------------------------------------------- sync_list


def ofac_rows(name: str, directory: Path = OFAC_BENCH) -> list[list[str]]:
    text = (directory / name).read_text(encoding="latin-1")
    return [row for row in csv.reader(text.splitlines()) if row and row[0].strip() != "\x1a"]


def programs_of(cell: str) -> set[str]:
    return {part.strip(" []") for part in re.split(r"\]\s*\[", cell) if part.strip(" []")}


def imo_valid(number: str) -> bool:
    return sum(int(d) * w for d, w in zip(number[:6], range(7, 1, -1))) % 10 == int(number[6])


def ofac_null(cell: str) -> str:
    return "" if cell.strip() == "-0-" else " ".join(cell.split())


@pytest.fixture
def dprk_only(settings):
    settings.OFAC_SDN_PROGRAMS = DPRK_PROGRAMS


def test_sync_list_ofac_sdn_applies_vessels_and_reads_companion_files(db, dprk_only):
    sdn = [row for row in ofac_rows("sdn.csv") if programs_of(row[3]) & set(DPRK_PROGRAMS)]
    kept = [row for row in sdn if row[2] != "aircraft"]
    vessels = {row[0]: row for row in kept if row[2] == "vessel"}
    imo_of = {}
    for ent_num, row in vessels.items():
        match = re.search(r"Vessel Registration Identification (IMO )?(\d{7})\b", row[11])
        if match and imo_valid(match[2]):
            imo_of[ent_num] = match[2]
    # SOURCES.md: 106 DPRK vessels, 105 with "IMO nnnnnnn"; RYONG GUN BONG gives its IMO number
    # (8606173, valid check digit) without the "IMO" label, and counts as one too.
    assert (len(vessels), len(imo_of)) == (106, 106)
    assert sum("Identification IMO " in row[11] for row in vessels.values()) == 105

    result = run("sync_list", "--source", "ofac-sdn", "--file", str(OFAC_BENCH / "sdn.csv"), "--json")

    assert result.code == 0, result.stderr
    summary = result.json
    assert_summary_keys(summary)
    assert (summary["status"], summary["added"], summary["active"]) == ("applied", len(kept), len(kept))
    source = ListSource.objects.get(slug="ofac-sdn")
    version = ListVersion.objects.get(pk=summary["version_id"])
    assert version.source == source and version.vessel_count == len(vessels)
    assert set(source.entries.filter(kind="vessel").values_list("external_id", flat=True)) == set(vessels)

    # One Vessel per listed IMO number, linked to its entry, with one open list-based identity.
    assert set(Vessel.objects.exclude(imo_number=None).values_list("imo_number", flat=True)) == set(imo_of.values())
    for ent_num, imo in imo_of.items():
        vessel = Vessel.objects.get(imo_number=imo)
        entry = source.entries.get(external_id=ent_num)
        assert list(vessel.list_entries.all()) == [entry]
        assert vessel.name == entry.primary_name == " ".join(vessels[ent_num][1].split())
        [period] = vessel.identities.all()
        assert (period.basis, period.name, period.valid_to) == ("list", vessel.name, None)
        assert entry.reference_number in period.source_note
    chong_chon_gang = Vessel.objects.get(imo_number="7937317")
    assert chong_chon_gang.name == "CHONG CHON GANG" and chong_chon_gang.flag == "KP"
    assert chong_chon_gang.identities.get().flag == "KP"

    # alt.csv and add.csv were read from beside sdn.csv.
    wanted = {row[0] for row in kept}
    alt = [(row[0], ofac_null(row[3])) for row in ofac_rows("alt.csv") if row[0] in wanted and ofac_null(row[3])]
    assert len(alt) > 300
    aliases = set(ListEntryName.objects.filter(entry__source=source, kind="alias")
                  .values_list("entry__external_id", "name"))
    assert set(alt) <= aliases
    with_address = {row[0] for row in ofac_rows("add.csv")
                    if row[0] in wanted and any(ofac_null(cell) for cell in row[2:5])}
    assert with_address
    assert with_address <= set(source.entries.filter(addresses__isnull=False).values_list("external_id", flat=True))


def test_sync_list_without_companion_files_has_no_alt_csv_aliases(db, dprk_only, tmp_path):
    shutil.copy(OFAC_BENCH / "sdn.csv", tmp_path / "sdn.csv")
    alt_names = {ofac_null(row[3]) for row in ofac_rows("alt.csv")} - {""}

    result = run("sync_list", "--source", "ofac-sdn", "--file", str(tmp_path / "sdn.csv"), "--json")

    assert result.code == 0, result.stderr
    assert result.json["status"] == "applied"
    names = set(ListEntryName.objects.filter(entry__source__slug="ofac-sdn", kind="alias")
                .values_list("name", flat=True))
    assert not names & alt_names
    assert not ListEntry.objects.filter(source__slug="ofac-sdn", addresses__kind="address").exists()


def test_sync_list_unknown_source_fails_with_a_clear_message(db):
    with pytest.raises(CommandError) as error:
        call_command("sync_list", "--source", "nope", stdout=io.StringIO(), stderr=io.StringIO())

    known = ", ".join(sorted(spec.slug for spec in settings.LIST_SOURCES))
    assert str(error.value) == f"Unknown source 'nope'; known sources: {known}."
    assert not ListVersion.objects.exists()


# --------------------------------------------------------------------------- as processes


@pytest.fixture(scope="module")
def process_env(tmp_path_factory):
    """A migrated SQLite file of its own: the processes cannot see the test database."""
    database = tmp_path_factory.mktemp("commands") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_exit_codes_and_stderr_of_the_real_process(process_env, tmp_path):
    line, column = parse_error_position(CORRUPT_COPY)

    missing = manage(process_env, "sync_un_list", "--file", str(tmp_path / "missing.xml"))
    assert missing.returncode == 1
    assert missing.stdout == "" and len(missing.stderr.splitlines()) == 1
    assert missing.stderr.startswith("Sync failed: Cannot read ")

    malformed = manage(process_env, "sync_un_list", "--url", "https://[::1/list.xml")
    assert malformed.returncode == 1
    assert malformed.stdout == "" and malformed.stderr.startswith("Sync failed: not a valid URL: ")
    assert len(malformed.stderr.splitlines()) == 1  # no traceback

    corrupt = manage(process_env, "sync_un_list", "--file", str(CORRUPT_COPY), "--json")
    assert corrupt.returncode == 2
    [message] = corrupt.stderr.splitlines()
    assert message.startswith("un-sc: rejected: ") and f"line {line}, column {column}" in message
    assert json.loads(corrupt.stdout.splitlines()[-1])["status"] == "rejected"

    unknown = manage(process_env, "sync_list", "--source", "nope")
    assert unknown.returncode == 1
    known = ", ".join(sorted(spec.slug for spec in settings.LIST_SOURCES))
    assert unknown.stderr.strip() == f"CommandError: Unknown source 'nope'; known sources: {known}."

    seed = manage(process_env, "sync_un_list", "--file", str(SEED), "--json")
    assert seed.returncode == 0 and seed.stderr == ""
    summary = json.loads(seed.stdout.splitlines()[-1])
    assert summary["status"] == "applied" and summary["added"] == summary["active"] == record_count(SEED)

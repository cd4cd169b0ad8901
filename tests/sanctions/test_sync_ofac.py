"""OFAC SDN syncs and the vessels they curate: `list_sync` on the real copy of sdn.csv (alt.csv,
add.csv and sdn_comments.csv read from beside it), then on edited copies in tmp_path: a vessel
renamed and reflagged (amended, identity history kept), a vessel dropped (delisted, hull kept), a
vessel that names another hull or none (the old hull unlinked, its history kept).

The real copy is read in place from shared/data; edited copies go to tmp_path only."""
from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from sanctions.api.filters import VesselExportFilterSet
from sanctions.choices import VesselPartyRole
from sanctions.fetch import PermanentFetchError, TransientFetchError
from sanctions.identifiers import check_imo
from sanctions.models import (
    EntryChange,
    ListEntry,
    ListSource,
    ListVersion,
    Vessel,
    VesselIdentityPeriod,
    VesselParty,
)
from sanctions.parsers.ofac_sdn import DPRK_PROGRAMS
from sanctions.services import list_sync
from tests.sanctions.http_server import Reply, conditional, http_server  # noqa: F401 - fixture

WATCHMAN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ofac" / "moov-io__watchman__bench"
FILES = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
# In this copy, under the default DPRK programs: 398 records, 106 of them vessels, every one with
# a valid IMO number (no two alike), 87 with "Linked To:" parties (all of them listed themselves).
DPRK_RECORDS = 398
DPRK_VESSELS = 106


@pytest.fixture(scope="module")
def real_copy() -> Path:
    if not all((WATCHMAN / name).is_file() for name in FILES):
        pytest.skip(f"the OFAC copy is not at {WATCHMAN}")
    return WATCHMAN / "sdn.csv"


@pytest.fixture
def ofac(db) -> ListSource:
    return ListSource.objects.get(slug="ofac-sdn")


@pytest.fixture
def synced(ofac, real_copy, settings) -> ListVersion:
    """The copy under the DPRK programs (the vessel curation tests count that subset); every
    program is the default, tested on its own below."""
    settings.OFAC_SDN_PROGRAMS = sorted(DPRK_PROGRAMS)
    version = list_sync(source=ofac, location=str(real_copy))
    assert version.status == "applied", version.error
    return version


def raw_counts(path: Path) -> tuple[int, int, set[str]]:
    """Records (aircraft are not kept), vessel records and the valid IMO numbers of vessels in a raw
    sdn.csv, read with the csv module: what a sync of every program must give."""
    rows = [row for row in csv.reader(io.StringIO(path.read_bytes().decode("latin-1"))) if len(row) == 12]
    kinds = Counter(row[2].strip().lower() for row in rows)
    hulls = set()
    for row in rows:
        if row[2].strip().lower() == "vessel":
            # "Vessel Registration Identification IMO 9179842", once without the "IMO" (RYONG GUN BONG)
            hulls.update(n for n in re.findall(r"(?:IMO|Identification) (\d{7})", row[11]) if check_imo(n).valid)
    return len(rows) - kinds["aircraft"], kinds["vessel"], hulls


def test_every_program_is_kept_by_default_and_each_vessel_becomes_a_vessel_row(ofac, real_copy):
    records, vessels, hulls = raw_counts(real_copy)
    version = list_sync(source=ofac, location=str(real_copy))

    assert version.status == "applied", version.error
    assert (version.record_count, version.vessel_count) == (records, vessels)
    assert set(Vessel.objects.values_list("imo_number", flat=True)) == hulls
    assert ListEntry.objects.filter(source=ofac, programs__code="RUSSIA-EO14024").exists()
    programs = {code for codes in ListEntry.objects.filter(source=ofac).values_list("list_types", flat=True)
                for code in codes}
    assert set(ListEntry.objects.filter(source=ofac).values_list("programs__code", flat=True)) == programs


def vessel(imo: str) -> Vessel:
    return Vessel.objects.get(imo_number=imo)


def edited_copy(tmp_path: Path, edit) -> Path:
    """The four files copied into tmp_path, sdn.csv passed through edit(lines) -> lines."""
    for name in FILES[1:]:
        shutil.copyfile(WATCHMAN / name, tmp_path / name)
    lines = (WATCHMAN / "sdn.csv").read_bytes().split(b"\r\n")
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join(edit(lines)))
    return tmp_path / "sdn.csv"


def replace_row(ent_num: str, *replacements: tuple[bytes, bytes]):
    def edit(lines: list[bytes]) -> list[bytes]:
        rows = [i for i, line in enumerate(lines) if line.startswith(ent_num.encode() + b",")]
        assert len(rows) == 1
        for old, new in replacements:
            assert lines[rows[0]].count(old) == 1, old
            lines[rows[0]] = lines[rows[0]].replace(old, new)
        return lines

    return edit


def drop_row(ent_num: str):
    def edit(lines: list[bytes]) -> list[bytes]:
        kept = [line for line in lines if not line.startswith(ent_num.encode() + b",")]
        assert len(kept) == len(lines) - 1
        return kept

    return edit


# --- The real copy ---------------------------------------------------------------------------------
# One sync of the real copy takes seconds, so the checks on its result share one test.

PARTICULARS = [  # imo, ent_num, name, flag, vessel type, deadweight tonnage (the Tonnage column)
    ("7937317", "17069", "CHONG CHON GANG", "KP", "General Cargo", None),
    ("9110236", "18346", "DAWNLIGHT", "MN", "General Cargo", None),
    ("9020003", "23764", "HUA FU", "PA", "", 10030),  # "10,030" in the Tonnage column, no GRT
    ("9003550", "24508", "PATRIOT", "RU", "", None),
    ("9004700", "23776", "XIN GUANG HAI", "", "", 7067),  # no flag published
]


def test_real_copy_creates_vessel_entries_and_vessels(synced, real_copy):
    assert (synced.record_count, synced.vessel_count, synced.added_count) == (DPRK_RECORDS, DPRK_VESSELS, DPRK_RECORDS)
    assert ListEntry.objects.filter(source=synced.source, kind="vessel", is_active=True).count() == DPRK_VESSELS
    assert Vessel.objects.count() == DPRK_VESSELS

    # Every vessel: a valid IMO, linked to its entry, one list-based identity period.
    for hull in Vessel.objects.prefetch_related("list_entries", "identities"):
        assert check_imo(hull.imo_number).valid and check_imo(hull.imo_number).normalized == hull.imo_number
        (entry,) = hull.list_entries.all()
        assert entry.kind == "vessel" and entry.is_active and entry.source == synced.source
        assert entry.primary_name == hull.name
        assert entry.identifiers.filter(type="imo", normalized=hull.imo_number, is_valid=True).exists()
        (period,) = hull.identities.all()
        assert period.basis == "list" and period.valid_from is None and period.valid_to is None
        assert (period.name, period.flag, period.call_sign) == (hull.name, hull.flag, hull.call_sign)
        assert period.source_note == f"{synced.source.name}, {entry.reference_number}"

    # Particulars as published.
    for imo, ent_num, name, flag, vessel_type, tonnage in PARTICULARS:
        hull = vessel(imo)
        assert (hull.name, hull.flag.code or "", hull.vessel_type, hull.deadweight_tonnage, hull.gross_tonnage) == (
            name, flag, vessel_type, tonnage, None  # the DPRK subset publishes no GRT
        ), imo
        assert hull.list_entries.get().reference_number == f"OFAC-{ent_num}"
        assert hull.created_by is None and hull.mmsi == "" and hull.call_sign == ""

    # "Linked To:" parties, pointing at their own list entries.
    parties = list(vessel("8126070").parties.order_by("id"))  # SHANG YUAN BAO
    assert [p.list_entry.primary_name for p in parties] == [
        "HUANG, Wang Ken", "CHEN, Mei Hsiang", "JUI CHENG SHIPPING COMPANY LIMITED", "JUI PANG SHIPPING CO LTD",
        "JUI ZONG SHIP MANAGEMENT CO LTD",
    ]
    assert {p.list_entry.kind for p in parties} == {"individual", "entity"}
    assert all(p.role == VesselPartyRole.LINKED_TO and p.name == "" for p in parties)
    assert all(p.source_note == "from list sync: OFAC-26933" for p in parties)
    patriot = vessel("9003550").parties.order_by("id")
    assert [p.list_entry.primary_name for p in patriot] == [
        "PRIMORYE MARITIME LOGISTICS CO LTD", "GUDZON SHIPPING CO LLC"
    ]
    assert Vessel.objects.filter(parties__isnull=False).distinct().count() == 87
    assert not VesselParty.objects.filter(list_entry__isnull=True).exists()  # every DPRK party is listed
    assert not VesselParty.objects.exclude(role=VesselPartyRole.LINKED_TO).exists()  # no owners in this subset

    # The same copy again: unchanged, and no vessel, period or party touched.
    before = list(Vessel.objects.order_by("id").values_list("id", "updated_at"))
    party_ids = list(VesselParty.objects.order_by("id").values_list("id", flat=True))
    again = list_sync(source=synced.source, location=str(real_copy))
    assert again.status == "unchanged" and again.content_sha256 == synced.content_sha256
    assert list(Vessel.objects.order_by("id").values_list("id", "updated_at")) == before
    assert list(VesselParty.objects.order_by("id").values_list("id", flat=True)) == party_ids
    assert VesselIdentityPeriod.objects.count() == DPRK_VESSELS


def test_vessels_with_call_sign_owner_and_tonnage(ofac, real_copy, settings):
    """The DPRK subset publishes no call signs, owners or GRT; the IRAN program does."""
    settings.OFAC_SDN_PROGRAMS = ["IRAN"]

    version = list_sync(source=ofac, location=str(real_copy))

    assert version.status == "applied" and version.vessel_count == 199
    sabiti = Vessel.objects.get(list_entries__external_id="15077")
    assert (sabiti.name, sabiti.call_sign, sabiti.flag.code, sabiti.vessel_type) == (
        "SABITI", "5IM591", "PA", "Crude Oil Tanker"
    )
    assert (sabiti.gross_tonnage, sabiti.deadweight_tonnage) == (81479, 159681)  # the GRT and Tonnage columns
    assert sabiti.identities.get().call_sign == "5IM591"

    starla = Vessel.objects.get(list_entries__external_id="15902")
    owner = starla.parties.get(role=VesselPartyRole.OWNER)
    assert (owner.name, owner.list_entry) == ("NITC", None)  # not itself a listed name
    linked = starla.parties.get(role=VesselPartyRole.LINKED_TO)
    assert linked.list_entry.primary_name == "NATIONAL IRANIAN TANKER COMPANY" and linked.name == ""

    happiness = Vessel.objects.get(list_entries__external_id="15055")
    assert sorted((p.list_entry.primary_name if p.list_entry else p.name) for p in happiness.parties.all()) == [
        "HOKOUL SAL OFFSHORE", "NATIONAL IRANIAN TANKER COMPANY"
    ]
    assert happiness.parties.get(name="HOKOUL SAL OFFSHORE").list_entry is None


# --- Edited copies -----------------------------------------------------------------------------------


def test_renamed_and_reflagged_vessel_is_amended_with_a_new_identity_period(synced, tmp_path):
    hua_fu = vessel("9020003")
    first_period = hua_fu.identities.get()
    other_periods = sorted(VesselIdentityPeriod.objects.exclude(vessel=hua_fu).values_list("id", "valid_to"))
    copy = edited_copy(tmp_path, replace_row(
        "23764", (b'"HUA FU"', b'"HUA FU 8"'), (b'"Panama"', b'"Sierra Leone"'),
    ))

    version = list_sync(source=synced.source, location=str(copy))

    assert version.status == "applied", version.error
    assert (version.added_count, version.amended_count, version.removed_count) == (0, 1, 0)
    change = EntryChange.objects.get(version=version)
    assert change.change_type == "amended" and change.entry.external_id == "23764"
    assert change.diff["primary_name"] == {"before": "HUA FU", "after": "HUA FU 8"}
    vessel_diff = change.diff["vessel"]
    assert (vessel_diff["before"]["flag"], vessel_diff["after"]["flag"]) == ("Panama", "Sierra Leone")
    assert (vessel_diff["before"]["flag_code"], vessel_diff["after"]["flag_code"]) == ("PA", "SL")
    assert set(change.diff) <= {"primary_name", "names", "vessel"}

    hull = Vessel.objects.get(pk=hua_fu.pk)
    assert (hull.imo_number, hull.name, hull.flag.code, hull.deadweight_tonnage) == ("9020003", "HUA FU 8", "SL", 10030)
    assert hull.list_entries.get().pk == change.entry.pk
    old, new = hull.identities.order_by("id")
    assert old.pk == first_period.pk
    assert (old.name, old.flag.code, old.valid_from, old.valid_to) == ("HUA FU", "PA", None, version.applied_at.date())
    assert (new.name, new.flag.code, new.valid_from, new.valid_to) == (
        "HUA FU 8", "SL", version.applied_at.date(), None
    )
    assert new.basis == "list" and new.source_note.endswith("OFAC-23764")
    # Nothing else moved.
    assert sorted(VesselIdentityPeriod.objects.exclude(vessel=hua_fu).values_list("id", "valid_to")) == other_periods
    assert Vessel.objects.count() == DPRK_VESSELS
    assert [p.list_entry.primary_name for p in hull.parties.all()] == ["CHANG AN SHIPPING & TECHNOLOGY"]

    again = list_sync(source=synced.source, location=str(copy))
    assert again.status == "unchanged" and hull.identities.count() == 2


def test_vessel_dropped_from_the_list_is_delisted_and_the_hull_stays(synced, tmp_path, real_copy):
    patriot = vessel("9003550")
    entry = patriot.list_entries.get()
    parties = sorted(patriot.parties.values_list("id", flat=True))
    copy = edited_copy(tmp_path, drop_row("24508"))

    version = list_sync(source=synced.source, location=str(copy))

    assert version.status == "applied", version.error
    assert (version.added_count, version.amended_count, version.removed_count) == (0, 0, 1)
    entry.refresh_from_db()
    assert not entry.is_active and entry.delisted_on == version.applied_at.date()
    assert EntryChange.objects.get(version=version).entry == entry
    hull = Vessel.objects.get(pk=patriot.pk)
    assert (hull.imo_number, hull.name, hull.flag.code) == ("9003550", "PATRIOT", "RU")
    assert list(hull.list_entries.all()) == [entry]  # the designation history stays linked
    assert hull.identities.get().valid_to is None
    assert sorted(hull.parties.values_list("id", flat=True)) == parties

    # Listed again: the same entry comes back (relisted) and finds the same hull.
    relisting = list_sync(source=synced.source, location=str(real_copy))
    assert relisting.status == "applied" and relisting.relisted_count == 1
    assert Vessel.objects.get(imo_number="9003550").pk == patriot.pk
    assert hull.identities.count() == 1 and Vessel.objects.count() == DPRK_VESSELS


# HUA FU (OFAC-23764, IMO 9020003, linked to CHANG AN SHIPPING & TECHNOLOGY) as a later version
# publishes it: the hull it names afterwards (None: none). 9020027 is valid and not in this copy.
HUA_FU_EDITS = {
    "imo-corrected": ((b"IMO 9020003", b"IMO 9020027"), "9020027"),
    "imo-check-digit-wrong": ((b"IMO 9020003", b"IMO 9020004"), None),
    "no-longer-a-vessel": ((b'"HUA FU","vessel"', b'"HUA FU",-0- '), None),
}


@pytest.mark.parametrize(("replacement", "named_now"), HUA_FU_EDITS.values(), ids=HUA_FU_EDITS)
def test_hull_the_record_no_longer_names_is_unlinked_with_its_history_kept(synced, tmp_path, replacement,
                                                                           named_now):
    old_hull = vessel("9020003")
    entry = old_hull.list_entries.get()
    assert old_hull.parties.exists() and not Vessel.objects.filter(imo_number="9020027").exists()
    edited = edited_copy(tmp_path, replace_row("23764", replacement))

    version = list_sync(source=synced.source, location=str(edited))

    assert version.status == "applied" and version.amended_count == 1, version.error
    assert [hull.imo_number for hull in entry.vessels.all()] == ([named_now] if named_now else [])
    assert not old_hull.list_entries.exists()
    assert not old_hull.parties.exists()  # the list named them through this entry only
    period = old_hull.identities.get()  # closed, not deleted
    assert (period.name, period.valid_from, period.valid_to) == ("HUA FU", None, version.applied_at.date())
    if named_now:
        assert [p.list_entry.primary_name for p in vessel(named_now).parties.all()] == ["CHANG AN SHIPPING & TECHNOLOGY"]
    designated = VesselExportFilterSet({"is_active": "true"}, Vessel.objects.all()).qs
    assert not designated.filter(pk=old_hull.pk).exists()

    # Delisted, then relisted: the old hull follows neither.
    (tmp_path / "dropped").mkdir()
    dropped = edited_copy(tmp_path / "dropped", drop_row("23764"))
    assert list_sync(source=synced.source, location=str(dropped)).removed_count == 1
    assert list_sync(source=synced.source, location=str(edited)).relisted_count == 1
    assert not old_hull.list_entries.exists()
    assert old_hull.identities.get().valid_to == version.applied_at.date()
    assert Vessel.objects.filter(list_entries=entry).count() == (1 if named_now else 0)


def test_hull_linked_by_hand_stays_linked_when_the_record_changes(synced, tmp_path):
    hua_fu = ListEntry.objects.get(external_id="23764")
    by_hand = Vessel.objects.create(name="HUA FU (sister ship?)")  # an analyst's link, no IMO
    by_hand.list_entries.add(hua_fu)

    list_sync(source=synced.source, location=str(edited_copy(tmp_path, replace_row(
        "23764", (b"IMO 9020003", b"IMO 9020027")))))

    assert sorted(v.imo_number or "" for v in hua_fu.vessels.all()) == ["", "9020027"]


# --- Companion files over HTTP -------------------------------------------------------------------------

SMALL_SDN = (
    b'9001,"TEST SHIP","vessel","DPRK",-0- ,-0- ,"Oil Tanker",-0- ,-0- ,"Korea, North",-0- ,'
    b'"Vessel Registration Identification IMO 9020003."\r\n'
    b'9002,"TEST SHIPPING CO","-0- ","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
)
SMALL_ALT = b'9002,1,"aka","TEST MARITIME",-0- \r\n\x1a'
SMALL_ALT_NEW = b'9002,1,"aka","TEST MARITIME",-0- \r\n9001,2,"fka","OLD TEST SHIP",-0- \r\n\x1a'
SMALL_ADD = b'9002,1,-0- ,"Pyongyang","Korea, North",-0- \r\n\x1a'


def test_companion_files_are_fetched_from_beside_sdn_csv(ofac, http_server):
    url = http_server.route("/ofac/sdn.csv", Reply(body=SMALL_SDN))
    http_server.route("/ofac/alt.csv", Reply(body=SMALL_ALT))
    http_server.route("/ofac/add.csv", Reply(body=SMALL_ADD))  # sdn_comments.csv: 404, optional

    version = list_sync(source=ofac, location=url + "?format=csv", fetch_options={"attempts": 1, "timeout": 2})

    assert version.status == "applied" and version.record_count == 2
    assert [http_server.hits[f"/ofac/{name}"] for name in FILES] == [1, 1, 1, 1]
    company = ListEntry.objects.get(external_id="9002")
    assert list(company.names.filter(kind="alias").values_list("name", flat=True)) == ["TEST MARITIME"]
    assert company.addresses.get().city == "Pyongyang"


def test_alias_added_in_alt_csv_is_applied_even_when_sdn_csv_is_unchanged(ofac, http_server):
    url = http_server.route("/ofac/sdn.csv", conditional(SMALL_SDN, etag='"sdn-1"'))
    http_server.route("/ofac/alt.csv", [Reply(body=SMALL_ALT), Reply(body=SMALL_ALT_NEW)])
    http_server.route("/ofac/add.csv", Reply(body=SMALL_ADD))
    options = {"attempts": 1, "timeout": 2}
    assert list_sync(source=ofac, location=url, fetch_options=options).status == "applied"

    second = list_sync(source=ofac, location=url, fetch_options=options)

    # OFAC's set is always fetched whole (no conditional GET): its aliases live in alt.csv.
    assert http_server.statuses("/ofac/sdn.csv") == [200, 200]
    assert second.status == "applied" and second.amended_count == 1
    ship = ListEntry.objects.get(external_id="9001")
    assert ship.names.filter(name="OLD TEST SHIP").exists()


# A remark over OFAC's 1,000-character cut: the MMSI is only in its continuation (sdn_comments.csv).
LONG_REMARKS = "Vessel Registration Identification IMO 9020003; " + "x" * 960 + "; MMSI 445123456."
LONG_SDN = (f'9001,"TEST SHIP","vessel","DPRK",-0- ,-0- ,"Oil Tanker",-0- ,-0- ,"Korea, North",-0- ,'
            f'"{LONG_REMARKS[:1000]}"\r\n\x1a').encode()
LONG_COMMENTS = f'9001,"{LONG_REMARKS[1000:]}"\r\n\x1a'.encode()


def mmsi_of(ent_num: str) -> list[str]:
    return list(ListEntry.objects.get(external_id=ent_num).identifiers.filter(type="mmsi")
                .values_list("value", flat=True))


@pytest.mark.parametrize(("failure", "raises"), [(Reply(status=503), TransientFetchError),
                                                  (Reply(status=403), PermanentFetchError)])
def test_sdn_comments_that_fails_to_download_fails_the_sync(ofac, http_server, failure, raises):
    url = http_server.route("/ofac/sdn.csv", Reply(body=LONG_SDN))
    http_server.route("/ofac/alt.csv", Reply(body=SMALL_ALT))
    http_server.route("/ofac/add.csv", Reply(body=SMALL_ADD))
    http_server.route("/ofac/sdn_comments.csv", [Reply(body=LONG_COMMENTS), failure])
    options = {"attempts": 1, "timeout": 2}
    assert list_sync(source=ofac, location=url, fetch_options=options).status == "applied"
    assert mmsi_of("9001") == ["445123456"]

    with pytest.raises(raises, match="sdn_comments.csv answered HTTP"):
        list_sync(source=ofac, location=url, fetch_options=options)

    # Recorded as failed, like a failure of sdn.csv; the remarks are not applied cut short.
    failed = ListVersion.objects.latest("id")
    assert failed.status == "failed" and "sdn_comments.csv" in failed.error
    assert mmsi_of("9001") == ["445123456"]
    assert not EntryChange.objects.filter(change_type="amended").exists()


@pytest.mark.parametrize("status", [404, 410])
def test_sdn_comments_not_published_means_no_long_remarks(ofac, http_server, status):
    url = http_server.route("/ofac/sdn.csv", Reply(body=SMALL_SDN))
    http_server.route("/ofac/alt.csv", Reply(body=SMALL_ALT))
    http_server.route("/ofac/add.csv", Reply(body=SMALL_ADD))
    http_server.route("/ofac/sdn_comments.csv", Reply(status=status))

    version = list_sync(source=ofac, location=url, fetch_options={"attempts": 1, "timeout": 2})

    assert version.status == "applied" and version.record_count == 2


def test_local_sdn_comments_that_cannot_be_read_fails_the_sync(ofac, tmp_path):
    (tmp_path / "sdn.csv").write_bytes(LONG_SDN)
    (tmp_path / "sdn_comments.csv").mkdir()  # there, but not a file

    with pytest.raises(PermanentFetchError, match="sdn_comments.csv"):
        list_sync(source=ofac, location=str(tmp_path / "sdn.csv"))

    assert ListVersion.objects.get().status == "failed"
    assert not ListEntry.objects.exists()

"""sanctions/admin_desk.py: an entry's changes and a vessel's identity put into words (no database)."""
from __future__ import annotations

import datetime

from sanctions.admin_desk import change_fields, change_summary, identity_timeline, vessel_warnings
from sanctions.models import EntryChange, Vessel, VesselIdentityPeriod


def test_list_fields_of_a_change_read_as_items_removed_and_added():
    change = EntryChange(change_type="amended", diff={
        "names": {"before": [{"name": "RI MAN GON", "kind": "primary", "quality": "", "script": "latin"}],
                  "after": [{"name": "RI MAN GON", "kind": "primary", "quality": "", "script": "latin"},
                            {"name": "리만건", "kind": "original_script", "quality": "", "script": "hangul"}]},
        "identifiers": {"before": [{"type": "passport", "type_label": "Passport", "value": "PO381214"}],
                        "after": [{"type": "passport", "type_label": "Passport", "value": "PO381215",
                                   "country": "DPRK"}]},
        "birth_dates": {"before": [{"qualifier": "exact", "year": 1945}],
                        "after": [{"qualifier": "between", "year": 1944, "year_to": 1946}]},
    })

    rows = {row.field: row for row in change_fields(change)}

    assert (rows["names"].removed, rows["names"].added) == ([], ["리만건 (original script, hangul)"])
    assert (rows["identifiers"].removed, rows["identifiers"].added) == (["Passport PO381214"],
                                                                        ["Passport PO381215, DPRK"])
    assert (rows["birth_dates"].removed, rows["birth_dates"].added) == (["1945"], ["between 1944 and 1946"])
    assert rows["birth_dates"].label == "dates of birth"
    assert change_summary(change) == "Amended: dates of birth, identifiers, names."


def test_scalar_fields_of_a_change_read_as_before_and_after():
    change = EntryChange(change_type="amended", diff={
        "primary_name": {"before": "KOREA RYONBONG", "after": "KOREA RYONBONG GENERAL CORPORATION"},
        "listed_on": {"before": None, "after": "2009-04-24"},
    })

    rows = {row.field: row for row in change_fields(change)}

    assert (rows["primary_name"].before, rows["primary_name"].after) == ("KOREA RYONBONG",
                                                                         "KOREA RYONBONG GENERAL CORPORATION")
    assert (rows["listed_on"].before, rows["listed_on"].after) == ("—", "2009-04-24")
    assert not rows["listed_on"].is_list


def test_reordered_list_reads_as_before_and_after_rather_than_nothing():
    change = EntryChange(change_type="amended", diff={"titles": {"before": ["a", "b"], "after": ["b", "a"]}})

    [row] = change_fields(change)

    assert not row.is_list and (row.before, row.after) == ("a; b", "b; a")


def test_change_summaries_of_additions_removals_and_relistings():
    assert change_summary(EntryChange(change_type="added")) == "Added to the list."
    assert change_summary(EntryChange(change_type="removed")).startswith("Removed from the list")
    assert change_summary(EntryChange(change_type="relisted")) == "Listed again, as the same entry."


def test_vessel_warnings_name_a_failing_imo_check_digit_and_an_mmsi_of_another_country():
    vessel = Vessel(imo_number="8604918", name="YU JONG 2", flag="PA", mmsi="445123000")

    warnings = vessel_warnings(vessel)

    assert any("check digit" in w for w in warnings)
    assert any("MMSI MID 445" in w and "but the flag is PA" in w for w in warnings)


def test_a_vessel_without_imo_number_is_flagged_and_a_consistent_one_is_not():
    assert any("No IMO number" in w for w in vessel_warnings(Vessel(name="UNKNOWN TANKER")))
    assert vessel_warnings(Vessel(imo_number="8604917", name="YU JONG 2", flag="KP", mmsi="445123000")) == []


def test_identity_timeline_marks_what_changed_from_one_period_to_the_next():
    periods = [
        VesselIdentityPeriod(name="CHON MA SAN", flag="KP", mmsi="445112000", call_sign="HMSB2", basis="registry",
                             valid_from=datetime.date(2009, 3, 1)),
        VesselIdentityPeriod(name="KAI HANG", flag="PA", mmsi="445112000", call_sign="HMSB2", basis="ais",
                             flag_status="fraudulent", valid_from=datetime.date(2016, 6, 1)),
    ]

    first, second = identity_timeline(periods)

    assert first.changed == set() and first.warnings == []
    assert second.changed == {"name", "flag"}
    assert any("but the flag is PA" in w for w in second.warnings)
    assert any("fraudulently" in w for w in second.warnings)

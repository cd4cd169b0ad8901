"""Screening report subjects against the lists held in the database: after a subject is saved,
after a list version is applied, and by the sweep; hits kept per (subject, entry) with their
versions, decisions kept, dismissals reopened when the entry changes materially."""
import logging
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from kombu.exceptions import OperationalError

import sanctions.screening
from monitoring import screening, selectors, services, tasks
from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from monitoring.models import MatchReview, ReportSubject, ScreeningMatch
from sanctions.matching import ALGORITHM_NAME, ALGORITHM_VERSION
from sanctions.models import ListEntry, ListSource, ListVersion
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.services import list_version_apply

SEED = DEFAULT_LIST_PATH.read_bytes()
RI_WON_HO = "9100103"  # DATAID of KPi.033 RI WON HO in the sample list
NEW_DATAID = "9100999"


# --- Fixtures and helpers -------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def no_swallowed_errors(caplog):
    """Enqueueing swallows every exception (a broker outage must not fail a write): in eager mode that
    would hide errors of the screening itself, so any such warning fails the test unless it expects one."""
    caplog.set_level(logging.WARNING, logger="monitoring")
    yield caplog
    swallowed = [r for r in caplog.records if r.name.startswith("monitoring.") and r.levelno >= logging.WARNING]
    assert not swallowed, [r.getMessage() for r in swallowed]


@pytest.fixture
def un_source(db):
    return ListSource.objects.get(slug="un-sc")


@pytest.fixture
def seed_list(un_source):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    return un_source.versions.get(status="applied")


@pytest.fixture
def report(seed_list, analyst_kr, make_report):
    return make_report(author=analyst_kr)


@pytest.fixture
def save(django_capture_on_commit_callbacks, analyst_kr, make_subject):
    """Create or update a subject through the service, committing (so it is screened)."""
    def run(subject=None, *, report=None, **fields) -> ReportSubject:
        with django_capture_on_commit_callbacks(execute=True):
            if subject is None:
                fields.setdefault("kind", "person")
                fields.setdefault("role", "facilitator")
                subject = make_subject(report=report, actor=analyst_kr, **fields)
            else:
                for name, value in fields.items():
                    setattr(subject, name, value)
                services.subject_save(subject=subject, actor=analyst_kr, channel="test")
        subject.refresh_from_db()
        return subject

    return run


@pytest.fixture
def apply_xml(django_capture_on_commit_callbacks, un_source, tmp_path):
    """Apply a list file as the next version of the UN list, committing (so re-screening runs)."""
    counter = iter(range(1, 1000))

    def run(data: bytes) -> ListVersion:
        path = tmp_path / f"un_{next(counter)}.xml"
        path.write_bytes(data)
        with django_capture_on_commit_callbacks(execute=True):
            version = list_version_apply(source=un_source, parsed=parse_un_consolidated(path.read_bytes()),
                                         fetched_from=str(path), force=True)
        assert version.status == "applied", version.error
        return version

    return run


def edited(data: bytes, old: str, new: str) -> bytes:
    text = data.decode()
    assert text.count(old) == 1, old
    return text.replace(old, new).encode()


def without_record(data: bytes, dataid: str) -> bytes:
    text, count = re.subn(rf"<INDIVIDUAL>\s*<DATAID>{dataid}</DATAID>.*?</INDIVIDUAL>\s*", "", data.decode(),
                          flags=re.DOTALL)
    assert count == 1
    return text.encode()


def with_new_individual(data: bytes, first: str, second: str, *, dataid: str = NEW_DATAID,
                        ref: str = "KPi.099") -> bytes:
    record = f"""<INDIVIDUAL><DATAID>{dataid}</DATAID><VERSIONNUM>1</VERSIONNUM><FIRST_NAME>{first}</FIRST_NAME>
<SECOND_NAME>{second}</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>{ref}</REFERENCE_NUMBER>
<LISTED_ON>2026-11-30</LISTED_ON><COMMENTS1/><LIST_TYPE><VALUE>UN List</VALUE></LIST_TYPE>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED><INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ADDRESS><COUNTRY/></INDIVIDUAL_ADDRESS><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE>
<YEAR>1970</YEAR></INDIVIDUAL_DATE_OF_BIRTH><INDIVIDUAL_PLACE_OF_BIRTH><COUNTRY/></INDIVIDUAL_PLACE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT/><SORT_KEY/><SORT_KEY_LAST_MOD/></INDIVIDUAL>
"""
    return edited(data, "</INDIVIDUALS>", record + "</INDIVIDUALS>")


def entry(dataid: str) -> ListEntry:
    return ListEntry.objects.get(source__slug="un-sc", external_id=dataid)


def hits(subject: ReportSubject) -> dict[str, ScreeningMatch]:
    return {m.list_entry.reference_number: m for m in subject.matches.select_related("list_entry")}


def close(report, status: str, actor):
    for step in {"rejected": ["rejected"], "published": ["accepted", "published"]}[status]:
        report = services.report_transition(report=report, to_status=step, actor=actor, channel="test")
    return report


def review(match, decision: str, actor):
    return services.match_review(match=match, reviewer=actor, decision=decision, reason=f"{decision} in test",
                                 channel="test")


# --- Screening after a subject is saved ------------------------------------------------------------------

def test_a_new_subject_is_screened_once_its_write_is_committed(report, analyst_kr, make_subject,
                                                                django_capture_on_commit_callbacks, seed_list):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        subject = make_subject(report=report, actor=analyst_kr, kind="person", role="facilitator", name="Ri Won-ho")
        # Not before the commit: the analyst's write must not wait on (or fail with) screening.
        assert not ScreeningMatch.objects.filter(subject=subject).exists()
    assert len(callbacks) == 1
    subject.refresh_from_db()
    assert subject.screened_at is None and subject.screened_versions == ""

    callbacks[0]()

    subject.refresh_from_db()
    match = ScreeningMatch.objects.get(subject=subject)
    assert match.list_entry == entry(RI_WON_HO)
    assert match.report_id == report.pk
    assert match.list_version == seed_list
    assert (match.algorithm, match.algorithm_version) == (ALGORITHM_NAME, ALGORITHM_VERSION)
    assert match.is_match is True and match.score == 1.0
    assert match.review_status == "pending" and match.entry_delisted is False
    assert match.explanation["name"]["query"] == "Ri Won-ho"
    assert match.explanation["name"]["candidate"] in {"RI WON HO", "Ri Won-ho"}
    assert subject.screened_at is not None
    assert f"un-sc:{seed_list.pk}" in subject.screened_versions.split(",")


@pytest.mark.parametrize("fields, reference", [
    ({"kind": "organization", "role": "owner", "name": "Ocean Maritime Management Co., Ltd."}, "KPe.020"),
    ({"kind": "organization", "role": "owner", "name": "Korea Samjong Shipping"}, "KPe.064"),
    ({"kind": "person", "name": "Someone Else Entirely",
      "documents": [{"type": "passport", "number": "472-310-128", "country": "KP"}]}, "KPi.033"),
    ({"kind": "person", "name": "Nobody", "aliases": ["Pak Yong-sik"]}, "KPi.063"),
    ({"kind": "person", "name": "Yun Ho Jin", "name_original_script": "윤호진"}, "KPi.001"),
])
def test_every_reported_detail_is_screened(report, save, fields, reference):
    subject = save(report=report, **fields)
    assert reference in hits(subject)
    assert all(m.is_match for m in subject.matches.all())


def test_a_subject_matching_nothing_gets_no_rows_but_is_marked_screened(report, save, seed_list):
    subject = save(report=report, kind="vessel", role="receiving_vessel", name="SAEBYOL")

    assert not subject.matches.exists()
    assert subject.screened_at is not None
    assert subject.screened_versions == screening.version_key(sanctions.screening.current_index(screening.sources()))
    assert f"un-sc:{seed_list.pk}" in subject.screened_versions


def test_a_vessel_subject_never_hits_a_person(report, save):
    subject = save(report=report, kind="vessel", role="receiving_vessel", name="RI WON HO")
    assert not subject.matches.exists()


def test_subject_query_carries_every_reported_detail(report, save):
    subject = save(report=report, kind="unknown", name="Ri Won Ho", aliases=["Lee Won Ho"],
                   name_original_script="리원호", date_of_birth="May 1966", nationality="North Korea",
                   imo="IMO 9074729", mmsi="273456789", call_sign="HMYZ",
                   documents=[{"type": "passport", "number": "472310128"}, "not a document"])

    query = screening.subject_query(subject)
    assert query.id == str(subject.pk) and query.name == "Ri Won Ho" and query.kind == "any"
    assert query.aliases == ("Lee Won Ho", "리원호")
    assert query.birth_date == "1966-05"  # the reported precision, not the earliest day
    assert query.nationality == "KP" and query.imo == "IMO 9074729"
    assert set(query.identifiers) == {"472310128", "273456789", "HMYZ"}


# --- Re-screening -----------------------------------------------------------------------------------------

def test_rescreening_is_idempotent(report, save):
    subject = save(report=report, name="Ri Won Ho", aliases=["Pak Yong Sik"])
    before = {ref: (m.pk, m.score, m.explanation, m.list_version_id) for ref, m in hits(subject).items()}
    assert set(before) == {"KPi.033", "KPi.063"}

    screening.subject_screen(subject=subject)
    screening.subject_screen(subject=subject)
    subject = save(subject, notes="re-saved, nothing screened changed")

    assert {ref: (m.pk, m.score, m.explanation, m.list_version_id) for ref, m in hits(subject).items()} == before
    assert ScreeningMatch.objects.count() == 2


def test_pending_hits_that_no_longer_hit_are_replaced(report, save):
    subject = save(report=report, name="Ri Won Ho")
    old = hits(subject)["KPi.033"]

    subject = save(subject, name="Pak Yong Sik")

    assert set(hits(subject)) == {"KPi.063"}
    assert not ScreeningMatch.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("decision, status", [("dismiss", "dismissed"), ("confirm", "confirmed"),
                                              ("escalate", "escalated")])
def test_decided_hits_are_kept_with_their_decision(report, save, analyst_kr, decision, status):
    subject = save(report=report, name="Ri Won Ho", aliases=["Pak Yong Sik"])
    decided, pending = hits(subject)["KPi.033"], hits(subject)["KPi.063"]
    review(decided, decision, analyst_kr)

    subject = save(subject, name="Choe Son Hui", aliases=[])  # hits neither entry any more

    assert not ScreeningMatch.objects.filter(pk=pending.pk).exists()
    kept = ScreeningMatch.objects.get(pk=decided.pk)
    assert kept.review_status == status
    assert list(kept.reviews.values_list("decision", flat=True)) == [decision]

    subject = save(subject, name="Ri Won Ho")  # hits it again: the same row, decision intact
    assert hits(subject)["KPi.033"].pk == decided.pk
    assert hits(subject)["KPi.033"].review_status == status
    assert not MatchReview.objects.filter(match_id=decided.pk, decision="reopen").exists()


def test_the_review_log_keeps_the_hit_each_decision_was_taken_on(report, save, analyst_kr, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)
    decided_on = {"score": match.score, "explanation": match.explanation, "list_version_id": match.list_version_id}

    version = apply_xml(edited(SEED, "<NUMBER> 472310128</NUMBER>", "<NUMBER>472310129</NUMBER>"))  # reopens it

    match.refresh_from_db()
    dismissal, reopening = match.reviews.order_by("id")
    assert {key: dismissal.hit[key] for key in decided_on} == decided_on
    assert dismissal.hit["algorithm_version"] == match.algorithm_version and dismissal.hit["is_match"] is True
    assert reopening.hit["list_version_id"] == version.pk == match.list_version_id
    assert reopening.hit["explanation"] == match.explanation


def test_a_dismissed_hit_stays_dismissed_on_rescreening(report, save, analyst_kr):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)

    screening.subject_screen(subject=subject)
    subject = save(subject, notes="still the same person")

    match.refresh_from_db()
    assert match.review_status == "dismissed"
    assert list(match.reviews.values_list("decision", flat=True)) == ["dismiss"]


def test_a_reopened_hit_that_no_longer_hits_keeps_its_review_log(report, save, analyst_kr):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "confirm", analyst_kr)
    review(match, "reopen", analyst_kr)  # pending again, with a history

    subject = save(subject, name="Choe Son Hui")  # the analyst corrects the name: no hit any more

    kept = ScreeningMatch.objects.get(pk=match.pk)
    assert (kept.review_status, kept.is_match) == ("pending", False)
    assert list(kept.reviews.values_list("decision", flat=True)) == ["confirm", "reopen"]
    assert match.pk not in {m.pk for m in selectors.pending_hits(analyst_kr)}  # out of the review queue
    screening.subject_screen(subject=subject)
    assert ScreeningMatch.objects.get(pk=match.pk).updated_at == kept.updated_at  # re-running changes nothing

    subject = save(subject, name="Ri Won Ho")  # hits again: the same row, back in the queue
    again = hits(subject)["KPi.033"]
    assert (again.pk, again.is_match, again.review_status) == (match.pk, True, "pending")
    assert match.pk in {m.pk for m in selectors.pending_hits(analyst_kr)}


def test_a_subject_moved_to_another_report_takes_its_hits_with_it(report, save, analyst_kr, analyst_jp,
                                                                  make_report):
    subject = save(report=report, name="Ri Won Ho", aliases=["Pak Yong Sik"])
    review(hits(subject)["KPi.063"], "dismiss", analyst_kr)
    red = make_report(author=analyst_kr, tlp="RED", title="a RED report", recipients=[analyst_kr])
    assert {m.report_id for m in hits(subject).values()} == {report.pk}

    subject.report = red
    subject = save(subject)

    assert {ref: m.report_id for ref, m in hits(subject).items()} == {"KPi.033": red.pk, "KPi.063": red.pk}
    assert not selectors.visible_matches(analyst_jp).filter(subject=subject).exists()  # RED is not theirs


def test_a_subject_cannot_be_moved_out_of_a_report_its_author_may_not_edit(report, save, analyst_jp, make_report):
    subject = save(report=report, name="Ri Won Ho")
    theirs = make_report(author=analyst_jp)
    subject.report = theirs
    with pytest.raises(PermissionDenied):
        services.subject_save(subject=subject, actor=analyst_jp, channel="test")
    assert {m.report_id for m in hits(ReportSubject.objects.get(pk=subject.pk)).values()} == {report.pk}


def test_screening_puts_a_hit_back_under_its_subjects_report(report, save, analyst_kr, make_report):
    subject = save(report=report, name="Ri Won Ho")
    other = make_report(author=analyst_kr)
    ReportSubject.objects.filter(pk=subject.pk).update(report=other)  # as a write around the service would

    screening.subject_screen(subject=ReportSubject.objects.get(pk=subject.pk))

    assert hits(subject)["KPi.033"].report_id == other.pk


# --- Re-screening after a list version ----------------------------------------------------------------------

@pytest.mark.parametrize("old, new, changed", [
    ("<ALIAS_NAME>Lee Won Ho</ALIAS_NAME>", "<ALIAS_NAME>Lee Won-ho</ALIAS_NAME>", "names"),
    ("<NUMBER> 472310128</NUMBER>", "<NUMBER>472310129</NUMBER>", "identifiers"),
    ("<DATE>1966-05-21</DATE>", "<DATE>1966-05-23</DATE>", "birth dates"),
    # Where there is no full date, the month kept in the note is the date of birth.
    ("<YEAR>1965</YEAR>", "<DATE>1965-08</DATE>", "birth dates"),
])
def test_a_dismissed_hit_reopens_when_its_entry_changes_materially(report, save, analyst_kr, apply_xml,
                                                                   old, new, changed):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)

    version = apply_xml(edited(SEED, old, new))

    match.refresh_from_db()
    assert match.review_status == "pending"
    assert match.list_version == version
    reopen = match.reviews.order_by("id").last()
    assert reopen.decision == "reopen" and reopen.reviewer is None
    assert reopen.reviewer_label == screening.SYSTEM_REVIEWER
    assert changed in reopen.reason
    assert [word for word in ("names", "identifiers", "birth dates") if word in reopen.reason] == [changed]
    assert list(match.reviews.values_list("decision", flat=True)) == ["dismiss", "reopen"]


def test_the_reopen_note_says_what_was_added_and_removed(report, save, analyst_kr, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)

    apply_xml(edited(edited(SEED, "<NUMBER> 472310128</NUMBER>", "<NUMBER>472310129</NUMBER>"),
                     "<ALIAS_NAME>Lee Won Ho</ALIAS_NAME>", "<ALIAS_NAME>Lee Won-ho</ALIAS_NAME>"))

    reason = match.reviews.order_by("id").last().reason
    assert reason == ("Reopened: the list entry's names and identifiers changed since it was dismissed. "
                      "Names: added “Lee Won-ho”; removed “Lee Won Ho”. Identifiers: added Passport 472310129 (KP); "
                      "removed Passport 472310128 (KP).")


@pytest.mark.parametrize("old, new", [
    ("<NUMBER> 472310128</NUMBER>", "<NUMBER>472 310 128</NUMBER>"),  # the same number, spaced
    ("<NUMBER> 472310128</NUMBER>", "<NUMBER>472310128</NUMBER><NOTE>Expiration date: 2027-01-01</NOTE>"),
    ("<ALIAS_NAME>Lee Won Ho</ALIAS_NAME>", "<ALIAS_NAME>LEE  WON HO</ALIAS_NAME>"),  # case and spacing
    ("<QUALITY>Low</QUALITY>\n        <ALIAS_NAME>Lee Won Ho", "<QUALITY>Good</QUALITY>\n        <ALIAS_NAME>Lee Won Ho"),
    ("<DATE>1966-05-21</DATE>", "<DATE>1966-05-21</DATE><NOTE>as stated by a member state</NOTE>"),  # a full date
])
def test_a_change_to_what_does_not_identify_the_entry_does_not_reopen_a_dismissal(report, save, analyst_kr,
                                                                                  apply_xml, old, new):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)

    version = apply_xml(edited(SEED, old, new))

    assert version.amended_count == 1  # the entry did change, as the snapshot counts changes
    match.refresh_from_db()
    assert match.review_status == "dismissed"
    assert list(match.reviews.values_list("decision", flat=True)) == ["dismiss"]


def test_a_non_material_change_does_not_reopen_a_dismissal(report, save, analyst_kr, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "dismiss", analyst_kr)

    version = apply_xml(edited(SEED, "posted to Damascus", "posted to Beirut"))

    assert version.amended_count == 1  # the entry did change, in its comments only
    match.refresh_from_db()
    assert match.review_status == "dismissed"
    assert list(match.reviews.values_list("decision", flat=True)) == ["dismiss"]


def test_a_confirmed_hit_is_not_reopened_by_a_change(report, save, analyst_kr, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    match = hits(subject)["KPi.033"]
    review(match, "confirm", analyst_kr)

    apply_xml(edited(SEED, "<NUMBER> 472310128</NUMBER>", "<NUMBER>472310129</NUMBER>"))

    match.refresh_from_db()
    assert match.review_status == "confirmed"


def test_a_sync_rescreens_open_subjects_against_changed_entries_only(report, save, analyst_kr, make_report,
                                                                     apply_xml, seed_list):
    open_subject = save(report=report, name="Choe Son Hui")
    other = save(report=report, name="Ri Won Ho")
    rejected = save(report=make_report(author=analyst_kr, status="under_review"), name="Choe Son Hui")
    published = save(report=make_report(author=analyst_kr, status="under_review"), name="Choe Son Hui")
    close(rejected.report, "rejected", analyst_kr)
    close(published.report, "published", analyst_kr)
    assert not open_subject.matches.exists()
    other_hit = hits(other)["KPi.033"]

    data = with_new_individual(edited(SEED, "posted to Damascus", "posted to Beirut"), "CHOE", "SON HUI")
    with mock.patch.object(screening, "_results_for", wraps=screening._results_for) as results_for:
        version = apply_xml(data)

    new_entry, amended_entry = entry(NEW_DATAID), entry(RI_WON_HO)
    looked_at = {(call.args[0].pk, call.args[2] and frozenset(call.args[2])) for call in results_for.call_args_list}
    # `other` has a hit on the amended entry: screened in full; the open subject against the changes.
    assert looked_at == {(open_subject.pk, frozenset({new_entry.pk, amended_entry.pk})), (other.pk, None)}

    new_hit = ScreeningMatch.objects.get(subject=open_subject)
    assert new_hit.list_entry == new_entry and new_hit.list_version == version and new_hit.is_match
    assert not rejected.matches.exists() and not published.matches.exists()
    other_hit_after = ScreeningMatch.objects.get(pk=other_hit.pk)
    assert other_hit_after.list_version == version  # the amended entry was looked at again


def test_hits_on_unchanged_entries_are_left_alone_by_a_sync(report, save, apply_xml, seed_list):
    subject = save(report=report, name="Pak Yong Sik")
    before = hits(subject)["KPi.063"]

    apply_xml(with_new_individual(SEED, "CHOE", "SON HUI"))

    after = ScreeningMatch.objects.get(pk=before.pk)
    assert after.list_version == seed_list and after.updated_at == before.updated_at


def test_hits_on_a_removed_entry_are_marked_delisted_not_deleted(report, save, analyst_kr, apply_xml):
    pending = save(report=report, name="Ri Won Ho")
    dismissed = save(report=report, name="Ri Won-ho")
    pending_hit, dismissed_hit = hits(pending)["KPi.033"], hits(dismissed)["KPi.033"]
    review(dismissed_hit, "dismiss", analyst_kr)

    version = apply_xml(without_record(SEED, RI_WON_HO))

    assert version.removed_count == 1 and not entry(RI_WON_HO).is_active
    for hit, status in ((pending_hit, "pending"), (dismissed_hit, "dismissed")):
        hit.refresh_from_db()
        assert hit.entry_delisted is True and hit.review_status == status


def test_a_relisted_entry_hits_again(report, save, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    hit = hits(subject)["KPi.033"]
    apply_xml(without_record(SEED, RI_WON_HO))
    hit.refresh_from_db()
    assert hit.entry_delisted is True

    relisted = apply_xml(SEED)

    assert relisted.relisted_count == 1
    hit.refresh_from_db()
    assert hit.entry_delisted is False and hit.list_version == relisted
    assert list(subject.matches.values_list("pk", flat=True)) == [hit.pk]


def test_a_delisted_hit_survives_the_next_full_rescreen(report, save, apply_xml):
    subject = save(report=report, name="Ri Won Ho")
    hit = hits(subject)["KPi.033"]
    apply_xml(without_record(SEED, RI_WON_HO))
    hit.refresh_from_db()
    assert hit.entry_delisted is True

    tasks.screening_sweep_task.apply()  # or any edit of the subject

    assert ScreeningMatch.objects.filter(pk=hit.pk, entry_delisted=True).exists()


def test_a_relisted_entry_that_no_longer_hits_is_no_longer_marked_delisted(report, save, analyst_kr, apply_xml):
    pending = save(report=report, name="Ri Won Ho")
    dismissed = save(report=report, name="Ri Won-ho")
    pending_hit, dismissed_hit = hits(pending)["KPi.033"], hits(dismissed)["KPi.033"]
    review(dismissed_hit, "dismiss", analyst_kr)
    apply_xml(without_record(SEED, RI_WON_HO))

    # Relisted under another name: neither subject hits it any more.
    renamed = (SEED.decode()
               .replace("<FIRST_NAME>RI</FIRST_NAME>\n      <SECOND_NAME>WON HO</SECOND_NAME>",
                        "<FIRST_NAME>PAK</FIRST_NAME>\n      <SECOND_NAME>CHOL SU</SECOND_NAME>", 1)
               .replace("<ALIAS_NAME>Ri Won-ho</ALIAS_NAME>", "<ALIAS_NAME>Pak Chol-su</ALIAS_NAME>")
               .replace("<ALIAS_NAME>Lee Won Ho</ALIAS_NAME>", "<ALIAS_NAME>Park Chol Su</ALIAS_NAME>"))
    assert apply_xml(renamed.encode()).relisted_count == 1

    assert not ScreeningMatch.objects.filter(pk=pending_hit.pk).exists()  # pending, undecided: replaced
    dismissed_hit.refresh_from_db()
    assert (dismissed_hit.entry_delisted, dismissed_hit.review_status) == (False, "dismissed")


def test_rescreening_after_a_sync_finds_what_a_full_screening_finds(report, save, apply_xml, seed_list):
    names = ["Kim Yong", "Ri Won Ho", "Pak Yong Sik", "Kim Jong", "Ri", "Choe Son Hui", "Kim Il", "Jang Song"]
    subjects = [save(report=report, name=name) for name in names]
    full = {s.pk: {(m.list_entry_id, m.score) for m in s.matches.all()} for s in subjects}
    # A comment-only amendment of every entry: each is re-screened after the sync, nothing else changes.
    amended = re.sub(r"<COMMENTS1>([^<]+)</COMMENTS1>", r"<COMMENTS1>\1 (amended)</COMMENTS1>", SEED.decode())
    version = apply_xml(amended.encode())
    assert version.amended_count > 5

    assert {s.pk: {(m.list_entry_id, m.score) for m in s.matches.all()} for s in subjects} == full
    for subject in subjects:
        subject = save(subject, notes="a full re-screen")
        assert {(m.list_entry_id, m.score) for m in subject.matches.all()} == full[subject.pk]


def test_a_hit_on_a_removed_entry_is_kept_and_marked_delisted_even_if_the_sweep_comes_first(
        report, save, analyst_kr, un_source):
    pending = save(report=report, name="Ri Won Ho")
    dismissed = save(report=report, name="Ri Won-ho")
    pending_hit, dismissed_hit = hits(pending)["KPi.033"], hits(dismissed)["KPi.033"]
    review(dismissed_hit, "dismiss", analyst_kr)
    # Applied, but its re-screening never queued (broker down): the sweep is the first to look.
    list_version_apply(source=un_source, parsed=parse_un_consolidated(without_record(SEED, RI_WON_HO)), force=True)

    tasks.screening_sweep_task.apply()

    for hit, status in ((pending_hit, "pending"), (dismissed_hit, "dismissed")):
        hit.refresh_from_db()
        assert (hit.entry_delisted, hit.review_status, hit.is_match) == (True, status, True)


def test_a_sync_gives_a_subject_the_hits_a_full_screening_gives_also_at_the_hit_limit(
        report, save, apply_xml, settings):
    settings.SCREENING_MAX_HITS = 1
    twin = with_new_individual(SEED, "RI", "WON HO")  # KPi.099, a second RI WON HO
    apply_xml(twin)
    subject = save(report=report, name="Ri Won Ho")
    assert set(hits(subject)) == {"KPi.033"}  # the limit keeps one

    apply_xml(without_record(twin, RI_WON_HO))  # KPi.033 leaves the list: its place goes to KPi.099

    after_sync = {ref: m.entry_delisted for ref, m in hits(subject).items()}
    assert after_sync == {"KPi.033": True, "KPi.099": False}
    subject = save(subject, notes="a full re-screen")
    assert {ref: m.entry_delisted for ref, m in hits(subject).items()} == after_sync


# --- The sweep ------------------------------------------------------------------------------------------------

def broker_down():
    return mock.patch.object(tasks.screen_subjects_task, "delay", side_effect=OperationalError("broker down"))


def test_a_subject_saved_while_the_broker_is_down_is_saved_and_the_sweep_screens_it(report, save, caplog):
    with broker_down():
        subject = save(report=report, name="Ri Won Ho")

    assert ReportSubject.objects.filter(pk=subject.pk, name="Ri Won Ho").exists()
    assert subject.screened_at is None and not subject.matches.exists()
    assert any("not queued" in r.getMessage() for r in caplog.records)
    caplog.clear()

    assert tasks.screening_sweep_task.apply().get() == 1

    subject.refresh_from_db()
    assert subject.screened_at is not None
    assert set(hits(subject)) == {"KPi.033"}


def test_the_sweep_leaves_subjects_screened_against_the_current_versions(report, save, analyst_kr, make_report,
                                                                          caplog):
    screened = save(report=report, name="Pak Yong Sik")
    with broker_down():
        missed = save(report=report, name="Ri Won Ho")
        closed = save(report=make_report(author=analyst_kr, status="under_review"), name="Kim Yong Chol")
    close(closed.report, "rejected", analyst_kr)
    caplog.clear()

    with mock.patch.object(tasks.screen_subjects_task, "delay", wraps=tasks.screen_subjects_task.delay) as delay:
        assert tasks.screening_sweep_task.apply().get() == 1
        assert [call.args[0] for call in delay.call_args_list] == [[missed.pk]]
        # Now nothing is left to do.
        assert tasks.screening_sweep_task.apply().get() == 0
        assert delay.call_count == 1
    closed.refresh_from_db()
    assert closed.screened_at is None  # closed reports are not kept screened


def test_a_new_list_version_makes_the_sweep_rescreen_against_it(report, save, un_source, apply_xml):
    subject = save(report=report, name="Choe Son Hui")
    assert list(screening.subjects_needing_screening()) == []
    # A version applied without its re-screening (broker down when it was announced).
    version = list_version_apply(source=un_source, parsed=parse_un_consolidated(
        with_new_individual(SEED, "CHOE", "SON HUI")), force=True)
    assert list(screening.subjects_needing_screening()) == [subject]

    tasks.screening_sweep_task.apply()

    subject.refresh_from_db()
    assert f"un-sc:{version.pk}" in subject.screened_versions.split(",")
    assert hits(subject)["KPi.099"].list_version == version


def test_a_new_engine_version_makes_the_sweep_rescreen_and_each_hit_keeps_the_version_that_found_it(
        report, save, monkeypatch):
    subject = save(report=report, name="Ri Won Ho")
    [found] = [m for m in hits(subject).values() if m.is_match]
    assert found.algorithm_version == ALGORITHM_VERSION
    assert list(screening.subjects_needing_screening()) == []

    # The engine is upgraded (a deploy): nothing stored changes until the sweep runs.
    monkeypatch.setattr(screening, "ALGORITHM_VERSION", "99.0.0")
    found.refresh_from_db()
    assert found.algorithm_version == ALGORITHM_VERSION
    assert list(screening.subjects_needing_screening()) == [subject]

    tasks.screening_sweep_task.apply()

    subject.refresh_from_db()
    assert f"{ALGORITHM_NAME}:99.0.0" in subject.screened_versions.split(",")
    assert hits(subject)[found.list_entry.reference_number].algorithm_version == "99.0.0"
    assert list(screening.subjects_needing_screening()) == []


def test_a_subject_edited_while_the_broker_is_down_is_rescreened_by_the_sweep(report, save, caplog):
    subject = save(report=report, name="Choe Son Hui")
    with broker_down():
        subject = save(subject, name="Ri Won Ho")
    caplog.clear()
    assert subject.name == "Ri Won Ho" and not subject.matches.exists()  # saved, not screened

    tasks.screening_sweep_task.apply()

    assert "KPi.033" in hits(subject)


# --- Fan-out ----------------------------------------------------------------------------------------------------

def test_fan_out_queues_one_task_per_chunk(report, analyst_kr, make_subject, settings):
    settings.SCREENING_CHUNK_SIZE = 2
    ids = [make_subject(report=report, actor=analyst_kr, name=f"VESSEL {i}").pk for i in range(5)]

    with mock.patch.object(tasks.screen_subjects_task, "delay") as delay:
        assert tasks.fan_out(ids, entry_ids=[7, 8]) == 5

    assert [call.args for call in delay.call_args_list] == [
        (ids[0:2], [7, 8], ""), (ids[2:4], [7, 8], ""), (ids[4:5], [7, 8], "")]
    assert [len(call.args[0]) for call in delay.call_args_list] == [2, 2, 1]


def test_the_sweep_fans_out_in_chunks(report, analyst_kr, make_subject, settings):
    settings.SCREENING_CHUNK_SIZE = 2
    ids = [make_subject(report=report, actor=analyst_kr, name=f"VESSEL {i}").pk for i in range(5)]

    with mock.patch.object(tasks.screen_subjects_task, "delay") as delay:
        assert tasks.screening_sweep_task.apply().get() == 5

    assert [call.args for call in delay.call_args_list] == [
        (ids[0:2], None, ""), (ids[2:4], None, ""), (ids[4:5], None, "")]


def test_a_sync_fans_out_over_open_subjects_with_the_changed_entries(report, save, settings, apply_xml):
    settings.SCREENING_CHUNK_SIZE = 2
    subjects = [save(report=report, name=f"Person Number {i}") for i in range(3)]

    with mock.patch.object(tasks.screen_subjects_task, "delay") as delay:
        apply_xml(with_new_individual(SEED, "CHOE", "SON HUI"))

    new_entry = entry(NEW_DATAID)
    calls = [call.args for call in delay.call_args_list]
    assert [(ids, entries) for ids, entries, _ in calls] == [
        ([subjects[0].pk, subjects[1].pk], [new_entry.pk]), ([subjects[2].pk], [new_entry.pk])]
    # Subjects up to date with the previous version become up to date with the new one.
    previous = ListVersion.objects.filter(status="applied").order_by("pk").first()
    never_synced = ",".join(f"{spec.slug}:-" for spec in sorted(settings.LIST_SOURCES, key=lambda spec: spec.slug)
                            if spec.slug != "un-sc")
    engine = f"{ALGORITHM_NAME}:{ALGORITHM_VERSION}"
    assert {advance_from for _, _, advance_from in calls} == {f"{engine},{never_synced},un-sc:{previous.pk}"}


# --- The index cache --------------------------------------------------------------------------------------------

def test_the_index_is_cached_per_list_version(seed_list, un_source):
    first = sanctions.screening.current_index(screening.sources())
    assert sanctions.screening.current_index(screening.sources()) is first

    list_version_apply(source=un_source, parsed=parse_un_consolidated(with_new_individual(SEED, "CHOE", "SON HUI")),
                       force=True)

    second = sanctions.screening.current_index(screening.sources())
    assert second is not first
    assert len(second.index) == len(first.index) + 1
    assert screening.version_key(second) != screening.version_key(first)


def test_a_vessels_new_flag_is_not_an_identifier_change():
    # OFAC: the MMSI's and call sign's notes and validity follow the flag; their numbers do not change.
    def snapshot(flag: str, valid: bool) -> dict:
        return {"names": [{"name": "HUA FU", "kind": "primary"}], "birth_dates": [], "identifiers": [
            {"type": "mmsi", "value": "445123456", "normalized": "445123456", "valid": valid, "country_code": "",
             "note": f"MID 445 is KP, but the flag is {flag}"},
            {"type": "imo", "value": "9020003", "normalized": "9020003", "valid": True, "country_code": "",
             "note": ""},
        ]}

    assert screening._material_changes(snapshot("KP", True), snapshot("PA", False)) == {}
    moved = snapshot("PA", False)
    moved["identifiers"][1]["normalized"] = moved["identifiers"][1]["value"] = "9020004"
    assert screening._material_changes(snapshot("KP", True), moved) == {
        "identifiers": "added imo 9020004; removed imo 9020003"}



def test_a_document_without_a_number_is_told_apart_by_its_note_and_label():
    def snapshot(*notes: str) -> dict:
        return {"names": [], "birth_dates": [], "identifiers": [
            {"type": "national_id", "type_label": "National identification no.", "value": "", "normalized": "",
             "country_code": "IT", "note": note} for note in notes]}

    before = snapshot("Italian Fiscal Code: DAOMMD74T11Z352Z")
    assert screening._material_changes(before, snapshot("Italian Fiscal Code:  DAOMMD74T11Z352Z")) == {}
    assert screening._material_changes(before, snapshot("Italian Fiscal Code: DAOMMD74T11Z999Z")) == {
        "identifiers": "added National identification no.: Italian Fiscal Code: DAOMMD74T11Z999Z (IT); "
                       "removed National identification no.: Italian Fiscal Code: DAOMMD74T11Z352Z (IT)"}
    both = snapshot("Italian Fiscal Code: DAOMMD74T11Z352Z", "Tazkira 57388")  # a second one, also without a number
    assert screening._material_changes(before, both) == {
        "identifiers": "added National identification no.: Tazkira 57388 (IT)"}

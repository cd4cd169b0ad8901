"""Scoring a query against one candidate (pure, no database): kinds, identifiers, date of birth,
nationality, weak aliases, and the per-feature explanation."""
from functools import lru_cache

import pytest

from monitoring.demo import DEFAULT_LIST_PATH
from sanctions.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    CandidateBirthDate,
    CandidateIdentifier,
    CandidateName,
    Query,
    ScreeningIndex,
    compare,
)
from sanctions.matching.candidates import candidates_from_parsed
from sanctions.matching.scoring import (
    BIRTH_DATE_AGREES,
    BIRTH_DAY_DISJOINT,
    BIRTH_YEAR_DISJOINT,
    IDENTIFIER_CONFLICT,
    IDENTIFIER_MATCH_FLOOR,
    NATIONALITY_AGREES,
    NATIONALITY_CONFLICT,
    WEAK_ALIAS_FACTOR,
)
from sanctions.parsers.un_xml import parse_un_consolidated

VESSEL = Candidate(
    entry_id=1, source="test", reference_number="V.001", kind="vessel", primary_name="CHON MA SAN",
    names=(CandidateName("CHON MA SAN"), CandidateName("CHONMASAN", "good", "alias")),
    identifiers=(CandidateIdentifier("imo", "IMO 9074729", "9074729"),
                 CandidateIdentifier("call_sign", "HMZF", "HMZF")),
)
PERSON = Candidate(
    entry_id=2, source="test", reference_number="KPi.033", kind="individual", primary_name="RI WON HO",
    names=(CandidateName("RI WON HO"), CandidateName("Ri Won-ho", "good", "alias"),
           CandidateName("Shadow Fox", "low", "alias")),
    identifiers=(CandidateIdentifier("passport", "472310128", "472310128"),),
    birth_dates=(CandidateBirthDate(1966, None, 5, 21), CandidateBirthDate(1965)),
    nationalities=("KP",),
)
PERSON_RANGE = Candidate(
    entry_id=3, source="test", reference_number="KPi.040", kind="individual", primary_name="CHO IL U",
    names=(CandidateName("CHO IL U"),), birth_dates=(CandidateBirthDate(1944, 1946),), nationalities=("KP",),
)
ENTITY = Candidate(
    entry_id=4, source="test", reference_number="KPe.020", kind="entity",
    primary_name="OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)",
    names=(CandidateName("OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)"),
           CandidateName("Ocean Maritime Management Co Ltd", "aka", "alias")),
    identifiers=(CandidateIdentifier("imo_company", "1794022", "1794022"),),
)


@lru_cache(maxsize=1)
def seed_candidates() -> tuple[Candidate, ...]:
    parsed = parse_un_consolidated(DEFAULT_LIST_PATH.read_bytes())
    return tuple(candidates_from_parsed(parsed, source="un-sc"))


# --- Kinds ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, candidate", [
    (Query("CHON MA SAN", kind="person"), VESSEL),
    (Query("CHON MA SAN", kind="person", imo="IMO 9074729"), VESSEL),   # not even with its IMO number
    (Query("RI WON HO", kind="vessel"), PERSON),
    (Query("RI WON HO", kind="vessel", identifiers=("472310128",)), PERSON),
    (Query("RI WON HO", kind="organization"), PERSON),
    (Query("Ocean Maritime Management", kind="person"), ENTITY),
])
def test_incompatible_kinds_never_match(query, candidate):
    result = compare(query, candidate)

    assert result.score == 0.0 and result.match is False
    assert set(result.features) == {"kind"}
    kind = result.explanation()["kind"]
    assert kind["query"] == query.kind and kind["candidate"] == candidate.kind
    assert kind["detail"] == f"a {query.kind} cannot be a listed {candidate.kind}"


@pytest.mark.parametrize("kind", ["any", "unknown", ""])
@pytest.mark.parametrize("candidate, name", [(VESSEL, "Chon Ma San"), (PERSON, "Ri Won Ho"),
                                             (ENTITY, "Ocean Maritime Management Co., Ltd.")])
def test_an_unknown_kind_may_match_any_kind(kind, candidate, name):
    assert compare(Query(name, kind=kind), candidate).match


def test_a_vessel_may_be_listed_as_an_entity():
    # The UN list carries ships' owners as entities with an IMO company number.
    assert compare(Query("Ocean Maritime Management", kind="vessel"), ENTITY).match


# --- Identifiers ------------------------------------------------------------------------------------

IMO_FORMS = ["IMO 9074729", "IMO9074729", "imo: 9074729", "9074729", "IMO No. 9074729", "  imo 9074729  ",
             "IMO: 9074729"]


@pytest.mark.parametrize("imo", IMO_FORMS)
def test_the_same_imo_number_in_any_common_form_is_a_hit_whatever_the_name(imo):
    result = compare(Query("Totally Different Name", kind="vessel", imo=imo), VESSEL)

    assert result.score >= IDENTIFIER_MATCH_FLOOR and result.match is True
    identifiers = result.explanation()["identifiers"]
    assert identifiers["query"] == imo and identifiers["candidate"] == "IMO 9074729"
    assert "is the same" in identifiers["detail"]


@pytest.mark.parametrize("imo", IMO_FORMS)
def test_an_imo_number_among_other_identifiers_is_read_too(imo):
    result = compare(Query("Totally Different Name", kind="vessel", identifiers=("HMYZ", imo)), VESSEL)
    assert result.score >= IDENTIFIER_MATCH_FLOOR and result.match is True


@pytest.mark.parametrize("number", ["472310128", "472 310 128", "472-310-128", " 4723-10 128 ", "472.310.128"])
def test_a_passport_number_written_with_spaces_or_dashes_is_a_hit(number):
    result = compare(Query("Someone Else", kind="person", identifiers=(number,)), PERSON)

    assert result.score >= IDENTIFIER_MATCH_FLOOR and result.match is True
    assert result.explanation()["identifiers"]["detail"] == "passport 472310128 is the same"


def test_letters_in_an_identifier_compare_case_insensitively():
    candidate = Candidate(9, "test", "KPi.026", "individual", "RI MAN GON", (CandidateName("RI MAN GON"),),
                          identifiers=(CandidateIdentifier("passport", "PO381214", "PO381214"),))
    assert compare(Query("X", kind="person", identifiers=("po 381-214",)), candidate).match


def test_a_same_identifier_with_the_same_name_scores_top():
    assert compare(Query("Chon Ma San", kind="vessel", imo="9074729"), VESSEL).score == 1.0


def test_a_weak_identifier_is_a_hit_at_a_lower_floor():
    # A call sign is reused and reassigned: the same one counts, but less than an IMO number.
    result = compare(Query("Totally Different Name", kind="vessel", identifiers=("HMZF",)), VESSEL)
    assert DEFAULT_THRESHOLD <= result.score < IDENTIFIER_MATCH_FLOOR


@pytest.mark.parametrize("other_imo", ["9074730", "IMO 1234567", "imo:8912345"])
def test_a_different_imo_number_lowers_the_score(other_imo):
    without = compare(Query("Chon Ma San", kind="vessel"), VESSEL)
    conflicting = compare(Query("Chon Ma San", kind="vessel", imo=other_imo), VESSEL)

    assert conflicting.score == pytest.approx(without.score + IDENTIFIER_CONFLICT)
    assert conflicting.score < without.score
    assert conflicting.explanation()["identifiers"]["detail"] == "IMO numbers differ"


def test_an_unrelated_identifier_neither_helps_nor_hurts():
    without = compare(Query("Ri Won", kind="person"), PERSON)
    other = compare(Query("Ri Won", kind="person", identifiers=("999999999",)), PERSON)
    assert other.score == without.score
    assert "identifiers" not in other.features


# --- Date of birth ----------------------------------------------------------------------------------
# "Ri Won" against "RI WON HO" leaves room on both sides of the name score.

BASE_NAME = "Ri Won"
UP, SAME_SCORE, DOWN = 1, 0, -1


@pytest.mark.parametrize("candidate, birth_date, direction, delta, detail", [
    (PERSON, "1966-05-21", UP, BIRTH_DATE_AGREES, "date of birth agrees"),             # exact
    (PERSON, "1966-05", UP, BIRTH_DATE_AGREES, "date of birth agrees"),                # month precision
    (PERSON, "1966", UP, BIRTH_DATE_AGREES, "date of birth agrees"),                   # year only
    (PERSON, "1965", UP, BIRTH_DATE_AGREES, "date of birth agrees"),                   # the entry's second date
    (PERSON, "1966-05-22", DOWN, BIRTH_DAY_DISJOINT, "same year of birth, different day"),
    (PERSON, "1966-06", DOWN, BIRTH_DAY_DISJOINT, "same year of birth, different day"),
    (PERSON, "1970-05-21", DOWN, BIRTH_YEAR_DISJOINT, "year of birth differs"),
    (PERSON, "1990", DOWN, BIRTH_YEAR_DISJOINT, "year of birth differs"),
    (PERSON_RANGE, "1945", UP, BIRTH_DATE_AGREES, "date of birth agrees"),             # BETWEEN 1944 and 1946
    (PERSON_RANGE, "1944", UP, BIRTH_DATE_AGREES, "date of birth agrees"),             # range bounds included
    (PERSON_RANGE, "1946", UP, BIRTH_DATE_AGREES, "date of birth agrees"),
    (PERSON_RANGE, "1945-03-01", SAME_SCORE, 0.0, "year of birth agrees"),            # a day within a year range
    (PERSON_RANGE, "1947", DOWN, BIRTH_YEAR_DISJOINT, "year of birth differs"),
    (PERSON_RANGE, "1943-12-31", DOWN, BIRTH_YEAR_DISJOINT, "year of birth differs"),
])
def test_date_of_birth_moves_the_score_in_the_documented_direction(candidate, birth_date, direction, delta, detail):
    name = BASE_NAME if candidate is PERSON else "Cho Il"
    without = compare(Query(name, kind="person"), candidate)
    with_dob = compare(Query(name, kind="person", birth_date=birth_date), candidate)

    assert 0.5 < without.score < 0.95  # room to move either way
    assert (with_dob.score > without.score) - (with_dob.score < without.score) == direction
    assert with_dob.score == pytest.approx(without.score + delta, abs=1e-4)
    assert with_dob.explanation()["birth_date"]["detail"] == detail


def test_a_disjoint_year_weighs_more_than_a_different_day():
    day = compare(Query(BASE_NAME, kind="person", birth_date="1966-05-22"), PERSON).score
    year = compare(Query(BASE_NAME, kind="person", birth_date="1970-05-21"), PERSON).score
    assert year < day


@pytest.mark.parametrize("birth_date", ["", "sometime in the eighties", "31/02/1966"])
def test_an_unreadable_or_absent_date_of_birth_changes_nothing(birth_date):
    without = compare(Query(BASE_NAME, kind="person"), PERSON)
    with_dob = compare(Query(BASE_NAME, kind="person", birth_date=birth_date), PERSON)
    assert with_dob.score == without.score and "birth_date" not in with_dob.features


def test_a_candidate_without_a_date_of_birth_is_not_penalised():
    assert "birth_date" not in compare(Query("Chon Ma San", birth_date="1990"), VESSEL).features


def test_qualifiers_do_not_make_a_hit_out_of_nothing():
    result = compare(Query("Totally Different Name", kind="person", birth_date="1966-05-21", nationality="KP"), PERSON)
    assert result.score == 0.0 and result.match is False


# --- Nationality ------------------------------------------------------------------------------------

@pytest.mark.parametrize("nationality, direction, delta, detail", [
    ("KP", UP, NATIONALITY_AGREES, "nationality agrees"),
    ("kp", UP, NATIONALITY_AGREES, "nationality agrees"),
    ("North Korea", UP, NATIONALITY_AGREES, "nationality agrees"),
    ("Democratic People's Republic of Korea", UP, NATIONALITY_AGREES, "nationality agrees"),
    ("KR", DOWN, NATIONALITY_CONFLICT, "nationality differs"),
    ("Japan", DOWN, NATIONALITY_CONFLICT, "nationality differs"),
])
def test_nationality_moves_the_score_in_the_documented_direction(nationality, direction, delta, detail):
    without = compare(Query(BASE_NAME, kind="person"), PERSON)
    with_nationality = compare(Query(BASE_NAME, kind="person", nationality=nationality), PERSON)

    assert (with_nationality.score > without.score) - (with_nationality.score < without.score) == direction
    assert with_nationality.score == pytest.approx(without.score + delta, abs=1e-4)
    feature = with_nationality.explanation()["nationality"]
    assert feature["detail"] == detail and feature["candidate"] == "KP"


@pytest.mark.parametrize("nationality", ["", "Narnia", "XX"])
def test_an_unknown_nationality_changes_nothing(nationality):
    without = compare(Query(BASE_NAME, kind="person"), PERSON)
    result = compare(Query(BASE_NAME, kind="person", nationality=nationality), PERSON)
    assert result.score == without.score and "nationality" not in result.features


# --- Weak aliases -----------------------------------------------------------------------------------

def test_a_weak_alias_alone_never_reaches_the_threshold():
    result = compare(Query("Shadow Fox", kind="person"), PERSON)

    assert result.score == pytest.approx(WEAK_ALIAS_FACTOR)
    assert result.score < DEFAULT_THRESHOLD and result.match is False
    name = result.explanation()["name"]
    assert name["candidate"] == "Shadow Fox" and "weak alias" in name["detail"]


def test_weak_aliases_of_the_sample_list_alone_never_reach_the_threshold():
    checked = 0
    for candidate in seed_candidates():
        for weak in (n for n in candidate.names if n.quality == "low"):
            alone = Candidate(candidate.entry_id, candidate.source, candidate.reference_number, candidate.kind,
                              "ZZZZ QQQQ", (CandidateName("ZZZZ QQQQ"), weak))
            result = compare(Query(weak.name), alone)
            assert result.score < DEFAULT_THRESHOLD and not result.match, (weak.name, result.score)
            checked += 1
    assert checked >= 10


def test_a_good_alias_is_a_full_hit():
    result = compare(Query("Ri Won-ho", kind="person"), PERSON)
    assert result.score == 1.0 and result.match


# --- Explanations and the threshold -------------------------------------------------------------------

def test_the_name_feature_says_which_name_matched_which():
    result = compare(Query("Nobody", kind="person", aliases=("Ri Won Ho",)), PERSON)

    name = result.explanation()["name"]
    assert name["query"] == "Ri Won Ho"                 # the query alias that matched
    assert name["candidate"] == result.matched_name == "RI WON HO"
    assert name["detail"].startswith("name:")
    alias = compare(Query("Ri Wonho", kind="person"), PERSON).explanation()["name"]
    assert alias["query"] == "Ri Wonho" and alias["candidate"] in {"RI WON HO", "Ri Won-ho"}


def test_a_name_in_original_script_is_labelled_so():
    candidate = Candidate(5, "test", "KPi.001", "individual", "YUN HO-CHIN",
                          (CandidateName("YUN HO-CHIN"), CandidateName("윤호진", "", "original_script")))
    name = compare(Query("윤호진", kind="person"), candidate).explanation()["name"]
    assert name["candidate"] == "윤호진" and name["detail"].startswith("name in original script:")


def test_every_screening_result_on_the_sample_list_explains_its_name():
    index = ScreeningIndex(seed_candidates())
    queries = [Query("Kim Yong Chol", kind="person"), Query("Ocean Maritime Management Co., Ltd."),
               Query("Korea Samjong Shipping", kind="organization"), Query("Khalid al-Mawri", kind="person"),
               Query("Jo Yong Chol", kind="person", birth_date="1973", nationality="KP")]
    results = [r for q in queries for r in index.screen(q, limit=5)]
    assert results
    for result in results:
        explanation = result.explanation()
        assert set(explanation["name"]) == {"score", "detail", "query", "candidate"}
        assert explanation["name"]["candidate"] == result.matched_name
        assert explanation["name"]["query"]
        assert result.matched_name in {n.name for n in result.candidate.names}


def test_an_identifier_hit_under_another_name_still_names_both_names():
    name = compare(Query("Totally Different Name", kind="vessel", imo="9074729"), VESSEL).explanation()["name"]
    assert name["query"] == "Totally Different Name" and name["candidate"] == "CHON MA SAN"


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.84, 0.85, 0.9])
def test_match_iff_score_reaches_the_threshold(threshold):
    result = compare(Query("Ri Won", kind="person"), PERSON, threshold=threshold)
    assert result.match is (result.score >= threshold)


def test_scores_are_rounded_and_in_the_unit_range():
    for query in [Query("Chon Ma San", imo="9074729", birth_date="1966"), Query("Ri Won Ho", nationality="KR",
                                                                                 birth_date="1990")]:
        for candidate in (VESSEL, PERSON):
            score = compare(query, candidate).score
            assert 0.0 <= score <= 1.0 and round(score, 4) == score


def test_names_narrows_the_names_compared():
    # The index passes only the names sharing a key with the query.
    narrowed = compare(Query("Ri Won-ho", kind="person"), PERSON, names=[CandidateName("Shadow Fox", "low", "alias")])
    assert narrowed.score == 0.0

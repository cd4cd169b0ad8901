"""The candidate index (pure, no database): only candidates sharing a name key or an identifier
with the query are scored; results come best first, cut at the limit."""
import math
from unittest import mock

import pytest

from sanctions.matching import (
    DEFAULT_THRESHOLD,
    Candidate,
    CandidateIdentifier,
    CandidateName,
    Query,
    ScreeningIndex,
    index as index_module,
)
from sanctions.matching.index import CANDIDATES_SCORED, name_keys


def candidate(entry_id: int, name: str, kind: str = "individual", *, aliases=(), identifiers=()) -> Candidate:
    return Candidate(
        entry_id=entry_id, source="test", reference_number=f"T.{entry_id:03d}", kind=kind, primary_name=name,
        names=(CandidateName(name), *(CandidateName(a, "good", "alias") for a in aliases)),
        identifiers=tuple(CandidateIdentifier(t, v, n) for t, v, n in identifiers),
    )


KIM_JONG_SIK = candidate(1, "KIM JONG SIK")
KIM_YONG_CHOL = candidate(2, "KIM YONG CHOL")
GREEN_PINE = candidate(3, "GREEN PINE ASSOCIATED CORPORATION", "entity")
CHON_MA_SAN = candidate(4, "CHON MA SAN", "vessel", identifiers=[("imo", "IMO 9074729", "9074729")])
RYONBONG = candidate(5, "KOREA RYONBONG GENERAL CORPORATION", "entity", aliases=["Ryonbong Trading"])
TINY = [KIM_JONG_SIK, KIM_YONG_CHOL, GREEN_PINE, CHON_MA_SAN, RYONBONG]


@pytest.fixture
def tiny():
    return ScreeningIndex(TINY)


@pytest.fixture
def scored(monkeypatch):
    """The candidates the index hands to `compare`, in order."""
    seen: list[Candidate] = []
    real = index_module.compare

    def spy(query, candidate, **kwargs):
        seen.append(candidate)
        return real(query, candidate, **kwargs)

    monkeypatch.setattr(index_module, "compare", spy)
    return seen


def entry_ids(positions, index) -> set[int]:
    return {index.candidates[p].entry_id for p in positions}


def test_candidates_sharing_no_key_are_not_shortlisted(tiny):
    shortlisted = entry_ids(tiny.shortlist(Query("Kim Jong Sik")), tiny)

    assert shortlisted == {KIM_JONG_SIK.entry_id, KIM_YONG_CHOL.entry_id}


def test_candidates_sharing_no_key_are_never_scored(tiny, scored):
    # A low threshold, so that no shortlisted entry is left out by the estimate (see below).
    results = tiny.screen(Query("Kim Jong Sik"), limit=10, threshold=0.2)

    assert {c.entry_id for c in scored} == {KIM_JONG_SIK.entry_id, KIM_YONG_CHOL.entry_id}
    assert [r.candidate.entry_id for r in results][0] == KIM_JONG_SIK.entry_id


def test_a_query_sharing_no_key_with_anything_scores_nothing(tiny, scored):
    assert tiny.shortlist(Query("Zzyzx Qwrt")) == []
    assert tiny.screen(Query("Zzyzx Qwrt")) == []
    assert scored == []


@pytest.mark.parametrize("imo", ["IMO 9074729", "9074729", "imo: 9074729"])
def test_an_identifier_hit_is_always_shortlisted(tiny, scored, imo):
    query = Query("Kim Jong Sik", kind="vessel", imo=imo)

    assert CHON_MA_SAN.entry_id in entry_ids(tiny.shortlist(query), tiny)
    assert CHON_MA_SAN.entry_id in entry_ids(tiny.shortlist(query, size=1), tiny)
    results = tiny.screen(query)
    assert results[0].candidate.entry_id == CHON_MA_SAN.entry_id and results[0].match


def test_an_identifier_hit_is_shortlisted_among_many_name_neighbours(scored):
    crowd = [candidate(100 + i, f"KIM JONG SIK {chr(65 + i % 26)}{i}") for i in range(3 * CANDIDATES_SCORED)]
    index = ScreeningIndex([*crowd, CHON_MA_SAN])
    query = Query("Kim Jong Sik", kind="any", identifiers=("IMO9074729",))

    shortlisted = index.shortlist(query)
    assert CHON_MA_SAN.entry_id in entry_ids(shortlisted, index)
    assert len(shortlisted) <= CANDIDATES_SCORED + 1
    assert len(scored) == 0  # shortlisting alone scores nothing
    results = index.screen(query, limit=3)
    assert results[0].candidate.entry_id == CHON_MA_SAN.entry_id
    assert len(scored) == len(shortlisted)  # only the shortlist was scored, never the whole index


def test_rare_keys_outweigh_common_ones():
    crowd = [candidate(100 + i, f"KIM {name}") for i, name in enumerate(
        ["YONG CHOL", "JONG SIK", "KYU", "SONG HO", "IL BOK", "MYONG HO", "SU IL", "CHOL HO"])]
    index = ScreeningIndex([*crowd, RYONBONG])

    best = index.shortlist(Query("Kim Ryonbong"), size=1)
    assert entry_ids(best, index) == {RYONBONG.entry_id}


def test_query_aliases_contribute_keys(tiny):
    query = Query("Zzyzx Qwrt", aliases=("Green Pine Corporation",))
    assert entry_ids(tiny.shortlist(query), tiny) == {GREEN_PINE.entry_id}
    assert tiny.screen(query)[0].candidate.entry_id == GREEN_PINE.entry_id


def test_results_are_sorted_best_first_and_cut_at_the_limit():
    names = ["KIM JONG SIK", "KIM JONG SIKK", "KIM JONG", "KIM JONG SIK HO", "KIM SIK", "KIM JONG CHOL", "JONG SIK"]
    index = ScreeningIndex([candidate(10 + i, name) for i, name in enumerate(names)])
    query = Query("Kim Jong Sik", kind="person")

    everything = index.screen(query, limit=100)
    assert len(everything) == len(names)
    scores = [r.score for r in everything]
    assert scores == sorted(scores, reverse=True)
    assert everything[0].candidate.primary_name == "KIM JONG SIK" and everything[0].score == 1.0
    assert len(set(scores)) > 3  # the ordering is not trivial

    for limit in (1, 3, 5):
        cut = index.screen(query, limit=limit)
        assert [r.candidate.entry_id for r in cut] == [r.candidate.entry_id for r in everything[:limit]]


def test_equal_scores_are_ordered_by_reference_number():
    index = ScreeningIndex([candidate(30, "KIM JONG SIK"), candidate(20, "KIM JONG SIK"), candidate(25, "KIM JONG SIK")])
    results = index.screen(Query("Kim Jong Sik"))
    assert [r.candidate.reference_number for r in results] == ["T.020", "T.025", "T.030"]


def test_results_carry_match_by_the_threshold(tiny):
    results = tiny.screen(Query("Kim Jong Sik"), threshold=0.45)
    assert [r.match for r in results] == [r.score >= 0.45 for r in results]
    assert results[0].match and not results[-1].match
    strict = tiny.screen(Query("Kim Jong Sik"), threshold=1.01)
    assert not any(r.match for r in strict)


def test_incompatible_kinds_are_not_returned(tiny):
    # The vessel shares the IMO number, but a person is never a vessel: score 0 results are dropped.
    results = tiny.screen(Query("Chon Ma San", kind="person", imo="9074729"))
    assert CHON_MA_SAN.entry_id not in {r.candidate.entry_id for r in results}
    assert all(r.score > 0 for r in results)


def test_only_names_sharing_a_key_are_compared_and_reported():
    entry = candidate(40, "ZZYZX QWRT HOLDINGS", "entity", aliases=["Green Pine Corporation"])
    index = ScreeningIndex([entry])

    result = index.screen(Query("Green Pine Corp."))[0]
    assert result.matched_name == "Green Pine Corporation" and result.score == 1.0
    assert result.explanation()["name"]["candidate"] == "Green Pine Corporation"


@pytest.mark.parametrize("a, b", [("Kim Jong-un", "Kim Jongun"), ("Kim Jong Un", "Gim Jeong Eun"),
                                  ("Владимир Путин", "Vladimir Putin"), ("NAM SAN 8", "NAMSAN 8"),
                                  ("Pak Yong Sik", "Bak Yong Sik")])
def test_spelling_variants_share_a_key(a, b):
    assert name_keys(a) & name_keys(b)


def test_index_size():
    assert len(ScreeningIndex(TINY)) == len(TINY)
    assert len(ScreeningIndex([])) == 0
    assert ScreeningIndex([]).screen(Query("Kim")) == []


def test_identical_results_whatever_the_shortlist_order():
    """Screening is deterministic: two indexes built from the same candidates in another order agree."""
    forward, backward = ScreeningIndex(TINY), ScreeningIndex(list(reversed(TINY)))
    for query in [Query("Kim Jong Sik"), Query("Korea Ryonbong"), Query("Chon Ma San", imo="9074729")]:
        assert ([(r.candidate.entry_id, r.score) for r in forward.screen(query)]
                == [(r.candidate.entry_id, r.score) for r in backward.screen(query)])


def test_screen_passes_the_threshold_through(tiny):
    with mock.patch.object(index_module, "compare", wraps=index_module.compare) as spy:
        tiny.screen(Query("Kim Jong Sik"), threshold=0.42)
    assert spy.call_args_list and all(call.kwargs["threshold"] == 0.42 for call in spy.call_args_list)


# --- The estimate: which entries past the first get the full alignment ------------------------------

FAR_DOWN = [candidate(1, "KIM JONG SIK"), candidate(2, "KIM MYONG CHOL"), candidate(3, "KIM JONG SICK")]


def test_an_entry_past_the_first_that_cannot_reach_the_threshold_is_not_aligned(scored):
    index = ScreeningIndex(FAR_DOWN)
    results = index.screen(Query("Kim Jong Sik"))
    # KIM MYONG CHOL shares only "Kim" (Myong is two edits from Jong): the estimate (1 part of 3)
    # says it cannot reach 0.70.
    assert 2 not in {c.entry_id for c in scored}
    assert {r.candidate.entry_id for r in results if r.match} == {1, 3}


def test_at_a_low_threshold_every_shortlisted_entry_is_aligned(scored):
    index = ScreeningIndex(FAR_DOWN)
    index.screen(Query("Kim Jong Sik"), threshold=0.2)
    assert {c.entry_id for c in scored} == {1, 2, 3}


def test_a_part_is_not_counted_as_shared_by_the_keys_of_its_neighbour(scored):
    # "Haq" written together with "Abdul" starts with "abdu", as ABDUL JABBAR OMARI's "Abdul" does:
    # that key is Abdul's, not Haq's. Haq is near none of the entry's parts either: one part of two
    # shared cannot reach 0.70, so it is not aligned.
    index = ScreeningIndex([candidate(1, "ABDUL HAQ WASIQ"), candidate(2, "ABDUL JABBAR OMARI")])
    results = index.screen(Query("Abdul Haq"))
    assert [c.entry_id for c in scored] == [1]
    assert [r.candidate.entry_id for r in results] == [1]


def test_a_part_keeps_the_keys_of_it_written_together_with_its_neighbour_but_not_the_neighbours_own():
    from sanctions.matching.index import _query_words

    (abd, alsalam), = _query_words("Abd Alsalam")
    assert "p:abda" in abd[1]  # "Abdalsalam": the first four letters span both parts
    (abdul, haq), = _query_words("Abdul Haq")
    assert "p:abdu" not in haq[1] and "s:lhaq" in haq[1]  # Abdul's own start; the end spans both


def test_an_entry_past_the_first_with_a_letter_missing_is_aligned(scored):
    # "Hsan" for "Hasan" keeps no key of it (sound, first or last four letters); the alignment
    # allows one edit in a word of five letters.
    index = ScreeningIndex([candidate(1, "AHMAD HASANI KHAN"), candidate(2, "AHMAD HASAN")])
    results = index.screen(Query("Ahmad Hsan"))
    assert [c.entry_id for c in scored] == [1, 2]
    assert [(r.candidate.entry_id, r.match) for r in results] == [(2, True), (1, False)]


def test_an_entry_past_the_first_with_the_first_two_letters_swapped_is_aligned(scored):
    # "Badur" for "Abdur" keeps none of its keys (sound, first or last four letters); the alignment
    # forgives the swap, so the estimate must too.
    index = ScreeningIndex([candidate(1, "REHMAN GUL"), candidate(2, "ABDUR REHMAN")])
    results = index.screen(Query("Badur Rehman"))
    assert 2 in {c.entry_id for c in scored}
    assert [r.candidate.entry_id for r in results if r.match] == [2]


def test_prepared_names_give_the_same_scores_as_a_plain_comparison():
    from sanctions.matching import compare

    index = ScreeningIndex(TINY)
    for query in (Query("Kim Jong Sik"), Query("Ryonbong Trading", kind="organization"), Query("KIM YONG CHOL")):
        for result in index.screen(query, threshold=0.0, limit=10):
            plain = compare(query, result.candidate, threshold=0.0)
            assert result.score == plain.score


# Arabic or Hebrew script queries get the estimate too against names in Latin letters: by keys, and
# by consonants.


def test_an_arabic_script_query_does_not_align_a_latin_name_that_cannot_reach_the_threshold(scored):
    index = ScreeningIndex([candidate(1, "MUHAMMAD SALIH", aliases=["محمد صالح"]), candidate(2, "Karimi Slh")])
    results = index.screen(Query("محمد صالح"))
    # Both are shortlisted by "slh"; the second shares one word of two, and its consonants (krmslh)
    # are not those of the query (mhmdslh).
    assert {index.candidates[p].entry_id for p in index.shortlist(Query("محمد صالح"))} == {1, 2}
    assert [c.entry_id for c in scored] == [1]
    assert [(r.candidate.entry_id, r.match) for r in results] == [(1, True)]


def test_an_arabic_script_query_still_matches_a_latin_name_past_the_first_by_its_consonants(scored):
    index = ScreeningIndex([candidate(1, "MUHAMMAD SALIH", aliases=["محمد صالح"]), candidate(2, "Mhmd Salih")])
    results = index.screen(Query("محمد صالح"))
    assert [c.entry_id for c in scored] == [1, 2]
    latin = next(r for r in results if r.candidate.entry_id == 2)
    assert latin.match and latin.features["name"].detail == "name: consonants mhmdslh~mhmdslh"


def test_between_two_names_in_arabic_script_every_shortlisted_entry_is_aligned(scored):
    # "وی" (wy) is one letter from "ولی" (wly), with no blocking key in common: keys alone would
    # leave WALI JAN out although it matches.
    index = ScreeningIndex([candidate(1, "JAN MOHAMMAD", aliases=["جان محمد"]),
                            candidate(2, "WALI JAN", aliases=["ولی جان"])])
    results = index.screen(Query("وی جان"))
    assert {c.entry_id for c in scored} == {1, 2}
    assert [(r.candidate.entry_id, r.match) for r in results if r.match] == [(2, True)]


# A query in other letters meets a name in Arabic or Hebrew script by keys and by consonants, as
# compare_names does: such a name is no longer aligned whatever it says.


def test_a_latin_query_does_not_align_a_name_in_arabic_script_that_cannot_reach_the_threshold(scored):
    # JAN AGHA's alias محمد صالح (mhmd slh) shares "mhmd" with the query: one part of three, and its
    # consonants (mhmdslh) are not the query's (mhmdrslkn).
    index = ScreeningIndex([candidate(1, "RASUL KHAN MHMD"), candidate(2, "JAN AGHA", aliases=["محمد صالح"])])
    results = index.screen(Query("Mhmd Rasul Khan"))
    assert [index.candidates[p].entry_id for p in index.shortlist(Query("Mhmd Rasul Khan"))] == [1, 2]
    assert [c.entry_id for c in scored] == [1]
    assert [(r.candidate.entry_id, r.match) for r in results] == [(1, True)]


def test_a_latin_query_still_matches_a_name_in_arabic_script_past_the_first_by_its_consonants(scored):
    index = ScreeningIndex([candidate(1, "MHMD SALIH RASUL KHAN"), candidate(2, "JAN AGHA", aliases=["محمد صالح"])])
    results = index.screen(Query("Mhmd Salih"))
    assert [c.entry_id for c in scored] == [1, 2]
    arabic = next(r for r in results if r.candidate.entry_id == 2)
    assert arabic.match and arabic.features["name"].detail == "alias: consonants mhmdslh~mhmdslh"


# The estimate forgives what the alignment forgives: two letters swapped anywhere in a part, and an
# initial for a part starting with its letter, either way round.


def test_an_entry_past_the_first_with_two_letters_swapped_inside_a_part_is_aligned(scored):
    # "Jamli" keeps no key of "Jamil" (sound, first or last four letters).
    index = ScreeningIndex([candidate(1, "MUKULU JAMALI"), candidate(2, "JAMIL MUKULU")])
    results = index.screen(Query("Jamli Mukulu"))
    assert [c.entry_id for c in scored] == [1, 2]
    assert {r.candidate.entry_id for r in results if r.match} == {1, 2}


def test_an_initial_in_the_entry_counts_for_a_query_part_starting_with_it(scored):
    index = ScreeningIndex([candidate(1, "RAED MUHAMMAD HASAN SALIH HIJAZI"), candidate(2, "RAED M HIJAZI")])
    results = index.screen(Query("Raed Muhammad Hasan Muhammad Hijazi"))
    assert [c.entry_id for c in scored] == [1, 2]
    assert next(r for r in results if r.candidate.entry_id == 2).match  # "M" for Muhammad


def test_an_initial_in_the_query_counts_for_a_part_of_the_entry_starting_with_it(scored):
    index = ScreeningIndex([candidate(1, "HIJAZI RIAD"), candidate(2, "RAED MUHAMMAD HIJAZI")])
    results = index.screen(Query("R. M. Hijazi"))
    assert [c.entry_id for c in scored] == [1, 2]
    assert {r.candidate.entry_id for r in results if r.match} == {1, 2}


def test_a_part_written_as_the_entrys_particle_counts(scored):
    # The query's "Al" is a name part, the entry's a particle: written alike, the alignment pairs them.
    index = ScreeningIndex([candidate(1, "MAGHRIBI HASAN ABDALLAH"), candidate(2, "ZOUHEIR AL MAGHRIBI")])
    results = index.screen(Query("Al Maghribi"))
    assert [c.entry_id for c in scored] == [1, 2]
    assert next(r for r in results if r.candidate.entry_id == 2).match


def test_a_misspelt_part_is_near_its_spelling_as_the_alignment_reads_the_first_letter():
    from sanctions.matching.index import _near_a_spelling
    from sanctions.matching.names import token_similarity

    # G for C is one sound (Galindo/Calinda, two edits: the alignment allows both).
    assert token_similarity("galindo", "calinda")[0] >= 0.6
    assert _near_a_spelling("galindo", ("calinda", "perez"))
    assert not _near_a_spelling("lavrov", ("navros",))  # another first sound: one edit at most
    assert _near_a_spelling("al", ("zouheir", "al", "maghribi"))  # written alike, another role


# --- kind-aware shortlists, word weights, vessel names ---------------------------------------------------

def test_a_person_query_shortlists_people_before_vessels_and_organisations_of_the_name():
    crowd = [candidate(100 + i, f"KUM SONG {i}", "vessel") for i in range(CANDIDATES_SCORED + 5)]
    crowd += [candidate(200 + i, f"KUM SONG TRADING {i}", "entity") for i in range(CANDIDATES_SCORED + 5)]
    person = candidate(999, "KUM SONG HUI")
    index = ScreeningIndex([*crowd, person])
    assert index.candidates.index(person) in index.shortlist(Query(name="Kum Song", kind="person"))
    assert index.shortlist(Query(name="Kum Song", kind="person"))[0] == index.candidates.index(person)


def test_an_identifier_brings_its_entry_in_whatever_the_kind_first():
    crowd = [candidate(100 + i, f"KUM SONG {i}", "vessel") for i in range(CANDIDATES_SCORED + 5)]
    person = candidate(999, "PAK CHOL", identifiers=[("passport", "PP 563120356", "PP563120356")])
    index = ScreeningIndex([*crowd, person])
    shortlist = index.shortlist(Query(name="Kum Song", kind="vessel", identifiers=("PP563120356",)))
    assert index.candidates.index(person) in shortlist


def test_the_word_weights_come_from_the_organisations_and_vessels_of_the_index_only():
    companies = [candidate(i, f"KOREA {word} SHIPPING", "entity") for i, word in enumerate(
        "RYONBONG SONGBONG KWANGSON CHONGBONG HAEGUM".split())]
    people = [candidate(10 + i, f"KOREA {i}") for i in range(20)]  # not organisation names: not counted
    weights = ScreeningIndex([*companies, *people]).prepared.word_weights
    assert weights["korea"] == pytest.approx((math.log(1 + 5 / 5) / math.log(1 + 5 / 3)) ** 2)
    assert "ryonbong" not in weights


def test_a_vessel_is_found_by_its_former_name_and_with_its_type_prefix():
    vessel = Candidate(entry_id=7, source="test", reference_number="T.007", kind="vessel", primary_name="KUM UN SAN 2",
                       names=(CandidateName("KUM UN SAN 2"), CandidateName("SEA STAR II", "fka", "alias")))
    index = ScreeningIndex([vessel, KIM_JONG_SIK, GREEN_PINE])
    for name in ("M/V Sea Star No. 2", "MV KUM UN SAN II", "Sea Star 2"):
        [hit] = index.screen(Query(name=name, kind="vessel"))
        assert hit.candidate is vessel and hit.match and hit.score == 1.0, name

"""Comparing two names: align their tokens one to one (or one to two, for names written
together or apart), score each pair, and weigh what is left unmatched on either side."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

from sanctions import identifiers as ids

from .korean import compare_korean_names
from .normalize import (
    LEGAL_FORM,
    NUMBER,
    PART,
    PARTICLE,
    NameForm,
    Token,
    is_abjad,
    name_forms,
    _KEY_RULES,
    SURNAME_VARIANTS,
    phonetic_key,
    same_non_latin_script,
    skeleton,
)

# Weights of a token by role: particles and legal forms say little about identity.
ROLE_WEIGHT = {PART: 1.0, NUMBER: 1.0, PARTICLE: 0.2, LEGAL_FORM: 0.2}
# What an unmatched token costs, relative to a matched one: the query (a reported subject) naming
# someone else weighs more than a list entry carrying extra names (patronymics, full forms).
EXTRA_QUERY_COST = 0.4
EXTRA_CANDIDATE_COST = 0.4
# An organisation's name is a fixed phrase: a word the query adds ("Deutsche Bank *Trust* Company",
# "Crystalord *Systems* Ltd") names another organisation, often a sister company.
EXTRA_QUERY_COST_ORGANIZATION = 0.8
# Patronymics ("Viktorovich") and the chain of forefathers' names in an Arabic nasab ("bin Muhammad
# ibn Awad") are often left out when a name is written: when missing, they cost little.
EXTRA_SECONDARY_COST = 0.1
# A country or region in an organisation's name marks a branch or subsidiary of the group
# ("Faberlic Europe", "Deutsche Bank (Schweiz)"): missing on one side, it costs half.
PLACE_IN_ORGANIZATION_FACTOR = 0.5
REGIONS = frozenset("""europe european eurasia asia asian africa african america americas american latam emea apac
pacific atlantic arabia arabian gulf caribbean scandinavia nordic baltic balkan balkans caucasus oceania
schweiz suisse svizzera deutschland espana italia nederland polska rossii rossiya korea""".split())
# "SALMAN BIN MUHAMMAD" is Muhammad's son, "MUHAMMAD BIN SALMAN" Salman's: the same names with son
# and father swapped are two people.
SWAPPED_FATHER_FACTOR = 0.6
# A name part replaced by another ("AL-MOSULI" where the entry has "AL-RAWI") says more than a
# missing one: the pair costs this much on top of the two extras.
SUBSTITUTION_COST = 1.2
NUMBER_MISMATCH_FACTOR = 0.5  # "NAM SAN 8" is not "NAM SAN 6"
ONE_SIDED_NUMBER_FACTOR = 0.8
PAIR_CUTOFF = 0.6
INITIAL_SIMILARITY = 0.7
# Word weights in organisation and vessel names (word_weights): a word shared by more entries than
# this weighs less; never less than the least weight.
COMMON_FROM_ENTRIES = 3
LEAST_WORD_WEIGHT = 0.05
# Below this weight a word is a common one (against the UN and OFAC lists, about 4,400 organisations
# and vessels: a word in 60 of them or more, "Korea", "General", "Shipping", "Management", "Bank");
# two names sharing only such words score at most the cap, below the threshold (scoring.py).
COMMON_WORD_WEIGHT = 0.4
COMMON_WORDS_ONLY_CAP = 0.55
# A Korean name sharing syllables with another, but not the same name (korean.py): at most this.
KOREAN_WEAK_CAP = 0.6

NICKNAMES = {
    frozenset(pair) for pair in [
        ("ben", "benjamin"), ("ted", "theodore"), ("bill", "william"), ("will", "william"), ("bob", "robert"),
        ("rob", "robert"), ("dick", "richard"), ("rick", "richard"), ("jim", "james"), ("jimmy", "james"),
        ("mike", "michael"), ("tom", "thomas"), ("tony", "anthony"), ("alex", "alexander"), ("sasha", "alexander"),
        ("dmitri", "dmitry"), ("kate", "katherine"), ("liz", "elizabeth"), ("beth", "elizabeth"), ("joe", "joseph"),
        ("chris", "christopher"), ("dan", "daniel"), ("dave", "david"), ("steve", "stephen"), ("sam", "samuel"),
        ("nick", "nicholas"), ("pete", "peter"), ("jon", "jonathan"), ("matt", "matthew"), ("andy", "andrew"),
        ("vova", "vladimir"), ("volodymyr", "vladimir"), ("misha", "mikhail"), ("kolya", "nikolai"),
        ("mohd", "mohammad"), ("muhd", "muhammad"), ("md", "muhammad"),
    ]
}
_NICKNAME_WORDS = frozenset(word for pair in NICKNAMES for word in pair)
_NICKNAME_PAIRS = frozenset((a, b) for pair in NICKNAMES for a in pair for b in pair if a != b)  # both ways


# First letters that romanisations swap for one sound (Kim/Gim, Pak/Bak, Jong/Chong, Xi/Shi).
_VOWELS = "aeiouy"
_FIRST_SOUNDS = {
    "k": "kgcq", "g": "gkj", "c": "ckgjs", "q": "qkc", "p": "pbf", "b": "bpv", "t": "td", "d": "dt",
    "j": "jcgyz", "z": "zjs", "s": "sxzc", "x": "xsh", "h": "hx", "f": "fpv", "v": "vwbf", "w": "wvu",
    "l": "lr", "r": "rl", **{vowel: _VOWELS + "wj" for vowel in _VOWELS},
}


@dataclass(frozen=True)
class NameComparison:
    score: float
    detail: str


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int  # inclusive
    text: str
    role: str
    weight: float
    initials: str = ""
    single: bool = True
    length: int = 0
    spelled_length: int = 0  # len(_spelled(text))
    special: bool = False  # a surname romanisation or a nickname: compared whatever the lengths
    # Worked out once with the unit, read on every pairing (_pairs, compare_forms):
    width: int = 0  # end - start
    mask: int = 0  # the positions it covers, as bits
    span_weight: float = 0.0  # the role weights of the tokens it covers
    # A single word of consonants only: may be initials written together ("JC" for "Jean-Claude";
    # no name one can say), paired with as many name parts (_pairs).
    bare_initials: bool = False


def token_similarity(a: str, b: str, *, phonetic: bool = True, final: bool = False) -> tuple[float, str]:
    return _token_similarity(a, b, phonetic, final)


# Legal forms that name a jurisdiction's company type: two different ones are two companies
# (Deutsche Bank AG is not Deutsche Bank GmbH). Generic words (Ltd, Inc, Co) do not count.
DISTINCT_LEGAL_FORMS = frozenset({"ano", "gmbh", "ag", "llc", "plc", "jsc", "ooo", "sa", "sas", "sarl", "srl", "spa", "bv",
                                  "nv", "ab", "oy", "kk", "pte", "pty", "sdn", "bhd", "lp", "llp", "spzoo"})
LEGAL_FORM_MISMATCH_FACTOR = 0.7
# A name cut short by a form field is long; "Lind" for "Lindemann" in a short name is another name.
CUT_SHORT_MIN_NAME_LENGTH = 25


# Typos allowed between two spellings, by the longer one's length: none in up to two letters, one in
# up to five, two in up to nine, three beyond ("Sancho" is not a misspelt "Sanchez").
EDIT_LIMITS = ((2, 0), (5, 1), (9, 2))
_EDITS_BEYOND = EDIT_LIMITS[-1][1] + 1
# The same as a table by the longer one's length (read on the hot path).
_EDITS_BY_LENGTH = tuple(next((edits for limit, edits in EDIT_LIMITS if length <= limit), _EDITS_BEYOND)
                         for length in range(EDIT_LIMITS[-1][0] + 1))


def edits_allowed(longest: int) -> int:
    return _EDITS_BY_LENGTH[longest] if longest < len(_EDITS_BY_LENGTH) else _EDITS_BEYOND


def spelling_allowance(a: str, b: str, longest: int) -> tuple[int | None, bool]:
    """The edits a spelling rule lets `a` (a query's part) differ from `b` (an entry's) by, None when
    they are other names whatever the edits; and whether they start with other sounds. `longest`:
    the longer one's length. Shared by _token_similarity and the index's estimate, which must forgive
    no less than it (on the hot path: the table read here, not through edits_allowed)."""
    allowed = _EDITS_BY_LENGTH[longest] if longest < len(_EDITS_BY_LENGTH) else _EDITS_BEYOND
    other_first_sound = a[0] not in _FIRST_SOUNDS.get(b[0], b[0])
    if other_first_sound:
        if longest <= 4 and not (_doubled_start(a) or _doubled_start(b)):
            # Short name parts differing at the start are other names (Song/Yong); a word starting with a
            # doubled consonant ("Ssad") has its typo there, though.
            return None, True
        allowed = min(allowed, 1)  # the first letter is seldom the typo: "Navros" is not "Lavrov"
    return allowed, other_first_sound


@lru_cache(maxsize=200_000)
def _spelled(token: str) -> str:
    """The token with digraphs and letters of one sound written one way (kh/k, x/ks, ts/z...), the
    vowels kept: what the romanisations of one sound agree on before any vowel is ignored."""
    key = "s" + token[1:] if token.startswith("x") else token  # pinyin x is an s-sound (Xi, Shi, Hsi)
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    return key


@lru_cache(maxsize=500_000)
def _token_similarity(a: str, b: str, phonetic: bool, final: bool) -> tuple[float, str]:
    # The rules in order, the first that applies decides. Most pairs of a comparison are two
    # different names, so the helpers are inlined here (a call each cost more than its rule).
    if a == b:
        return 1.0, "same"
    len_a, len_b = len(a), len(b)
    shortest, longest = (len_a, len_b) if len_a < len_b else (len_b, len_a)
    if final and shortest >= 2 and longest >= 5 and (a.startswith(b) or b.startswith(a)):
        return 0.75, "cut short"  # the last name part truncated by a form field (see _pairs)
    if a.isdigit() or b.isdigit():
        return 0.0, "different number"
    if a in SURNAME_VARIANTS and SURNAME_VARIANTS.get(b) == SURNAME_VARIANTS[a]:
        return 0.9, "romanisation of one surname"

    if shortest == 1:
        return (INITIAL_SIMILARITY, "initial") if a[0] == b[0] else (0.0, "different initial")
    if (a, b) in _NICKNAME_PAIRS:
        return 0.9, "nickname"
    # (Only a name and a longer one starting with it can be its other gender's form.)
    if (b.startswith(a) and _other_gender(a, b)) or (a.startswith(b) and _other_gender(b, a)):
        return 0.0, "the other gender's form"
    allowed, other_first_sound = spelling_allowance(a, b, longest)
    best, how = 0.0, "different"
    if allowed is not None:
        distance = OSA.distance(a, b, score_cutoff=allowed)  # a swap of two letters is one edit
        if distance <= allowed:
            best, how = 1 - distance / longest, "spelling"
    if not phonetic or best >= 0.9:
        return best, how
    # Compared as sounds, with digraphs read one way ("Shi"/"Xi", "Tse-tung"/"Zedong", "Aleksandr"/
    # "Alexander"), of about the same length and starting alike.
    sa, sb = _spelled(a), _spelled(b)
    if not ((not other_first_sound and 4 * shortest >= 3 * longest)
            or (sa[0] in _FIRST_SOUNDS.get(sb[0], sb[0]) and 4 * min(len(sa), len(sb)) >= 3 * max(len(sa), len(sb)))):
        return best, how
    if best == 0.0 and (sa, sb) != (a, b) and OSA.distance(sa, sb, score_cutoff=1) <= 1:
        best, how = (0.9, "sounds alike") if sa == sb else (1 - 1 / max(len(sa), len(sb)), "spelling")
    if best < 0.9 and phonetic_key(a) == phonetic_key(b):
        best, how = 0.9, "sounds alike"
    return best, how


def _doubled_start(word: str) -> bool:
    return len(word) > 2 and word[0] == word[1] and word[0] not in _VOWEL_SET


_FEMININE_ENDINGS = ("a", "le", "ne")


def _other_gender(short: str, long: str) -> bool:
    """"Ivanova" is Ivanov's wife or daughter, "Aleksandra" not Aleksandr, "Michelle" Michel's
    feminine: a name ending in a consonant, and the same name with -a or a doubled -lle/-nne."""
    ending = long[len(short):]
    return (len(short) >= 4 and short[-1] not in _VOWEL_SET and long.startswith(short)
            and (ending == "a" or (ending in _FEMININE_ENDINGS and ending[0] == short[-1])))  # Jean/Jeanne


@lru_cache(maxsize=200_000)
def _units(form: NameForm) -> tuple[_Unit, ...]:
    units = [_unit(form, i, i, t.text, t.role, "") for i, t in enumerate(form)]
    # Adjacent name parts written together elsewhere: "Jong Un" ~ "Jongun", "van der Bilt" ~ "Vanderbilt".
    for width in (2, 3) if len(form) <= 6 else (2,):
        for i in range(len(form) - width + 1):
            run = form[i:i + width]
            if all(t.role != NUMBER for t in run):
                units.append(_unit(form, i, i + width - 1, "".join(t.text for t in run), PART,
                                   "".join(t.text[0] for t in run)))
    return tuple(units)


def _unit(form: NameForm, start: int, end: int, text: str, role: str, initials: str) -> _Unit:
    single = start == end
    # The span's weights summed in the order compare_forms has always summed them (a set's), so the
    # float, and every score, stays the same to the last bit.
    span_weight = sum(ROLE_WEIGHT[form[i].role] for i in set(range(start, end + 1)))
    return _Unit(start, end, text, role, ROLE_WEIGHT[role], initials, single, len(text), len(_spelled(text)),
                 text in SURNAME_VARIANTS or text in _NICKNAME_WORDS, end - start,
                 ((1 << (end - start + 1)) - 1) << start, span_weight,
                 single and role == PART and not _VOWEL_SET & set(text))


@lru_cache(maxsize=200_000)
def _form_facts(form: NameForm) -> tuple[int, int, int]:
    """How many name parts, their positions as bits, and the length written out with spaces."""
    parts = sum(t.role == PART for t in form)
    part_mask = sum(1 << i for i, t in enumerate(form) if t.role == PART)
    return parts, part_mask, sum(len(t.text) + 1 for t in form)


def _pairs(q_units, c_units, last_q: int, last_c: int, phonetic: bool, cutoff: float,
           initials: bool, q_parts: int, c_parts: int, long_names: bool) -> list:
    """`last_q`, `last_c`: the last positions of the two forms; `q_parts`, `c_parts`: how many name
    parts each side has (initials written together stand beside another name part, "JC Juncker",
    never alone, "N.N."); `long_names`: both names are long enough for a cut-short last part (see
    CUT_SHORT_MIN_NAME_LENGTH). The hot loop of matching: each pair is ruled out as early and as
    cheaply as it can be, with the unit's facts worked out once (_unit)."""
    pairs = []
    append = pairs.append
    similarity_of = _token_similarity
    q_may_be_initials = initials and q_parts > 1
    c_may_be_initials = initials and c_parts > 1
    for q in q_units:
        q_single, q_text, q_length, q_special, q_role = q.single, q.text, q.length, q.special, q.role
        q_initial = q_length == 1
        q_final = q.end == last_q and long_names
        q_number = q_role == NUMBER
        q_width = q.width
        for c in c_units:
            c_length = c.length
            if q_single and c.single:
                if q_role != c.role and (q_number or c.role == NUMBER):
                    continue
            elif (q_initial and not c.single) or (c_length == 1 and not q_single):
                continue  # an initial stands for one name part, not several
            elif ((q_may_be_initials and q.bare_initials and q_text == c.initials)
                  or (c_may_be_initials and c.bare_initials and c.text == q.initials)):
                append((INITIAL_SIMILARITY, q_width + c.width, q, c, "initials"))
                continue
            c_text = c.text
            difference = q_length - c_length
            if (difference > 3 or difference < -3) and not q_special and not c.special:
                # No rule of _token_similarity can pair the two when their lengths are too far apart
                # for a spelling (three edits at most) or a sound (a quarter of the longer), and
                # neither is cut short from the other: most pairs end here, without a call.
                shorter, longer = (c_length, q_length) if difference > 0 else (q_length, c_length)
                if 4 * shorter < 3 * longer:
                    q_spelled, c_spelled = q.spelled_length, c.spelled_length
                    shorter, longer = (c_spelled, q_spelled) if q_spelled > c_spelled else (q_spelled, c_spelled)
                    if 4 * shorter < 3 * longer and not (q_text.startswith(c_text) or c_text.startswith(q_text)):
                        continue
            if q_text == c_text:
                similarity, how = 1.0, "same"  # as _token_similarity says, without the call
            else:
                similarity, how = similarity_of(q_text, c_text, phonetic, q_final and c.end == last_c)
            if similarity >= cutoff:
                append((similarity, q_width + c.width, q, c, how))
    pairs.sort(key=_pair_order, reverse=True)
    return pairs


def _pair_order(pair: tuple) -> tuple[float, int]:
    return pair[0], pair[1]


_VOWEL_SET = frozenset("aeiouy")


_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna", "ogly", "oglu")
_FATHER_PARTICLES = frozenset({"bin", "bint"})


@lru_cache(maxsize=200_000)
def _secondary(form: NameForm) -> frozenset[int]:
    """Positions of patronymics and of the inner links of a nasab chain (the X of "bin X bin Y";
    the last name of the chain is kept: it is often the family's)."""
    found = set()
    for i, token in enumerate(form):
        if token.role != PART:
            continue
        if len(token.text) > 6 and token.text.endswith(_PATRONYMIC_ENDINGS):
            found.add(i)
        elif i > 0 and form[i - 1].text in _FATHER_PARTICLES and form[i - 1].role == PARTICLE and any(
                t.text in _FATHER_PARTICLES and t.role == PARTICLE for t in form[i + 1:]):
            found.add(i)
    return frozenset(found)


@lru_cache(maxsize=200_000)
def _father_links(form: NameForm) -> tuple[tuple[int, int], ...]:
    """(son, father) positions: the name part before "bin"/"bint" and the first name part after it."""
    links = []
    for i, token in enumerate(form):
        if token.role == PARTICLE and token.text in _FATHER_PARTICLES and i > 0 and form[i - 1].role == PART:
            father = next((j for j in range(i + 1, len(form)) if form[j].role == PART), None)
            if father is not None:
                links.append((i - 1, father))
    return tuple(links)


@lru_cache(maxsize=100_000)
def _is_place(word: str) -> bool:
    return word in REGIONS or (len(word) >= 4 and ids.country_code_from_name(word) is not None)


def _father_swapped(query: NameForm, candidate: NameForm, aligned: dict[int, int]) -> bool:
    c_links = set(_father_links(candidate))
    return any((aligned.get(father), aligned.get(son)) in c_links for son, father in _father_links(query))


def compare_forms(query: NameForm, candidate: NameForm, *, phonetic: bool = True,
                  extra_query_cost: float = EXTRA_QUERY_COST, organization: bool = False,
                  initials: bool = True, units: Mapping[NameForm, tuple[_Unit, ...]] | None = None,
                  word_weights: Mapping[str, float] | None = None) -> NameComparison:
    """`initials`: words without a vowel may be initials written together ("JC"); not so in
    romanised Arabic or Hebrew, which write no vowels. `units`: the candidate's units, worked
    out once when the index was built (see PreparedNames). `word_weights`: what each word of an
    organisation's or vessel's name weighs, from how many entries of the lists share it (see
    word_weights); a word missing from it weighs in full."""
    q_units = _units(query)
    if units is None:
        c_units = _units(candidate)
    else:
        c_units = units.get(candidate)
        if c_units is None:
            c_units = units[candidate] = _units(candidate)
    q_parts, q_part_mask, q_written = _form_facts(query)
    c_parts, _, c_written = _form_facts(candidate)
    last_q, last_c = len(query) - 1, len(candidate) - 1
    long_names = min(q_written, c_written) >= CUT_SHORT_MIN_NAME_LENGTH
    used_q = used_c = 0  # positions aligned so far, as bits
    matched_weight = matched_score = 0.0
    aligned: dict[int, int] = {}
    notes = []
    if word_weights is not None:
        q_weights = [_token_weight(t, word_weights) for t in query]
        c_weights = [_token_weight(t, word_weights) for t in candidate]
    # Two rounds keep it cheap: sure single-word pairs first, then everything else (weaker pairs,
    # words written together or apart) among what is left. _units lists the single words first.
    first_round = _pairs(q_units[:len(query)], c_units[:len(candidate)], last_q, last_c, phonetic, 0.85,
                         initials, q_parts, c_parts, long_names)
    for round_pairs in (first_round, None):
        if round_pairs is None:
            if used_q == (1 << len(query)) - 1 or used_c == (1 << len(candidate)) - 1:
                break
            free_q = [u for u in q_units if not u.mask & used_q]
            free_c = [u for u in c_units if not u.mask & used_c]
            round_pairs = _pairs(free_q, free_c, last_q, last_c, phonetic, PAIR_CUTOFF, initials, q_parts, c_parts,
                                 long_names)
        for similarity, _, q, c, how in round_pairs:
            if q.mask & used_q or c.mask & used_c:
                continue
            used_q |= q.mask
            used_c |= c.mask
            if q.single and c.single:
                aligned[q.start] = c.start
            # The lighter side: one word matching three written together must not weigh three.
            if word_weights is None:
                weight = min(q.span_weight, c.span_weight)
            else:
                weight = min(math.fsum(q_weights[q.start:q.end + 1]), math.fsum(c_weights[c.start:c.end + 1]))
            matched_weight += weight
            matched_score += weight * similarity
            if how != "same":
                notes.append(f"{q.text}~{c.text} ({how})")

    if not used_q & q_part_mask:
        if not q_part_mask and [t.text for t in query] == [t.text for t in candidate]:
            return NameComparison(1.0, "written alike (numbers only)")  # the vessel "7-28"
        return NameComparison(0.0, "no name part in common")
    used_q = {i for i in range(len(query)) if used_q >> i & 1}
    used_c = {i for i in range(len(candidate)) if used_c >> i & 1}
    extra_q = [query[i] for i in range(len(query)) if i not in used_q]
    extra_c = [candidate[i] for i in range(len(candidate)) if i not in used_c]
    if word_weights is None:
        substitutions = min(sum(t.role == PART for t in extra_q), sum(t.role == PART for t in extra_c))
    else:
        # A common word replaced by another ("Shipping" for "Trading") says less than a distinctive one.
        substitutions = min(math.fsum(q_weights[i] for i in range(len(query)) if i not in used_q
                                      and query[i].role == PART),
                            math.fsum(c_weights[i] for i in range(len(candidate)) if i not in used_c
                                      and candidate[i].role == PART))
    # A missing patronymic costs little, a different one does not (then both sides have parts left).
    q_secondary = _secondary(query) if not any(t.role == PART for t in extra_c) else frozenset()
    c_secondary = _secondary(candidate) if not any(t.role == PART for t in extra_q) else frozenset()
    q_place = organization and not any(t.role == PART for t in extra_c)  # "(Sweden)" vs "(Finland)": two
    c_place = organization and not any(t.role == PART for t in extra_q)  # branches, no discount

    def cost(token: Token, secondary: bool, usual: float, place: bool) -> float:
        weight = ROLE_WEIGHT[token.role] if word_weights is None else _token_weight(token, word_weights)
        if secondary:
            return weight * EXTRA_SECONDARY_COST
        if place and token.role == PART and _is_place(token.text):
            return usual * PLACE_IN_ORGANIZATION_FACTOR * (1.0 if word_weights is None else weight)
        return weight * usual

    denominator = (matched_weight
                   + sum(cost(query[i], i in q_secondary, extra_query_cost, q_place)
                         for i in range(len(query)) if i not in used_q)
                   + sum(cost(candidate[i], i in c_secondary, EXTRA_CANDIDATE_COST, c_place)
                         for i in range(len(candidate)) if i not in used_c)
                   + SUBSTITUTION_COST * substitutions)
    score = matched_score / denominator
    if word_weights is not None and _only_common_words_matched(query, candidate, used_q, used_c, q_weights,
                                                                 c_weights):
        score = min(score, COMMON_WORDS_ONLY_CAP)
        notes.append("only common words in common")
    if aligned and _father_swapped(query, candidate, aligned):
        score *= SWAPPED_FATHER_FACTOR
        notes.append("son and father swapped")
    q_numbers = {t.text for t in query if t.role == NUMBER}
    c_numbers = {t.text for t in candidate if t.role == NUMBER}
    if q_numbers != c_numbers:
        # Numbered names (ships, funds, units) differ by their number: "NAM SAN 8" is not "NAM SAN 6".
        score *= NUMBER_MISMATCH_FACTOR if q_numbers and c_numbers else ONE_SIDED_NUMBER_FACTOR
        notes.append(f"numbers differ ({' '.join(sorted(q_numbers)) or '-'} vs {' '.join(sorted(c_numbers)) or '-'})")
    q_forms = {t.text for t in query if t.role == LEGAL_FORM} & DISTINCT_LEGAL_FORMS
    c_forms = {t.text for t in candidate if t.role == LEGAL_FORM} & DISTINCT_LEGAL_FORMS
    if q_forms and c_forms and not q_forms & c_forms:
        score *= LEGAL_FORM_MISMATCH_FACTOR
        notes.append(f"legal forms differ ({' '.join(sorted(q_forms))} vs {' '.join(sorted(c_forms))})")
    if extra_q:
        notes.append("unmatched in query: " + " ".join(t.text for t in extra_q))
    if extra_c:
        notes.append("unmatched in entry: " + " ".join(t.text for t in extra_c))
    return NameComparison(score, "; ".join(notes) or "all parts match")


def _token_weight(token: Token, word_weights: Mapping[str, float]) -> float:
    weight = ROLE_WEIGHT[token.role]
    return weight * word_weights.get(token.text, 1.0) if token.role == PART else weight


def _only_common_words_matched(query: NameForm, candidate: NameForm, used_q: set[int], used_c: set[int],
                               q_weights: list[float], c_weights: list[float]) -> bool:
    """Every name part the two share is a common word ("Korea", "Shipping"), and one of them has a
    distinctive word the other lacks: two companies, not one."""
    shared = [q_weights[i] for i in used_q if query[i].role == PART] + \
             [c_weights[i] for i in used_c if candidate[i].role == PART]
    if not shared or max(shared) >= COMMON_WORD_WEIGHT:
        return False
    return any(query[i].role == PART and q_weights[i] >= COMMON_WORD_WEIGHT for i in range(len(query))
               if i not in used_q) or any(candidate[i].role == PART and c_weights[i] >= COMMON_WORD_WEIGHT
                                          for i in range(len(candidate)) if i not in used_c)


def word_weights(names_per_entry: Iterable[Iterable[NameForm]]) -> dict[str, float]:
    """What a word of organisations' and vessels' names weighs, from how many of those entries
    share it: in full when a few do, falling with the log of its share beyond ("Korea" and
    "Shipping" are in hundreds of entries, "Ryonbong" in one). Only the words below full weight."""
    entries = 0
    counts: Counter[str] = Counter()
    for forms in names_per_entry:
        entries += 1
        counts.update({t.text for form in forms for t in form if t.role == PART})
    full = math.log(1 + entries / COMMON_FROM_ENTRIES)
    return {word: max(LEAST_WORD_WEIGHT, (math.log(1 + entries / count) / full) ** 2)
            for word, count in counts.items() if count > COMMON_FROM_ENTRIES}


def _acronym(short: NameForm, long: NameForm, organization: bool = False) -> bool:
    """`short` is the initials of `long`'s name parts; for organisations, beside a country or region
    ("PLA China" for the People's Liberation Army)."""
    parts = [t for t in short if t.role == PART and not (organization and _is_place(t.text))]
    initials = "".join(t.text[0] for t in long if t.role == PART)
    # Two letters ("N.N.", "UN") stand for too many names to be read as one of them.
    return len(parts) == 1 and 3 <= len(parts[0].text) <= 6 and parts[0].text == initials


def _as_written(name: str) -> NameForm:
    # Han and Hangul: one token per character; other scripts: words.
    if any(_ideographic(c) for c in name):
        return tuple(Token(c) for c in name if c.isalpha())
    return tuple(Token(w) for w in name.casefold().split())


def _ideographic(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0x3400 <= code <= 0x4DBF


class PreparedNames:
    """What comparing a list entry's names needs, kept with the index for the list version's life:
    each name's forms (worked out when the index is built, for its keys), each form's units
    (worked out on the first comparison that needs them), and the weights of the words of
    organisations' and vessels' names in that index, so a query pays only for its own side."""

    def __init__(self):
        self.forms: dict[tuple[str, bool], tuple[NameForm, ...]] = {}
        self.units: dict[NameForm, tuple[_Unit, ...]] = {}
        self.word_weights: dict[str, float] | None = None

    def add(self, name: str, vessel: bool = False) -> tuple[NameForm, ...]:
        forms = self.forms.get((name, vessel))
        if forms is None:
            forms = self.forms[name, vessel] = name_forms(name, vessel)
        return forms


def compare_names(query: str, candidate: str, *, organization: bool = False, person: bool = False,
                  vessel: bool = False, prepared: PreparedNames | None = None) -> NameComparison:
    """`organization`, `person`, `vessel`: the candidate's kind (organisations: see
    EXTRA_QUERY_COST_ORGANIZATION; people: Korean names are compared as such, korean.py; vessels:
    their names read as ships' names, normalize._vessel_words). `prepared`: the candidate side's
    forms, units and word weights, from the index."""
    korean = compare_korean_names(query, candidate) if person else None
    if korean is not None and korean.strong:
        return NameComparison(korean.score, korean.detail)
    result = _compare_names(query, candidate, organization=organization, vessel=vessel, prepared=prepared)
    if korean is not None and result.score > KOREAN_WEAK_CAP:
        return NameComparison(KOREAN_WEAK_CAP, f"{korean.detail}, a weak match ({result.detail})")
    return result


def _compare_names(query: str, candidate: str, *, organization: bool, vessel: bool,
                   prepared: PreparedNames | None) -> NameComparison:
    c_forms = prepared.forms.get((candidate, vessel)) if prepared is not None else None
    if c_forms is None:
        c_forms = name_forms(candidate, vessel)
    units = prepared.units if prepared is not None else None
    weights = prepared.word_weights if prepared is not None and (organization or vessel) else None
    # A ship's name, like an organisation's, is a fixed phrase: a word more names another.
    extra_query_cost = EXTRA_QUERY_COST_ORGANIZATION if organization or vessel else EXTRA_QUERY_COST
    if same_non_latin_script(query, candidate):
        # No romanisation ambiguity between two names in one script: sound-alikes do not count.
        initials = not is_abjad(query)
        romanised = max((compare_forms(q, c, phonetic=False, initials=initials, units=units, word_weights=weights)
                         for q in name_forms(query, vessel) for c in c_forms), key=lambda r: r.score, default=None)
        ideographic = any(map(_ideographic, query))
        if romanised is not None and not ideographic:
            return romanised  # the comparison as written only stands in for no romanised form, or caps Han
        by_character = compare_forms(_as_written(query), _as_written(candidate), phonetic=False, initials=initials)
        if romanised is None:
            return by_character
        return min(by_character, romanised, key=lambda r: r.score)
    best = NameComparison(0.0, "no comparable form")
    initials = not (is_abjad(query) or is_abjad(candidate))
    for q_form in name_forms(query, vessel):
        for c_form in c_forms:
            result = compare_forms(q_form, c_form, extra_query_cost=extra_query_cost, organization=organization,
                                   initials=initials, units=units, word_weights=weights)
            if result.score > best.score:
                best = result
            if best.score < 0.85 and (_acronym(q_form, c_form, organization) or _acronym(c_form, q_form, organization)):
                best = NameComparison(0.85, "acronym of the other name")
            if best.score >= 1.0:
                return best  # nothing scores above 1, and a tie keeps the first
    # Arabic and Hebrew write no short vowels: compare consonant skeletons too.
    if is_abjad(query) != is_abjad(candidate) and best.score < 0.9:
        q_skeleton, c_skeleton = skeleton(query), skeleton(candidate)
        score = consonant_score([q_skeleton], c_skeleton)
        if score > best.score:
            best = NameComparison(score, f"consonants {q_skeleton}~{c_skeleton}")
    return best


def consonant_score(query_skeletons: list[str], candidate_skeleton: str) -> float:
    """What two consonant skeletons (of a name in Arabic or Hebrew script and one in Latin letters)
    score: 0.9 times their similarity, when they are alike (0.8); 0 otherwise. The best of the
    query's skeletons; those shorter than three consonants say nothing."""
    best = 0.0
    if len(candidate_skeleton) >= 3:
        for q_skeleton in query_skeletons:
            if len(q_skeleton) >= 3:
                similarity = ratio(q_skeleton, candidate_skeleton) / 100
                if similarity >= 0.8:
                    best = max(best, 0.9 * similarity)
    return best

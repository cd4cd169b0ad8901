"""The candidate index: built once per list version from its active entries, so a query only
scores the few entries that share a name key or an identifier with it, never the whole list."""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .names import _EDITS_BEYOND, PreparedNames, consonant_score, edits_allowed, spelling_allowance, word_weights
from .normalize import NUMBER, PART, is_abjad, name_forms, phonetic_key, skeleton
from .scoring import DEFAULT_THRESHOLD, compare, query_identifiers
from .types import Candidate, CandidateName, MatchResult, Query

CANDIDATES_SCORED = 20
# A vessel or organisation query shortlists entries of its kind first: against a large list, people
# of the same name (189 OFAC entries share "Maria") would crowd out the one vessel MARIA.
KIND_FIRST = {"vessel": "vessel", "organization": "entity", "person": "individual"}
# Query kinds whose names may be ships' names, read as such too (normalize._vessel_words).
MAY_BE_VESSEL = {"vessel", "any", "unknown", ""}
NAMES_COMPARED_PER_ENTRY = 4  # per query: enough for recall at 5, few enough for milliseconds
# Past the first shortlisted entry, an entry (and of an entry, a name) gets the full token alignment
# only when a cheap estimate from its blocking keys (_estimate) says it may come within this margin of
# the threshold. The estimate counts a query part as matched when it shares any key, so it runs
# high; on the bench sets (3,366 queries against the UN list; since 1.1.1 also queries in Arabic script,
# 101,683 yente queries against UN and UN + OFAC) no match was lost, only near misses far below the
# threshold are no longer returned. 1.1.2: a part no longer shares its neighbour's keys, which let far
# too much through; what the alignment forgives counts instead (a part within its edit allowance of
# one of the entry's, letters swapped, initials), and names in Arabic script are estimated against
# other letters. Against 1.1.1 on 55,315 variants of UN names (typos, initials, joins, drops; from a
# review) it finds the right entry 304 times more and 5 times less; bench/README.md has the rest.
# At a threshold at or below the margin every shortlisted entry is aligned.
ALWAYS_SCORED = 1
PRESCORE_MARGIN = 0.25


def _word_keys(word: str) -> frozenset[str]:
    keys = {"k:" + phonetic_key(word)}
    if len(word) >= 4:
        keys.add("p:" + word[:4])
        keys.add("s:" + word[-4:])
    elif len(word) >= 2:
        keys.add("w:" + word)
    return frozenset(keys)


def _query_names(query: Query) -> list[str]:
    """The query's name and aliases, blank ones left out."""
    return [name for name in (query.name, *query.aliases) if name and name.strip()]


def _query_words(name: str, vessel: bool = False) -> list[list[tuple[str, frozenset[str]]]]:
    """Per form of `name`, per name part: the part and the blocking keys it may meet an entry's name by, its own
    and those of it written together with a neighbour ("Abd al-Salam" as "Abdal Salam"). Of a word
    written together with a neighbour, a key that is the neighbour's own (the first four letters of a
    neighbour before it, the last four of one after it, when the neighbour has four letters or more)
    says nothing of this part: "Abdul Haq" has no part in common with "Abdul Jabbar" but Abdul."""
    found = []
    for form in _forms(name, vessel):
        words = []
        for i, token in enumerate(form):
            if token.role != PART:
                continue
            text = token.text
            keys = set(_word_keys(text))
            # An initial stands for any name starting with its letter, either way round (_initial_keys).
            keys.add("i:" + text if len(text) == 1 else "f:" + text[0])
            if len(text) >= 4:
                # Two letters swapped, a typo none of the word's keys may survive ("Badur" for "Abdur",
                # "Jamli" for "Jamil"); the alignment forgives it as one edit.
                for at in range(len(text) - 1):
                    keys |= _word_keys(text[:at] + text[at + 1] + text[at] + text[at + 2:])
            for j, k in ((i - 1, i), (i, i + 1)):
                if 0 <= j and k < len(form) and NUMBER not in (form[j].role, form[k].role):
                    joined = _word_keys(form[j].text + form[k].text)
                    if j < i and len(form[j].text) >= 4:
                        joined -= {"p:" + form[j].text[:4]}  # the neighbour before: its own first letters
                    elif k > i and len(form[k].text) >= 4:
                        joined -= {"s:" + form[k].text[-4:]}  # the neighbour after: its own last letters
                    keys |= joined
            words.append((text, frozenset(keys)))
        found.append(words)
    return found


def _initial_keys(forms) -> frozenset[str]:
    """What the estimate lets a query's initial or a query name part meet in an entry's name besides
    its blocking keys: "R." meets any part starting with R, and an initial "M" any query part
    starting with M (the alignment pairs an initial with such a part)."""
    keys = set()
    for form in forms:
        for token in form:
            if token.role != NUMBER:  # the alignment pairs an initial with a particle too ("A" for "Al")
                keys.add("i:" + token.text[0])
                if len(token.text) == 1:
                    keys.add("f:" + token.text)
    return frozenset(keys)


def _spellings(forms) -> tuple[str, ...]:
    """An entry name's parts, and each two written together, as the alignment may pair them with a
    query's part (_pairs): what the estimate looks for a misspelt part in (_near_a_spelling)."""
    found = []
    for form in forms:
        texts = [t.text for t in form if t.role != NUMBER]
        found += texts + ["".join(pair) for pair in zip(texts, texts[1:])]
    return tuple(dict.fromkeys(found))


def _near_a_spelling(text: str, spellings: tuple[str, ...]) -> bool:
    """`text` is within the edits the alignment allows of one of `spellings` (_token_similarity's
    spelling rule): a typo ("Hsan" for "Hasan", "Hkq" for "Haq") that no key of the part survives."""
    if text in spellings:
        return True  # written alike, with another role (a part for a particle: "Al Maghribi")
    length = len(text)
    # Most parts are near none: one call in C rules that out, with the most edits any spelling in
    # reach may be allowed (one within three edits has at most three more letters).
    most = edits_allowed(length + _EDITS_BEYOND)
    if process.extractOne(text, spellings, scorer=OSA.distance, score_cutoff=most) is None:
        return False
    for spelling in spellings:
        allowed, _ = spelling_allowance(text, spelling, max(length, len(spelling)))
        if allowed and abs(length - len(spelling)) <= allowed and OSA.distance(text, spelling,
                                                                              score_cutoff=allowed) <= allowed:
            return True
    return False


def _forms(name: str, vessel: bool):
    """`vessel`: the name may be a ship's, read both ways (a query of no kind meets ships and others)."""
    if not vessel:
        return name_forms(name)
    return tuple(dict.fromkeys(name_forms(name) + name_forms(name, True)))


def name_keys(name: str, vessel: bool = False) -> set[str]:
    """Blocking keys of a name: per name part its sound, its first and its last four letters,
    and the same for adjacent parts written together."""
    keys: set[str] = set()
    for form in _forms(name, vessel):
        words = [t.text for t in form if t.role in (PART, NUMBER)]
        joined = ["".join(pair) for pair in zip(words, words[1:])]
        for word in words + joined:
            if word.isdigit():
                continue
            keys.add("k:" + phonetic_key(word))
            if len(word) >= 4:
                keys.add("p:" + word[:4])
                keys.add("s:" + word[-4:])
            elif len(word) >= 2:
                keys.add("w:" + word)
        if words and all(word.isdigit() for word in words):
            keys.add("n:" + " ".join(words))  # a name of numbers alone (the vessel "7-28") meets its own
    return keys


class ScreeningIndex:
    def __init__(self, candidates: Iterable[Candidate]):
        self.candidates: list[Candidate] = list(candidates)
        self._by_key: dict[str, set[int]] = defaultdict(set)
        self._by_identifier: dict[str, set[int]] = defaultdict(set)
        self._name_keys: list[list[tuple[CandidateName, frozenset[str]]]] = []
        # name -> (name parts in its longest form, abjad, what initials meet in it (_initial_keys),
        # its parts as spelled (_spellings))
        self._name_facts: dict[str, tuple[int, bool, frozenset[str], tuple[str, ...]]] = {}
        self._prepared = PreparedNames()  # each name's forms and units, once per list version
        self._skeletons: dict[str, str] = {}  # name -> consonants, worked out on first use
        shared_sets: dict[frozenset[str], frozenset[str]] = {}
        named_things = []  # per organisation and vessel, its names' forms: for the word weights
        for position, candidate in enumerate(self.candidates):
            vessel = candidate.kind == "vessel"
            keyed = [(name, frozenset(name_keys(name.name, vessel))) for name in candidate.names]
            for name in candidate.names:
                if (name.name, vessel) not in self._name_facts:
                    forms = self._prepared.add(name.name, vessel)
                    parts = max((sum(t.role == PART for t in form) for form in forms), default=0)
                    initial_keys = _initial_keys(forms)
                    initial_keys = shared_sets.setdefault(initial_keys, initial_keys)  # few distinct ones
                    self._name_facts[name.name, vessel] = (parts, is_abjad(name.name), initial_keys,
                                                           _spellings(forms))
            if candidate.kind in ("entity", "vessel"):
                named_things.append([form for name in candidate.names for form in self._prepared.add(name.name, vessel)])
            self._name_keys.append(keyed)
            for _, keys in keyed:
                for key in keys:
                    self._by_key[key].add(position)
            for identifier in candidate.identifiers:
                if identifier.normalized:
                    self._by_identifier[identifier.normalized].add(position)
        self._prepared.word_weights = word_weights(named_things)
        total = max(1, len(self.candidates))
        # Rare keys say more than common ones ("Mohammed" is in hundreds of entries).
        self._weight = {key: math.log(1 + total / len(hits)) for key, hits in self._by_key.items()}

    @property
    def prepared(self) -> PreparedNames:
        """The entries' names as compared, and the word weights of this index (for compare())."""
        return self._prepared

    def __len__(self) -> int:
        return len(self.candidates)

    def _query_keys(self, query: Query) -> set[str]:
        vessel = query.kind in MAY_BE_VESSEL
        return {key for name in _query_names(query) for key in name_keys(name, vessel)}

    def shortlist(self, query: Query, size: int = CANDIDATES_SCORED, keys: set[str] | None = None) -> list[int]:
        keys = self._query_keys(query) if keys is None else keys
        scores: dict[int, float] = defaultdict(float)
        # Keys in sorted order and ties to the earlier entry: the same shortlist in every process
        # (set order follows the per-process string hash seed).
        for key in sorted(keys):
            weight = self._weight.get(key, 0.0)
            for position in self._by_key.get(key, ()):
                scores[position] += weight
        must = sorted({p for value in query_identifiers(query) for p in self._by_identifier.get(value, ())})
        kind = KIND_FIRST.get(query.kind)
        if kind is None:
            best = heapq.nlargest(size, scores.items(), key=lambda item: (item[1], -item[0]))
        else:
            candidates = self.candidates
            best = heapq.nlargest(size, scores.items(),
                                  key=lambda item: (candidates[item[0]].kind == kind, item[1], -item[0]))
        return list(dict.fromkeys([*must, *(p for p, _ in best)]))

    def screen(self, query: Query, *, limit: int = 5, threshold: float = DEFAULT_THRESHOLD) -> list[MatchResult]:
        """The best `limit` results with a score above 0: every match at `threshold`, and the near
        misses among the entries the estimate kept (see PRESCORE_MARGIN)."""
        keys = self._query_keys(query)
        query_names = _query_names(query)
        query_words = [words for name in query_names for words in _query_words(name, query.kind in MAY_BE_VESSEL)
                       if words]
        # Arabic or Hebrew script meets a name in other letters by its consonants too (compare_names),
        # either way round: the query's consonants, in whichever script it is written.
        query_abjad = any(map(is_abjad, query_names))
        query_skeletons = [s for s in (skeleton(name) for name in query_names) if len(s) >= 3]
        must = {p for value in query_identifiers(query) for p in self._by_identifier.get(value, ())}
        results = []
        for rank, position in enumerate(self.shortlist(query, keys=keys)):
            candidate = self.candidates[position]
            # Only names sharing keys with the query can score, and of an entry's many aliases only
            # the few sharing the most telling keys are worth a full comparison.
            overlaps = []
            vessel = candidate.kind == "vessel"
            for name, name_keys_ in self._name_keys[position]:
                shared = name_keys_ & keys
                if shared:
                    # fsum: the same total whatever the set's order, so ties break the same way everywhere.
                    overlaps.append((math.fsum(self._weight.get(k, 0.0) for k in shared), name, name_keys_))
            overlaps.sort(key=lambda item: item[0], reverse=True)
            names = [name for _, name, _ in overlaps[:NAMES_COMPARED_PER_ENTRY]]
            if query_words and position not in must and names:
                # The cheap estimate decides which names (and, past the first ranks, which entries)
                # get the full alignment: those that may still reach the threshold.
                floor = threshold - PRESCORE_MARGIN
                estimates = [self._estimate(query_words, name, vessel, name_keys_, query_skeletons, query_abjad)
                             for _, name, name_keys_ in overlaps[:NAMES_COMPARED_PER_ENTRY]]
                if rank >= ALWAYS_SCORED and max(estimates) < floor:
                    continue
                likely = [name for name, estimate in zip(names, estimates) if estimate >= floor]
                names = likely or [names[estimates.index(max(estimates))]]
            results.append(compare(query, candidate, threshold=threshold, names=names or candidate.names,
                                   prepared=self._prepared))
        results = [r for r in results if r.score > 0]
        results.sort(key=lambda r: (-r.score, r.candidate.reference_number))
        return results[:limit]

    def _estimate(self, query_words, name: CandidateName, vessel: bool, name_keys_: frozenset[str],
                  query_skeletons: list[str], query_abjad: bool) -> float:
        """A generous guess at the name score from blocking keys alone: a query name part counts as
        matched when it shares its sound, its first or its last four letters with the entry's name.
        Between Arabic or Hebrew script and other letters, also the consonant score compare_names gives."""
        parts, abjad, initial_keys, spellings = self._name_facts[name.name, vessel]
        if not parts or (abjad and query_abjad):
            # Two names written without vowels meet by the alignment's spelling rules more than by
            # keys ("wy" is one letter from "wly", with no key in common): always aligned.
            return 1.0
        best = 0.0
        for words in query_words:
            matched = sum(1 for text, keys in words
                          if keys & name_keys_ or keys & initial_keys or _near_a_spelling(text, spellings))
            extra_q, extra_c = len(words) - matched, max(0, parts - matched)
            if matched:
                best = max(best, matched / (matched + 0.4 * (extra_q + extra_c) + 1.2 * min(extra_q, extra_c)))
        if abjad != query_abjad:
            best = max(best, consonant_score(query_skeletons, self._skeleton(name.name)))
        return best

    def _skeleton(self, name: str) -> str:
        found = self._skeletons.get(name)
        if found is None:
            found = self._skeletons[name] = skeleton(name)
        return found

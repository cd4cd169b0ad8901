"""The candidate index: built once per list version from its active entries, so a query only
scores the few entries that share a name key or an identifier with it, never the whole list."""
from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable

from .normalize import NUMBER, PART, name_forms, phonetic_key
from .scoring import DEFAULT_THRESHOLD, compare, query_identifiers
from .types import Candidate, CandidateName, MatchResult, Query

CANDIDATES_SCORED = 20
NAMES_COMPARED_PER_ENTRY = 4  # per query: enough for recall at 5, few enough for milliseconds


def name_keys(name: str) -> set[str]:
    """Blocking keys of a name: per name part its sound, its first and its last four letters,
    and the same for adjacent parts written together."""
    keys: set[str] = set()
    for form in name_forms(name):
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
    return keys


class ScreeningIndex:
    def __init__(self, candidates: Iterable[Candidate]):
        self.candidates: list[Candidate] = list(candidates)
        self._by_key: dict[str, set[int]] = defaultdict(set)
        self._by_identifier: dict[str, set[int]] = defaultdict(set)
        self._name_keys: list[list[tuple[CandidateName, frozenset[str]]]] = []
        for position, candidate in enumerate(self.candidates):
            keyed = [(name, frozenset(name_keys(name.name))) for name in candidate.names]
            self._name_keys.append(keyed)
            for _, keys in keyed:
                for key in keys:
                    self._by_key[key].add(position)
            for identifier in candidate.identifiers:
                if identifier.normalized:
                    self._by_identifier[identifier.normalized].add(position)
        total = max(1, len(self.candidates))
        # Rare keys say more than common ones ("Mohammed" is in hundreds of entries).
        self._weight = {key: math.log(1 + total / len(hits)) for key, hits in self._by_key.items()}

    def __len__(self) -> int:
        return len(self.candidates)

    def _query_keys(self, query: Query) -> set[str]:
        return {key for name in (query.name, *query.aliases) if name and name.strip() for key in name_keys(name)}

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
        best = heapq.nlargest(size, scores.items(), key=lambda item: (item[1], -item[0]))
        return list(dict.fromkeys([*must, *(p for p, _ in best)]))

    def screen(self, query: Query, *, limit: int = 5, threshold: float = DEFAULT_THRESHOLD) -> list[MatchResult]:
        keys = self._query_keys(query)
        results = []
        for position in self.shortlist(query, keys=keys):
            candidate = self.candidates[position]
            # Only names sharing keys with the query can score, and of an entry's many aliases only
            # the few sharing the most telling keys are worth a full comparison.
            overlaps = []
            for name, name_keys_ in self._name_keys[position]:
                shared = name_keys_ & keys
                if shared:
                    # fsum: the same total whatever the set's order, so ties break the same way everywhere.
                    overlaps.append((math.fsum(self._weight.get(k, 0.0) for k in shared), name))
            overlaps.sort(key=lambda item: item[0], reverse=True)
            names = [name for _, name in overlaps[:NAMES_COMPARED_PER_ENTRY]]
            results.append(compare(query, candidate, threshold=threshold, names=names or candidate.names))
        results = [r for r in results if r.score > 0]
        results.sort(key=lambda r: (-r.score, r.candidate.reference_number))
        return results[:limit]

"""The DPRK names benchmark: name pairs of listed DPRK persons and entities, built on every run from
the real lists in ../shared/data (never copied), scored by our engine and by nomenklatura's
logic-v2 in the same run.

Where the set comes from:
- the designees: the UN list's ``KPi.``/``KPe.`` entries (UN_XML), OFAC's SDN records under the DPRK
  programs (ofac_sdn.DPRK_PROGRAMS; OFAC_DIR) and the UK list's "North Korea" regime (UK_CSV);
- one designee across the lists: a UK or OFAC record that cites a UN reference number
  (``cited_un_reference``) is that UN designee; the others stand alone;
- positives (label 1), per designee:
  * ``alias``: two different Latin-script names of it (primary and aliases, on any of its lists)
    that share a word once folded or are alike (rapidfuzz ratio ≥ 60): different romanisations or
    spellings of one name; aliases with nothing in common (a Korean name and a Western nickname,
    an organisation's former name) are left out, no name matcher can link them;
  * ``misspelt-changed``/``-dropped``/``-swapped``: its primary name with one letter changed,
    dropped, or two adjacent letters swapped, in one word of three letters or more, never the first
    letter (random.Random(SEED): the same set every run);
  * ``romanisation``: its primary name rewritten by one rule of another romanisation (Ri→Lee,
    Pak→Park, Choe→Choi, Kim→Gim, Jong→Chong, o→eo in a given-name syllable; given name written
    together; surname last) where the rule applies;
- hard negatives (label 0), within one list (a list names one designee once, so two of its entries
  are two designees):
  * ``hard-negative-person``: two persons sharing the surname and a given-name syllable, or two
    syllables in any order;
  * ``hard-negative-entity``: two entities sharing a word that is not a legal form;
  pairs that are one name as far as spelling can tell are skipped (counted, _one_name): no name
  matcher can tell two people of one name apart.

Ours is compare() with the query's kind and a one-name candidate, with the word weights of an index
of every list (UN, OFAC SDN, UK), as the service screens. Usage: ``python bench/dprk_names.py
[--no-peer] [--write PATH] [--show N]``."""
from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    OFAC_DIR,
    PEER_THRESHOLD,
    SHARED,
    UN_XML,
    LogicV2Peer,
    f1_counts,
    pair_candidate,
    print_facts,
    require_peer,
)
from rapidfuzz.fuzz import ratio  # noqa: E402

from sanctions.matching import Query, ScreeningIndex, compare  # noqa: E402
from sanctions.matching.candidates import candidates_from_parsed  # noqa: E402
from sanctions.matching.normalize import LEGAL_FORMS, fold, phonetic_key  # noqa: E402

UK_CSV = SHARED / "data" / "uk" / "photoangell__SanctionsApi" / "sanctionsconlist.csv"
SEED = 1718
MOST_HARD_NEGATIVES = 1500  # per group, sampled with SEED
GOALS = {"person F1": 0.95, "entity F1": 0.95, "hard-negative false matches": 0.01}
QUERY_KIND = {"individual": "person", "entity": "organization"}


def load_lists():
    from sanctions.parsers.ofac_sdn import DPRK_PROGRAMS, parse_ofac_sdn
    from sanctions.parsers.uk_ofsi import parse_uk_ofsi_csv
    from sanctions.parsers.un_xml import parse_un_consolidated

    un = parse_un_consolidated(UN_XML.read_bytes())
    ofac = parse_ofac_sdn((OFAC_DIR / "sdn.csv").read_bytes(), alt=(OFAC_DIR / "alt.csv").read_bytes(),
                          add=(OFAC_DIR / "add.csv").read_bytes())
    uk = parse_uk_ofsi_csv(UK_CSV.read_bytes())
    dprk = {
        "un": [r for r in un.records if r.reference_number.startswith(("KPi.", "KPe."))],
        "ofac": [r for r in ofac.records if set(r.programs) & DPRK_PROGRAMS],
        "uk": [r for r in uk.records if any(p.startswith("North Korea") for p in r.programs)],
    }
    return (un, ofac, uk), dprk


def designees(dprk) -> dict[str, dict]:
    """Designee key -> kind, the lists' references, its Latin names and, per list, its primary name."""
    found: dict[str, dict] = {}
    for source, records in dprk.items():
        for record in records:
            if record.kind not in QUERY_KIND:
                continue
            key = record.reference_number if source == "un" else (record.cited_un_reference or
                                                                   f"{source}:{record.reference_number}")
            designee = found.setdefault(key, {"kind": record.kind, "refs": set(), "names": [], "primary": {}})
            designee["refs"].add(f"{source}:{record.reference_number}")
            designee["primary"][source] = record.primary_name
            for name in record.names:
                if name.script == "latin" and name.name not in designee["names"]:
                    designee["names"].append(name.name)
    return found


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", fold(name)) if w not in LEGAL_FORMS]


def _alike(a: str, b: str) -> bool:
    """Two spellings of one name: their letters, legal forms left out, alike as a whole."""
    return ratio("".join(_words(a)), "".join(_words(b))) >= 80


def _misspelt(name: str, how: str, rng: random.Random) -> str | None:
    words = name.split()
    choices = [i for i, w in enumerate(words) if len(re.sub(r"[^A-Za-z]", "", w)) >= 3 and w.isalpha()]
    if not choices:
        return None
    i = rng.choice(choices)
    word = words[i]
    at = rng.randrange(1, len(word) - (1 if how == "swapped" else 0))
    if how == "changed":
        letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[at].lower()])
        word = word[:at] + (letter.upper() if word[at].isupper() else letter) + word[at + 1:]
    elif how == "dropped":
        word = word[:at] + word[at + 1:]
    else:
        if word[at] == word[at + 1]:
            return None
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    return " ".join(words[:i] + [word] + words[i + 1:])


# One rule of another romanisation each, applied to a person's name (surname first as the lists write it).
SURNAME_SPELLINGS = {"RI": "LEE", "PAK": "PARK", "CHOE": "CHOI", "KIM": "GIM", "JONG": "CHONG", "CHONG": "JUNG",
                     "YI": "RI", "CHO": "JO", "JO": "CHO", "O": "OH"}


def _romanised(name: str, rng: random.Random) -> list[str]:
    words = re.sub(r"[,]", " ", name).split()
    if len(words) < 2:
        return []
    found = []
    surname, given = words[0], words[1:]
    if surname.upper() in SURNAME_SPELLINGS:
        found.append(" ".join([SURNAME_SPELLINGS[surname.upper()], *given]))
    eo = [i for i, w in enumerate(given) if re.search(r"[^aeiouy]o[^aeiouy]?$", w.lower())]
    if eo:
        i = rng.choice(eo)
        found.append(" ".join([surname, *given[:i], re.sub(r"o(?=[^aeiouy]*$)", "eo", given[i], count=1,
                                                            flags=re.I), *given[i + 1:]]))
    if len(given) > 1:
        found.append(f"{surname} {''.join(given[:1] + [g.lower() for g in given[1:]])}")
    found.append(" ".join([*given, surname]))
    return [f for f in found if f != name]


def build_set(groups: dict[str, dict], dprk) -> tuple[list[dict], int]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for key, designee in sorted(groups.items()):
        kind, names = designee["kind"], designee["names"]
        refs = " ".join(sorted(designee["refs"]))
        for a, b in itertools.combinations(names, 2):
            if fold(a) != fold(b) and _alike(a, b):
                rows.append(_row(kind, 1, "alias", a, b, refs, refs))
        primary = next(iter(designee["primary"].values()))
        for how in ("changed", "dropped", "swapped"):
            variant = _misspelt(primary, how, rng)
            if variant and fold(variant) != fold(primary):
                rows.append(_row(kind, 1, f"misspelt-{how}", variant, primary, refs, refs))
        if kind == "individual":
            for variant in _romanised(primary, rng):
                rows.append(_row(kind, 1, "romanisation", variant, primary, refs, refs))
    skipped = 0
    for kind, category in (("individual", "hard-negative-person"), ("entity", "hard-negative-entity")):
        pairs = []
        for source, records in dprk.items():
            listed = [r for r in records if r.kind == kind]
            for one, other in itertools.combinations(listed, 2):
                if one.cited_un_reference and one.cited_un_reference == other.cited_un_reference:
                    continue
                a, b = one.primary_name, other.primary_name
                if not _hard(kind, a, b):
                    continue
                if _one_name(a, b):
                    skipped += 1
                    continue
                pairs.append(_row(kind, 0, category, a, b, f"{source}:{one.reference_number}",
                                  f"{source}:{other.reference_number}"))
        rng.shuffle(pairs)
        rows += sorted(pairs[:MOST_HARD_NEGATIVES], key=lambda r: (r["query"], r["candidate"]))
    return rows, skipped


def _one_name(a: str, b: str) -> bool:
    """The same name as far as spelling can tell: word by word the same sounds (phonetic_key: vowels
    and voiced/unvoiced consonants folded, independent of the Korean rules under test), in the same
    order or with the surname moved to the other end ("Chol Nam KIM", "Kim Chol NAM")."""
    ka, kb = [phonetic_key(w) for w in _words(a)], [phonetic_key(w) for w in _words(b)]
    return ka == kb or ka == kb[1:] + kb[:1] or kb == ka[1:] + ka[:1] or "".join(ka) == "".join(kb)


def _hard(kind: str, a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    if kind == "entity":
        return bool(set(wa) & set(wb))
    if len(wa) < 2 or len(wb) < 2:
        return False
    shared = set(wa) & set(wb)
    return (wa[0] == wb[0] and bool(set(wa[1:]) & set(wb[1:]))) or len(shared) >= 2


def _row(kind, label, category, query, candidate, query_refs, candidate_refs) -> dict:
    return {"group": "person" if kind == "individual" else "entity", "kind": kind, "label": label,
            "category": category, "query": query, "candidate": candidate, "query_refs": query_refs,
            "candidate_refs": candidate_refs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peer", action="store_true", help="skip logic-v2")
    parser.add_argument("--write", type=Path, help="write the set as CSV here")
    parser.add_argument("--show", type=int, default=12, help="errors shown per kind")
    args = parser.parse_args()
    if not args.no_peer:
        require_peer()
    print_facts("DPRK names: romanisations, misspellings and hard negatives from the UN, OFAC and UK lists")
    started = time.monotonic()
    parsed, dprk = load_lists()
    groups = designees(dprk)
    rows, skipped = build_set(groups, dprk)
    linked = sum(1 for g in groups.values() if len(g["refs"]) > 1)
    print(f"== the set: {sum(map(len, dprk.values()))} DPRK records (UN {len(dprk['un'])}, OFAC {len(dprk['ofac'])}, "
          f"UK {len(dprk['uk'])}), {len(groups)} designees ({linked} on more than one list)")
    counts = defaultdict(int)
    for row in rows:
        counts[row["group"], row["category"]] += 1
    for (group, category), count in sorted(counts.items()):
        print(f"   {group:7} {category:22} {count}")
    print(f"   hard negatives skipped, one name as far as spelling can tell: {skipped}")
    if args.write:
        with args.write.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    candidates = []
    for source, records in zip(("un-sc", "ofac-sdn", "uk-ofsi"), parsed):
        candidates += candidates_from_parsed(records, source=source, first_id=len(candidates) + 1)
    index = ScreeningIndex(candidates)  # for the word weights of every list, as the service screens
    print(f"   word weights from an index of {len(index)} entries (UN, OFAC SDN, UK)")
    peer = None if args.no_peer else LogicV2Peer()
    for row in rows:
        query = Query(name=row["query"], kind=QUERY_KIND[row["kind"]])
        listed = pair_candidate(row["candidate"], row["kind"])
        result = compare(query, listed, prepared=index.prepared)
        row["ours"], row["ours_match"], row["detail"] = result.score, result.match, result.features["name"].detail
        if peer is not None:
            row["peer"] = peer.score(peer.query_entity(query), peer.candidate_entity(listed))
            row["peer_match"] = row["peer"] >= PEER_THRESHOLD

    outcome = {}
    print("\n== results (ours at 0.70, logic-v2 at 0.70)")
    engines = [("ours", "ours_match")] + ([] if peer is None else [("logic-v2", "peer_match")])
    for group in ("person", "entity"):
        of_group = [r for r in rows if r["group"] == group]
        for engine, field in engines:
            f1 = f1_counts((bool(r["label"]), r[field]) for r in of_group)
            negatives = [r for r in of_group if not r["label"]]
            false = sum(r[field] for r in negatives)
            outcome[engine, group] = (f1["f1"], false, len(negatives))
            recall = "  ".join(f"{c.split('-', 1)[-1] if c != 'alias' else c} "
                               f"{sum(r[field] for r in of_group if r['category'] == c)}/"
                               f"{sum(1 for r in of_group if r['category'] == c)}"
                               for c in sorted({r["category"] for r in of_group if r["label"]}))
            print(f"   {group:7} {engine:9} F1 {f1['f1']:.4f} (P {f1['precision']:.3f} / R {f1['recall']:.3f});"
                  f" hard negatives matched {false}/{len(negatives)} = {100 * false / max(1, len(negatives)):.2f} %")
            print(f"   {'':7} {'':9} recall by kind: {recall}")

    print("\n== our worst errors")
    for label, what in ((0, "false matches"), (1, "missed positives")):
        errors = [r for r in rows if r["label"] == label and r["ours_match"] != bool(label)]
        errors.sort(key=lambda r: -r["ours"] if not label else r["ours"])
        print(f"   {what}: {len(errors)}")
        for row in errors[:args.show]:
            peer_text = f" (logic-v2 {row['peer']:.2f})" if "peer" in row else ""
            print(f"     {row['ours']:.3f}{peer_text} {row['category']}: {row['query']!r} ~ {row['candidate']!r}"
                  f" [{row['query_refs']} / {row['candidate_refs']}] :: {row['detail'][:160]}")

    print("\n== goals (PASS/FAIL is for ours)")
    negatives_false = sum(outcome["ours", g][1] for g in ("person", "entity"))
    negatives_total = sum(outcome["ours", g][2] for g in ("person", "entity"))
    checks = [("person-pair F1", ">= 0.95", outcome["ours", "person"][0], outcome["ours", "person"][0] >= 0.95),
              ("entity-pair F1", ">= 0.95", outcome["ours", "entity"][0], outcome["ours", "entity"][0] >= 0.95),
              ("hard-negative false matches", "<= 1 %", 100 * negatives_false / max(1, negatives_total),
               negatives_false <= 0.01 * negatives_total)]
    for name, target, value, ok in checks:
        peer_value = ""
        if peer is not None:
            if name.startswith("person"):
                peer_value = f"{outcome['logic-v2', 'person'][0]:.4f}"
            elif name.startswith("entity"):
                peer_value = f"{outcome['logic-v2', 'entity'][0]:.4f}"
            else:
                peer_value = "{:.2f} %".format(100 * sum(outcome["logic-v2", g][1] for g in ("person", "entity"))
                                                / max(1, negatives_total))
        print(f"   {name:30} {target:9} ours {value:.4f}{' %' if '%' in target else ''}"
              f"{'  logic-v2 ' + peer_value if peer_value else ''}  {'PASS' if ok else 'FAIL'}")
    print(f"   ran in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

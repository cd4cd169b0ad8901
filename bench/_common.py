"""Shared pieces of the matching benchmarks (matching_quality.py, screening_speed.py).

- where the data is: read in place from ``../shared/`` beside the project (never copied);
- building our candidates from the real list files (no database: the engine is pure);
- the peer, OpenSanctions nomenklatura logic-v2, fed the same data as followthemoney entities,
  the way nomenklatura's ``contrib/name_bench`` does it (``ValueEntity(schema, {"id": uuid4})``,
  ``.add(prop, value)``, ``LogicV2.compare(query, result, LogicV2.default_config())``);
- machine, load and version facts printed with every result.

Every FtM entity gets a fresh uuid4 id: nomenklatura memoises per-entity work with lru_caches
keyed on the entity (whose hash is its id), so two different entities sharing an id silently get
each other's cached values (a fixed id such as "q" made every pair score like the first one).
"""
from __future__ import annotations

import csv
import datetime
import importlib.metadata
import math
import os
import platform
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from uuid import uuid4

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MATCHING_DATA = SHARED / "matching-data"
UN_XML = SHARED / "data" / "un" / "TuaMaley__New-AML-TMS" / "un_sanctions.xml"  # dateGenerated 2026-05-08
OFAC_DIR = SHARED / "data" / "ofac" / "moov-io__watchman__bench"  # sdn.csv + alt.csv + add.csv, one date
YENTE = MATCHING_DATA / "yente"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sanctions.matching import Candidate, CandidateName, Query  # noqa: E402
from sanctions.matching.candidates import candidates_from_parsed  # noqa: E402

# cases.csv / checks.yml schema -> our query kind -> the candidate kind it is compared with.
SCHEMA_QUERY_KIND = {"Person": "person", "Company": "organization", "Organization": "organization",
                     "LegalEntity": "organization", "Vessel": "vessel"}
QUERY_CANDIDATE_KIND = {"person": "individual", "organization": "entity", "vessel": "vessel"}
# Our kinds -> the FtM schema logic-v2 is given.
CANDIDATE_SCHEMA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel"}
QUERY_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel", "any": "LegalEntity",
                "unknown": "LegalEntity"}
NAME_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "motherName", "lastName")
PEER_THRESHOLD = 0.70  # yente's default /match threshold for logic-v2


# --------------------------------------------------------------------------- data files

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_cases() -> list[dict[str, str]]:
    return read_csv(MATCHING_DATA / "nomenklatura" / "cases.csv")


def load_checks() -> list[dict]:
    import yaml

    with (MATCHING_DATA / "nomenklatura" / "checks.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["checks"]


def load_cross_script() -> list[tuple[str, str, float, str]]:
    lines = (MATCHING_DATA / "watchman" / "cross_script_pairs.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.reader(line for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return [(query, expected, float(minimum), description) for query, expected, minimum, description in rows]


def load_people(name: str) -> list[dict[str, str]]:
    return read_csv(YENTE / name)


def un_parsed():
    from sanctions.parsers.un_xml import parse_un_consolidated

    return parse_un_consolidated(UN_XML.read_bytes())


def ofac_parsed(programs=None):
    from sanctions.parsers.ofac_sdn import parse_ofac_sdn

    return parse_ofac_sdn((OFAC_DIR / "sdn.csv").read_bytes(), alt=(OFAC_DIR / "alt.csv").read_bytes(),
                          add=(OFAC_DIR / "add.csv").read_bytes(), programs=programs)


def un_candidates(first_id: int = 1) -> list[Candidate]:
    return candidates_from_parsed(un_parsed(), source="un-sc", first_id=first_id)


def ofac_candidates(programs=None, first_id: int = 1) -> list[Candidate]:
    return candidates_from_parsed(ofac_parsed(programs), source="ofac-sdn", first_id=first_id)


def every_list_candidates() -> list[Candidate]:
    """Every source the service syncs, from the copies bench/_sources.py names (what bench/api_load.py
    loads into its database), numbered one after another as one database would."""
    from _sources import INPUTS

    from sanctions.parsers.eu_fsf import parse_eu_fsf
    from sanctions.parsers.ftm_entities import parse_ftm_entities
    from sanctions.parsers.ofac_sdn import parse_ofac_sdn
    from sanctions.parsers.uk_ofsi import parse_uk_ofsi_csv
    from sanctions.parsers.un_1718_vessels import parse_un_1718_vessels_csv

    found = un_candidates()
    for slug, parse in (("ofac-sdn", parse_ofac_sdn), ("un-1718-vessels", parse_un_1718_vessels_csv), ("uk-ofsi", parse_uk_ofsi_csv),
                        ("eu-fsf", parse_eu_fsf), ("jp-mof", parse_ftm_entities)):
        found += candidates_from_parsed(parse(INPUTS[slug].read_bytes()), source=slug, first_id=len(found) + 1)
    return found


def pair_candidate(name: str, kind: str, aliases: Iterable[str] = ()) -> Candidate:
    """A one-name list entry for the name-pair sets (cases.csv, checks.yml, cross-script)."""
    names = (CandidateName(name),) + tuple(CandidateName(a, kind="alias") for a in aliases if a and a != name)
    return Candidate(entry_id=0, source="bench", reference_number="", kind=kind, primary_name=name, names=names)


def person_query(row: dict[str, str]) -> Query:
    """A yente fixture row (full_name, date_of_birth, nationality...) as our query."""
    return Query(name=row["full_name"], kind="person", birth_date=row.get("date_of_birth", ""),
                 nationality=row.get("nationality", ""))


# --------------------------------------------------------------------------- the peer: logic-v2

class LogicV2Peer:
    """nomenklatura's LogicV2 with its default config, on followthemoney ValueEntity objects."""

    def __init__(self):
        from followthemoney import ValueEntity, model
        from nomenklatura.matching.logic_v2.model import LogicV2

        self._entity, self._model, self.algorithm = ValueEntity, model, LogicV2
        self.config = LogicV2.default_config()

    def entity(self, schema: str, props: dict[str, Iterable[str] | str]):
        entity = self._entity(self._model.get(schema), {"id": uuid4().hex})
        for prop, values in props.items():
            for value in ([values] if isinstance(values, str) else values):
                if value is not None and str(value).strip():
                    entity.add(prop, value)
        return entity

    def check_entity(self, schema: str, props: dict):
        """As nomenklatura's contrib/entity_bench make_entity: name parts joined when no name."""
        entity = self.entity(schema, props)
        if not len(entity.names):
            parts = [entity.first(prop) for prop in NAME_PART_PROPS if prop in entity.schema.properties]
            entity.add("name", " ".join(filter(None, parts)))
        return entity

    def compare(self, query, result):
        return self.algorithm.compare(query, result, self.config)

    def score(self, query, result) -> float:
        return float(self.compare(query, result).score)

    def candidate_entity(self, candidate: Candidate):
        return self.entity(CANDIDATE_SCHEMA[candidate.kind], candidate_props(candidate))

    def query_entity(self, query: Query):
        return self.entity(QUERY_SCHEMA.get(query.kind, "LegalEntity"), query_props(query))

    @staticmethod
    def explain(result) -> str:
        parts = [f"{name}={feature.score:.2f}" + (f" ({feature.detail})" if feature.detail else "")
                 for name, feature in result.explanations.items() if feature.score]
        return "; ".join(parts) or "no feature scored"


def candidate_props(candidate: Candidate) -> dict[str, list[str]]:
    """Our list entry as FtM properties: primary name -> name, aliases -> alias, weak ("Low")
    aliases -> weakAlias, former names (fka) -> previousName, original script -> alias; dates of
    birth (a BETWEEN range as each of its years); nationalities as alpha-2; identifiers by type."""
    props: dict[str, list[str]] = {}

    def add(prop: str, value: str) -> None:
        props.setdefault(prop, []).append(value)

    schema = CANDIDATE_SCHEMA[candidate.kind]
    for name in candidate.names:
        if name.kind == "primary":
            add("name", name.name)
        elif name.quality == "low":
            add("weakAlias", name.name)
        elif name.quality == "fka":
            add("previousName", name.name)
        else:
            add("alias", name.name)
    if candidate.primary_name and candidate.primary_name not in props.get("name", []):
        add("name", candidate.primary_name)
    if schema == "Person":
        for b in candidate.birth_dates:
            if b.year is None:
                continue
            if b.year_to:
                for year in range(b.year, b.year_to + 1):
                    add("birthDate", str(year))
            elif b.month and b.day:
                add("birthDate", f"{b.year:04d}-{b.month:02d}-{b.day:02d}")
            elif b.month:
                add("birthDate", f"{b.year:04d}-{b.month:02d}")
            else:
                add("birthDate", str(b.year))
        for code in candidate.nationalities:
            add("nationality", code.lower())
    else:
        for code in candidate.nationalities:
            add("country", code.lower())
    for identifier in candidate.identifiers:
        value = identifier.value or identifier.normalized
        if identifier.type in ("imo", "imo_company") and schema in ("Vessel", "Organization"):
            add("imoNumber", value)
        elif identifier.type == "mmsi" and schema == "Vessel":
            add("mmsi", value)
        elif identifier.type == "call_sign" and schema == "Vessel":
            add("callSign", value)
        elif identifier.type == "passport" and schema == "Person":
            add("passportNumber", value)
        elif identifier.type == "national_id" and schema != "Vessel":
            add("idNumber", value)
        else:
            add("registrationNumber", value)
    return props


def query_props(query: Query) -> dict[str, list[str]]:
    """Our query as FtM properties. `imo` -> imoNumber (Vessel, Organization); other identifiers ->
    idNumber (Person, Organization) or registrationNumber (Vessel, which has no idNumber)."""
    schema = QUERY_SCHEMA.get(query.kind, "LegalEntity")
    props: dict[str, list[str]] = {"name": [query.name]}
    if query.aliases:
        props["alias"] = list(query.aliases)
    if query.birth_date and schema == "Person":
        props["birthDate"] = [query.birth_date]
    if query.nationality:
        props["nationality" if schema == "Person" else "country"] = [query.nationality]
    if query.imo:
        props["imoNumber" if schema in ("Vessel", "Organization") else "registrationNumber"] = [query.imo]
    if query.identifiers:
        props.setdefault("registrationNumber" if schema == "Vessel" else "idNumber", []).extend(query.identifiers)
    return props


# --------------------------------------------------------------------------- metrics

def f1_counts(outcomes: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    """(truth, predicted) pairs -> tp/fp/fn/tn, precision, recall, F1 (0 when undefined)."""
    tp = fp = fn = tn = 0
    for truth, predicted in outcomes:
        if truth and predicted:
            tp += 1
        elif predicted:
            fp += 1
        elif truth:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "n": tp + fp + fn + tn, "precision": precision,
            "recall": recall, "f1": f1, "correct": tp + tn}


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]


def fold_key(text: str) -> str:
    """Case-, space- and punctuation-insensitive form of a name, after anyascii."""
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]", "", anyascii(text).casefold())


# --------------------------------------------------------------------------- machine and versions

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_facts() -> dict[str, str]:
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count() or 0
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": f"{cpu_model()} ({os.cpu_count()} logical CPUs, {available} usable)",
        "memory": memory,
        "load average (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load),
        "python": f"{platform.python_implementation()} {platform.python_version()} on {platform.system()} "
                  f"{platform.release()}",
        "versions": ", ".join(f"{name} {version(name)}" for name in
                              ("rapidfuzz", "anyascii", "nomenklatura", "followthemoney", "rigour")),
    }


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def engine_digest() -> str:
    """sha256 (first 12 hex) of the engine's and parsers' sources as loaded: other work edits them, so
    every result says which code it measured."""
    import hashlib

    digest = hashlib.sha256()
    for folder in ("sanctions/matching", "sanctions/parsers"):
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    for path in (ROOT / "sanctions" / "identifiers.py",):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


ENGINE_DIGEST = engine_digest()  # taken when the engine is imported, i.e. the code that runs


def print_facts(title: str) -> None:
    from sanctions.matching import ALGORITHM_NAME, ALGORITHM_VERSION, DEFAULT_THRESHOLD

    print(f"== {title}")
    for key, value in machine_facts().items():
        print(f"   {key}: {value}")
    print(f"   engine sources (sanctions/matching, sanctions/parsers, sanctions/identifiers.py) sha256: "
          f"{ENGINE_DIGEST}")
    print(f"   ours: {ALGORITHM_NAME} {ALGORITHM_VERSION}, threshold {DEFAULT_THRESHOLD}; "
          f"peer: nomenklatura logic-v2 default config, threshold {PEER_THRESHOLD}")
    print()


def require_peer() -> None:
    missing = [name for name in ("nomenklatura", "followthemoney", "rigour") if version(name) == "(not installed)"]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run  .venv/bin/pip install -r bench/requirements.txt")


def table(headers: list[str], rows: list[list], indent: str = "   ") -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(indent + line for line in lines)


def short(explanation: dict, limit: int = 240) -> str:
    """One line from MatchResult.explanation()."""
    text = "; ".join(f"{name} {f['score']:+.2f} [{f['detail']}]" for name, f in explanation.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"

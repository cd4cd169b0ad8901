"""Screen a file of queries (JSON lines) against the lists, writing scored, explained results."""
import codecs
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sanctions.matching import Query
from sanctions.models import ListSource
from sanctions.progress import TerminalProgress, is_terminal
from sanctions.screening import current_index

QUERY_FIELDS = {"id", "name", "kind", "birth_date", "nationality", "imo", "identifiers", "aliases"}
KINDS = {"person", "organization", "vessel", "any"}


class QueryLineError(ValueError):
    pass


def input_lines(data: bytes) -> list[bytes]:
    """The physical lines of the input, split on "\\n" only (not on the other line breaks
    `str.splitlines` knows, such as U+2028 inside a name), without a leading byte order mark."""
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    if lines[-1] == b"":  # what follows the last newline is no line (and would count in the progress bar)
        lines.pop()
    return lines


def query_from_line(raw: bytes) -> Query:
    # Decoded line by line, so that one line in another encoding is one bad line, not a failed run.
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryLineError(f"not UTF-8 (byte {exc.start + 1} is 0x{raw[exc.start]:02x})") from None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QueryLineError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise QueryLineError("not a JSON object")
    unknown = set(data) - QUERY_FIELDS
    if unknown:
        raise QueryLineError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "id" not in data:
        raise QueryLineError("missing 'id'")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise QueryLineError("missing or empty 'name'")
    kind = data.get("kind") or "any"
    if kind not in KINDS:
        raise QueryLineError(f"'kind' must be one of {', '.join(sorted(KINDS))}, got {kind!r}")
    for field in ("identifiers", "aliases"):
        value = data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise QueryLineError(f"'{field}' must be a list of strings")
    for field in ("birth_date", "nationality", "imo"):
        if not isinstance(data.get(field, ""), str):
            raise QueryLineError(f"'{field}' must be a string")
    return Query(id=data["id"], name=data["name"], kind=kind, birth_date=data.get("birth_date", ""),
                 nationality=data.get("nationality", ""), imo=data.get("imo", ""),
                 identifiers=tuple(data.get("identifiers", [])), aliases=tuple(data.get("aliases", [])))


class Command(BaseCommand):
    help = ("Screen queries (one JSON object per line: id, name, and optionally kind, birth_date, nationality, "
            "imo, identifiers) against the lists; write one JSON line of results per query.")

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="Queries, JSON lines ('-' for standard input).")
        parser.add_argument("--output", help="Results file (default: standard output).")
        parser.add_argument("--limit", type=int, default=5, help="Results per query (default 5).")
        parser.add_argument("--threshold", type=float, default=None,
                            help=f"Score from which a result is a match (default {settings.SCREENING_THRESHOLD}).")
        parser.add_argument("--source", action="append", dest="sources",
                            help="List source slug, repeatable (default: all screening sources).")

    def handle(self, *args, input, output=None, limit=5, threshold=None, sources=None, **options):
        threshold = settings.SCREENING_THRESHOLD if threshold is None else threshold
        if not 0 <= threshold <= 1:
            raise CommandError("--threshold must be between 0 and 1.")
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        slugs = tuple(sources or settings.SCREENING_SOURCES)
        known = set(ListSource.objects.values_list("slug", flat=True))
        if set(slugs) - known:
            raise CommandError(f"Unknown source(s): {', '.join(sorted(set(slugs) - known))}; known: "
                               f"{', '.join(sorted(known))}.")
        try:
            lines = input_lines(sys.stdin.buffer.read() if input == "-" else Path(input).read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {input}: {exc.strerror}") from None
        with TerminalProgress(getattr(self.stderr, "_out", sys.stderr)).stage("index the lists", total=1) as bar:
            handle = current_index(slugs)
            bar.update(1)
        try:
            out = open(output, "w", encoding="utf-8") if output else self.stdout
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        errors = 0
        # A progress bar for long inputs, on standard error and only on a terminal.
        stream = getattr(self.stderr, "_out", sys.stderr)
        progress = tqdm(lines, unit="query", file=stream, disable=len(lines) < 200 or not is_terminal(stream))
        for number, line in enumerate(progress, start=1):
            if not line.strip():
                continue
            try:
                query = query_from_line(line)
            except QueryLineError as exc:
                errors += 1
                self.stderr.write(f"line {number}: {exc}")
                continue
            results = handle.index.screen(query, limit=limit, threshold=threshold)
            out.write(json.dumps({"id": query.id, "results": [r.as_dict() for r in results]},
                                 ensure_ascii=False) + "\n")
        if output:
            out.close()
        if errors:
            self.stderr.write(f"{errors} line(s) skipped.")

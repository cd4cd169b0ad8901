"""Screen a file of queries (JSON lines) against the lists, writing scored, explained results."""
import contextlib
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sanctions.models import ListSource
from sanctions.parsers.screening_queries import (
    QueryLineError,
    count_lines,
    input_lines,
    query_from_line,
    query_warnings,
    result_line,
)
from sanctions.progress import TerminalProgress, is_terminal
from sanctions.screening import current_index
from sanctions.selectors import screening_source_slugs, with_designations


class Command(BaseCommand):
    help = ("Screen queries (one JSON object per line: id, name, and optionally kind, birth_date, nationality, "
            "imo, identifiers, aliases) against the lists; write one JSON line of results per query. id is any "
            "JSON scalar; name a string or null, and a query needs a name or at least one identifier (imo, "
            "identifiers); kind person, organization, vessel or any (absent, null or \"\" "
            "mean any); birth_date, nationality and imo strings or null; identifiers and aliases lists of strings "
            "or null. Each result line carries warnings: an IMO number whose check digit fails is screened as "
            "given and said so. "
            "A bad line is reported on standard error by its line number and skipped; the run "
            "goes on, ends with the count of skipped lines, and exits 0.")

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
        slugs = tuple(sources or screening_source_slugs())
        known = set(ListSource.objects.values_list("slug", flat=True))
        if set(slugs) - known:
            raise CommandError(f"Unknown source(s): {', '.join(sorted(set(slugs) - known))}; known: "
                               f"{', '.join(sorted(known))}.")
        with _reading(input):
            source = sys.stdin.buffer if input == "-" else open(input, "rb")  # noqa: SIM115 - closed below
        try:
            if output and _same_file(source, output):
                raise CommandError(f"--output {output} is the input: writing the results would erase the queries "
                                   "before they are read.")
            self._screen(source, "standard input" if input == "-" else input, output, limit, threshold, slugs)
        finally:
            if source is not sys.stdin.buffer:
                source.close()

    def _screen(self, source, input_name, output, limit, threshold, slugs):
        with TerminalProgress(getattr(self.stderr, "_out", sys.stderr)).stage("index the lists", total=1) as bar:
            handle = current_index(slugs)
            bar.update(1)
        # A list never synced screens as "no hit": say so rather than let that pass for a clean result.
        unsynced = sorted(slug for slug, version in handle.versions.items() if version is None)
        if unsynced and len(unsynced) == len(handle.versions):
            raise CommandError(f"No list to screen against: {', '.join(unsynced)} never synced "
                               "(run sync_un_list or sync_list first).")
        for slug in unsynced:
            self.stderr.write(f"Warning: {slug} has never been synced; nothing is screened against it.")
        try:
            out = open(output, "w", encoding="utf-8") if output else self.stdout
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        errors = 0
        # A progress bar for long inputs, on standard error and only on a terminal. A file's lines are
        # counted first for its total (a quick pass over the bytes); standard input has no total.
        stream = getattr(self.stderr, "_out", sys.stderr)
        shown = is_terminal(stream)
        total = None
        if shown and source.seekable():
            with _reading(input_name):
                total = count_lines(source)
        # Without a total (standard input) the bar waits a second, so that short runs print nothing.
        progress = tqdm(_lines(source, input_name), unit="query", file=stream, total=total, delay=0 if total else 1,
                        disable=not shown or (total is not None and total < 200))
        try:
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
                out.write(result_line({"id": query.id, "results": with_designations([r.as_dict() for r in results]),
                                       "warnings": query_warnings(query)}))
            if output:
                out.close()  # a failing flush is a failed write too
        except OSError as exc:  # reading errors are CommandErrors by now (_lines): this is the output
            raise CommandError(f"Cannot write {output or 'standard output'}: {exc.strerror}") from None
        finally:
            progress.close()
            if output:
                with contextlib.suppress(OSError):  # reported above, or the run failed before
                    out.close()
        if errors:
            self.stderr.write(f"{errors} line(s) skipped.")


def _same_file(source, output: str) -> bool:
    try:
        read, written = os.fstat(source.fileno()), os.stat(output)
    except (OSError, ValueError):  # no such output yet, or an input with no file behind it
        return False
    return (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino)


@contextlib.contextmanager
def _reading(name: str):
    """An error reading the input is a CommandError naming it."""
    try:
        yield
    except OSError as exc:
        raise CommandError(f"Cannot read {name}: {exc.strerror}") from None


def _lines(source, name: str):
    with _reading(name):
        yield from input_lines(source)

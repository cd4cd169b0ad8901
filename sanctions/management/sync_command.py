"""What `sync_un_list` and `sync_list` share: run one sync, print one line (or JSON), exit
0 when applied or unchanged, 2 when rejected, 1 when the list could not be fetched."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanctions.choices import VersionStatus
from sanctions.fetch import FetchError
from sanctions.models import ListSource, ListVersion
from sanctions.progress import command_progress
from sanctions.services import list_sync

EXIT_REJECTED = 2
EXIT_FETCH_FAILED = 1


class SyncCommand(BaseCommand):
    source_slug: str | None = None  # fixed by sync_un_list; sync_list takes --source

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--file", help="Read the list from this file instead of downloading it.")
        where.add_argument("--url", help="Download from this URL instead of the configured one.")
        parser.add_argument("--force", action="store_true",
                            help="Apply even if the version would delist more than 10%% of active entries.")
        parser.add_argument("--json", action="store_true", help="End with one line of JSON describing the outcome.")

    def handle(self, *args, file=None, url=None, force=False, source=None, **options):
        as_json = options["json"]
        slug = source or self.source_slug
        try:
            list_source = ListSource.objects.get(slug=slug)
        except ListSource.DoesNotExist:
            known = ", ".join(ListSource.objects.values_list("slug", flat=True))
            raise CommandError(f"Unknown source '{slug}'; known sources: {known}.") from None
        location = str(Path(file).resolve()) if file else url
        try:
            version = list_sync(source=list_source, location=location, force=force,
                                progress=command_progress(self))
        except FetchError as exc:
            # The same keys as any outcome: nothing counted, the entries in force stay active.
            self._finish(as_json, summary(exc.version), f"Sync failed: {exc}")
            raise SystemExit(EXIT_FETCH_FAILED) from None
        outcome = summary(version)
        self._finish(as_json, outcome, describe(version))
        if version.status == VersionStatus.REJECTED:
            raise SystemExit(EXIT_REJECTED)

    def _finish(self, as_json: bool, outcome: dict, line: str) -> None:
        failed = outcome["status"] in (VersionStatus.REJECTED, VersionStatus.FAILED)
        (self.stderr if failed else self.stdout).write(line)
        if as_json:
            self.stdout.write(json_dumps(outcome))


def json_dumps(value: dict) -> str:
    return json.dumps(value, sort_keys=True)


def summary(version: ListVersion) -> dict:
    return {
        "status": version.status,
        "added": version.added_count,
        "amended": version.amended_count,
        "removed": version.removed_count,
        "relisted": version.relisted_count,
        "active": version.active_count,
        "content_sha256": version.content_sha256 or None,  # unknown when nothing was downloaded
        "version_id": version.pk,
        **({"error": version.error} if version.error else {}),
    }


def describe(version: ListVersion) -> str:
    source = version.source.slug
    if version.status == VersionStatus.APPLIED:
        return (f"{source}: applied ({version.added_count} added, {version.amended_count} amended, "
                f"{version.removed_count} removed, {version.relisted_count} relisted; {version.active_count} active).")
    if version.status == VersionStatus.UNCHANGED:
        return f"{source}: unchanged ({version.active_count} active)."
    return f"{source}: rejected: {version.error}"

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from monitoring.demo import demo_load, demo_username
from sanctions.fetch import FetchError
from sanctions.parsers.types import ListParseError
from sanctions.progress import command_progress

DEMO_PASSWORD = "msmt-demo-2026"


class Command(BaseCommand):
    help = "Load the sample UN list and the demo reports from seeds/, with demo analysts. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None,
                            help=f"Password for demo analysts created now (default on a DEBUG site: {DEMO_PASSWORD}).")

    def handle(self, *args, password=None, **options):
        if password is None:
            if not settings.DEBUG:
                raise CommandError("Refusing to create demo users with the well-known demo password on a "
                                   "non-DEBUG site; pass --password.")
            password = DEMO_PASSWORD
        try:
            summary = demo_load(password=password, progress=command_progress(self))
        except (ListParseError, FetchError, ValidationError, OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Demo data could not be loaded: {exc}") from exc

        self.stdout.write(f"UN sample list: {summary.list_records} records, {summary.list_status}.")
        for slug, status in summary.samples.items():
            self.stdout.write(f"{slug} sample: {status}.")
        self.stdout.write(f"Reports: {len(summary.reports_created)} created, {len(summary.reports_existing)} already there.")
        if summary.users_created:
            self.stdout.write(f"Demo analysts created: {', '.join(summary.users_created)} (password: {password}).")
        self.stdout.write(self.style.SUCCESS(
            f"Log in at /admin/ as {demo_username('KR')} (analyst and reviewer, Republic of Korea)."
        ))

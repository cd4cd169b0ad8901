from sanctions.management.sync_command import SyncCommand


class Command(SyncCommand):
    help = ("Sync one list source, e.g. --source ofac-sdn --file sdn.csv (alt.csv, add.csv and "
            "sdn_comments.csv are read from beside it). Exit 0 when applied or unchanged, 2 when rejected, "
            "1 when it could not be fetched.")

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="Source slug: un-sc or ofac-sdn.")
        super().add_arguments(parser)

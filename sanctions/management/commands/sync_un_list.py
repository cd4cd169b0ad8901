from sanctions.management.sync_command import SyncCommand


class Command(SyncCommand):
    help = ("Sync the UN Security Council Consolidated List (UN_LIST_URL, or --file / --url). Exit 0 when "
            "applied or unchanged, 2 when rejected, 1 when it could not be fetched.")
    source_slug = "un-sc"

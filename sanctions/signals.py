from django.dispatch import Signal

# Sent after a list version's transaction commits, with `version` and `changed_entry_ids`
# (added, amended and relisted entries). Screening listens here; sanctions never imports it.
list_version_applied = Signal()

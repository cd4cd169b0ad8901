from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = "Sanctions lists"

    def ready(self):
        from .services import list_sources_from_registry

        # Sources are data (settings.LIST_SOURCES): a new one gets its row without a migration.
        post_migrate.connect(list_sources_from_registry, sender=self, dispatch_uid="sanctions-list-sources")

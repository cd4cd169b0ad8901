from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "created"
    UPDATE = "update", "updated"
    DELETE = "delete", "deleted"
    READ = "read", "read"  # privileged reads (team administrators) are audited too
    DECIDE = "decide", "decided"


class AuditRecord(models.Model):
    """Who did what, when, to which object. Append-only: written by services, never edited.

    Shared by both apps, so it lives in its own app that depends on nothing of ours."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the record still says who it was after the user is deleted.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, db_index=True)  # "app_label.model"
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [before, after]}
    context = models.JSONField(default=dict, blank=True)  # channel (admin, api, command), request id…

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit records are append-only.")
        super().save(*args, **kwargs)

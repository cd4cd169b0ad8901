"""Reported violations: who reported them, under which TLP marking, the subjects named in them
as reported, evidence, and the screening hits against the lists with their review log."""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from sanctions.fields import HttpsURLField
from sanctions.models import ListEntry, ListVersion, Vessel

from .choices import (
    TLP,
    Confidence,
    TokenScope,
    DatePrecision,
    EvidenceKind,
    PartnerKind,
    ReportStatus,
    ReviewDecision,
    ReviewStatus,
    SubjectKind,
    SubjectRole,
    ViolationCategory,
    tlp_is_at_least,
)
from .validators import validate_aliases


class MemberState(models.Model):
    """A state taking part in the monitoring team (the MSMT's participating states)."""

    country = CountryField(unique=True)
    name = models.CharField(max_length=200, blank=True, help_text="Defaults to the country's name.")
    joined_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return self.name or self.country.name


class PartnerOrganisation(models.Model):
    """A partner that is not a member state: observer states, research groups, organisations."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=PartnerKind.choices)
    country = CountryField(blank=True)
    is_community_member = models.BooleanField(
        default=False, help_text="Community members see TLP:GREEN reports."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AnalystProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="analyst_profile")
    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="analysts")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.member_state})"


class ViolationReport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=300)
    category = models.CharField(max_length=32, choices=ViolationCategory.choices, db_index=True)
    reporting_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="reports")
    state_reference = models.CharField(max_length=100, blank=True, help_text="The reporting state's own reference.")
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, default=TLP.AMBER, db_index=True)
    releasable_to_states = models.ManyToManyField(MemberState, blank=True, related_name="+",
                                                  help_text="For TLP:AMBER: other member states that may see it.")
    releasable_to_partners = models.ManyToManyField(PartnerOrganisation, blank=True, related_name="+",
                                                    help_text="For TLP:AMBER: partner organisations that may see it.")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                        help_text="For TLP:RED: the named people who may see it.")
    attribution_public = models.BooleanField(default=False, help_text="Public outputs may name the reporting state.")
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True)
    occurred_from = models.DateTimeField(null=True, blank=True)
    occurred_to = models.DateTimeField(null=True, blank=True)
    occurred_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    location_text = models.CharField(max_length=500, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    narrative = models.TextField(blank=True)
    assessment = models.TextField(blank=True, help_text="The analyst's assessment wording.")
    confidence = models.CharField(max_length=8, choices=Confidence.choices, blank=True)
    committee_notified = models.BooleanField(default=False, help_text="The 1718 Committee or partners were notified.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="authored_reports")
    created_by_token = models.ForeignKey("ApiToken", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="reports", help_text="Filed by a partner system.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    demo_key = models.SlugField(max_length=100, null=True, blank=True, unique=True, editable=False,
                                help_text="Set on demo data so seeding twice changes nothing.")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_all_reports", "Can see every report whatever its TLP (each read is audited)")]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True) | Q(occurred_from__isnull=True)
                | Q(occurred_from__lte=models.F("occurred_to")),
                name="report_occurred_ordered",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="report_coordinates_paired",
            ),
            models.CheckConstraint(condition=Q(tlp__in=TLP.values), name="report_tlp_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.occurred_from and self.occurred_to and self.occurred_from > self.occurred_to:
            errors["occurred_to"] = "The end of the period is before its start."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = "Give both latitude and longitude, or neither."
        if errors:
            raise ValidationError(errors)


class ResolutionCitation(models.Model):
    """A UN Security Council resolution paragraph the reported conduct breaches."""

    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="resolutions")
    resolution = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(9999)],
                                             help_text="Resolution number, e.g. 2375.")
    paragraph = models.CharField(max_length=32, blank=True, help_text="e.g. 8(a), 12(b).")

    class Meta:
        ordering = ["resolution", "paragraph"]
        constraints = [models.UniqueConstraint(fields=["report", "resolution", "paragraph"], name="uniq_report_resolution_para")]

    def __str__(self) -> str:
        return f"UNSCR {self.resolution}" + (f" para {self.paragraph}" if self.paragraph else "")


class SourceCitation(models.Model):
    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="citations")
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = HttpsURLField(max_length=1000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.title


class ReportSubject(models.Model):
    """A person, organisation or vessel named in a report, exactly as reported.

    Normalised values sit beside the reported ones and never replace them; problems found while
    normalising become warnings, not rejections."""

    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(max_length=32, choices=SubjectRole.choices)
    kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    name = models.CharField(max_length=500)
    name_original_script = models.CharField(max_length=500, blank=True)
    aliases = models.JSONField(default=list, blank=True, validators=[validate_aliases],
                               help_text='A list of names: ["Pak Yong Sik", "…"].')
    imo = models.CharField("IMO (as reported)", max_length=50, blank=True)
    imo_normalized = models.CharField(max_length=7, blank=True, db_index=True, editable=False)
    imo_valid = models.BooleanField(null=True, editable=False)
    mmsi = models.CharField("MMSI (as reported)", max_length=50, blank=True)
    flag = models.CharField("flag (as reported)", max_length=100, blank=True)
    flag_code = CountryField(blank=True, editable=False)
    call_sign = models.CharField("call sign (as reported)", max_length=50, blank=True)
    date_of_birth = models.CharField("date of birth (as reported)", max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True, editable=False, help_text="Earliest day the reported date allows.")
    birth_date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True, editable=False)
    nationality = models.CharField("nationality (as reported)", max_length=100, blank=True)
    nationality_code = CountryField(blank=True, editable=False)
    documents = models.JSONField(default=list, blank=True, help_text='[{"type": "passport", "number": "…", "country": "KP"}]')
    notes = models.TextField(blank=True)
    validation_warnings = models.JSONField(default=list, blank=True, editable=False)
    screened_at = models.DateTimeField(null=True, blank=True, editable=False)
    screened_versions = models.CharField(max_length=1000, blank=True, editable=False, db_index=True,
                                         help_text="The list versions of the last screening, e.g. un-sc:12,ofac-sdn:4.")
    vessel = models.ForeignKey(Vessel, null=True, blank=True, on_delete=models.SET_NULL, related_name="report_subjects",
                               help_text="Set once an analyst resolves the subject to a known vessel.")
    list_entry = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="report_subjects",
                                   help_text="Set once an analyst resolves the subject to a list entry.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def clean(self) -> None:
        # The admin's JSON box left empty gives None, which the validators never see: none given.
        if self.aliases is None or self.aliases == "":
            self.aliases = []
        if self.documents is None or self.documents == "":
            self.documents = []


def evidence_upload_path(instance: "Evidence", filename: str) -> str:
    # Never trust the uploaded name for the path: it only survives as original_filename.
    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=32, choices=EvidenceKind.choices)
    source = models.CharField(max_length=300, help_text="Who provided it, e.g. a satellite imagery provider.")
    captured_at = models.DateTimeField(null=True, blank=True)
    url = HttpsURLField(max_length=1000, blank=True)
    file = models.FileField(upload_to=evidence_upload_path, blank=True)
    held_at = models.CharField(max_length=300, blank=True,
                               help_text="Where the item is kept when it is neither linked nor attached, "
                                         "e.g. 'reporting state archive, ref 2024/117'.")
    original_filename = models.CharField(max_length=255, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    caption = models.TextField(blank=True)
    credit = models.CharField(max_length=300, blank=True, help_text='As the provider requires, e.g. "Source: Planet Labs".')
    tlp = models.CharField("TLP", max_length=16, choices=TLP.choices, help_text="Never weaker than the report's.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["report", "captured_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(url="") | ~Q(file="") | ~Q(held_at=""), name="evidence_is_locatable"),
            models.CheckConstraint(condition=Q(tlp__in=TLP.values), name="evidence_tlp_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.source}"

    def clean(self) -> None:
        errors = {}
        if not self.url and not self.file and not self.held_at:
            errors["url"] = "Give a URL, attach a file, or say where the item is held."
        if self.report_id and self.tlp and not tlp_is_at_least(self.tlp, self.report.tlp):
            errors["tlp"] = f"Evidence may not be marked weaker than its report ({self.report.get_tlp_display()})."
        if errors:
            raise ValidationError(errors)


class ScreeningMatch(models.Model):
    """A hit of a report subject on a list entry, with the score, the per-feature explanation and
    the list and algorithm versions that produced it. One row per (subject, entry)."""

    subject = models.ForeignKey(ReportSubject, on_delete=models.CASCADE, related_name="matches")
    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="matches",
                               help_text="The subject's report, kept here so access filters stay one join.")
    list_entry = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="matches")
    list_version = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    is_match = models.BooleanField(help_text="Its score reached the threshold; false for a hit still waiting for a "
                                             "decision, with a review log, that the latest screening no longer finds.")
    explanation = models.JSONField(default=dict, blank=True)
    algorithm = models.CharField(max_length=50)
    algorithm_version = models.CharField(max_length=20)
    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING, db_index=True)
    entry_delisted = models.BooleanField(default=False, help_text="The list entry was removed from its list since.")
    # The entry's names, identifiers and dates of birth when the last decision was taken: a material
    # change to them reopens a dismissed hit.
    decided_entry_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "screening matches"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "list_entry"], name="one_match_per_subject_entry"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_in_unit_range"),
        ]

    def __str__(self) -> str:
        return f"{self.subject.name} ~ {self.list_entry} ({self.score:.2f})"


class MatchReview(models.Model):
    """Append-only log of decisions on a hit; the latest one is the match's review status."""

    match = models.ForeignKey(ScreeningMatch, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewer_label = models.CharField(max_length=200)
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices)
    reason = models.TextField()
    # Re-screening rewrites a hit's score and explanation; the log keeps what each decision was taken on.
    hit = models.JSONField(default=dict, blank=True, editable=False,
                           help_text="The hit as the decision saw it: score, match, explanation, list version and "
                                     "algorithm.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="review_has_reason")]

    def __str__(self) -> str:
        return f"{self.reviewer_label}: {self.get_decision_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Review log entries are append-only.")
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A partner system's credential: belongs to a member state or a partner organisation, carries
    scopes, is stored hashed (the secret is shown once), and can expire or be revoked."""

    name = models.CharField(max_length=200, help_text="What it is for, e.g. 'ROK maritime ops centre sync'.")
    prefix = models.CharField(max_length=12, unique=True, editable=False, help_text="Shown to identify the token.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    member_state = models.ForeignKey(MemberState, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="api_tokens")
    partner = models.ForeignKey(PartnerOrganisation, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="api_tokens")
    scopes = models.JSONField(default=list, help_text="Any of: " + ", ".join(TokenScope.values))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_state__isnull=False, partner__isnull=True)
                | Q(member_state__isnull=True, partner__isnull=False),
                name="token_belongs_to_state_or_partner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def owner(self) -> MemberState | PartnerOrganisation:
        return self.member_state or self.partner

    def clean(self) -> None:
        unknown = set(self.scopes or []) - set(TokenScope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}."})
        if (self.member_state_id is None) == (self.partner_id is None):
            raise ValidationError("A token belongs to exactly one member state or partner organisation.")


class IdempotencyRecord(models.Model):
    """The first response to a request carrying an Idempotency-Key, replayed for repeats."""

    caller = models.CharField(max_length=100, help_text="user:<id> or token:<id>")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64, help_text="sha256 of the body: a reused key with another body is refused")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="one_response_per_caller_key")]


class ScreeningCall(models.Model):
    """Every ad hoc screening through the API: who asked what, against which list and algorithm
    versions, and what came back. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    caller_label = models.CharField(max_length=200)
    queries = models.JSONField()
    list_versions = models.JSONField(help_text='{"un-sc": version id, ...}')
    algorithm = models.CharField(max_length=50)
    algorithm_version = models.CharField(max_length=20)
    threshold = models.FloatField()
    results = models.JSONField()

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Screening calls are append-only.")
        super().save(*args, **kwargs)


class WebhookEvent(models.TextChoices):
    LIST_CHANGED = "list.changed", "A list version was applied with changes"
    MATCH_CONFIRMED = "match.confirmed", "A screening hit was confirmed"


class WebhookSubscription(models.Model):
    """A partner's endpoint for events. Deliveries are signed with the secret (HMAC-SHA256)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="webhooks",
                              help_text="The partner credential it belongs to; events respect its access.")
    url = HttpsURLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Shared secret for the signature; shown once.")
    events = models.JSONField(default=list, help_text="Any of: " + ", ".join(WebhookEvent.values))
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True, help_text="Paused after repeated failures.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events)})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Gave up"


class WebhookDelivery(models.Model):
    """One event for one subscription, with every attempt's outcome. Created in the same
    transaction as the event, so nothing is lost if the broker or a worker is down."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"], name="one_delivery_per_event")]

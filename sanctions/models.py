"""Sanctions lists as published: sources, fetched versions, listed entries with their names,
identifiers, dates and places, field-level change history, and vessels with dated identities.

List data is written only by list syncs (and seeds); vessels are curated by analysts too."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from .choices import (
    AddressKind,
    AliasQuality,
    BirthDateQualifier,
    ChangeType,
    DesigneeLinkBasis,
    DesigneeLinkStatus,
    EntryKind,
    FlagStatus,
    IdentifierType,
    EntryRelation,
    IdentityBasis,
    Measure,
    NameKind,
    SourceKind,
    VersionStatus,
    VesselPartyRole,
)
from .fields import HttpsURLField
from .validators import validate_call_sign, validate_imo_number, validate_mmsi


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ListSource(TimestampedModel):
    slug = models.SlugField(unique=True, help_text="Stable key, e.g. un-sc, ofac-sdn.")
    name = models.CharField(max_length=200)
    authority = models.CharField(max_length=100, help_text="Who publishes it, e.g. UN Security Council.")
    kind = models.CharField(max_length=32, choices=SourceKind.choices)
    url = HttpsURLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]
        permissions = [("sync_listsource", "Can start a list sync now")]

    def __str__(self) -> str:
        return self.name


class ListVersion(models.Model):
    """One fetched version of a list, whatever became of it (applied, unchanged, rejected)."""

    source = models.ForeignKey(ListSource, on_delete=models.PROTECT, related_name="versions")
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.PENDING)
    content_sha256 = models.CharField(max_length=64, blank=True, db_index=True,
                                      help_text="Hash of the content without its generation timestamp.")
    generated_at = models.DateTimeField(null=True, blank=True)
    fetched_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    fetched_from = models.CharField(max_length=500, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    individual_count = models.PositiveIntegerField(default=0)
    entity_count = models.PositiveIntegerField(default=0)
    vessel_count = models.PositiveIntegerField(default=0)
    added_count = models.PositiveIntegerField(default=0)
    amended_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    relisted_count = models.PositiveIntegerField(default=0)
    active_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    unknown_elements = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        get_latest_by = "fetched_at"

    def __str__(self) -> str:
        when = self.generated_at or self.fetched_at
        return f"{self.source.slug} {when:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class ListEntry(TimestampedModel):
    """A listed individual, entity or vessel, keyed by the publisher's stable id (UN DATAID)."""

    source = models.ForeignKey(ListSource, on_delete=models.PROTECT, related_name="entries")
    external_id = models.CharField(max_length=64, help_text="The publisher's stable key (UN DATAID).")
    reference_number = models.CharField(max_length=32, blank=True, db_index=True)
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    primary_name = models.CharField(max_length=500)
    regime = models.CharField(max_length=64, blank=True, db_index=True, help_text="UN_LIST_TYPE, e.g. DPRK.")
    cited_un_reference = models.CharField(
        max_length=32, blank=True, db_index=True,
        help_text="The UN reference number this record cites (UK, EU and national lists transpose UN designations).")
    list_types = models.JSONField(default=list, blank=True)
    listed_on = models.DateField(null=True, blank=True)
    amended_on = models.JSONField(default=list, blank=True, help_text="Dates the publisher amended it.")
    comments = models.TextField(blank=True)
    gender = models.CharField(max_length=32, blank=True)
    titles = models.JSONField(default=list, blank=True)
    designations = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True, db_index=True)
    delisted_on = models.DateField(null=True, blank=True)
    first_seen_in = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    last_seen_in = models.ForeignKey(ListVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raw = models.JSONField(default=dict, blank=True, help_text="The record as published.")
    # Canonical content (trimmed, ordered) compared between versions to find amendments and to
    # write field-level diffs; formatting noise in the published XML never counts as a change.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["reference_number", "primary_name"]
        verbose_name_plural = "list entries"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="uniq_entry_source_external_id"),
            models.CheckConstraint(
                condition=Q(is_active=True, delisted_on__isnull=True) | Q(is_active=False),
                name="active_entry_has_no_delisting_date",
            ),
        ]

    def __str__(self) -> str:
        ref = f"{self.reference_number} " if self.reference_number else ""
        return f"{ref}{self.primary_name}"


class ListEntryName(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=500)
    kind = models.CharField(max_length=16, choices=NameKind.choices)
    quality = models.CharField(max_length=8, choices=AliasQuality.choices, blank=True)
    script = models.CharField(max_length=16, default="latin")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_weak(self) -> bool:
        # UN "Low" quality aliases must not produce a hit on their own (OpenSanctions: weakAlias).
        return self.quality == AliasQuality.LOW


class ListEntryIdentifier(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="identifiers")
    type = models.CharField(max_length=16, choices=IdentifierType.choices)
    type_label = models.CharField(max_length=200, blank=True, help_text="The type as published.")
    value = models.CharField(max_length=200, help_text="As published.")
    normalized = models.CharField(max_length=200, db_index=True)
    is_valid = models.BooleanField(null=True, help_text="Unknown when the type has no check rule.")
    country = models.CharField(max_length=200, blank=True, help_text="Issuing country as published.")
    country_code = CountryField(blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "type", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.value}"


class ListEntryBirthDate(models.Model):
    """One published date of birth; a person may have several, in different forms."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="birth_dates")
    qualifier = models.CharField(max_length=16, choices=BirthDateQualifier.choices)
    date = models.DateField(null=True, blank=True, help_text="Full date, when published.")
    year = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year, or first year of a range.")
    year_to = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Last year of a BETWEEN range.")
    note = models.TextField(blank=True)
    from_alias = models.BooleanField(default=False)

    class Meta:
        ordering = ["entry", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year__lte=models.F("year_to")),
                name="birth_year_range_ordered",
            )
        ]

    def __str__(self) -> str:
        if self.date:
            return self.date.isoformat()
        if self.year_to:
            return f"{self.year}–{self.year_to}"
        if self.year:
            return f"{'c. ' if self.qualifier == BirthDateQualifier.APPROXIMATE else ''}{self.year}"
        return self.note or "unknown"


class ListEntryNationality(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="nationalities")
    value = models.CharField(max_length=200, help_text="As published.")
    country_code = CountryField(blank=True)

    class Meta:
        verbose_name_plural = "list entry nationalities"

    def __str__(self) -> str:
        return self.value


class ListEntryAddress(models.Model):
    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=16, choices=AddressKind.choices, default=AddressKind.ADDRESS)
    street = models.TextField(blank=True)
    city = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(max_length=200, blank=True)
    zip_code = models.CharField(max_length=50, blank=True)
    country = models.CharField(max_length=200, blank=True, help_text="As published.")
    country_code = CountryField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "list entry addresses"

    def __str__(self) -> str:
        parts = [self.street, self.city, self.state_province, self.country]
        return ", ".join(p for p in parts if p) or self.note or "—"


class ListEntryProgram(models.Model):
    """A sanctions programme or regime the entry is listed under (OFAC: DPRK3, RUSSIA-EO14024)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="programs")
    code = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.code


class ListEntryRelation(models.Model):
    """A relation the entry's own record states: OFAC's "Linked To", a vessel's owning entity."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="relations")
    relation = models.CharField(max_length=32, choices=EntryRelation.choices)
    name = models.CharField(max_length=500, blank=True, help_text="The other party as the record names it.")
    reference = models.CharField(max_length=64, blank=True, help_text="Its reference number, when given.")
    note = models.TextField(blank=True)
    target = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="related_by",
                               help_text="The entry named, when the sync found it.")

    class Meta:
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name or self.reference}"


class ListEntryMeasure(models.Model):
    """One measure of a designation, dated on its own (UN 1718 vessels: freeze, port ban, de-flag)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="measures")
    measure = models.CharField(max_length=32, choices=Measure.choices)
    basis = models.CharField(max_length=300, blank=True, help_text="The legal basis as published.")
    designated_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "designated_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.designated_on or ''}".strip()


class DesigneeLink(TimestampedModel):
    """Two entries of different lists that are one designee. Links on a UN reference number the
    record cites, or on a shared IMO number, are made by the sync; a link the matching engine
    proposes holds only once an analyst confirms it. Stored once per pair, lower id first."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=16, choices=DesigneeLinkBasis.choices)
    status = models.CharField(max_length=16, choices=DesigneeLinkStatus.choices)
    score = models.FloatField(null=True, blank=True, help_text="The matching engine's score, for a proposal.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["entry", "other"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "other"], name="one_designee_link_per_pair"),
            models.CheckConstraint(condition=Q(entry__lt=models.F("other")), name="designee_link_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} = {self.other} ({self.get_status_display()})"


class EntryChange(models.Model):
    """What one list version did to one entry; the trigger for re-screening."""

    version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="changes")
    entry = models.ForeignKey(ListEntry, on_delete=models.PROTECT, related_name="changes")
    change_type = models.CharField(max_length=16, choices=ChangeType.choices)
    diff = models.JSONField(default=dict, blank=True, help_text='{"field": {"before": …, "after": …}}')
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["version", "entry"], name="one_change_per_entry_per_version")]

    def __str__(self) -> str:
        return f"{self.entry} {self.change_type}"


class Vessel(TimestampedModel):
    """A hull. The IMO number stays with it for life; names, flags and MMSIs change (identity periods)."""

    imo_number = models.CharField(
        max_length=7, unique=True, null=True, blank=True, validators=[validate_imo_number],
        help_text="7 digits with a valid check digit. Empty when unknown.",
    )
    name = models.CharField(max_length=200, help_text="Current or last known name.")
    mmsi = models.CharField(max_length=9, blank=True, validators=[validate_mmsi])
    call_sign = models.CharField(max_length=10, blank=True, validators=[validate_call_sign])
    flag = CountryField(blank=True, help_text="Current or last known flag.")
    vessel_type = models.CharField(max_length=100, blank=True)
    gross_tonnage = models.PositiveIntegerField(null=True, blank=True)
    deadweight_tonnage = models.PositiveIntegerField(null=True, blank=True)
    build_year = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    list_entries = models.ManyToManyField(ListEntry, blank=True, related_name="vessels",
                                          help_text="Designations of this vessel.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            # NULL, not '', means "unknown", so the unique constraint allows many unknowns.
            models.CheckConstraint(condition=~Q(imo_number=""), name="vessel_imo_null_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (IMO {self.imo_number})" if self.imo_number else self.name


class VesselIdentityPeriod(models.Model):
    """A name, flag, MMSI and call sign the vessel had for a while, and on what basis we know it."""

    vessel = models.ForeignKey(Vessel, on_delete=models.CASCADE, related_name="identities")
    name = models.CharField(max_length=200)
    flag = CountryField(blank=True)
    flag_status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.CLAIMED)
    mmsi = models.CharField(max_length=9, blank=True, validators=[validate_mmsi])
    call_sign = models.CharField(max_length=10, blank=True, validators=[validate_call_sign])
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    basis = models.CharField(max_length=16, choices=IdentityBasis.choices)
    source_note = models.CharField(max_length=500, blank=True, help_text="Where this comes from.")

    class Meta:
        ordering = ["vessel", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_from__lte=models.F("valid_to")),
                name="identity_period_ordered",
            )
        ]

    def __str__(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else "?"
        end = self.valid_to.isoformat() if self.valid_to else "now"
        return f"{self.name} [{self.flag or '?'}] {start} – {end}"


class VesselParty(models.Model):
    """An owner, operator or manager of a vessel: a list entry when designated, else a name."""

    vessel = models.ForeignKey(Vessel, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=32, choices=VesselPartyRole.choices)
    list_entry = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="vessel_roles")
    name = models.CharField(max_length=300, blank=True, help_text="When the party is not a list entry.")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source_note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "vessel parties"
        constraints = [
            models.CheckConstraint(condition=Q(list_entry__isnull=False) | ~Q(name=""), name="vessel_party_named"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.list_entry or self.name}"

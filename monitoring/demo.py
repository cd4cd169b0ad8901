"""Demo data: the sample UN list and demo reports under seeds/, plus one analyst per reporting
state. Loading twice changes nothing: the list is skipped when its content is already applied,
reports are keyed by their demo key, users are created once."""
from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from sanctions.choices import VersionStatus
from sanctions.models import ListSource
from sanctions.parsers.un_xml import parse_un_consolidated
from sanctions.progress import SILENT, Progress
from sanctions.services import list_version_apply

from . import services
from .choices import REPORT_TRANSITIONS, ReportStatus
from .models import AnalystProfile, Evidence, MemberState, ReportSubject, ResolutionCitation, SourceCitation, ViolationReport

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
DEFAULT_LIST_PATH = SEEDS_DIR / "un_consolidated_sample.xml"
DEFAULT_REPORTS_PATH = SEEDS_DIR / "demo_reports.json"
# A sample of every other list the service screens against (seeds/README.md says what each holds).
SOURCE_SAMPLES = {
    "un-1718-vessels": SEEDS_DIR / "un_1718_vessels_sample.csv",
    "ofac-sdn": SEEDS_DIR / "ofac_sdn_sample" / "sdn.csv",
    "uk-ofsi": SEEDS_DIR / "uk_ofsi_sample.csv",
    "eu-fsf": SEEDS_DIR / "eu_fsf_sample.xml",
    "jp-mof": SEEDS_DIR / "ftm_sample.ftm.json",
}
DEMO_CHANNEL = "seed"


@dataclass
class DemoSummary:
    list_status: str = ""
    list_records: int = 0
    reports_created: list[str] = field(default_factory=list)
    reports_existing: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # source slug -> status of its sample


def demo_username(country_code: str) -> str:
    return f"analyst.{country_code.lower()}"


def demo_analyst_ensure(*, country_code: str, password: str, summary: DemoSummary):
    """An analyst (and reviewer) of the given member state; an existing one is left as it is."""
    User = get_user_model()
    username = demo_username(country_code)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=password, is_staff=True,
                                        email=f"{username}@demo.invalid")
        user.groups.add(*Group.objects.filter(name__in=["Analyst", "Reviewer"]))
        AnalystProfile.objects.create(user=user, member_state=MemberState.objects.get(country=country_code))
        summary.users_created.append(username)
    return user


def demo_list_load(*, path: Path, summary: DemoSummary, progress: Progress = SILENT) -> None:
    data = path.read_bytes()
    parsed = parse_un_consolidated(data)
    source = ListSource.objects.get(slug="un-sc")
    summary.list_records = len(parsed.records)
    if source.versions.filter(status=VersionStatus.APPLIED, content_sha256=parsed.content_sha256).exists():
        summary.list_status = "already loaded"
        return
    version = list_version_apply(source=source, parsed=parsed, fetched_from=str(path), size_bytes=len(data),
                                 progress=progress)
    summary.list_status = version.status


def demo_samples_load(*, summary: DemoSummary, progress: Progress = SILENT) -> None:
    """Each other source's sample, synced from its file as a real sync would be; skipped when that
    content is applied already, so a second run records nothing."""
    from sanctions.services import list_sync
    from sanctions.sources import ADAPTERS

    for slug, path in SOURCE_SAMPLES.items():
        source = ListSource.objects.filter(slug=slug).first()
        if source is None:
            continue
        adapter = ADAPTERS[source.kind]
        content_hash = adapter.content_hash(adapter.download(str(path)))
        if source.versions.filter(status=VersionStatus.APPLIED, content_sha256=content_hash).exists():
            summary.samples[slug] = "already loaded"
            continue
        version = list_sync(source=source, location=str(path), progress=progress)
        if version.status not in (VersionStatus.APPLIED, VersionStatus.UNCHANGED):
            raise ValueError(f"the {slug} sample {path.name} was {version.status}: {version.error}")
        summary.samples[slug] = version.status


def _aware(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        moment = datetime.datetime.combine(day, datetime.time()) if day else None
    if moment is None:
        raise ValueError(f"Not a date or date-time: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _decimal(value: float | str | None) -> decimal.Decimal | None:
    # Through str(): a float such as 51.73 must not become 51.7299999…
    return None if value is None else decimal.Decimal(str(value))


def _walk_to_status(report: ViolationReport, target: str, actor) -> None:
    """Follow the lifecycle from draft to `target` so the demo passes through real transitions."""
    path = {
        ReportStatus.DRAFT: [],
        ReportStatus.SUBMITTED: [ReportStatus.SUBMITTED],
        ReportStatus.UNDER_REVIEW: [ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW],
        ReportStatus.ACCEPTED: [ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.ACCEPTED],
        ReportStatus.REJECTED: [ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.REJECTED],
        ReportStatus.PUBLISHED: [ReportStatus.SUBMITTED, ReportStatus.UNDER_REVIEW, ReportStatus.ACCEPTED,
                                 ReportStatus.PUBLISHED],
    }[target]
    for step in path:
        assert step in REPORT_TRANSITIONS[report.status]
        report = services.report_transition(report=report, to_status=step, actor=actor, channel=DEMO_CHANNEL)


@transaction.atomic
def demo_report_load(*, item: dict, author) -> ViolationReport:
    state = MemberState.objects.get(country=item["reporting_state"])
    report = ViolationReport(
        demo_key=item["key"], title=item["title"], category=item["category"], reporting_state=state,
        tlp=item["tlp"], status=ReportStatus.DRAFT, occurred_from=_aware(item.get("occurred_from")),
        occurred_to=_aware(item.get("occurred_to")), occurred_precision=item.get("occurred_precision") or "day",
        location_text=item.get("location_text") or "", latitude=_decimal(item.get("latitude")),
        longitude=_decimal(item.get("longitude")), narrative=item.get("narrative") or "",
        assessment=item.get("assessment") or "", confidence=item.get("confidence") or "", created_by=author,
    )
    services.report_save(report=report, actor=author, channel=DEMO_CHANNEL)
    report.releasable_to_states.set(MemberState.objects.filter(country__in=item.get("releasable_to") or []))
    if report.tlp == "RED":
        report.recipients.add(author)
    for citation in item.get("resolutions") or []:
        services.audited_save(ResolutionCitation(report=report, resolution=citation["resolution"],
                                                 paragraph=citation.get("paragraph") or ""),
                              actor=author, channel=DEMO_CHANNEL)
    for citation in item.get("citations") or []:
        services.audited_save(SourceCitation(report=report, title=citation["title"],
                                             publisher=citation.get("publisher") or "", url=citation.get("url") or "",
                                             published_on=parse_date(citation["published_on"])
                                             if citation.get("published_on") else None),
                              actor=author, channel=DEMO_CHANNEL)
    subject_fields = {f.name for f in ReportSubject._meta.get_fields()}
    for subject in item.get("subjects") or []:
        values = {k: ("" if v is None else v) for k, v in subject.items() if k in subject_fields}
        services.subject_save(subject=ReportSubject(report=report, **values), actor=author, channel=DEMO_CHANNEL)
    for evidence in item.get("evidence") or []:
        services.evidence_save(
            evidence=Evidence(report=report, kind=evidence["kind"], source=evidence["source"],
                              captured_at=_aware(evidence.get("captured_at")), url=evidence.get("url") or "",
                              held_at=evidence.get("held_at") or "",
                              caption=evidence.get("caption") or "", credit=evidence.get("credit") or "",
                              tlp=evidence.get("tlp") or report.tlp, created_by=author),
            actor=author, channel=DEMO_CHANNEL,
        )
    _walk_to_status(report, item.get("status") or ReportStatus.DRAFT, author)
    return report


def demo_load(*, password: str, list_path: Path = DEFAULT_LIST_PATH,
              reports_path: Path = DEFAULT_REPORTS_PATH, progress: Progress = SILENT) -> DemoSummary:
    summary = DemoSummary()
    demo_list_load(path=list_path, summary=summary, progress=progress)
    demo_samples_load(summary=summary, progress=progress)
    demo_analyst_ensure(country_code="KR", password=password, summary=summary)
    items = json.loads(reports_path.read_text(encoding="utf-8"))["reports"]
    with progress.stage("demo reports", total=len(items), unit="report") as bar:
        for item in items:
            bar.update(1)
            if ViolationReport.objects.filter(demo_key=item["key"]).exists():
                summary.reports_existing.append(item["key"])
                continue
            author = demo_analyst_ensure(country_code=item["reporting_state"], password=password, summary=summary)
            demo_report_load(item=item, author=author)
            summary.reports_created.append(item["key"])
    return summary

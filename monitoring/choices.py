from django.db import models


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0, from least to most restrictive."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


TLP_RANK = {value: rank for rank, value in enumerate(TLP.values)}


def tlp_is_at_least(marking: str, floor: str) -> bool:
    """True when `marking` is as strict as `floor` or stricter."""
    return TLP_RANK[marking] >= TLP_RANK[floor]


class ViolationCategory(models.TextChoices):
    # domain.md §3
    STS_PETROLEUM = "sts_petroleum", "Ship-to-ship transfer of refined petroleum"
    DIRECT_DELIVERY = "direct_delivery", "Direct deliveries and port calls"
    BANNED_EXPORTS = "banned_exports", "Coal, iron and other banned exports"
    ARMS_MILITARY = "arms_military", "Arms and related materiel / military cooperation"
    WMD = "wmd", "Missile and nuclear tests / WMD procurement"
    CYBER_THEFT = "cyber_theft", "Cyber theft / virtual assets"
    OVERSEAS_WORKERS = "overseas_workers", "Overseas workers / IT workers"
    LUXURY_GOODS = "luxury_goods", "Luxury goods"
    JOINT_VENTURES = "joint_ventures", "Joint ventures / cooperative entities"
    FINANCIAL_EVASION = "financial_evasion", "Financial sanctions evasion"
    VESSEL_IDENTITY_FRAUD = "vessel_identity_fraud", "Vessel identity fraud"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    PUBLISHED = "published", "Published"


# Lifecycle: draft → submitted → under review → accepted or rejected → published (frozen).
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.DRAFT: frozenset({ReportStatus.SUBMITTED}),
    ReportStatus.SUBMITTED: frozenset({ReportStatus.UNDER_REVIEW, ReportStatus.DRAFT}),
    ReportStatus.UNDER_REVIEW: frozenset({ReportStatus.ACCEPTED, ReportStatus.REJECTED}),
    ReportStatus.ACCEPTED: frozenset({ReportStatus.PUBLISHED}),
    ReportStatus.REJECTED: frozenset({ReportStatus.DRAFT}),
    ReportStatus.PUBLISHED: frozenset(),
}


class DatePrecision(models.TextChoices):
    MINUTE = "minute", "To the minute"
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SubjectRole(models.TextChoices):
    SUPPLYING_VESSEL = "supplying_vessel", "Supplying vessel"
    RECEIVING_VESSEL = "receiving_vessel", "Receiving vessel"
    CARRIER_VESSEL = "carrier_vessel", "Carrier vessel"
    OWNER = "owner", "Owner"
    OPERATOR = "operator", "Operator"
    BROKER = "broker", "Broker"
    CONSIGNEE = "consignee", "Consignee"
    FINANCIER = "financier", "Financier"
    END_USER = "end_user", "End user"
    EMPLOYER = "employer", "Employer"
    WORKER = "worker", "Worker"
    THREAT_ACTOR = "threat_actor", "Threat actor"
    VICTIM = "victim", "Victim"
    MILITARY_UNIT = "military_unit", "Military unit"
    COMMANDER = "commander", "Commander"
    FACILITATOR = "facilitator", "Facilitator"
    OTHER = "other", "Other"


class SubjectKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organisation"
    VESSEL = "vessel", "Vessel"
    UNKNOWN = "unknown", "Unknown"


class EvidenceKind(models.TextChoices):
    SATELLITE_IMAGE = "satellite_image", "Satellite image"
    AERIAL_PHOTO = "aerial_photo", "Aerial photo"
    AIS_TRACK = "ais_track", "AIS track"
    DOCUMENT = "document", "Document"
    SHIPPING_DOC = "shipping_doc", "Shipping document"
    FINANCIAL_RECORD = "financial_record", "Financial record"
    BLOCKCHAIN_TX = "blockchain_tx", "Blockchain transaction"
    TESTIMONY = "testimony", "Testimony"
    OPEN_SOURCE = "open_source", "Open source"


class PartnerKind(models.TextChoices):
    OBSERVER_STATE = "observer_state", "Observer state"
    INTERNATIONAL_ORG = "international_org", "International organisation"
    RESEARCH_GROUP = "research_group", "Research group"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
    ESCALATED = "escalated", "Escalated"


class ReviewDecision(models.TextChoices):
    CONFIRM = "confirm", "Confirm"
    DISMISS = "dismiss", "Dismiss"
    ESCALATE = "escalate", "Escalate"
    REOPEN = "reopen", "Reopen"


DECISION_STATUS = {
    ReviewDecision.CONFIRM: ReviewStatus.CONFIRMED,
    ReviewDecision.DISMISS: ReviewStatus.DISMISSED,
    ReviewDecision.ESCALATE: ReviewStatus.ESCALATED,
    ReviewDecision.REOPEN: ReviewStatus.PENDING,
}


class TokenScope(models.TextChoices):
    LISTS_READ = "lists:read", "Read lists, entries, changes and vessels"
    REPORTS_READ = "reports:read", "Read reports, subjects, evidence and hits (as TLP allows)"
    REPORTS_WRITE = "reports:write", "Create and edit reports of the token's member state"
    SCREEN = "screen", "Screen names, identifiers and entities ad hoc"
    MATCHES_REVIEW = "matches:review", "Confirm, dismiss or escalate hits"

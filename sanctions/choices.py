from django.db import models


class SourceKind(models.TextChoices):
    UN_CONSOLIDATED = "un_consolidated", "UN Security Council Consolidated List"
    UN_1718_VESSELS = "un_1718_vessels", "UN 1718 Designated Vessels List"
    OFAC_SDN = "ofac_sdn", "OFAC SDN list"
    UK_OFSI_CSV = "uk_ofsi_csv", "UK OFSI consolidated list (CSV)"
    EU_FSF = "eu_fsf", "EU Financial Sanctions Files (XML or CSV)"
    FTM_ENTITIES = "ftm_entities", "FollowTheMoney entities (JSON lines)"
    OTHER = "other", "Other"


class VersionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPLIED = "applied", "Applied"
    UNCHANGED = "unchanged", "Unchanged"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"


class EntryKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    ENTITY = "entity", "Entity"
    VESSEL = "vessel", "Vessel"


class NameKind(models.TextChoices):
    PRIMARY = "primary", "Primary name"
    ALIAS = "alias", "Alias"
    ORIGINAL_SCRIPT = "original_script", "Name in original script"


class AliasQuality(models.TextChoices):
    NONE = "", "—"
    GOOD = "good", "Good"
    LOW = "low", "Low (weak alias)"
    AKA = "aka", "a.k.a."
    FKA = "fka", "f.k.a. (former name)"


class IdentifierType(models.TextChoices):
    IMO = "imo", "IMO ship number"
    IMO_COMPANY = "imo_company", "IMO company number"
    MMSI = "mmsi", "MMSI"
    CALL_SIGN = "call_sign", "Call sign"
    PASSPORT = "passport", "Passport"
    NATIONAL_ID = "national_id", "National ID"
    OTHER = "other", "Other"


class BirthDateQualifier(models.TextChoices):
    EXACT = "exact", "Exact"
    APPROXIMATE = "approximate", "Approximately"
    BETWEEN = "between", "Between"
    UNKNOWN = "unknown", "Unknown (note only)"


class AddressKind(models.TextChoices):
    ADDRESS = "address", "Address"
    PLACE_OF_BIRTH = "place_of_birth", "Place of birth"


class ChangeType(models.TextChoices):
    ADDED = "added", "Added"
    AMENDED = "amended", "Amended"
    REMOVED = "removed", "Removed"
    RELISTED = "relisted", "Relisted"


class IdentityBasis(models.TextChoices):
    REGISTRY = "registry", "Ship registry"
    AIS = "ais", "AIS broadcast"
    LIST = "list", "Sanctions list"
    REPORT = "report", "Violation report"
    ANALYST = "analyst", "Analyst research"


class FlagStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Registry-confirmed"
    CLAIMED = "claimed", "Claimed"
    FRAUDULENT = "fraudulent", "Fraudulent"


class VesselPartyRole(models.TextChoices):
    REGISTERED_OWNER = "registered_owner", "Registered owner"
    OWNER = "owner", "Beneficial owner"
    OPERATOR = "operator", "Operator"
    SHIP_MANAGER = "ship_manager", "Ship manager"
    ECONOMIC_RESOURCE_OF = "economic_resource_of", "Economic resource of"
    LINKED_TO = "linked_to", "Linked to (role not stated)"


class Measure(models.TextChoices):
    ASSET_FREEZE = "asset_freeze", "Asset freeze"
    PORT_ENTRY_BAN = "port_entry_ban", "Port-entry ban"
    DEFLAGGING = "deflagging", "De-flagging"
    REDIRECTION = "redirection", "Redirection to a port"
    TRAVEL_BAN = "travel_ban", "Travel ban"
    OTHER = "other", "Other measure"


class EntryRelation(models.TextChoices):
    LINKED_TO = "linked_to", "Linked to"
    ECONOMIC_RESOURCE_OF = "economic_resource_of", "Economic resource of"
    OWNER = "owner", "Owned by"
    OPERATOR = "operator", "Operated by"
    ASSOCIATE = "associate", "Associate of"


class DesigneeLinkBasis(models.TextChoices):
    UN_REFERENCE = "un_reference", "Cites the UN reference number"
    IMO = "imo", "Same IMO number"
    MATCHING = "matching", "Proposed by the matching engine"


class DesigneeLinkStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Same designee"
    PROPOSED = "proposed", "Proposed, awaiting an analyst"
    REJECTED = "rejected", "Not the same designee"

"""What the admin's list-entry and vessel pages show, put into words: an entry's changes across
list versions field by field, a vessel's identity timeline with its warnings. Pure presentation
over rows already read (see sanctions.selectors)."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import identifiers
from .choices import ChangeType, FlagStatus
from .models import EntryChange, Vessel, VesselIdentityPeriod

FIELD_LABELS = {
    "primary_name": "primary name", "reference_number": "reference number", "listed_on": "listed on",
    "amended_on": "amended on", "list_types": "list types", "birth_dates": "dates of birth",
    "is_active": "on the list",
}


def _item_text(field_name: str, item) -> str:
    """One row of a list field of an entry snapshot (names, identifiers, ...) in words."""
    if not isinstance(item, dict):
        return str(item)
    if field_name == "names":
        extra = ", ".join(str(v).replace("_", " ") for v in (item.get("kind", ""), item.get("quality", ""),
                                                             item.get("script", "")) if v and v not in ("latin",))
        return f"{item.get('name', '')}" + (f" ({extra})" if extra else "")
    if field_name == "identifiers":
        label = item.get("type_label") or item.get("type", "")
        country = f", {item['country']}" if item.get("country") else ""
        return f"{label} {item.get('value', '')}{country}".strip()
    if field_name == "birth_dates":
        if item.get("date"):
            return str(item["date"])
        if item.get("year") and item.get("year_to"):
            return f"between {item['year']} and {item['year_to']}"
        if item.get("year"):
            return f"{'about ' if item.get('qualifier') == 'approximate' else ''}{item['year']}"
        return item.get("note") or "unknown"
    if field_name == "nationalities":
        return item.get("value") or item.get("country_code") or ""
    if field_name == "addresses":
        parts = [item.get(k, "") for k in ("street", "city", "state_province", "country")]
        return ", ".join(p for p in parts if p) or item.get("note", "") or "—"
    return ", ".join(f"{k}: {v}" for k, v in item.items() if v not in ("", None, [], {}))


@dataclass
class FieldChange:
    field: str
    label: str
    before: str = ""
    after: str = ""
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.removed or self.added)


def change_fields(change: EntryChange) -> list[FieldChange]:
    """The field-level diff of one change, in words: lists as items removed and added, other
    fields as before and after."""
    rows = []
    for name, values in sorted((change.diff or {}).items()):
        if not isinstance(values, dict):
            continue
        before, after = values.get("before"), values.get("after")
        row = FieldChange(field=name, label=FIELD_LABELS.get(name, name.replace("_", " ")))
        if isinstance(before, list) or isinstance(after, list):
            old = [_item_text(name, item) for item in before or []]
            new = [_item_text(name, item) for item in after or []]
            row.removed = [text for text in old if text not in new]
            row.added = [text for text in new if text not in old]
            if not row.is_list:  # only the order or an invisible detail changed
                row.before, row.after = "; ".join(old) or "—", "; ".join(new) or "—"
        elif isinstance(before, dict) or isinstance(after, dict):
            row.before = _item_text(name, before) if before else "—"
            row.after = _item_text(name, after) if after else "—"
        else:
            row.before = "—" if before in (None, "") else str(before)
            row.after = "—" if after in (None, "") else str(after)
        rows.append(row)
    return rows


def change_summary(change: EntryChange) -> str:
    """One line saying what a list version did to the entry."""
    if change.change_type == ChangeType.ADDED:
        return "Added to the list."
    if change.change_type == ChangeType.REMOVED:
        return "Removed from the list (the entry is kept, with its history)."
    if change.change_type == ChangeType.RELISTED:
        return "Listed again, as the same entry."
    fields = [FIELD_LABELS.get(name, name.replace("_", " ")) for name in sorted(change.diff or {})]
    return f"Amended: {', '.join(fields)}." if fields else "Amended."


# --- Vessels ---------------------------------------------------------------------------------------

def identity_warnings(*, mmsi: str, flag: str, call_sign: str = "", flag_status: str = "") -> list[str]:
    """What is wrong or suspicious with one name-flag-MMSI-call sign combination."""
    warnings: list[str] = []
    flag = str(flag or "")
    if mmsi:
        result = identifiers.check_mmsi(mmsi, flag=flag or None)
        warnings += ([result.error] if not result.valid else []) + list(result.warnings)
    if call_sign:
        result = identifiers.check_call_sign(call_sign, flag=flag or None)
        warnings += ([result.error] if not result.valid else []) + list(result.warnings)
    if flag_status == FlagStatus.FRAUDULENT:
        warnings.append(f"The {flag or 'claimed'} flag was used fraudulently.")
    return warnings


def vessel_warnings(vessel: Vessel) -> list[str]:
    """Warnings about the vessel's current particulars: the IMO check digit, and an MMSI or call
    sign whose country is not the flag's."""
    warnings = []
    if vessel.imo_number:
        imo = identifiers.check_imo(vessel.imo_number)
        if not imo.valid:
            warnings.append(imo.error)
    else:
        warnings.append("No IMO number: the hull cannot be told apart from others of the same name.")
    warnings += identity_warnings(mmsi=vessel.mmsi, flag=vessel.flag, call_sign=vessel.call_sign)
    return warnings


@dataclass
class IdentityRow:
    period: VesselIdentityPeriod
    warnings: list[str]
    changed: set[str]  # which of name, flag, mmsi, call_sign differ from the period before


def identity_timeline(periods) -> list[IdentityRow]:
    rows, previous = [], None
    for period in periods:
        changed = set()
        if previous is not None:
            changed = {name for name in ("name", "flag", "mmsi", "call_sign")
                       if str(getattr(period, name) or "") != str(getattr(previous, name) or "")}
        rows.append(IdentityRow(period=period, changed=changed, warnings=identity_warnings(
            mmsi=period.mmsi, flag=period.flag, call_sign=period.call_sign, flag_status=period.flag_status)))
        previous = period
    return rows

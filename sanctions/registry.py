"""The list sources this service knows: one row per source, read by the settings (beat's schedule),
the sync (which parser, where from, what to keep) and the ListSource rows kept in step with it.

Plain data, no Django imports: the settings module reads it before apps load. A new list is a
parser (an adapter in `sources.py`) plus a row here, or, for a list published as FollowTheMoney
entities, a row in the FTM_SOURCES setting alone."""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

OFFICIAL_UN_LIST_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"


@dataclass(frozen=True)
class SourceSpec:
    slug: str
    name: str
    authority: str  # who publishes it
    kind: str  # the adapter that downloads and parses it (SourceKind)
    url: str  # where it is fetched from; '' when the publisher has no machine-readable address
    interval_minutes: int  # how often beat syncs it
    keep: Mapping[str, object] = field(default_factory=dict)  # what the parser keeps, e.g. OFAC programs
    url_setting: str = ""  # the setting (and environment variable) that holds `url`, if one does


class RegistryError(ValueError):
    """A source definition in the settings is unusable; the message names the variable and why."""


def built_in_sources(env, minutes: Callable[..., int]) -> tuple[SourceSpec, ...]:
    """The sources every installation has. `env` reads the settings (an environ.Env), `minutes` a
    whole number of minutes, at least 1."""
    return (
        SourceSpec(
            slug="un-sc", name="UN Security Council Consolidated List", authority="UN Security Council",
            kind="un_consolidated", url_setting="UN_LIST_URL", url=env.str("UN_LIST_URL", default=OFFICIAL_UN_LIST_URL),
            interval_minutes=minutes("LIST_SYNC_INTERVAL_MINUTES", default=60),
        ),
        SourceSpec(
            # The Committee publishes the vessel list as a web table only: set the address of the
            # CSV transcription the team keeps (or a file:// path) to sync it.
            slug="un-1718-vessels", name="UN 1718 Committee Designated Vessels List",
            authority="UN Security Council 1718 Committee", kind="un_1718_vessels",
            url_setting="UN_1718_VESSELS_URL", url=env.str("UN_1718_VESSELS_URL", default=""),
            interval_minutes=minutes("UN_1718_VESSELS_SYNC_INTERVAL_MINUTES", default=24 * 60),
        ),
        SourceSpec(
            slug="ofac-sdn", name="OFAC Specially Designated Nationals list", authority="US Treasury OFAC",
            kind="ofac_sdn", url_setting="OFAC_SDN_URL", url=env.str("OFAC_SDN_URL", default="https://www.treasury.gov/ofac/downloads/sdn.csv"),
            interval_minutes=minutes("OFAC_SYNC_INTERVAL_MINUTES", default=24 * 60),
            # Every program by default: DPRK-Russia cooperation is designated under Russia-related,
            # non-proliferation and cyber programs, not the DPRK ones.
            keep={"programs": tuple(env.list("OFAC_SDN_PROGRAMS", default=[]))},
        ),
        SourceSpec(
            slug="uk-ofsi", name="UK Consolidated List of Financial Sanctions Targets",
            authority="HM Treasury OFSI", kind="uk_ofsi_csv",
            url_setting="UK_OFSI_URL", url=env.str("UK_OFSI_URL", default="https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"),
            interval_minutes=minutes("UK_OFSI_SYNC_INTERVAL_MINUTES", default=24 * 60),
        ),
        SourceSpec(
            slug="eu-fsf", name="EU Consolidated Financial Sanctions List", authority="European Commission",
            kind="eu_fsf",
            url_setting="EU_FSF_URL", url=env.str("EU_FSF_URL", default="https://webgate.ec.europa.eu/fsd/fsf/public/files/"
                                          "xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"),
            interval_minutes=minutes("EU_FSF_SYNC_INTERVAL_MINUTES", default=24 * 60),
        ),
        SourceSpec(
            # Japan's list as OpenSanctions republishes it in FollowTheMoney form.
            slug="jp-mof", name="Japan MOF economic sanctions list", authority="Japan Ministry of Finance",
            kind="ftm_entities",
            url_setting="JP_MOF_URL", url=env.str("JP_MOF_URL", default="https://data.opensanctions.org/datasets/latest/jp_mof_sanctions/"
                                          "entities.ftm.json"),
            interval_minutes=minutes("JP_MOF_SYNC_INTERVAL_MINUTES", default=24 * 60),
        ),
    )


FTM_SOURCE_KEYS = {"slug", "name", "authority", "url", "interval_minutes"}


def ftm_sources(text: str, *, taken: set[str]) -> tuple[SourceSpec, ...]:
    """Further lists published as FollowTheMoney entities (any OpenSanctions dataset), from the
    FTM_SOURCES setting: a JSON array of {"slug", "name", "authority", "url", "interval_minutes"}."""
    if not text.strip():
        return ()
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RegistryError(f"FTM_SOURCES is not JSON: {exc}") from None
    if not isinstance(rows, list):
        raise RegistryError("FTM_SOURCES must be a JSON array of objects")
    specs = []
    for position, row in enumerate(rows, 1):
        where = f"FTM_SOURCES item {position}"
        if not isinstance(row, dict):
            raise RegistryError(f"{where} is not an object")
        if unknown := set(row) - FTM_SOURCE_KEYS:
            raise RegistryError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if missing := {"slug", "name", "url"} - set(row):
            raise RegistryError(f"{where}: missing {', '.join(sorted(missing))}")
        slug = str(row["slug"])
        if not slug.replace("-", "").isalnum() or slug.lower() != slug:
            raise RegistryError(f"{where}: slug {slug!r} must be lower-case letters, digits and hyphens")
        if slug in taken:
            raise RegistryError(f"{where}: slug {slug!r} is already a source")
        interval = row.get("interval_minutes", 24 * 60)
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise RegistryError(f"{where}: interval_minutes must be a whole number of minutes, at least 1")
        taken.add(slug)
        specs.append(SourceSpec(slug=slug, name=str(row["name"]), authority=str(row.get("authority", "")),
                                kind="ftm_entities", url=str(row["url"]), interval_minutes=interval))
    return tuple(specs)

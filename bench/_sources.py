"""The inputs of every source of the registry, read in place from ../shared/data (never copied) or
seeds/: what bench/sync_sources.py and bench/api_load.py load."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
INPUTS = {
    "un-sc": DATA / "un" / "TuaMaley__New-AML-TMS" / "un_sanctions.xml",
    "un-1718-vessels": REPO / "seeds" / "un_1718_vessels_sample.csv",
    "ofac-sdn": DATA / "ofac" / "jackdwyer__specially-designated-nationals-list" / "sdn.csv",
    "uk-ofsi": DATA / "uk" / "photoangell__SanctionsApi" / "sanctionsconlist.csv",
    "eu-fsf": DATA / "eu" / "photoangell__SanctionsApi" / "EUSanctionsShort.csv",
    "jp-mof": REPO / "seeds" / "ftm_sample.ftm.json",
}

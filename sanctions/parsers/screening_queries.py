"""Screening queries as the `screen` command reads them: JSON lines, one query object per line.
Pure: bytes in (a binary stream, read line by line), Query objects out; a bad line is a QueryLineError saying what is wrong with it."""
import codecs
import json
import math
from collections.abc import Iterator
from typing import BinaryIO

from sanctions.identifiers import check_imo, check_imo_company
from sanctions.matching import Query

TEXT_FIELDS = ("birth_date", "nationality", "imo")  # each a string or null
LIST_FIELDS = ("identifiers", "aliases")  # each a list of strings or null
QUERY_FIELDS = {"id", "name", "kind", *TEXT_FIELDS, *LIST_FIELDS}
KINDS = {"person", "organization", "vessel", "any"}


NAME_OR_IDENTIFIER = "a query needs a name or at least one identifier (imo, identifiers)"


class QueryLineError(ValueError):
    pass


def has_name_or_identifier(*, name: str, imo: str, identifiers) -> bool:
    """A vessel reported by IMO number alone, or a person by passport number alone, is a query."""
    return bool(name.strip() or imo.strip() or any(identifier.strip() for identifier in identifiers))


def query_warnings(query: Query) -> list[str]:
    """What is doubtful in a query that is screened all the same, as given: an IMO number whose
    check digit fails may be a typing error in the report, or the number a ship really shows. The
    field holds a ship's number or a company's (a shipping company is screened by its own), so the
    rule is the kind's, and either one for a query of any kind or a person."""
    if not query.imo.strip():
        return []
    rules = {"vessel": (check_imo,), "organization": (check_imo_company,)}.get(query.kind, (check_imo, check_imo_company))
    checks = [rule(query.imo) for rule in rules]
    if any(check.valid for check in checks):
        return []
    return [f"imo: {'; '.join(check.error for check in checks)}; screened as given"]


# A query is a few hundred bytes; a longer line is refused rather than held in memory whole.
MAX_LINE_BYTES = 1024 * 1024


def input_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The physical lines of a binary stream, read as they are needed (memory stays flat whatever
    the input's size), split on "\n" only (not on the other line breaks `str.splitlines` knows,
    such as U+2028 inside a name), without a leading byte order mark or the newline itself.

    A line longer than MAX_LINE_BYTES is given as its first MAX_LINE_BYTES + 1 bytes or more (the
    rest is read and dropped), which `query_from_line` refuses: it stays one bad line, numbered as such."""
    # The first read has room for the mark too, so that a long first line is seen as too long.
    line = stream.readline(MAX_LINE_BYTES + 1 + len(codecs.BOM_UTF8)).removeprefix(codecs.BOM_UTF8)
    while line:
        if line.endswith(b"\n"):
            yield line[:-1]
        else:
            if len(line) > MAX_LINE_BYTES:
                while (rest := stream.readline(MAX_LINE_BYTES + 1)) and not rest.endswith(b"\n"):
                    pass
            yield line
        line = stream.readline(MAX_LINE_BYTES + 1)


def count_lines(stream: BinaryIO) -> int:
    """How many lines `input_lines` will give for the rest of a seekable stream (for a progress
    bar's total), counted in blocks without decoding; the stream is put back where it was."""
    start, count, last = stream.tell(), 0, b"\n"
    block = stream.read(1 << 20).removeprefix(codecs.BOM_UTF8)
    while block:
        count, last = count + block.count(b"\n"), block[-1:]
        block = stream.read(1 << 20)
    stream.seek(start)
    return count + (last != b"\n")


def _refuse_constant(name: str):
    raise QueryLineError(f"not JSON ({name} is not a JSON number)")


def _finite_float(text: str) -> float:
    # 1e400 reads as infinity, which the results could only echo as invalid JSON.
    value = float(text)
    if not math.isfinite(value):
        raise QueryLineError(f"not JSON ({text[:20]} is too large a number)")
    return value


def _json_object(line: str) -> dict:
    try:
        data = json.loads(line, parse_constant=_refuse_constant, parse_float=_finite_float)
    except QueryLineError:  # from the two parse hooks above
        raise
    except json.JSONDecodeError as exc:
        raise QueryLineError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise QueryLineError("not JSON (nested too deeply)") from None
    except ValueError:  # the only other one json raises: an integer too long to convert
        raise QueryLineError("not JSON (a number with too many digits)") from None
    if not isinstance(data, dict):
        raise QueryLineError("not a JSON object")
    return data


def _has_lone_surrogate(text: str) -> bool:
    # A "\ud800" escape decodes to half a character, which no UTF-8 output can hold.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _shown(value) -> str:
    """A value for an error message: short, and printable whatever it holds."""
    if isinstance(value, (list, dict)):
        return "an array" if isinstance(value, list) else "an object"
    return json.dumps(value)[:60]


def query_from_line(raw: bytes) -> Query:
    """One query from one input line; QueryLineError says what is wrong with the line."""
    if len(raw) > MAX_LINE_BYTES:
        raise QueryLineError(f"longer than {MAX_LINE_BYTES:,} bytes")
    # Decoded line by line, so that one line in another encoding is one bad line, not a failed run.
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryLineError(f"not UTF-8 (byte {exc.start + 1} is 0x{raw[exc.start]:02x})") from None
    data = _json_object(line)
    if any(_has_lone_surrogate(field) for field in data):
        raise QueryLineError("a field name holds a lone surrogate (a \\ud800-\\udfff escape)")
    unknown = set(data) - QUERY_FIELDS
    if unknown:
        raise QueryLineError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "id" not in data:
        raise QueryLineError("missing 'id'")
    if isinstance(data["id"], (list, dict)):
        raise QueryLineError(f"'id' must be a string, a number, true, false or null, got {_shown(data['id'])}")
    if data.get("name") is not None and not isinstance(data["name"], str):
        raise QueryLineError(f"'name' must be a string or null, got {_shown(data['name'])}")
    # Absent, null or "" mean any kind, as in the API; anything else must be one of the kinds.
    kind = data.get("kind")
    if kind is None or kind == "":
        kind = "any"
    if not isinstance(kind, str) or kind not in KINDS:
        raise QueryLineError(f"'kind' must be one of {', '.join(sorted(KINDS))}, got {_shown(kind)}")
    for field in TEXT_FIELDS:
        if data.get(field) is not None and not isinstance(data[field], str):
            raise QueryLineError(f"'{field}' must be a string or null, got {_shown(data[field])}")
    for field in LIST_FIELDS:
        value = data.get(field)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise QueryLineError(f"'{field}' must be a list of strings")
    for field, value in data.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and _has_lone_surrogate(text) for text in texts):
            raise QueryLineError(f"'{field}' holds a lone surrogate (a \\ud800-\\udfff escape)")
    query = Query(id=data["id"], name=data.get("name") or "", kind=kind,
                  **{field: data.get(field) or "" for field in TEXT_FIELDS},
                  **{field: tuple(data.get(field) or ()) for field in LIST_FIELDS})
    if not has_name_or_identifier(name=query.name, imo=query.imo, identifiers=query.identifiers):
        raise QueryLineError(f"no 'name' and no identifier: {NAME_OR_IDENTIFIER}")
    return query


# Valid unescaped in JSON, but line breaks to str.splitlines: escaped, one result stays one line to any reader.
OTHER_LINE_BREAKS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def result_line(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False).translate(OTHER_LINE_BREAKS) + "\n"

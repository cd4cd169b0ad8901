"""`manage.py screen`: a file of queries (JSON lines) screened against the lists, one JSON line of
scored, explained results per valid query; bad lines reported on stderr by line number."""
import codecs
import io
import json
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from sanctions.models import ListEntry
from sanctions.parsers.screening_queries import MAX_LINE_BYTES

# The demo list loaded here is the UN one only; by default every active source is screened.
NEVER_SYNCED = "".join(f"Warning: {spec.slug} has never been synced; nothing is screened against it.\n"
                       for spec in sorted(settings.LIST_SOURCES, key=lambda spec: spec.slug) if spec.slug != "un-sc")
RESULT_KEYS = {"source", "reference_number", "entry_id", "name", "matched_name", "score", "match", "explanation",
               "designated_by"}


@pytest.fixture
def seed_list(db):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())


def write_lines(path, lines):
    path.write_text("\n".join(json.dumps(line) if isinstance(line, dict) else line for line in lines) + "\n",
                    encoding="utf-8")
    return path


def run(tmp_path, lines, *args):
    queries = write_lines(tmp_path / "queries.jsonl", lines)
    output = tmp_path / "results.jsonl"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("screen", "--input", str(queries), "--output", str(output), *args, stdout=stdout, stderr=stderr)
    results = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return results, stderr.getvalue(), stdout.getvalue()


VALID = [
    {"id": "ri", "name": "Ri Won Ho", "kind": "person"},
    {"id": "kim", "name": "Kim Jong Sik", "kind": "person", "birth_date": "1968", "nationality": "KP"},
    {"id": "omm", "name": "Someone Else", "imo": "IMO 1794022"},
    {"id": "ship", "name": "Korea Samjong Shipping Co", "kind": "organization", "aliases": ["Samjong Shipping"]},
    {"id": "nobody", "name": "Zzyzx Qwrt", "kind": "vessel"},
    {"id": "passport", "name": "X", "kind": "any", "identifiers": ["472-310-128"]},
]


def test_one_result_line_per_query_best_first_at_most_limit(seed_list, tmp_path):
    results, stderr, stdout = run(tmp_path, VALID, "--limit", "2", "--threshold", "0.7")

    assert stderr == NEVER_SYNCED and stdout == ""
    assert [r["id"] for r in results] == [q["id"] for q in VALID]
    for line in results:
        assert set(line) == {"id", "results", "warnings"}
        assert line["warnings"] == []  # the company IMO number of "omm" passes the company rule
        assert len(line["results"]) <= 2
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True)
        for result in line["results"]:
            assert set(result) == RESULT_KEYS
            assert result["match"] is (result["score"] >= 0.7)
            assert 0 < result["score"] <= 1
            entry = ListEntry.objects.get(pk=result["entry_id"])
            assert (result["source"], result["reference_number"], result["name"]) == (
                "un-sc", entry.reference_number, entry.primary_name)
            assert result["matched_name"] in set(entry.names.values_list("name", flat=True))
            name = result["explanation"]["name"]
            assert name["candidate"] == result["matched_name"] and name["query"]

    by_id = {line["id"]: line["results"] for line in results}
    assert by_id["ri"][0]["reference_number"] == "KPi.033" and by_id["ri"][0]["match"]
    assert by_id["kim"][0]["reference_number"] == "KPi.066"
    assert by_id["kim"][0]["explanation"]["birth_date"]["detail"] == "date of birth agrees"
    assert by_id["omm"][0]["reference_number"] == "KPe.020" and by_id["omm"][0]["match"]
    assert "identifiers" in by_id["omm"][0]["explanation"]
    assert by_id["ship"][0]["reference_number"] == "KPe.064"
    assert by_id["nobody"] == []
    assert by_id["passport"][0]["reference_number"] == "KPi.033" and by_id["passport"][0]["match"]


def test_limit_cuts_the_results(seed_list, tmp_path):
    query = {"id": "kim", "name": "Kim", "kind": "person"}
    wide, _, _ = run(tmp_path, [query], "--limit", "5", "--threshold", "0.7")
    narrow, _, _ = run(tmp_path, [query], "--limit", "2", "--threshold", "0.7")

    assert len(wide[0]["results"]) > 2
    assert narrow[0]["results"] == wide[0]["results"][:2]


def test_threshold_decides_match(seed_list, tmp_path):
    # RI WON HO with one letter added in one syllable: a strong match at 1 - TYPO_COST = 0.88 (korean.py).
    # ("Ri Won" alone, a surname and one given-name syllable, is not the same person.)
    query = {"id": "ri", "name": "Ri Won Hoo", "kind": "person"}
    low, _, _ = run(tmp_path, [query], "--limit", "2", "--threshold", "0.7")
    high, _, _ = run(tmp_path, [query], "--limit", "2", "--threshold", "0.95")

    top_low, top_high = low[0]["results"][0], high[0]["results"][0]
    assert top_low["score"] == top_high["score"] and 0.7 <= top_low["score"] < 0.95
    assert top_low["match"] is True and top_high["match"] is False


def test_bad_lines_are_reported_by_number_and_the_run_goes_on(seed_list, tmp_path):
    lines = [
        VALID[0],                                                    # 1
        '{"id": "broken", "name": ',                                 # 2: not JSON
        {"id": "noname"},                                            # 3: missing name
        {"id": "blank", "name": "   "},                              # 4: empty name
        {"id": "extra", "name": "Ri Won Ho", "colour": "red"},       # 5: unknown field
        {"id": "kind", "name": "Ri Won Ho", "kind": "spaceship"},    # 6: bad kind
        "",                                                          # 7: blank, skipped silently
        '["a", "list"]',                                             # 8: not an object
        {"id": "aliases", "name": "Ri Won Ho", "aliases": "Lee Won Ho"},  # 9: aliases not a list
        VALID[2],                                                    # 10
    ]
    results, stderr, _ = run(tmp_path, lines, "--limit", "2", "--threshold", "0.7")

    assert [r["id"] for r in results] == ["ri", "omm"]
    errors = [line for line in stderr.splitlines() if line.startswith("line ")]
    assert [int(line.split(":")[0].split()[1]) for line in errors] == [2, 3, 4, 5, 6, 8, 9]
    assert "line 2: not JSON" in stderr
    assert "line 3: no 'name' and no identifier: a query needs a name or at least one identifier" in stderr
    assert "line 4: no 'name' and no identifier" in stderr
    assert "line 5: unknown field(s): colour" in stderr
    assert "line 6: 'kind' must be one of" in stderr and "spaceship" in stderr
    assert "line 8: not a JSON object" in stderr
    assert "line 9: 'aliases' must be a list of strings" in stderr
    assert "7 line(s) skipped." in stderr


def test_results_go_to_stdout_without_output(seed_list, tmp_path):
    queries = write_lines(tmp_path / "queries.jsonl", VALID[:2])
    stdout = io.StringIO()
    call_command("screen", "--input", str(queries), "--limit", "1", stdout=stdout, stderr=io.StringIO())

    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [line["id"] for line in lines] == ["ri", "kim"]
    assert all(len(line["results"]) == 1 for line in lines)


def test_an_unknown_source_fails_with_a_clear_message(seed_list, tmp_path):
    queries = write_lines(tmp_path / "queries.jsonl", VALID[:1])
    with pytest.raises(CommandError) as error:
        call_command("screen", "--input", str(queries), "--source", "un-sc", "--source", "no-such-list",
                     stdout=io.StringIO(), stderr=io.StringIO())
    message = str(error.value)
    assert "Unknown source(s): no-such-list" in message
    assert "un-sc" in message.split("known:")[1]
    assert not (tmp_path / "results.jsonl").exists()


def test_a_list_never_synced_is_named_and_without_any_list_the_run_fails(seed_list, tmp_path):
    _, stderr, _ = run(tmp_path, VALID[:1])
    assert stderr == NEVER_SYNCED  # the UN list was screened; the others' absence is not passed off as "no hit"
    _, stderr, _ = run(tmp_path, VALID[:1], "--source", "un-sc")
    assert stderr == ""
    with pytest.raises(CommandError, match="No list to screen against: ofac-sdn never synced"):
        run(tmp_path, VALID[:1], "--source", "ofac-sdn")


def test_an_explicit_source_is_screened(seed_list, tmp_path):
    results, _, _ = run(tmp_path, VALID[:1], "--source", "un-sc", "--limit", "1")
    assert results[0]["results"][0]["source"] == "un-sc"


@pytest.mark.parametrize("args, message", [
    (["--threshold", "1.5"], "--threshold must be between 0 and 1"),
    (["--limit", "0"], "--limit must be at least 1"),
])
def test_bad_options_fail_clearly(seed_list, tmp_path, args, message):
    queries = write_lines(tmp_path / "queries.jsonl", VALID[:1])
    with pytest.raises(CommandError, match=message):
        call_command("screen", "--input", str(queries), *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_an_unreadable_input_fails_clearly(seed_list, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("screen", "--input", str(tmp_path / "missing.jsonl"), stdout=io.StringIO(),
                     stderr=io.StringIO())


# --- Reading the input: physical lines, each decoded on its own ----------------------------------

RI = b'{"id": "ri", "name": "Ri Won Ho", "kind": "person"}'
OMM = b'{"id": "omm", "name": "Someone Else", "imo": "IMO 1794022"}'


def run_bytes(tmp_path, data: bytes, *args):
    queries = tmp_path / "queries.jsonl"
    queries.write_bytes(data)
    output = tmp_path / "results.jsonl"
    stderr = io.StringIO()
    call_command("screen", "--input", str(queries), "--output", str(output), "--limit", "1", *args,
                 stdout=io.StringIO(), stderr=stderr)
    return [json.loads(line) for line in output.read_text(encoding="utf-8").split("\n") if line], stderr.getvalue()


def test_a_byte_order_mark_before_the_first_line_is_ignored(seed_list, tmp_path):
    results, stderr = run_bytes(tmp_path, codecs.BOM_UTF8 + RI + b"\n" + OMM + b"\n")

    assert stderr == NEVER_SYNCED
    assert [r["id"] for r in results] == ["ri", "omm"]


def test_lines_split_on_newline_only_and_numbers_are_physical_lines(seed_list, tmp_path):
    # U+2028, U+0085 and form feed are line breaks to str.splitlines, not to JSON lines.
    in_name = '{"id": "sep", "name": "Ri\u2028Won\u0085Ho"}'.encode()
    form_feed = b'{"id": "ff",\x0c"name": "Ri Won Ho"}'  # not JSON whitespace: one bad line
    results, stderr = run_bytes(tmp_path, b"\r\n".join([in_name, RI, form_feed, b"", b"{", OMM]) + b"\r\n")

    assert [r["id"] for r in results] == ["sep", "ri", "omm"]
    assert results[0]["results"][0]["reference_number"] == "KPi.033"
    errors = [line for line in stderr.splitlines() if line.startswith("line ")]
    assert [line.split(":")[0] for line in errors] == ["line 3", "line 5"]
    assert "2 line(s) skipped." in stderr


def test_a_line_that_is_not_utf8_is_one_bad_line(seed_list, tmp_path):
    latin1 = '{"id": "rene", "name": "René"}'.encode("latin-1")
    results, stderr = run_bytes(tmp_path, RI + b"\n" + latin1 + b"\n" + OMM + b"\n")

    assert [r["id"] for r in results] == ["ri", "omm"]
    assert "line 2: not UTF-8 (byte 28 is 0xe9)" in stderr
    assert "1 line(s) skipped." in stderr


def test_an_overlong_line_is_one_bad_line_and_the_run_goes_on(seed_list, tmp_path):
    overlong = b'{"id": "long", "name": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}'
    results, stderr = run_bytes(tmp_path, RI + b"\n" + overlong + b"\n" + OMM + b"\n")

    assert [r["id"] for r in results] == ["ri", "omm"]
    assert "line 2: longer than 1,048,576 bytes" in stderr
    assert "1 line(s) skipped." in stderr


def test_the_input_file_as_output_is_refused_and_kept(seed_list, tmp_path, monkeypatch):
    queries = tmp_path / "queries.jsonl"
    queries.write_bytes(RI + b"\n" + OMM + b"\n")
    with pytest.raises(CommandError, match="is the input"):
        call_command("screen", "--input", str(queries), "--output", str(queries), stdout=io.StringIO(),
                     stderr=io.StringIO())
    with queries.open("rb") as stdin:  # the same file behind standard input
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        with pytest.raises(CommandError, match="is the input"):
            call_command("screen", "--input", "-", "--output", str(queries), stdout=io.StringIO(),
                         stderr=io.StringIO())
    assert queries.read_bytes() == RI + b"\n" + OMM + b"\n"


def test_an_output_that_cannot_be_written_fails_clearly(seed_list, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_bytes(RI + b"\n")
    with pytest.raises(CommandError, match="Cannot write /dev/full: No space left on device"):
        call_command("screen", "--input", str(queries), "--output", "/dev/full", stdout=io.StringIO(),
                     stderr=io.StringIO())


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_long_file_shows_a_progress_bar_with_its_line_count_on_a_terminal(seed_list, tmp_path):
    queries = tmp_path / "queries.jsonl"
    queries.write_bytes((RI + b"\n") * 249 + OMM)  # no newline after the last line: still a line
    stderr = Terminal()
    call_command("screen", "--input", str(queries), "--output", str(tmp_path / "out.jsonl"), "--limit", "1",
                 stdout=io.StringIO(), stderr=stderr)

    assert "250/250" in stderr.getvalue()
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 250


def test_standard_input_is_read_like_a_file(seed_list, tmp_path, monkeypatch):
    in_name = '{"id": "sep", "name": "Ri\u2028Won Ho"}'.encode()
    latin1 = '{"id": "rene", "name": "René"}'.encode("latin-1")
    data = codecs.BOM_UTF8 + RI + b"\n" + latin1 + b"\n" + in_name + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("screen", "--input", "-", "--limit", "1", stdout=stdout, stderr=stderr)

    assert [json.loads(line)["id"] for line in stdout.getvalue().split("\n") if line] == ["ri", "sep"]
    assert "line 2: not UTF-8" in stderr.getvalue()


# --- Every field's type checked on its own line: a bad value is one bad line, never a failed run ---

KIND_ERROR = "'kind' must be one of any, organization, person, vessel, got"


@pytest.mark.parametrize(("line", "error"), [
    (b'{"id": "k", "name": "Ri Won Ho", "kind": ["person"]}', f"{KIND_ERROR} an array"),
    (b'{"id": "k", "name": "Ri Won Ho", "kind": {"x": 1}}', f"{KIND_ERROR} an object"),
    (b'{"id": "k", "name": "Ri Won Ho", "kind": []}', f"{KIND_ERROR} an array"),
    (b'{"id": "k", "name": "Ri Won Ho", "kind": false}', f"{KIND_ERROR} false"),
    (b'{"id": "k", "name": "Ri Won Ho", "kind": 0}', f"{KIND_ERROR} 0"),
    (b'{"id": "k", "name": 5}', "'name' must be a string or null, got 5"),
    (b'{"id": "k", "imo": "  ", "identifiers": [""]}', "no 'name' and no identifier"),
    (b'{"id": ["k"], "name": "Ri Won Ho"}', "'id' must be a string, a number, true, false or null, got an array"),
    (b'{"id": NaN, "name": "Ri Won Ho"}', "not JSON (NaN is not a JSON number)"),
    (b'{"id": -Infinity, "name": "Ri Won Ho"}', "not JSON (-Infinity is not a JSON number)"),
    (b'{"id": 1e400, "name": "Ri Won Ho"}', "not JSON (1e400 is too large a number)"),
    (b'{"id": ' + b"1" * 5000 + b', "name": "Ri Won Ho"}', "not JSON (a number with too many digits)"),
    (b'{"id": "k", "name": "Ri Won Ho", "x": ' + b"[" * 100_000 + b"}", "not JSON (nested too deeply)"),
    (b'{"id": "k", "name": "Ri Won Ho", "birth_date": 1966}', "'birth_date' must be a string or null, got 1966"),
    (b'{"id": "k", "name": "Ri Won Ho", "nationality": false}', "'nationality' must be a string or null"),
    (b'{"id": "k", "name": "Ri Won Ho", "imo": ["IMO 1794022"]}', "'imo' must be a string or null, got an array"),
    (b'{"id": "k", "name": "Ri Won Ho", "identifiers": "472-310-128"}', "'identifiers' must be a list of strings"),
    (b'{"id": "k", "name": "Ri Won Ho", "identifiers": [472310128]}', "'identifiers' must be a list of strings"),
    (b'{"id": "k", "name": "Ri \\ud800 Won Ho"}', "'name' holds a lone surrogate"),
    (b'{"id": "k\\udc00", "name": "Ri Won Ho"}', "'id' holds a lone surrogate"),
    (b'{"id": "k", "name": "Ri Won Ho", "aliases": ["\\udfff"]}', "'aliases' holds a lone surrogate"),
    (b'{"id": "k", "name": "Ri Won Ho", "kind\\ud800": "person"}', "a field name holds a lone surrogate"),
])
def test_a_value_of_the_wrong_type_is_one_bad_line(seed_list, tmp_path, line, error):
    results, stderr = run_bytes(tmp_path, RI + b"\n" + line + b"\n" + OMM + b"\n")

    assert [r["id"] for r in results] == ["ri", "omm"]
    assert f"line 2: {error}" in stderr
    assert stderr.endswith("1 line(s) skipped.\n")


def test_null_stands_for_an_absent_field_and_any_scalar_is_an_id(seed_list, tmp_path):
    lines = [
        b'{"id": 7, "name": "Ri Won Ho", "kind": null, "birth_date": null, "nationality": null, "imo": null, '
        b'"identifiers": null, "aliases": null}',
        b'{"id": null, "name": "Ri Won Ho", "kind": ""}',
        b'{"id": true, "name": "Ri Won Ho", "kind": "any"}',
        b'{"id": -0.5, "name": "Ri Won Ho"}',
    ]
    results, stderr = run_bytes(tmp_path, b"\n".join(lines) + b"\n")

    assert stderr == NEVER_SYNCED
    assert [r["id"] for r in results] == [7, None, True, -0.5]
    assert all(r["results"][0]["reference_number"] == "KPi.033" for r in results)


def test_the_results_are_valid_json_whatever_the_ids(seed_list, tmp_path):
    lines = [b'{"id": NaN, "name": "Ri Won Ho"}', b'{"id": "\\u0000\\u2028", "name": "Ri\\u0000Won Ho"}', RI]
    run_bytes(tmp_path, b"\n".join(lines))

    def refuse(name):
        raise AssertionError(f"{name} in the results")

    text = (tmp_path / "results.jsonl").read_bytes().decode("utf-8")
    ids = [json.loads(line, parse_constant=refuse)["id"] for line in text.split("\n") if line]
    assert ids == ["\u0000\u2028", "ri"]


def test_a_result_is_one_line_even_to_readers_that_split_on_other_line_breaks(seed_list, tmp_path):
    query = '{"id": "a\u2028b\u2029c\u0085d", "name": "Ri Won Ho"}'.encode()
    run_bytes(tmp_path, query + b"\n" + RI + b"\n")

    lines = (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a\u2028b\u2029c\u0085d", "ri"]


def test_a_query_by_an_identifier_alone_is_screened(seed_list, tmp_path):
    results, stderr, _ = run(tmp_path, [{"id": "omm", "imo": "IMO 1794022"},
                                        {"id": "ri", "identifiers": ["472-310-128"]}], "--limit", "1")

    assert "skipped" not in stderr
    by_id = {line["id"]: line for line in results}
    assert by_id["omm"]["results"][0]["reference_number"] == "KPe.020"  # Ocean Maritime Management's number
    assert by_id["ri"]["results"][0]["reference_number"] == "KPi.033"  # Ri Won Ho's passport
    assert by_id["omm"]["warnings"] == by_id["ri"]["warnings"] == []


def test_an_imo_number_whose_check_digit_fails_is_screened_with_a_warning(seed_list, tmp_path):
    # 1794022 with its last digit changed: the company rule wants 2 (8*1+6*7+4*9+2*4+9*0+7*2 = 108,
    # (11 - 108 mod 11) mod 10 = 2) and the ship rule 4 (7*1+6*7+5*9+4*4+3*0+2*2 = 114, mod 10).
    results, _, _ = run(tmp_path, [{"id": "omm", "name": "Ocean Maritime Management", "imo": "1794023"}])

    [line] = results
    assert line["warnings"] == ["imo: IMO check digit is 3, expected 4; "
                                "IMO company-number check digit is 3, expected 2; screened as given"]
    assert line["results"][0]["reference_number"] == "KPe.020"  # found by its name all the same

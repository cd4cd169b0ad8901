"""Screening queries as JSON lines (pure): lines split on "\n" only, each line read on its own,
every field's type checked. The command's behaviour end to end: test_command_screen.py."""
import codecs
import io

import pytest

from sanctions.parsers.screening_queries import (
    MAX_LINE_BYTES,
    QueryLineError,
    count_lines,
    input_lines,
    query_from_line,
    query_warnings,
    result_line,
)
from sanctions.matching import Query


def test_lines_are_split_on_newlines_only_without_a_leading_bom():
    data = b'\xef\xbb\xbf{"id": 1, "name": "Ri\xe2\x80\xa8Won Ho"}\n\n{"id": 2, "name": "X"}\n'
    assert list(input_lines(io.BytesIO(data))) == [
        b'{"id": 1, "name": "Ri\xe2\x80\xa8Won Ho"}', b"", b'{"id": 2, "name": "X"}'
    ]
    assert count_lines(io.BytesIO(data)) == 3


@pytest.mark.parametrize(("data", "lines"), [
    (b"", []),
    (b"a", [b"a"]),
    (b"a\r\nb", [b"a\r", b"b"]),
    (b"\n", [b""]),
    (b"\xef\xbb\xbf", []),
    (b"\xef\xbb\xbfa\n", [b"a"]),
])
def test_the_last_line_needs_no_newline_and_the_count_agrees(data, lines):
    assert list(input_lines(io.BytesIO(data))) == lines
    assert count_lines(io.BytesIO(data)) == len(lines)


def test_lines_are_read_as_needed_not_all_at_once():
    stream = io.BytesIO(b'{"id": 1, "name": "A"}\n' * 1000)
    lines = input_lines(stream)
    assert next(lines) == b'{"id": 1, "name": "A"}'
    assert stream.tell() < 1000  # only what the first line needed (the rest is still to read)


def test_an_overlong_line_is_one_bad_line_and_the_next_line_is_read_whole():
    overlong = b'{"id": 1, "name": "' + b"x" * (2 * MAX_LINE_BYTES) + b'"}'
    data = overlong + b'\n{"id": 2, "name": "B"}\n'
    first, second = input_lines(io.BytesIO(data))
    assert MAX_LINE_BYTES < len(first) < 2 * MAX_LINE_BYTES
    with pytest.raises(QueryLineError, match="longer than 1,048,576 bytes"):
        query_from_line(first)
    assert query_from_line(second).name == "B"
    assert count_lines(io.BytesIO(data)) == 2


def test_a_good_line_gives_its_query_with_any_kind_by_default():
    query = query_from_line(b'{"id": "q1", "name": "Ri Won Ho", "identifiers": ["472310128"], "kind": null}')
    assert (query.id, query.name, query.kind, query.identifiers) == ("q1", "Ri Won Ho", "any", ("472310128",))


@pytest.mark.parametrize(("line", "message"), [
    (b'{"id": 1, "name": "X", "kind": ["person"]}', "'kind' must be one of"),
    (b'{"id": 1, "name": "Ren\xe9"}', "not UTF-8 (byte 23 is 0xe9)"),
    (b'{"id": 1, "name": "\\ud800"}', "lone surrogate"),
    (b'{"id": NaN, "name": "X"}', "NaN is not a JSON number"),
    (b'{"id": 1, "name": "X", "identifiers": "472310128"}', "'identifiers' must be a list of strings"),
    (b'[1, 2]', "not a JSON object"),
])
def test_a_bad_line_says_what_is_wrong(line, message):
    with pytest.raises(QueryLineError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        query_from_line(line)


def test_a_result_line_stays_one_line_for_readers_that_split_on_other_line_breaks():
    line = result_line({"id": 1, "results": [{"name": "A\u2028B\u0085C"}]})
    assert line.count("\n") == 1 and len(line.splitlines()) == 1 and "\\u2028" in line


def test_a_byte_order_mark_does_not_hide_an_overlong_first_line():
    # The mark is taken off after the first read: the line must still be seen as too long, whole.
    overlong = codecs.BOM_UTF8 + b"x" * (MAX_LINE_BYTES - 2) + b'{"id": "tail", "name": "A"}'
    data = overlong + b'\n{"id": 2, "name": "B"}\n'
    lines = list(input_lines(io.BytesIO(data)))

    assert len(lines) == count_lines(io.BytesIO(data)) == 2
    with pytest.raises(QueryLineError, match="longer than"):
        query_from_line(lines[0])
    assert query_from_line(lines[1]).name == "B"


@pytest.mark.parametrize(("query", "warnings"), [
    # HAO FAN 6 (UN 1718 Committee list): 8*7+6*6+2*5+8*4+5*3+9*2 = 167, so the ship check digit is 7.
    (Query(name="", kind="vessel", imo="8628597"), []),
    (Query(name="", kind="vessel", imo="IMO 8628598"), ["imo: IMO check digit is 8, expected 7; screened as given"]),
    # The company rule on 862859: 8*8+6*6+4*2+2*8+9*5+7*9 = 232, (11 - 232 mod 11) mod 10 = 0.
    (Query(name="x", kind="organization", imo="8628598"),
     ["imo: IMO company-number check digit is 8, expected 0; screened as given"]),
    (Query(name="x", kind="any", imo="8628590"), []),  # a valid company number, any kind
    (Query(name="x", kind="vessel", imo="86285"), ["imo: IMO number must be 7 digits, got '86285'; screened as given"]),
    (Query(name="x", kind="vessel", imo=""), []),
])
def test_an_imo_number_whose_check_digit_fails_is_warned_of(query, warnings):
    assert query_warnings(query) == warnings


@pytest.mark.parametrize(("line", "name"), [
    (b'{"id": 1, "imo": "8628597"}', ""),
    (b'{"id": 1, "name": null, "identifiers": ["472310128"]}', ""),
    (b'{"id": 1, "name": "Ri Won Ho"}', "Ri Won Ho"),
])
def test_a_name_or_an_identifier_makes_a_query(line, name):
    assert query_from_line(line).name == name


@pytest.mark.parametrize("line", [b'{"id": 1}', b'{"id": 1, "name": " ", "imo": "", "identifiers": [" "]}'])
def test_a_query_without_a_name_or_an_identifier_is_refused(line):
    with pytest.raises(QueryLineError, match="a query needs a name or at least one identifier"):
        query_from_line(line)

"""Screening queries as JSON lines (pure): lines split on "\n" only, each line read on its own,
every field's type checked. The command's behaviour end to end: test_command_screen.py."""
import pytest

from sanctions.parsers.screening_queries import QueryLineError, input_lines, query_from_line, result_line


def test_lines_are_split_on_newlines_only_without_a_leading_bom():
    data = b'\xef\xbb\xbf{"id": 1, "name": "Ri\xe2\x80\xa8Won Ho"}\n\n{"id": 2, "name": "X"}\n'
    assert input_lines(data) == [b'{"id": 1, "name": "Ri\xe2\x80\xa8Won Ho"}', b"", b'{"id": 2, "name": "X"}']


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

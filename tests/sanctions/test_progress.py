"""Progress bars of long commands (sanctions/progress.py): drawn on a terminal, never in logs,
pipes or files, where the commands' output stays as it was."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from monitoring.demo import DEFAULT_LIST_PATH, DemoSummary, demo_list_load
from sanctions.progress import SILENT, TerminalProgress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_bars_are_drawn_on_a_terminal_only():
    terminal, log = Terminal(), io.StringIO()

    for stream in (terminal, log):
        with TerminalProgress(stream).stage("un-sc: compare", total=3, unit="record") as bar:
            bar.update(3)
    with SILENT.stage("anything", total=2) as bar:
        bar.update(2)

    assert "un-sc: compare" in terminal.getvalue() and "3/3" in terminal.getvalue()
    assert log.getvalue() == ""


def sync(stderr) -> str:
    out = io.StringIO()
    call_command("sync_un_list", "--file", str(DEFAULT_LIST_PATH), stdout=out, stderr=stderr)
    return out.getvalue()


@pytest.mark.django_db
def test_sync_shows_its_stages_on_a_terminal(settings):
    stderr = Terminal()

    out = sync(stderr)

    bars = stderr.getvalue()
    for stage in ("un-sc: fetch", "un-sc: parse", "un-sc: compare", "un-sc: write"):
        assert stage in bars
    assert "38/38" in bars  # every record of the sample compared
    assert out.startswith("un-sc: applied")


@pytest.mark.django_db
def test_sync_stays_quiet_when_its_output_is_not_a_terminal():
    stderr = io.StringIO()

    out = sync(stderr)

    assert stderr.getvalue() == ""
    assert out == "un-sc: applied (38 added, 0 amended, 0 removed, 0 relisted; 38 active).\n"


@pytest.mark.django_db
def test_screen_shows_a_bar_for_a_long_input_on_a_terminal_only(tmp_path):
    demo_list_load(path=DEFAULT_LIST_PATH, summary=DemoSummary())
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps({"id": n, "name": f"RI MAN GON {n}"}) + "\n" for n in range(200)))
    terminal, log = Terminal(), io.StringIO()

    for stderr in (terminal, log):
        call_command("screen", "--input", str(queries), "--output", str(tmp_path / "out.jsonl"), "--source", "un-sc",
                     stdout=io.StringIO(), stderr=stderr)

    assert "index the lists" in terminal.getvalue() and "200/200" in terminal.getvalue()
    assert log.getvalue() == ""

"""bin/serve's options: help without any set-up, and one line of why for a bad argument."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

SERVE = Path(__file__).resolve().parents[2] / "bin" / "serve"


def serve(*args: str) -> subprocess.CompletedProcess:
    # PATH without the venv: were the set-up to run, it would fail or take minutes, not print help.
    return subprocess.run([str(SERVE), *args], capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_names_the_port_and_bind_options_and_sets_nothing_up(flag):
    result = serve(flag)

    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: bin/serve [--port PORT] [--bind ADDRESS:PORT]")
    assert "--port PORT" in result.stdout and "BIND" in result.stdout


@pytest.mark.parametrize(("args", "why"), [
    (["--port", "abc"], "bin/serve: --port needs a port number from 1 to 65535, got 'abc'"),
    (["--port", "70000"], "bin/serve: --port needs a port number from 1 to 65535, got '70000'"),
    (["--port"], "bin/serve: --port needs a port number from 1 to 65535, got ''"),
    (["--bind", "0.0.0.0"], "bin/serve: --bind needs ADDRESS:PORT, got '0.0.0.0'"),
    (["--verbose"], "bin/serve: unknown argument '--verbose' (bin/serve --help lists the options)"),
])
def test_a_bad_argument_exits_2_with_one_line_of_why(args, why):
    result = serve(*args)

    assert result.returncode == 2
    assert result.stderr == why + "\n" and result.stdout == ""

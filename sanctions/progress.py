"""Progress of long work (list syncs, screening files, loading demo data), shown as bars on a
terminal and nowhere else: in logs, pipes, Celery tasks and tests nothing is printed.

Services take a `progress` argument (default: silent) and mark their stages; commands pass
`terminal_progress(their stderr)`."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Protocol, TextIO


class Stage(Protocol):
    def update(self, n: int = 1) -> object: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        pass


class Progress:
    """Silent: what services use unless a command asks for bars."""

    @contextmanager
    def stage(self, name: str, *, total: int | None = None, unit: str = "step") -> Iterator[Stage]:
        yield _Silent()


SILENT = Progress()


def is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TerminalProgress(Progress):
    """tqdm bars on `stream`, only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream)

    @contextmanager
    def stage(self, name: str, *, total: int | None = None, unit: str = "step") -> Iterator[Stage]:
        if not self.enabled:
            yield _Silent()
            return
        from tqdm import tqdm

        bar = tqdm(total=total, desc=name, unit=unit, file=self.stream, dynamic_ncols=True, leave=True)
        try:
            yield bar
        finally:
            bar.close()


def command_progress(command) -> Progress:
    """Bars on a management command's standard error (the stream under Django's OutputWrapper)."""
    return TerminalProgress(getattr(command.stderr, "_out", command.stderr))

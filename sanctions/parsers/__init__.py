"""Pure parsers for published sanctions lists (bytes in, frozen dataclasses out)."""

from sanctions.parsers.types import ListParseError

__all__ = ["ListParseError"]

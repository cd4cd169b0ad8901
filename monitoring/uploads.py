"""What evidence files may be: a short list of document and image types, each recognised by its
content, not by the name or the type the uploader declares. Pure: bytes and names in, a verdict out."""
from __future__ import annotations

import os

# type -> (extensions it may carry, declared MIME types that agree with it)
ALLOWED_TYPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "pdf": (frozenset({".pdf"}), frozenset({"application/pdf"})),
    "png": (frozenset({".png"}), frozenset({"image/png"})),
    "jpeg": (frozenset({".jpg", ".jpeg"}), frozenset({"image/jpeg", "image/pjpeg"})),
    "gif": (frozenset({".gif"}), frozenset({"image/gif"})),
    "webp": (frozenset({".webp"}), frozenset({"image/webp"})),
    "tiff": (frozenset({".tif", ".tiff"}), frozenset({"image/tiff"})),
    "text": (frozenset({".txt", ".csv"}), frozenset({"text/plain", "text/csv"})),
}
# Declared types that say nothing (browsers send these for unknown extensions).
UNINFORMATIVE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
# Content that must never be served back from the evidence store, whatever it is called.
ACTIVE_MARKERS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<iframe", b"<object")


class UploadRejected(ValueError):
    pass


def sniff(head: bytes) -> str | None:
    """The allowed type whose signature `head` (the first bytes of the file) carries, if any."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if _is_plain_text(head):
        return "text"
    return None


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return False
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if any(marker in lowered for marker in ACTIVE_MARKERS):
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def check_upload(*, name: str, declared_type: str, head: bytes) -> str:
    """The file's type if its content, its extension and its declared type agree; else why not."""
    extension = os.path.splitext(name or "")[1].lower()
    allowed_extensions = sorted(ext for exts, _ in ALLOWED_TYPES.values() for ext in exts)
    if extension not in allowed_extensions:
        raise UploadRejected(f"Files of type '{extension or 'none'}' are not accepted; allowed: "
                             f"{', '.join(allowed_extensions)}.")
    kind = sniff(head)
    if kind is None or extension not in ALLOWED_TYPES[kind][0]:
        raise UploadRejected(f"The file's content is not what its name '{extension}' says.")
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in UNINFORMATIVE_TYPES and declared not in ALLOWED_TYPES[kind][1]:
        raise UploadRejected(f"The file was declared as '{declared}' but its content is {kind}.")
    return kind

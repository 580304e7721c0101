"""Reading documents from disk: decoding, metadata, and which files count as documents."""
from __future__ import annotations

import codecs
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

from .records import Document, DocumentMeta

SUFFIXES = (".txt", ".md")
METADATA_FILE = "metadata.json"
# charset-normalizer's "chaos" above this means the guess is mostly noise.
_MAX_CHAOS = 0.2
_WESTERN = ("cp1252", "latin_1", "iso8859_15")


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and what to do."""


@dataclass(frozen=True)
class DocumentFile:
    """A candidate document on disk, identified before it is decoded."""

    source: str
    path: Path


def list_documents(folder: Path) -> list[DocumentFile]:
    """Every .txt/.md file below ``folder``, skipping hidden files and folders (the index lives there)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: not a folder of documents (expected .txt or .md files in it)")
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in SUFFIXES and path.is_file() and not path.is_symlink():
            found.append(DocumentFile(rel.as_posix(), path))
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _best_guess(matches):
    """The least chaotic decoding; among equally clean ones the Western code pages, the most common
    legacy encodings, win (short French text decodes cleanly as cp1250 too, with wrong letters)."""
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least + 0.01]
    return next((m for m in clean if m.encoding in _WESTERN), clean[0])


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name; UTF-8 first, otherwise a confident detection, otherwise refuse."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DocumentError(f"{name}: has a UTF-16 mark but is not valid UTF-16; convert it to UTF-8") from None
    if b"\x00" in raw:
        raise DocumentError(f"{name}: binary data (NUL bytes), not a text document; remove it or convert it to UTF-8 text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    best = _best_guess(charset_normalizer.from_bytes(raw))
    if best is None or best.chaos > _MAX_CHAOS:
        raise DocumentError(
            f"{name}: not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and its encoding "
            "could not be detected; convert it to UTF-8"
        )
    return str(best), best.encoding


def read_document(path: Path, source: str, meta: DocumentMeta | None = None, max_bytes: int | None = None) -> Document:
    path = Path(path)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(f"{source}: {size:,} bytes is over the limit of {max_bytes:,}; split the file or raise max_document_bytes")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{source}: file not found at {path}") from None
    except IsADirectoryError:
        raise DocumentError(f"{source}: is a folder, not a document") from None
    except PermissionError:
        raise DocumentError(f"{source}: permission denied reading {path}") from None
    text, encoding = decode(raw, source)
    if not text.strip():
        raise DocumentError(f"{source}: empty document (no text to index)")
    return Document(source, text, hashlib.sha256(raw).hexdigest(), encoding, meta or DocumentMeta())


def read_metadata(folder: Path) -> dict[str, DocumentMeta]:
    """Per-document metadata from ``metadata.json`` beside the documents (optional)."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DocumentError(f"{path}: not valid UTF-8 JSON ({error}); fix or remove it") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected an object mapping file name to metadata")
    metas = {}
    for source, fields in data.items():
        if not isinstance(fields, dict):
            raise DocumentError(f"{path}: entry {source!r} must be an object with title/author/publisher/date")
        try:
            metas[source] = DocumentMeta.from_dict(fields)
        except ValueError as error:
            raise DocumentError(f"{path}: entry {source!r}: {error}") from None
    return metas

"""Reading documents from disk: decoding, metadata, and which files count as documents."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import DocumentError
from .formats import SUFFIXES, Limits, loader_for
from .records import Document, DocumentMeta

METADATA_FILE = "metadata.json"
BINARY_FACTOR = 16
"""PDF and Word files may be this many times ``max_bytes`` on disk (images, fonts); their extracted
text is held to ``max_bytes`` characters."""


@dataclass(frozen=True)
class DocumentFile:
    """A candidate document on disk, identified before it is decoded."""

    source: str
    path: Path


def _visible_files(folder: Path):
    """Files below ``folder``, skipping hidden files and folders (the index lives in one) and links."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not any(part.startswith(".") for part in rel.parts) and path.is_file() and not path.is_symlink():
            yield rel.as_posix(), path


def unreadable_types(folder: Path) -> dict[str, str]:
    """Files whose type citeqa does not read, each with the reason to report (metadata.json aside)."""
    return {source: f"{source}: citeqa does not read {path.suffix or 'files without a suffix'}; convert it to "
                    f"one of {', '.join(SUFFIXES)}"
            for source, path in _visible_files(Path(folder))
            if source != METADATA_FILE and path.suffix.lower() not in SUFFIXES}


def list_documents(folder: Path) -> list[DocumentFile]:
    """Every file of a readable type below ``folder``, skipping hidden files and folders (the index lives there)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: not a folder of documents (expected {', '.join(SUFFIXES)} files in it)")
    return [DocumentFile(source, path) for source, path in _visible_files(folder) if path.suffix.lower() in SUFFIXES]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_document(path: Path, source: str, meta: DocumentMeta | None = None, max_bytes: int | None = None,
                  password: str | None = None, ocr: str | None = None) -> Document:
    """The document's text as its format's loader extracts it; ``meta`` (metadata.json) overrides
    what the file says about itself, field by field; ``password`` opens an encrypted PDF; ``ocr``
    (tesseract languages) reads PDF pages without a text layer."""
    path = Path(path)
    loader = loader_for(source, ocr) or loader_for(path.name, ocr)
    if loader is None:
        raise DocumentError(f"{source}: citeqa reads {', '.join(SUFFIXES)} files, not {path.suffix or 'this type'}")
    limit = None if max_bytes is None else max_bytes * (1 if loader.name == "text" else BINARY_FACTOR)
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise DocumentError(f"{source}: {size:,} bytes is over the limit of {limit:,}; split the file or raise max_document_bytes")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{source}: file not found at {path}") from None
    except IsADirectoryError:
        raise DocumentError(f"{source}: is a folder, not a document") from None
    except PermissionError:
        raise DocumentError(f"{source}: permission denied reading {path}") from None
    if not raw.strip():
        raise DocumentError(f"{source}: empty document (no text to index)")
    extracted = loader.extract(raw, source, Limits(max_text_chars=max_bytes or Limits().max_text_chars), password)
    if not extracted.text.strip():
        raise DocumentError(f"{source}: empty document (no text to index)")
    return Document(source, extracted.text, hashlib.sha256(raw).hexdigest(), extracted.encoding,
                    merge_meta(extracted.meta, meta), extracted.pages, extracted.stamp or loader.stamp)


def merge_meta(found: DocumentMeta, given: DocumentMeta | None) -> DocumentMeta:
    """metadata.json's fields where it gives them, else what the file says."""
    if given is None:
        return found
    return replace(found, **{k: v for k, v in given.to_dict().items() if v is not None})


def _metadata_entries(folder: Path) -> tuple[Path, dict[str, dict]]:
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        return path, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DocumentError(f"{path}: not valid UTF-8 JSON ({error}); fix or remove it") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected an object mapping file name to metadata")
    for source, fields in data.items():
        if not isinstance(fields, dict):
            raise DocumentError(f"{path}: entry {source!r} must be an object with title/author/publisher/date/password")
    return path, data


def read_metadata(folder: Path) -> dict[str, DocumentMeta]:
    """Per-document metadata from ``metadata.json`` beside the documents (optional)."""
    path, entries = _metadata_entries(folder)
    metas = {}
    for source, fields in entries.items():
        try:
            metas[source] = DocumentMeta.from_dict(fields)
        except ValueError as error:
            raise DocumentError(f"{path}: entry {source!r}: {error}") from None
    return metas


def read_passwords(folder: Path) -> dict[str, str]:
    """The ``password`` of each encrypted PDF that metadata.json gives one for.

    Kept apart from DocumentMeta, which is stored in the index and shown on source cards."""
    path, entries = _metadata_entries(folder)
    passwords = {}
    for source, fields in entries.items():
        value = fields.get("password")
        if value is not None and not isinstance(value, str):
            raise DocumentError(f"{path}: entry {source!r}: field 'password' must be a string, got {type(value).__name__}")
        if value is not None:
            passwords[source] = value
    return passwords

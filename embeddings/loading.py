"""Reading documents from disk: decoding, metadata, and which files count as documents."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
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


METADATA_MAX_BYTES = 4 * 2**20
"""About 20,000 documents' entries; a larger metadata.json is refused before it is parsed."""
METADATA_MAX_FIELD_CHARS = 1000
"""A title, author, publisher or date is shown on every card and (the title) encoded with every passage."""


@dataclass(frozen=True)
class FolderMetadata:
    """What ``metadata.json`` beside the documents says of them, and what of it was refused."""

    metas: dict[str, DocumentMeta] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    """The ``password`` of each encrypted PDF that gives one: kept apart from DocumentMeta, which is
    stored in the index and shown on source cards."""
    problems: dict[str, str] = field(default_factory=dict)
    """``metadata.json`` (the whole file refused) or ``metadata.json: entry 'a.pdf'`` -> the reason."""


def read_metadata(folder: Path) -> FolderMetadata:
    """Per-document metadata from ``metadata.json`` beside the documents (optional). The file is parsed
    in this process, so it is bounded first: over ``METADATA_MAX_BYTES``, not UTF-8, not JSON, nested
    past the parser's depth or not an object, it is refused whole with the reason; an entry that is
    not an object of text fields is refused alone. Never raises for what the file holds."""
    path = Path(folder) / METADATA_FILE
    try:
        entries = _metadata_entries(path)
    except DocumentError as error:
        return FolderMetadata(problems={METADATA_FILE: str(error)})
    metas, passwords, problems = {}, {}, {}
    for source, fields in entries.items():
        try:
            metas[source], password = _entry(fields)
        except ValueError as error:
            problems[f"{METADATA_FILE}: entry {source[:100]!r}"] = (
                f"{path}: entry {source[:100]!r}: {error}; that entry is left out, fix it there")
            continue
        if password is not None:
            passwords[source] = password
    return FolderMetadata(metas, passwords, problems)


def _metadata_entries(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(METADATA_MAX_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise DocumentError(f"{path}: cannot be read ({error.strerror}); the documents are indexed without it") from None
    if len(raw) > METADATA_MAX_BYTES:
        raise DocumentError(f"{path}: over {METADATA_MAX_BYTES // 2**20} MB, larger than metadata for any folder "
                            "needs; it is not read and the documents are indexed without it")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: not UTF-8 (byte {error.start}); save it as UTF-8. The documents are indexed "
                            "without it") from None
    except json.JSONDecodeError as error:
        raise DocumentError(f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                            "fix it. The documents are indexed without it") from None
    except (RecursionError, ValueError) as error:  # nested past the parser's depth; a number of 5,000 digits
        raise DocumentError(f"{path}: nested too deeply or holds a number too long to read "
                            f"({type(error).__name__}); the documents are indexed without it") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{path}: expected an object mapping file name to metadata, found a JSON "
                            f"{type(data).__name__}; the documents are indexed without it")
    return data


def _entry(fields) -> tuple[DocumentMeta, str | None]:
    if not isinstance(fields, dict):
        raise ValueError(f"must be an object with title/author/publisher/date/password, not a JSON {type(fields).__name__}")
    password = fields.get("password")
    if password is not None and not isinstance(password, str):
        raise ValueError(f"field 'password' must be a string, got {type(password).__name__}")
    meta = DocumentMeta.from_dict(fields)
    for name, value in meta.to_dict().items():
        if value is not None and len(value) > METADATA_MAX_FIELD_CHARS:
            raise ValueError(f"field {name!r} holds {len(value):,} characters, over {METADATA_MAX_FIELD_CHARS:,}")
    return meta, password

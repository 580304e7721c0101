"""The on-disk index: complete generations behind an atomically switched CURRENT pointer.

A generation folder is written in full and fsynced before CURRENT names it, so a
crash at any moment leaves either the previous index or the new one, never a mix.
Every file's SHA-256 is in the manifest, so truncated or foreign files are caught.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import faiss

from . import dense
from .loading import file_sha256
from .records import DocumentMeta, Passage
from .sparse import SparseIndex

FORMAT_VERSION = 2
"""2: each document's extracted text is stored in the generation (``texts/``)."""
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
VECTORS = "dense.faiss"
SPARSE = "bm25"
TEXTS = "texts"


class IndexCorrupt(RuntimeError):
    """The stored index cannot be trusted; the message says which file and why."""


@dataclass(frozen=True)
class DocumentEntry:
    sha256: str
    first: int
    count: int
    encoding: str = "utf-8"
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    loader: str = "text"
    """What extracted the text (loader and library version): another one means extracting again."""
    pages: tuple[int, ...] = ()
    """Where each page starts in the extracted text (PDF)."""
    file_meta: DocumentMeta = field(default_factory=DocumentMeta)
    """What the file says about itself; ``meta`` is this with metadata.json's fields over it."""
    text_sha256: str = ""
    """Of the extracted text stored in ``texts/<sha256>.txt``: checked whenever it is read."""
    origin: str = ""
    """The folder it was indexed from, in a store several folders share ("" in a folder's own index)."""

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "first": self.first, "count": self.count,
                "encoding": self.encoding, "meta": self.meta.to_dict(), "loader": self.loader,
                "pages": list(self.pages), "file_meta": self.file_meta.to_dict(), "text_sha256": self.text_sha256,
                "origin": self.origin}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentEntry:
        return cls(data["sha256"], int(data["first"]), int(data["count"]),
                   data.get("encoding", "utf-8"), DocumentMeta.from_dict(data.get("meta") or {}),
                   data.get("loader", "text"), tuple(int(p) for p in data.get("pages") or ()),
                   DocumentMeta.from_dict(data.get("file_meta") or {}), data.get("text_sha256", ""),
                   data.get("origin", ""))


@dataclass(frozen=True)
class Manifest:
    """What an index was built with and from; compared before an index is reused."""

    encoder: str
    dimension: int
    dense_kind: str
    split: dict[str, Any]
    documents: dict[str, DocumentEntry]
    passages: int
    files: dict[str, str] = field(default_factory=dict)
    search: dict[str, Any] = field(default_factory=dict)
    """How passages were made searchable (title prefix, BM25 parameters); compared like ``split``."""
    format: int = FORMAT_VERSION
    created: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format, "encoder": self.encoder, "dimension": self.dimension,
            "dense_kind": self.dense_kind, "split": self.split, "passages": self.passages,
            "created": self.created, "files": self.files, "search": self.search,
            "documents": {k: v.to_dict() for k, v in self.documents.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            encoder=data["encoder"], dimension=int(data["dimension"]), dense_kind=data["dense_kind"],
            split=dict(data["split"]), passages=int(data["passages"]), files=dict(data["files"]),
            search=dict(data.get("search") or {}),
            documents={k: DocumentEntry.from_dict(v) for k, v in data["documents"].items()},
            format=int(data["format"]), created=float(data.get("created", 0.0)),
        )


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Contents:
    """One generation as it is searched: the manifest, passages, dense vectors and BM25 postings."""

    manifest: Manifest
    passages: list[Passage]
    dense: faiss.Index
    sparse: SparseIndex
    texts: dict[str, str] = field(default_factory=dict)
    """Extracted texts not yet stored, by document SHA-256 (the others are in ``generation``)."""
    generation: Path | None = None
    """The folder this generation is stored in (None until written)."""

    def text(self, entry: DocumentEntry) -> str:
        """A document's stored text, checked against its recorded hash."""
        if entry.sha256 in self.texts:
            return self.texts[entry.sha256]
        path = self.generation / TEXTS / f"{entry.sha256}.txt" if self.generation else None
        try:
            text = path.read_bytes().decode("utf-8") if path else None
        except (OSError, UnicodeDecodeError):
            text = None
        if text is None or hashlib.sha256(text.encode("utf-8")).hexdigest() != entry.text_sha256:
            raise IndexCorrupt(f"{path}: the stored text of a document is missing or changed; re-index")
        return text


def write(index_dir: Path, contents: Contents) -> Contents:
    """Write a new generation and switch CURRENT to it; returns the contents with the manifest as stored."""
    manifest, passages, vectors, sparse = contents.manifest, contents.passages, contents.dense, contents.sparse
    index_dir.mkdir(parents=True, exist_ok=True)
    generation = index_dir / f"gen-{time.time_ns()}-{os.getpid()}"
    generation.mkdir()
    lines = "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in passages)
    _fsync_write(generation / PASSAGES, lines.encode("utf-8"))
    dense.write(vectors, str(generation / VECTORS))
    _write_texts(generation / TEXTS, manifest, contents)
    written = [generation / VECTORS, *sparse.save(generation / SPARSE)]
    for path in written:
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())
    if sparse.size:
        _fsync_dir(generation / SPARSE)
    files = {path.relative_to(generation).as_posix(): file_sha256(path) for path in [generation / PASSAGES, *written]}
    stored = Manifest(**{**manifest.__dict__, "files": files, "passages": len(passages)})
    _fsync_write(generation / MANIFEST, json.dumps(stored.to_dict(), ensure_ascii=False, indent=1).encode("utf-8"))
    _fsync_dir(generation)
    pointer = index_dir / f"{CURRENT}.tmp-{os.getpid()}"
    _fsync_write(pointer, generation.name.encode("ascii"))
    os.replace(pointer, index_dir / CURRENT)
    _fsync_dir(index_dir)
    _remove_stale(index_dir, keep=generation.name)
    return replace(contents, manifest=stored, texts={}, generation=generation)


def _write_texts(folder: Path, manifest: Manifest, contents: Contents) -> None:
    """Each document's text: new ones written, the others linked from the generation they were in."""
    folder.mkdir()
    for entry in manifest.documents.values():
        target = folder / f"{entry.sha256}.txt"
        if target.exists():
            continue
        if entry.sha256 in contents.texts:
            _fsync_write(target, contents.texts[entry.sha256].encode("utf-8"))
            continue
        previous = contents.generation / TEXTS / f"{entry.sha256}.txt" if contents.generation else None
        if previous is None or not previous.exists():
            raise IndexCorrupt(f"{folder}: no stored text for a kept document ({entry.sha256[:12]}…); re-index")
        try:
            os.link(previous, target)
        except OSError:
            shutil.copyfile(previous, target)
    _fsync_dir(folder)


def _remove_stale(index_dir: Path, keep: str) -> None:
    for path in index_dir.iterdir():
        if path.name != keep and (path.name.startswith("gen-") or path.name.startswith(f"{CURRENT}.tmp-")):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def exists(index_dir: Path) -> bool:
    return (index_dir / CURRENT).exists()


def read(index_dir: Path) -> Contents:
    """The current generation, checked file by file; raises IndexCorrupt if anything is off."""
    pointer = index_dir / CURRENT
    try:
        name = pointer.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise IndexCorrupt(f"{pointer}: unreadable ({error})") from None
    generation = index_dir / name
    if not name.startswith("gen-") or "/" in name or not generation.is_dir():
        raise IndexCorrupt(f"{pointer}: names {name!r}, which is not a generation folder")
    try:
        manifest = Manifest.from_dict(json.loads((generation / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexCorrupt(f"{generation / MANIFEST}: unreadable manifest ({error!r})") from None
    if manifest.format != FORMAT_VERSION:
        raise IndexCorrupt(f"{generation / MANIFEST}: format {manifest.format}, this version reads {FORMAT_VERSION}")
    if manifest.passages and not any(name.startswith(f"{SPARSE}/") for name in manifest.files):
        raise IndexCorrupt(f"{generation}: written by an earlier citeqa without BM25 postings")
    for file, expected in manifest.files.items():
        path = generation / file
        if not path.exists() or file_sha256(path) != expected:
            raise IndexCorrupt(f"{path}: missing or changed since it was written (checksum mismatch)")
    try:
        with open(generation / PASSAGES, encoding="utf-8") as handle:
            passages = [Passage.from_dict(json.loads(line)) for line in handle]
        vectors = dense.read(str(generation / VECTORS))
        sparse = SparseIndex.load(generation / SPARSE, len(passages))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexCorrupt(f"{generation}: unreadable index files ({error!r})") from None
    if len(passages) != manifest.passages or vectors.ntotal != len(passages) or vectors.d != manifest.dimension:
        raise IndexCorrupt(f"{generation}: {len(passages)} passages, {vectors.ntotal} vectors, manifest says {manifest.passages}")
    return Contents(manifest, passages, vectors, sparse, generation=generation)

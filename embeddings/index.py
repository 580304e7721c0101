"""A folder of documents kept in sync with its searchable index (dense + BM25)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock
from tqdm.auto import tqdm

from . import dense, store
from .encoder import DEFAULT_ENCODER, Encoder
from .formats import loader_for
from .formats.pdf import PAGE_BREAK, PageImage, render_page
from .loading import (DocumentError, file_sha256, list_documents, merge_meta, read_document, read_metadata,
                      unreadable_types)
from .records import Document, DocumentMeta, Passage
from .sparse import SparseIndex
from .splitting import SPLITTER_VERSION, SplitSettings, split_document
from .store import Contents, DocumentEntry, IndexCorrupt, Manifest

log = logging.getLogger(__name__)
INDEX_DIRNAME = ".citeqa"


@dataclass(frozen=True)
class IndexSettings:
    """Everything that decides what an index contains; stamped into its manifest."""

    encoder: str = DEFAULT_ENCODER
    split: SplitSettings = field(default_factory=SplitSettings)
    dense_kind: str = "auto"
    max_document_bytes: int = 8 * 1024 * 1024
    """Larger files are skipped with a message: encoding 8 MiB of text takes about 4 minutes on 2 cores."""
    title_in_passages: bool = True
    """Encode and BM25-index each passage after its document's title (the stored text stays exact):
    a passage deep in an abstract then still says what it is about."""
    bm25_k1: float = 0.9
    bm25_b: float = 0.4
    """Anserini's defaults; on tuning questions (SQuAD outside the test sample, SciFact train)
    they beat bm25s's 1.5/0.75 by 2.0 and 0.25 points."""


ENCODE_BATCH = 256


@dataclass(frozen=True)
class _Fresh:
    """A new or changed document, already split."""

    source: str
    sha256: str
    encoding: str
    meta: DocumentMeta
    passages: list[Passage]
    loader: str
    pages: tuple[int, ...]
    file_meta: DocumentMeta
    text: str
    """Stored with the index: quotes are checked against it, so the file is not extracted again."""


@dataclass
class SyncReport:
    """What one sync did, in terms a user can act on."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    encoded_passages: int = 0
    rebuilt_because: str | None = None

    @property
    def wrote(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt_because)

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.removed)} removed",
                 f"{len(self.unchanged)} unchanged", f"{self.encoded_passages} passages encoded"]
        lines = [", ".join(parts)]
        if self.rebuilt_because:
            lines.append(f"rebuilt from scratch: {self.rebuilt_because}")
        lines += [f"skipped {name}" if reason.startswith(name) else f"skipped {name}: {reason}"
                  for name, reason in self.skipped.items()]
        return "\n".join(lines)


class Index:
    """Passages of one folder with their vectors and a BM25 index, ready to search."""

    def __init__(self, folder: Path, contents: Contents, encoder: Encoder):
        self.folder = Path(folder)
        self.manifest = contents.manifest
        self.passages = contents.passages
        self.encoder = encoder
        self._dense = contents.dense
        self._sparse = contents.sparse
        self._contents = contents

    @property
    def documents(self) -> dict[str, DocumentEntry]:
        return self.manifest.documents

    def document(self, source: str) -> Document:
        """The document's text as extracted when indexed (stored with the index), while the file on
        disk is still the one it was extracted from; refuses one that changed since."""
        if source not in self.manifest.documents:
            raise DocumentError(f"{source}: not in the index of {self.folder}")
        path = self.folder / source
        try:
            return self._stored(source, file_sha256(path))
        except OSError:
            raise DocumentError(f"{source}: file not found at {path}; re-index {self.folder}") from None

    def _stored(self, source: str, sha256_on_disk: str) -> Document:
        """The stored document, if the file's hash on disk is still the indexed one."""
        entry = self.manifest.documents.get(source)
        if entry is None:
            raise DocumentError(f"{source}: not in the index of {self.folder}")
        if sha256_on_disk != entry.sha256:
            raise DocumentError(f"{source}: changed on disk since it was indexed; re-index {self.folder}")
        try:
            text = self._contents.text(entry)
        except IndexCorrupt as error:
            raise DocumentError(str(error)) from None
        return Document(source, text, entry.sha256, entry.encoding, entry.meta, entry.pages, entry.loader)

    def page_image(self, source: str, page: int, marks: dict[str, tuple[int, int]], width_px: int = 900) -> PageImage:
        """Page ``page`` of a PDF document rendered, with ``marks`` (document offsets) boxed on it."""
        try:
            raw = (self.folder / source).read_bytes()
        except OSError:
            raise DocumentError(f"{source}: file not found in {self.folder}; re-index it") from None
        document = self._stored(source, hashlib.sha256(raw).hexdigest())
        if not document.pages:
            raise DocumentError(f"{source}: {document.loader} documents have no pages to show")
        if not 1 <= page <= len(document.pages):
            raise DocumentError(f"{source}: has no page {page} (it has {len(document.pages)})")
        start = document.pages[page - 1]
        end = document.pages[page] - len(PAGE_BREAK) if page < len(document.pages) else len(document.text)
        local = {name: (max(a, start) - start, min(b, end) - start) for name, (a, b) in marks.items()
                 if a < end and b > start}
        return render_page(raw, source, page, local, width_px, expected=document.text[start:end])

    def search_dense(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return dense.search(self._dense, vector, k)

    def search_sparse(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self._sparse.search(query, k)

    @classmethod
    def open(cls, folder: Path | str, index_dir: Path | str | None = None, settings: IndexSettings = IndexSettings(),
             encoder: Encoder | None = None, progress: bool = True) -> tuple[Index, SyncReport]:
        """Open the folder's index, first bringing it up to date with the documents on disk."""
        folder = Path(folder)
        index_dir = Path(index_dir) if index_dir else folder / INDEX_DIRNAME
        encoder = encoder or Encoder(settings.encoder)
        index_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(index_dir / "lock")):
            contents, report = _sync(folder, index_dir, settings, encoder, progress)
        return cls(folder, contents, encoder), report


def split_stamp(settings: IndexSettings) -> dict:
    return {**asdict(settings.split), "version": SPLITTER_VERSION}


def search_stamp(settings: IndexSettings) -> dict:
    return {"title_in_passages": settings.title_in_passages, "bm25_k1": settings.bm25_k1, "bm25_b": settings.bm25_b}


def _expected(settings: IndexSettings, encoder: Encoder) -> dict:
    return {"encoder": settings.encoder, "dimension": encoder.dimension, "split": split_stamp(settings),
            "search": search_stamp(settings)}


def searchable(passage: Passage, title: str | None, settings: IndexSettings) -> str:
    """The text that is encoded and BM25-indexed for a passage."""
    if settings.title_in_passages and title and not passage.text.startswith(title):
        return f"{title}\n{passage.text}"
    return passage.text


def _load_existing(index_dir: Path, settings: IndexSettings, encoder: Encoder, report: SyncReport) -> Contents | None:
    if not store.exists(index_dir):
        return None
    try:
        existing = store.read(index_dir)
    except IndexCorrupt as error:
        report.rebuilt_because = str(error)
        log.warning("index rebuilt: %s", error)
        return None
    manifest = existing.manifest
    found = {"encoder": manifest.encoder, "dimension": manifest.dimension, "split": manifest.split,
             "search": manifest.search}
    expected = _expected(settings, encoder)
    if found != expected:
        changed = [k for k in expected if expected[k] != found[k]]
        report.rebuilt_because = f"{index_dir}: built with other settings ({', '.join(changed)})"
        log.warning("index rebuilt: %s", report.rebuilt_because)
        return None
    return existing


def _sync(folder: Path, index_dir: Path, settings: IndexSettings, encoder: Encoder, progress: bool):
    report = SyncReport()
    existing = _load_existing(index_dir, settings, encoder, report)
    old_docs = existing.manifest.documents if existing else {}
    metas = read_metadata(folder)
    keep: dict[str, DocumentEntry] = {}
    fresh: list[_Fresh] = []
    candidates = []
    for item in list_documents(folder):
        entry = old_docs.get(item.source)
        try:
            same_title = entry is not None and (not settings.title_in_passages or
                                                entry.meta.title == merge_meta(entry.file_meta, metas.get(item.source)).title)
            loader = loader_for(item.source)
            same_loader = entry is not None and loader is not None and entry.loader == loader.stamp
            if entry is not None and same_title and same_loader and file_sha256(item.path) == entry.sha256:
                keep[item.source] = entry
            else:
                candidates.append(item)
        except OSError as error:
            report.skipped[item.source] = f"{item.source}: {error}"
    report.skipped.update(unreadable_types(folder))
    seen = {entry.sha256: source for source, entry in keep.items()}
    for item in candidates:
        try:
            document = read_document(item.path, item.source, None, settings.max_document_bytes)
        except DocumentError as error:
            report.skipped[item.source] = str(error)
            continue
        if document.sha256 in seen:
            report.skipped[item.source] = f"{item.source}: same content as {seen[document.sha256]}, which is indexed"
            continue
        seen[document.sha256] = item.source
        fresh.append(_Fresh(item.source, document.sha256, document.encoding,
                            merge_meta(document.meta, metas.get(item.source)),
                            split_document(document, settings.split), document.loader, document.pages, document.meta,
                            document.text))
    for reason in report.skipped.values():
        log.warning("skipped %s", reason)
    report.unchanged = sorted(keep)
    report.changed = sorted(d.source for d in fresh if d.source in old_docs)
    report.added = sorted(d.source for d in fresh if d.source not in old_docs)
    report.removed = sorted(set(old_docs) - set(keep) - {d.source for d in fresh})
    meta_changed = any(keep[s].meta != merge_meta(keep[s].file_meta, metas.get(s)) for s in keep)
    if existing and not report.wrote and not meta_changed:
        return existing, report
    contents = _assemble(existing, keep, fresh, metas, settings, encoder, report, progress)
    return store.write(index_dir, contents), report


def _encode(texts: list[str], encoder: Encoder, progress: bool) -> np.ndarray:
    """Vectors in the order of ``texts``, encoded longest first across all new documents.

    Batches of similar length waste little on padding (what SentenceTransformer.encode does within
    one call); chunks of ENCODE_BATCH keep the progress bar moving."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    with tqdm(total=len(texts), desc="encoding passages", unit="passage", disable=not progress or not texts) as bar:
        for first in range(0, len(order), ENCODE_BATCH):
            rows = order[first:first + ENCODE_BATCH]
            vectors[rows] = encoder.encode([texts[i] for i in rows])
            bar.update(len(rows))
    return vectors


def _assemble(existing: Contents | None, keep, fresh, metas, settings, encoder, report, progress) -> Contents:
    passages: list[Passage] = []
    blocks: list[np.ndarray] = []
    documents: dict[str, DocumentEntry] = {}
    if existing:
        old_passages, all_old = existing.passages, dense.vectors_of(existing.dense)
        for source, entry in keep.items():
            rows = slice(entry.first, entry.first + entry.count)
            meta = merge_meta(entry.file_meta, metas.get(source))
            documents[source] = DocumentEntry(entry.sha256, len(passages), entry.count, entry.encoding, meta,
                                              entry.loader, entry.pages, entry.file_meta, entry.text_sha256)
            passages += old_passages[rows]
            blocks.append(all_old[rows])
    start = len(passages)
    for doc in fresh:
        text_sha256 = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        documents[doc.source] = DocumentEntry(doc.sha256, len(passages), len(doc.passages), doc.encoding, doc.meta,
                                              doc.loader, doc.pages, doc.file_meta, text_sha256)
        passages += doc.passages
        report.encoded_passages += len(doc.passages)
    texts = [searchable(p, documents[p.source].meta.title, settings) for p in passages]
    blocks.append(_encode(texts[start:], encoder, progress))
    vectors = np.concatenate(blocks)
    kind = dense.choose_kind(settings.dense_kind, len(vectors))
    manifest = Manifest(encoder=settings.encoder, dimension=encoder.dimension, dense_kind=kind,
                        split=split_stamp(settings), documents=documents, passages=len(passages),
                        search=search_stamp(settings))
    big = progress and len(passages) > dense.FLAT_LIMIT
    sparse = SparseIndex.build(texts, settings.bm25_k1, settings.bm25_b, progress=big)
    return Contents(manifest, passages, dense.build(vectors, kind, big), sparse,
                    {doc.sha256: doc.text for doc in fresh}, existing.generation if existing else None)

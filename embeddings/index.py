"""A folder of documents kept in sync with its searchable index (dense + BM25)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from filelock import FileLock
from tqdm.auto import tqdm

from .encoder import DEFAULT_ENCODER, Encoder
from .formats import loader_for
from .formats.pdf import PAGE_BREAK, PageImage, ocr_languages
from .loading import DocumentError, file_sha256, list_documents, merge_meta, read_metadata, unreadable_types
from .records import Document, DocumentMeta, Passage
from .rendering import PageRenderer, RenderSettings
from .sandbox import ReadLimits, Sandbox
from .splitting import SPLITTER_VERSION, SplitSettings, split_document
from .store import DocumentEntry, IndexCorrupt, Manifest
from .stores import open_store
from .stores.base import NewDocument, Scored, Store, StoreMismatch, searchable_text

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
    ocr: str | None = None
    """Tesseract languages ("eng", "deu+eng") to read PDF pages that have no text layer; None: such
    a PDF is skipped with its reason. Needs Debian's tesseract-ocr (``make setup`` installs it)."""
    reading: ReadLimits = field(default_factory=ReadLimits)
    """What reading one document may cost (memory, CPU and wall time in a worker process); a file past
    them is skipped with the reason. Not stamped: it decides which files are read, not how."""
    rendering: RenderSettings = field(default_factory=RenderSettings)
    """What drawing one PDF page for "Open the page" may cost, in a worker too, and what is kept of the
    pages drawn. Not stamped."""


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
        lines += [f"skipped {reason}" if reason.startswith(name) else f"skipped {name}: {reason}"
                  for name, reason in self.skipped.items()]
        return "\n".join(lines)


class Index:
    """Passages of one folder with their vectors and BM25 terms, kept in a store (``embeddings.stores``)."""

    def __init__(self, folder: Path, store: Store, encoder: Encoder, renderer: PageRenderer | None = None):
        self.folder = Path(folder)
        self.store = store
        self.manifest = store.manifest()
        self.encoder = encoder
        self.origin = store.origin(self.folder)
        self.renderer = renderer or PageRenderer()
        """Draws pages for :meth:`page_image`; pass it on to the index that replaces this one."""

    @property
    def documents(self) -> dict[str, DocumentEntry]:
        return self.manifest.documents

    @property
    def passages(self) -> list[Passage]:
        """Every passage, in document order (read from the store: for a database, all of them)."""
        return self.store.passages()

    def passages_of(self, source: str) -> list[Passage]:
        return self.store.passages(source)

    def document(self, source: str) -> Document:
        """The document's text as extracted when indexed (stored with the index), while the file on
        disk is still the one it was extracted from; refuses one that changed since. A document another
        folder put into a shared store is checked against its stored hash only."""
        entry = self.manifest.documents.get(source)
        if entry is None:
            raise DocumentError(f"{source}: not in the index of {self.folder}")
        if entry.origin != self.origin:
            return self._stored(source, entry.sha256)
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
            text = self.store.text(source, entry)
        except IndexCorrupt as error:
            raise DocumentError(str(error)) from None
        return Document(source, text, entry.sha256, entry.encoding, entry.meta, entry.pages, entry.loader)

    def page_image(self, source: str, page: int, marks: dict[str, tuple[int, int]], width_px: int = 900) -> PageImage:
        """Page ``page`` of a PDF document rendered, with ``marks`` (document offsets) boxed on it; drawn in
        a worker with limits (``renderer``). ``DocumentError`` with the reason when it cannot be shown."""
        entry = self.manifest.documents.get(source)
        if entry is not None and entry.origin != self.origin:
            raise DocumentError(f"{source}: indexed from another folder ({entry.origin}); its pages are shown "
                                "where that folder is")
        document = self.document(source)
        if not document.pages:
            raise DocumentError(f"{source}: {document.loader} documents have no pages to show")
        if not 1 <= page <= len(document.pages):
            raise DocumentError(f"{source}: has no page {page} (it has {len(document.pages)})")
        start = document.pages[page - 1]
        end = document.pages[page] - len(PAGE_BREAK) if page < len(document.pages) else len(document.text)
        local = {name: (max(a, start) - start, min(b, end) - start) for name, (a, b) in marks.items()
                 if a < end and b > start}
        password = read_metadata(self.folder).passwords.get(source)
        return self.renderer.render(self.folder / source, document, page, local, document.text[start:end], width_px,
                                    password, ocr_languages(document.loader))

    def search_dense(self, vector: np.ndarray, k: int) -> list[Scored]:
        return self.store.search_dense(vector, k)

    def search_sparse(self, query: str, k: int) -> list[Scored]:
        return self.store.search_sparse(query, k)

    def search_hybrid(self, query: str, vector: np.ndarray, k: int, depth: int = 50, rrf_k: int = 60,
                      bm25_weight: float = 1.0) -> list[Scored]:
        return self.store.search_hybrid(query, vector, k, depth, rrf_k, bm25_weight)

    def current(self) -> Index:
        """This index with what other indexers committed to a shared store since (itself otherwise)."""
        fresh = self.store.refreshed()
        return self if fresh is self.store else Index(self.folder, fresh, self.encoder, self.renderer)

    @classmethod
    def open(cls, folder: Path | str, index_dir: Path | str | None = None, settings: IndexSettings = IndexSettings(),
             encoder: Encoder | None = None, progress: bool = True, store: str | Store | None = None,
             renderer: PageRenderer | None = None) -> tuple[Index, SyncReport]:
        """Open the folder's index, first bringing it up to date with the documents on disk.

        ``store``: a URI for :func:`embeddings.stores.open_store` (default ``local``, the index folder);
        ``renderer``: the previous index's, to keep its worker and drawn pages (default: a new one)."""
        folder = Path(folder)
        if not folder.is_dir():  # before anything is made in it: a mistyped path must not become a new, empty corpus
            raise DocumentError(f"{folder}: no such folder of documents; give the folder that holds them "
                                "(an empty folder is fine for answering from a shared store)")
        index_dir = Path(index_dir) if index_dir else folder / INDEX_DIRNAME
        encoder = encoder or Encoder(settings.encoder)
        if settings.split.max_tokens > encoder.max_tokens:
            raise ValueError(f"SplitSettings.max_tokens is {settings.split.max_tokens}, but the encoder "
                             f"{settings.encoder} reads only {encoder.max_tokens} tokens of a passage; lower it")
        index_dir.mkdir(parents=True, exist_ok=True)
        target = store if isinstance(store, Store) else open_store(store or "local", folder, index_dir)
        with FileLock(str(index_dir / "lock")):
            target, report = _sync(folder, target, settings, encoder, progress)
        return cls(folder, target, encoder, renderer or PageRenderer(settings.rendering)), report


def split_stamp(settings: IndexSettings) -> dict:
    return {**asdict(settings.split), "version": SPLITTER_VERSION}


def search_stamp(settings: IndexSettings) -> dict:
    return {"title_in_passages": settings.title_in_passages, "bm25_k1": settings.bm25_k1, "bm25_b": settings.bm25_b}


def _expected(settings: IndexSettings, encoder: Encoder) -> dict:
    return {"encoder": settings.encoder, "dimension": encoder.dimension, "split": split_stamp(settings),
            "search": search_stamp(settings)}


def searchable(passage: Passage, title: str | None, settings: IndexSettings) -> str:
    """The text that is encoded and BM25-indexed for a passage."""
    return searchable_text(passage, title, settings.title_in_passages)


def _existing(target: Store, settings: IndexSettings, encoder: Encoder, report: SyncReport) -> Manifest | None:
    """The stored manifest if it was built with these settings. A local index built otherwise (or
    damaged) is rebuilt; a shared store is never rebuilt over other indexers' documents."""
    try:
        manifest = target.manifest()
    except IndexCorrupt as error:
        if target.shared:
            raise
        report.rebuilt_because = str(error)
        log.warning("index rebuilt: %s", error)
        return None
    if manifest is None:
        return None
    found = {"encoder": manifest.encoder, "dimension": manifest.dimension, "split": manifest.split,
             "search": manifest.search}
    expected = _expected(settings, encoder)
    if found != expected:
        changed = [k for k in expected if expected[k] != found[k]]
        message = f"{target.uri}: built with other settings ({', '.join(changed)})"
        if target.shared:
            raise StoreMismatch(f"{message}: {', '.join(f'{k} {found[k]!r}' for k in changed)}; this index uses "
                                f"{', '.join(f'{k} {expected[k]!r}' for k in changed)}. Use another collection "
                                "(?collection=NAME) or the settings it was built with")
        report.rebuilt_because = message
        log.warning("index rebuilt: %s", message)
        return None
    return manifest


def _sync(folder: Path, target: Store, settings: IndexSettings, encoder: Encoder, progress: bool):
    report = SyncReport()
    existing = _existing(target, settings, encoder, report)
    origin = target.origin(folder)
    stored = existing.documents if existing else {}
    old_docs = {s: e for s, e in stored.items() if e.origin == origin}
    others = {s: e for s, e in stored.items() if e.origin != origin}
    metadata = read_metadata(folder)
    report.skipped.update(metadata.problems)
    metas = metadata.metas
    keep, candidates = _unchanged(folder, old_docs, others, metas, settings, target.uri, report)
    fresh = _read_fresh(candidates, keep, metas, metadata.passwords, settings, encoder, report, progress)
    for reason in report.skipped.values():
        log.warning("skipped %s", reason)
    report.unchanged = sorted(keep)
    report.changed = sorted(d.source for d in fresh if d.source in old_docs)
    report.added = sorted(d.source for d in fresh if d.source not in old_docs)
    report.removed = sorted(set(old_docs) - set(keep) - {d.source for d in fresh})
    meta_changed = any(keep[s].meta != merge_meta(keep[s].file_meta, metas.get(s)) for s in keep)
    if existing and not report.wrote and not meta_changed:
        return target, report
    kept = {s: replace(e, meta=merge_meta(e.file_meta, metas.get(s))) for s, e in keep.items()}
    new = _encoded(fresh, origin, settings, encoder, progress)
    report.encoded_passages = sum(len(doc.passages) for doc in new)
    documents = {**others, **kept, **{doc.source: doc.entry for doc in new}}
    manifest = Manifest(encoder=settings.encoder, dimension=encoder.dimension, dense_kind=settings.dense_kind,
                        split=split_stamp(settings), documents=documents,
                        passages=sum(e.count for e in documents.values()), search=search_stamp(settings))
    return target.update(manifest, new, report.removed, progress), report


def _unchanged(folder: Path, old_docs: dict[str, DocumentEntry], others: dict[str, DocumentEntry], metas,
               settings: IndexSettings, uri: str, report: SyncReport) -> tuple[dict[str, DocumentEntry], list]:
    """The folder's documents that stay as indexed, and the ones to read (new, changed, or extracted
    or titled otherwise since)."""
    keep: dict[str, DocumentEntry] = {}
    candidates = []
    for item in list_documents(folder):
        entry = old_docs.get(item.source)
        if item.source in others:
            report.skipped[item.source] = (f"{item.source}: {uri} already holds a document of this name from "
                                           f"{others[item.source].origin}; rename one of them")
            continue
        try:
            same_title = entry is not None and (not settings.title_in_passages or
                                                entry.meta.title == merge_meta(entry.file_meta, metas.get(item.source)).title)
            loader = loader_for(item.source, settings.ocr)
            same_loader = entry is not None and loader is not None and loader.current(entry.loader)
            if entry is not None and same_title and same_loader and file_sha256(item.path) == entry.sha256:
                keep[item.source] = entry
            else:
                candidates.append(item)
        except OSError as error:
            report.skipped[item.source] = f"{item.source}: {error}"
    report.skipped.update(unreadable_types(folder))
    return keep, candidates


def _read_fresh(candidates, keep: dict[str, DocumentEntry], metas, passwords: dict[str, str],
                settings: IndexSettings, encoder: Encoder, report: SyncReport, progress: bool) -> list[_Fresh]:
    """The candidates read and split; unreadable ones and copies of an indexed document are skipped."""
    seen = {entry.sha256: source for source, entry in keep.items()}
    fresh: list[_Fresh] = []
    with Sandbox(settings.reading) as sandbox:
        for item in tqdm(candidates, desc="reading documents", unit="file", disable=not progress or len(candidates) < 2):
            document = _read_one(sandbox, item, settings, passwords, report)
            if document is None:
                continue
            if document.sha256 in seen:
                report.skipped[item.source] = f"{item.source}: same content as {seen[document.sha256]}, which is indexed"
                continue
            seen[document.sha256] = item.source
            fresh.append(_Fresh(item.source, document.sha256, document.encoding,
                                merge_meta(document.meta, metas.get(item.source)),
                                split_document(document, settings.split, encoder.tokens), document.loader,
                                document.pages, document.meta, document.text))
    return fresh


def _read_one(sandbox: Sandbox, item, settings: IndexSettings, passwords: dict[str, str],
              report: SyncReport) -> Document | None:
    """The document read in the sandbox, or None with the reason it was skipped in ``report``."""
    try:
        return sandbox.read(item.path, item.source, settings.max_document_bytes, passwords.get(item.source),
                            settings.ocr)
    except DocumentError as error:
        report.skipped[item.source] = str(error)
        return None


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


def _encoded(fresh: list[_Fresh], origin: str, settings: IndexSettings, encoder: Encoder,
             progress: bool) -> list[NewDocument]:
    """The fresh documents with their passages encoded, all in one longest-first pass."""
    searchables = [[searchable(p, doc.meta.title, settings) for p in doc.passages] for doc in fresh]
    vectors = _encode([t for texts in searchables for t in texts], encoder, progress)
    new, first = [], 0
    for doc, texts in zip(fresh, searchables):
        entry = DocumentEntry(doc.sha256, 0, len(doc.passages), doc.encoding, doc.meta, doc.loader, doc.pages,
                              doc.file_meta, hashlib.sha256(doc.text.encode("utf-8")).hexdigest(), origin)
        new.append(NewDocument(doc.source, entry, doc.passages, texts, vectors[first:first + len(texts)], doc.text))
        first += len(texts)
    return new

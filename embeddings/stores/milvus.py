"""A Milvus collection as the store: Milvus Lite in a file, a Milvus server, or a managed cluster.

Encoding stays in the citeqa process; Milvus keeps the passages, their vectors and texts, computes
BM25 from the raw passage text itself, and fuses dense and BM25 results (RRF) in one request.

Three collections per corpus: ``NAME`` (passages: text, vector, BM25 terms), ``NAME_documents``
(one row per live document: its hash and manifest entry) and ``NAME_texts`` (each document's
extracted text, in chunks). Each write of a document has its own version id on all its rows. A
document becomes live only when its row in ``NAME_documents`` names that version, written after its
passages and text; searches keep only passages of the version their snapshot of ``NAME_documents``
lists, so a half-written, replaced or abandoned write is never retrieved, and is deleted next."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import Stemmer
from tqdm.auto import tqdm

from ..records import Passage
from ..sparse import LANGUAGE, terms
from ..store import DocumentEntry, IndexCorrupt, Manifest
from .base import NewDocument, Scored, Store, StoreMismatch, StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

FORMAT = 2
"""2: the dense field has an HNSW index searched with ef 1024 (1: AUTOINDEX)."""
STAMP = "citeqa.stamp"
TEXT_CHUNK = 15_000
"""Characters per text row: VARCHAR holds at most 65,535 bytes, and a character is at most 4."""
MAX_SEARCHABLE = 15_000
INSERT_BATCH = 500
TEXTS_KEPT = 64
KEEPALIVE = {"grpc.keepalive_time_ms": 120_000, "grpc.keepalive_permit_without_calls": 0}
TEXT_SETTLE_S = 5.0
"""How long a live text that does not match its hash is read again before it counts as corrupt."""
WARM_TIMEOUT_S = 600.0
"""Deadline of the warm-up search (``_warm``): a cold BM25 index took 0.6 s at 10k passages, 5.7 s at
100k and 16.3 s at 300k in Milvus Lite, past a question's own deadline."""
LOAD_ROUNDS = 2
"""Loads a request that meets a released collection may ask for before its last try."""
LOAD_POLL_S = 0.05
"""Between reads of a collection's load state while it loads (only when loading, never per question)."""
REFRESH_SECONDS = 2.0
"""How often (at most) a reading process looks for documents other indexers committed."""
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase"]}
ANALYZERS = ("citeqa", "standard")
"""What Milvus's BM25 reads. ``citeqa`` (default): each passage's and question's terms as the local store
makes them (stopwords dropped, Snowball stems), joined by spaces; ``standard``: the raw text, left to
Milvus's standard analyzer, which lowercases but neither stems nor drops stopwords (Milvus Lite has no
other English analyzer). Measured on SciFact test, hybrid nDCG@10: standard 2.8 points below local."""
PASSAGE_FIELDS = ["source", "version", "position", "passage"]
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 200, 1024
"""The local store's HNSW settings (``dense``): Milvus's AUTOINDEX found 96.5% of the exact top 50 on
SciFact and cost 0.3 points of dense nDCG@10."""
WRITE_BATCH = 2_000
"""Passages written per round (of whole documents): each round is a few requests, whatever its size."""


def collection_name(folder: Path) -> str:
    """A valid collection name from the corpus folder's name (letters, digits, underscores)."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", Path(folder).resolve().name) or "corpus"
    return f"citeqa_{name}"[:200]



class _Connection:
    """What a store's snapshots share: one client, dropped after a failure (a pymilvus client whose
    server went away keeps failing after the server is back), and the document texts last read."""

    def __init__(self, uri: str, token: str, timeout: float):
        self.uri, self.token, self.timeout = uri, token, timeout
        self._client: Any = None
        self._lock = threading.Lock()
        self.loading = threading.RLock()
        self._texts: OrderedDict[tuple[str, str, str], str] = OrderedDict()

    def text(self, key: tuple[str, str, str], read: Callable[[], str]) -> str:
        """A document text by (collection, source, version): a version's text never changes, and every
        answer reads the texts it quotes from, so the last TEXTS_KEPT are kept instead of asked for again."""
        with self._lock:
            if key in self._texts:
                self._texts.move_to_end(key)
                return self._texts[key]
        text = read()
        with self._lock:
            self._texts[key] = text
            while len(self._texts) > TEXTS_KEPT:
                self._texts.popitem(last=False)
        return text

    def get(self):
        with self._lock:
            if self._client is None:
                from pymilvus import MilvusClient

                # pymilvus configures its loggers when imported: a warning on every Milvus Lite query
                # ("failed to get mvccTs") and a traceback per failed call, which StoreUnavailable says better.
                for name in ("pymilvus", "pymilvus.milvus_client"):
                    logging.getLogger(name).setLevel(logging.CRITICAL)
                # pymilvus pings an idle channel every 10 s; a gRPC server with default settings (Milvus Lite's)
                # answers the third such ping with GOAWAY "too_many_pings" and the next request fails.
                self._client = MilvusClient(uri=self.uri, token=self.token, timeout=self.timeout, dedicated=True,
                                            grpc_options=KEEPALIVE)
            return self._client

    def reset(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # closing a broken channel may fail too; it is discarded either way
                pass


class MilvusStore(Store):
    shared = True

    def __init__(self, uri: str, client_uri: str, collection: str, token: str = "", timeout: float = 10.0,
                 analyzer: str = "citeqa", connection: _Connection | None = None, snapshot: Manifest | None = None,
                 versions: dict[str, str] | None = None, read_at: float | None = None):
        if analyzer not in ANALYZERS:
            raise ValueError(f"store {uri!r}: analyzer must be one of {', '.join(ANALYZERS)}, not {analyzer!r}")
        self.uri, self.collection, self.timeout, self.analyzer = uri, collection, timeout, analyzer
        self._connection = connection or _Connection(client_uri, token, timeout)
        self._snapshot, self._versions, self._read_at = snapshot, versions or {}, read_at
        self._refresh_lock = threading.Lock()
        self._read_s, self._reading, self._next = 0.0, False, None

    # -- connection -------------------------------------------------------------------------

    @property
    def client(self):
        return self._connection.get()

    def _call(self, what: str, action: Callable[[], T], idempotent: bool = True) -> T:
        """Every request goes through here: a failure names the store and what to do about it. A channel
        the server dropped (a restart, a GOAWAY) keeps failing, so a repeatable request is tried once more
        on a fresh one before giving up; an insert is not, since its rows may have arrived."""
        try:
            return self._attempt(action)
        except Exception as error:
            failure = self._failure(what, error)  # resets the connection when the server was unreachable
            if failure is None:
                raise
            if not (idempotent and _unreachable(error) and not _deadline(error)):
                raise failure from None
        return self._call(what, action, idempotent=False)  # once more, on a fresh channel

    def _attempt(self, action: Callable[[], T]) -> T:
        """A restarted server has released every collection: load them and try again. Twice, because
        another request may leave one released just after the load (see ``_load_one``). A collection
        another of this process's requests is loading at that moment is "loading", not "released":
        ``_load`` waits for that load (one at a time) and the request is tried again too."""
        from pymilvus.exceptions import MilvusException

        for _ in range(LOAD_ROUNDS):
            try:
                return action()
            except MilvusException as error:
                if "released" not in str(error) and "state 'loading'" not in str(error):
                    raise
            self._load()
        return action()

    def _failure(self, what: str, error: Exception) -> StoreUnavailable | None:
        """What to tell the user about a failed request; None when it is not the server's doing."""
        from pymilvus.exceptions import MilvusException

        # grpc raises its own RpcError family when the server goes away, pymilvus MilvusException
        if not isinstance(error, (MilvusException, ConnectionError, OSError, TimeoutError)) and \
                not type(error).__module__.startswith("grpc"):
            return None
        if _deadline(error):
            return StoreUnavailable(f"{self.uri}: {what} got no answer within {self.timeout:g} s; the server may "
                                    "be busy or still loading the collection: ask again, or allow more time "
                                    "with &timeout=SECONDS in the store URI")
        if _unreachable(error):
            self._connection.reset()
            return StoreUnavailable(f"{self.uri}: {what} failed ({_reason(error)}); check that the Milvus "
                                    "server is running and reachable, then ask again")
        return StoreUnavailable(f"{self.uri}: {what} failed: Milvus said {_reason(error)}")

    def _spawn(self, read: tuple[Manifest | None, dict[str, str]]) -> MilvusStore:
        return MilvusStore(self.uri, "", self.collection, "", self.timeout, self.analyzer, self._connection, *read,
                           time.monotonic())

    def reopened(self) -> MilvusStore:
        return MilvusStore(self.uri, "", self.collection, "", self.timeout, self.analyzer, self._connection)

    def close(self) -> None:
        self._connection.reset()

    # -- the manifest -----------------------------------------------------------------------

    @property
    def _documents(self) -> str:
        return f"{self.collection}_documents"

    @property
    def _texts(self) -> str:
        return f"{self.collection}_texts"

    def manifest(self) -> Manifest | None:
        if self._read_at is None:
            started = time.monotonic()
            (self._snapshot, self._versions), self._read_at = self._read_manifest(), time.monotonic()
            self._read_s = self._read_at - started
        return self._snapshot

    def _read_manifest(self) -> tuple[Manifest | None, dict[str, str]]:
        """The stamp and live documents, and the version of each that is live."""
        if not self._call("looking up the collection", lambda: self.client.has_collection(self._documents,
                                                                                         timeout=self.timeout)):
            return None, {}
        self._load()
        described = self._call("describing the collection", lambda: self.client.describe_collection(
            self._documents, timeout=self.timeout))
        try:
            stamp = json.loads(described["properties"][STAMP])
        except (KeyError, TypeError, ValueError):
            raise StoreMismatch(f"{self.uri}: collection {self._documents} was not made by citeqa (no {STAMP} "
                                "property); use another collection (?collection=NAME)") from None
        if stamp.get("format") != FORMAT:
            raise StoreMismatch(f"{self.uri}: collection {self.collection} has format {stamp.get('format')}, this "
                                f"citeqa reads {FORMAT}; index into a new collection (?collection=NAME)")
        if stamp.get("analyzer") != self.analyzer:
            raise StoreMismatch(f"{self.uri}: collection {self.collection} was built with analyzer "
                                f"{stamp.get('analyzer')!r}, not {self.analyzer!r}; add ?analyzer={stamp.get('analyzer')} "
                                "or use another collection")
        rows = self._rows(self._documents, "", ["source", "version", "entry"])
        documents = {row["source"]: DocumentEntry.from_dict(row["entry"]) for row in rows}
        manifest = Manifest(encoder=stamp["encoder"], dimension=int(stamp["dimension"]), dense_kind="milvus",
                            split=stamp["split"], documents=documents, passages=sum(e.count for e in documents.values()),
                            search=stamp["search"], created=float(stamp.get("created", 0.0)))
        return manifest, {row["source"]: row["version"] for row in rows}

    def _load(self) -> None:
        """Milvus serves a collection only once loaded, and a restarted server has released them all.
        One load at a time from this process: its questions and its background refresh all meet a
        restarted server at once."""
        with self._connection.loading:
            loaded = [self._load_one(name) for name in (self.collection, self._texts, self._documents)]
        if any(loaded):
            self._warm()

    def _load_one(self, name: str) -> bool:
        """Load ``name`` until the server says it is loaded; whether a load was asked for.

        Asked again rather than waited for: Milvus Lite opens a collection on its first request after a
        restart, and two first requests at once can each open one, the server keeping one and the load
        landing on the other; pymilvus's own wait then polls the released one until its deadline
        (reproduced with a load and a search sent together right after a restart). Milvus Standalone
        loads in the background and reports Loading meanwhile."""
        from pymilvus.client.types import LoadState

        deadline, asked = time.monotonic() + self.timeout, False
        while (state := self._call(f"loading {name}", lambda: self.client.get_load_state(
                name, timeout=self.timeout)).get("state")) != LoadState.Loaded:
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"{self.uri}: collection {name} was not loaded within {self.timeout:g} s "
                                       f"(state {getattr(state, 'name', state)}); the server may be busy: ask "
                                       "again, or allow more time with &timeout=SECONDS in the store URI")
            if state != LoadState.Loading:
                self._call(f"loading {name}", lambda: self.client.load_collection(name, timeout=self.timeout,
                                                                                   _async=True))
                asked = True
            time.sleep(LOAD_POLL_S)
        return asked

    def _warm(self) -> None:
        """Make Milvus read its indexes now, with a long deadline: the first search of a freshly loaded
        or freshly indexed segment reads its BM25 index, which would otherwise cost the next question
        its deadline (16 s at 300k passages). The term need not exist."""
        timeout = max(self.timeout, WARM_TIMEOUT_S)
        started = time.monotonic()
        self._call("warming up BM25", lambda: self.client.search(
            self.collection, data=["citeqawarmup"], anns_field="sparse", limit=1,
            search_params={"metric_type": "BM25"}, timeout=timeout))
        log.info("%s: indexes read in %.1f s", self.collection, time.monotonic() - started)

    def _rows(self, collection: str, filter: str, fields: list[str]) -> list[dict]:
        def run() -> list[dict]:
            iterator = self.client.query_iterator(collection, batch_size=1000, filter=filter, output_fields=fields,
                                                  timeout=self.timeout)
            rows: list[dict] = []
            try:
                while batch := iterator.next():
                    rows += batch
            finally:
                iterator.close()
            return rows

        return self._call(f"reading {collection}", run)

    def refreshed(self) -> MilvusStore:
        """Never waits: a stale snapshot starts a read of the documents table in the background, and a
        later call returns its result. Reads are spaced by REFRESH_SECONDS or ten times the last read's
        duration, whichever is longer (a read took 0.8 s at 10,000 documents)."""
        with self._refresh_lock:
            if self._next is not None:
                fresh, self._next = self._next, None
                return fresh
            waited = time.monotonic() - (self._read_at or 0.0)
            if self._read_at is not None and not self._reading and waited >= max(REFRESH_SECONDS, 10 * self._read_s):
                self._reading = True
                threading.Thread(target=self._refresh, name="citeqa-milvus-refresh", daemon=True).start()
            return self

    def _refresh(self) -> None:
        started = time.monotonic()
        try:
            read = self._read_manifest()
            if read[1] != self._versions:  # new documents' segments are cold: read them before questions do
                self._warm()
        except (StoreUnavailable, StoreMismatch) as error:  # the questions' own searches report it
            log.warning("kept the documents as last read: %s", error)
            read = None
        with self._refresh_lock:
            self._read_at, self._read_s, self._reading = time.monotonic(), time.monotonic() - started, False
            if read is not None and read != (self._snapshot, self._versions):
                self._next = self._spawn(read)

    def origin(self, folder: Path) -> str:
        return f"{socket.gethostname()}:{Path(folder).resolve()}"

    # -- writing ----------------------------------------------------------------------------

    def update(self, manifest: Manifest, fresh: list[NewDocument], removed: list[str], progress: bool) -> MilvusStore:
        self._create(manifest)
        self.manifest()
        with tqdm(total=sum(len(d.passages) for d in fresh), desc="writing to Milvus", unit="passage",
                  disable=not progress or not fresh) as bar:
            for batch in _batches(fresh):
                self._put(batch)
                bar.update(sum(len(d.passages) for d in batch))
        live = self._snapshot.documents if self._snapshot else {}
        new = {d.source for d in fresh}
        changed = [self._document_row(s, e, self._versions[s]) for s, e in manifest.documents.items()
                   if s in live and s not in new and live[s] != e]
        if changed:
            self._call("updating document metadata", lambda: self.client.upsert(self._documents, changed,
                                                                                timeout=self.timeout))
        if removed:
            self._remove(removed)
        if fresh or removed:
            self._flush()
        return self._spawn(self._read_manifest())

    def _flush(self) -> None:
        """Seal what was written: Milvus Lite searches unsealed rows by brute force (at 10k passages
        a BM25 search took 1.2 s before, 38 ms after)."""
        for name in (self.collection, self._texts, self._documents):
            self._call(f"flushing {name}", lambda: self.client.flush(name, timeout=max(self.timeout, 120)))

    def _put(self, batch: list[NewDocument]) -> None:
        """Passages and texts first, then the document rows that make them live, then older versions
        (and any abandoned write) of those documents go."""
        versions = {doc.source: uuid.uuid4().hex for doc in batch}
        texts = [{"source": doc.source, "version": versions[doc.source], "part": i, "chunk": chunk, "dummy": [0.0, 1.0]}
                 for doc in batch for i, chunk in enumerate(_chunks(doc.text))]
        stemmer = Stemmer.Stemmer(LANGUAGE)
        rows = [{"source": doc.source, "version": versions[doc.source], "position": i, "passage": p.to_dict(),
                 "text": self._bm25_text(searchable, stemmer), "dense": np.asarray(vector, np.float32).tolist()}
                for doc in batch for i, (p, searchable, vector) in enumerate(zip(doc.passages, doc.searchable, doc.vectors))]
        for first in range(0, len(texts), 100):
            self._insert(self._texts, texts[first:first + 100])
        for first in range(0, len(rows), INSERT_BATCH):
            self._insert(self.collection, rows[first:first + INSERT_BATCH])
        live = [self._document_row(doc.source, doc.entry, versions[doc.source]) for doc in batch]
        self._call("marking documents live", lambda: self.client.upsert(self._documents, live, timeout=self.timeout))
        stale = f"source in {_literal(list(versions))} and version not in {_literal(list(versions.values()))}"
        self._delete(self.collection, stale)
        self._delete(self._texts, stale)

    def _bm25_text(self, text: str, stemmer: Stemmer.Stemmer | None = None) -> str:
        """What Milvus's BM25 analyzes for a passage or question (see ANALYZERS)."""
        text = text[:MAX_SEARCHABLE]
        return text if self.analyzer == "standard" else " ".join(terms([text], stemmer)[0])

    @staticmethod
    def _document_row(source: str, entry: DocumentEntry, version: str) -> dict:
        return {"source": source, "version": version, "origin": entry.origin, "entry": entry.to_dict(),
                "dummy": [0.0, 1.0]}

    def _remove(self, sources: list[str]) -> None:
        """The document rows first: from then on no search returns their passages, which go next."""
        for first in range(0, len(sources), 500):
            chosen = f"source in {_literal(sources[first:first + 500])}"
            for collection in (self._documents, self.collection, self._texts):
                self._delete(collection, chosen)

    def _insert(self, collection: str, rows: list[dict]) -> None:
        if rows:
            self._call(f"writing to {collection}", lambda: self.client.insert(collection, rows, timeout=self.timeout),
                       idempotent=False)

    def _delete(self, collection: str, filter: str) -> None:
        self._call(f"deleting from {collection}", lambda: self.client.delete(collection, filter=filter,
                                                                            timeout=self.timeout))

    def _create(self, manifest: Manifest) -> None:
        """The three collections, stamped with the settings (another indexer may be creating them too)."""
        stamp = {"format": FORMAT, "analyzer": self.analyzer, "encoder": manifest.encoder, "dimension": manifest.dimension,
                 "split": manifest.split, "search": manifest.search, "created": manifest.created}
        for name, schema, indexes in self._schemas(manifest):
            if self._call("looking up the collection", lambda: self.client.has_collection(name, timeout=self.timeout)):
                continue
            try:
                self.client.create_collection(name, schema=schema, index_params=indexes, timeout=self.timeout,
                                              consistency_level="Strong",
                                              properties={STAMP: json.dumps(stamp)} if name == self._documents else {})
            except Exception as error:  # fine if another indexer is creating it at this moment
                if not self._appears(name):
                    raise StoreUnavailable(f"{self.uri}: creating collection {name} failed ({_reason(error)})") from None
        found = json.loads(self._call("describing the collection", lambda: self.client.describe_collection(
            self._documents, timeout=self.timeout))["properties"].get(STAMP, "{}"))
        differ = [k for k in stamp if k != "created" and found.get(k) != stamp[k]]
        if differ:  # another indexer created it first, with other settings
            raise StoreMismatch(f"{self.uri}: collection {self.collection} was just created with other settings "
                                f"({', '.join(differ)}); use another collection (?collection=NAME)")

    def _appears(self, name: str, wait_s: float = 30.0) -> bool:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if self._call("looking up the collection", lambda: self.client.has_collection(name, timeout=self.timeout)):
                return True
            time.sleep(0.2)
        return False

    def _schemas(self, manifest: Manifest) -> Iterator[tuple[str, Any, Any]]:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        def base(*varchar: tuple[str, int]):
            schema = MilvusClient.create_schema(auto_id=True)
            schema.add_field("id", DataType.INT64, is_primary=True)
            for field, length in varchar:
                schema.add_field(field, DataType.VARCHAR, max_length=length)
            return schema

        def indexed(*specs: tuple[str, str, str, dict]):
            params = MilvusClient.prepare_index_params()
            for field, kind, metric, extra in specs:
                params.add_index(field, index_type=kind, metric_type=metric, params=extra)
            return params

        passages = base(("source", 4096), ("version", 32))
        passages.add_field("position", DataType.INT64)
        passages.add_field("passage", DataType.JSON)
        passages.add_field("text", DataType.VARCHAR, max_length=65_535, enable_analyzer=True, analyzer_params=ANALYZER)
        passages.add_field("dense", DataType.FLOAT_VECTOR, dim=manifest.dimension)
        passages.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        passages.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                       output_field_names=["sparse"]))
        search = manifest.search
        yield self.collection, passages, indexed(
            ("dense", "HNSW", "IP", {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}),
            ("sparse", "SPARSE_INVERTED_INDEX", "BM25", {"bm25_k1": search["bm25_k1"], "bm25_b": search["bm25_b"]}))
        texts = base(("source", 4096), ("version", 32))
        texts.add_field("part", DataType.INT64)
        texts.add_field("chunk", DataType.VARCHAR, max_length=65_535)
        texts.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)  # Milvus requires a vector field in a collection
        yield self._texts, texts, indexed(("dummy", "FLAT", "L2", {}))
        documents = MilvusClient.create_schema(auto_id=False)
        documents.add_field("source", DataType.VARCHAR, max_length=4096, is_primary=True)
        documents.add_field("version", DataType.VARCHAR, max_length=32)
        documents.add_field("origin", DataType.VARCHAR, max_length=4096)
        documents.add_field("entry", DataType.JSON)
        documents.add_field("dummy", DataType.FLOAT_VECTOR, dim=2)
        # Created last: its stamp is how a reader knows the other two exist.
        yield self._documents, documents, indexed(("dummy", "FLAT", "L2", {}))

    # -- reading ----------------------------------------------------------------------------

    def text(self, source: str, entry: DocumentEntry) -> str:
        version = self._versions.get(source, "")
        return self._connection.text((self.collection, source, version), lambda: self._read_text(source, version, entry))

    def _read_text(self, source: str, version: str, entry: DocumentEntry) -> str:
        """A live version's text, read again while it does not match its hash: rows that another
        indexer's flush is sealing can vanish from queries for a moment (milvus-io/milvus#47913; seen
        in one CI run of the two-indexers test), so only a lasting mismatch is corrupt."""
        deadline = time.monotonic() + TEXT_SETTLE_S
        while True:
            text = self._query_text(source, version)
            if hashlib.sha256(text.encode("utf-8")).hexdigest() == entry.text_sha256:
                return text
            if time.monotonic() > deadline:
                raise IndexCorrupt(f"{self.uri}: the stored text of {source} is missing or changed; re-index its folder")
            time.sleep(0.2)

    def _query_text(self, source: str, version: str) -> str:
        chosen = f"{_is('source', source)} and {_is('version', version)}"
        # One request: a text has at most max_text_chars / TEXT_CHUNK (under 600) rows.
        rows = self._call(f"reading {self._texts}", lambda: self.client.query(
            self._texts, filter=chosen, output_fields=["part", "chunk"], limit=16_384, timeout=self.timeout))
        return "".join(row["chunk"] for row in sorted(rows, key=lambda row: row["part"]))

    def passages(self, source: str | None = None) -> list[Passage]:
        self.manifest()
        if source is not None and source not in self._versions:
            return []
        rows = self._rows(self.collection, _is("source", source) if source else "", PASSAGE_FIELDS)
        live = [r for r in rows if self._versions.get(r["source"]) == r["version"]]
        return [Passage.from_dict(r["passage"]) for r in sorted(live, key=lambda r: (r["source"], r["position"]))]

    def search_dense(self, vector: np.ndarray, k: int) -> list[Scored]:
        data = [np.asarray(vector, np.float32).ravel().tolist()]
        return self._search("dense search", lambda: self.client.search(
            self.collection, data=data, anns_field="dense", limit=k, output_fields=PASSAGE_FIELDS,
            search_params=_dense_params(k), timeout=self.timeout))

    def search_sparse(self, query: str, k: int) -> list[Scored]:
        analyzed = self._bm25_text(query)
        if not analyzed.strip():
            return []
        return self._search("BM25 search", lambda: self.client.search(
            self.collection, data=[analyzed], anns_field="sparse", limit=k, output_fields=PASSAGE_FIELDS,
            search_params={"metric_type": "BM25"}, timeout=self.timeout))

    def search_hybrid(self, query: str, vector: np.ndarray, k: int, depth: int = 50, rrf_k: int = 60,
                      bm25_weight: float = 1.0) -> list[Scored]:
        """One request: Milvus runs both searches and fuses them by reciprocal rank (unweighted only)."""
        analyzed = self._bm25_text(query)
        if bm25_weight != 1.0 or not analyzed.strip():
            return super().search_hybrid(query, vector, k, depth, rrf_k, bm25_weight)
        from pymilvus import AnnSearchRequest, RRFRanker

        requests = [AnnSearchRequest([np.asarray(vector, np.float32).ravel().tolist()], "dense", _dense_params(depth), depth),
                    AnnSearchRequest([analyzed], "sparse", {"metric_type": "BM25"}, depth)]
        return self._search("hybrid search", lambda: self.client.hybrid_search(
            self.collection, requests, RRFRanker(rrf_k), limit=k, output_fields=PASSAGE_FIELDS, timeout=self.timeout))

    def _search(self, what: str, action: Callable[[], list[list[dict]]]) -> list[Scored]:
        self.manifest()
        if not self._versions:
            return []
        found = self._call(what, action)[0]
        live = (hit for hit in found if self._versions.get(hit["entity"]["source"]) == hit["entity"]["version"])
        return [Scored(Passage.from_dict(hit["entity"]["passage"]), float(hit["distance"])) for hit in live]


def _dense_params(k: int) -> dict:
    return {"metric_type": "IP", "params": {"ef": max(HNSW_EF_SEARCH, k)}}


def _batches(documents: list[NewDocument]) -> Iterator[list[NewDocument]]:
    batch, size = [], 0
    for doc in documents:
        batch.append(doc)
        size += len(doc.passages)
        if size >= WRITE_BATCH:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _chunks(text: str) -> list[str]:
    return [text[i:i + TEXT_CHUNK] for i in range(0, len(text), TEXT_CHUNK)] or [""]


def _literal(value: str | list[str]) -> str:
    """A Milvus string literal (its filter language reads JSON's escapes; Milvus Lite has no templates)."""
    return json.dumps(value, ensure_ascii=False)


def _is(field: str, value: str) -> str:
    return f"{field} == {_literal(value)}"


def _code(error: BaseException) -> Any:
    code = getattr(error, "code", None)
    return code() if callable(code) else code


def _deadline(error: BaseException) -> bool:
    """The server took longer than the request's deadline (it may be busy, not gone)."""
    return "deadline" in str(_code(error)).lower() or "deadline exceeded" in str(error).lower()


def _unreachable(error: BaseException) -> bool:
    """A connection failure (retry later), as opposed to Milvus refusing the request itself."""
    code, text = _code(error), str(error).lower()
    return (not hasattr(error, "message") or code in (2, 1, 503) or "unavailable" in text or "connect" in text
            or "timeout" in text or "name" in str(code).lower())


def _reason(error: BaseException) -> str:
    message = getattr(error, "message", None) or (error.details() if hasattr(error, "details") else str(error))
    return " ".join(str(message).split())[:300] or type(error).__name__

"""The public engine: a folder of articles in, cited answers out."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from embeddings import Document, DocumentError, Encoder, Index, IntakeReport, SyncReport, add_files

from . import evidence as ev
from . import verify, writer
from .answer import Answer, PassageRef, Quote, Source
from .config import Config
from .language_model import LanguageModel
from .question import clean_question
from .retrieval import Hit, retrieve

log = logging.getLogger(__name__)

NOT_IN_ARTICLES = "The articles do not say. None of the passages below answers the question; they are only the closest matches."


class QA:
    """Answers questions about one folder of articles, quoting them exactly."""

    def __init__(self, index: Index, lm: LanguageModel, config: Config = Config()):
        self._corpus = _Corpus(index)
        self.lm = lm
        self.config = config

    @property
    def index(self) -> Index:
        return self._corpus.index

    @property
    def last_sync(self) -> SyncReport | None:
        return self._corpus.last_sync

    @classmethod
    def from_folder(cls, folder: str | Path = "seeds", config: Config = Config(), progress: bool = True) -> QA:
        """Open (building or updating as needed) the folder's index and load the models."""
        encoder = Encoder(config.index.encoder, dtype=config.dtype)
        index, report = Index.open(folder, config.index_path(Path(folder)), config.index, encoder, progress)
        qa = cls(index, LanguageModel(config.generator, config.cache_dir, config.threads, config.dtype), config)
        qa._corpus.last_sync = report
        return qa

    def sync(self, progress: bool = True) -> SyncReport:
        """Bring the index up to date with the folder (new, changed and removed files)."""
        with self._corpus.lock:
            index, report = Index.open(self.index.folder, self.config.index_path(self.index.folder), self.config.index,
                                       self.index.encoder, progress)
            self._corpus.index, self._corpus.last_sync = index, report
            return report

    def add_documents(self, files: list[str | Path], max_bytes: int | None = None,
                      progress: bool = True) -> tuple[IntakeReport, SyncReport]:
        """Copy .txt/.md files into the corpus folder (checked, safely renamed) and index them."""
        limit = max_bytes or self.config.index.max_document_bytes
        with self._corpus.lock:
            intake = add_files(self.index.folder, files, limit)
            return intake, self.sync(progress)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """The engine's passage ranking (what evaluation measures): fused, with the first ``config.k``
        reordered by their sentences' query likelihood when ``config.passage_rerank`` is on."""
        question = clean_question(question, self.config.max_question_chars)
        vector = self.index.encoder.encode([question])[0]
        return self._search(question, vector, k or self.config.k, self.config.passage_rerank)[0]

    def _search(self, question: str, vector, k: int, scored: bool,
                clock: _Clock | None = None) -> tuple[list[Hit], list[ev.Evidence]]:
        """The top ``k`` passages and, when ``scored``, the sentences of the first ``config.k`` ranked."""
        cfg, clock = self.config, clock or _Clock()
        hits = retrieve(self.index, question, vector, max(k, cfg.k), cfg.retrieval, cfg.depth, cfg.rrf_k,
                        cfg.bm25_weight)
        clock.lap("retrieve")
        if not scored:
            return hits[:k], []
        head, tail = hits[:cfg.k], hits[cfg.k:]
        ranked = ev.rank(question, vector, ev.candidates(head), self.index.encoder, self.lm, cfg.rerank)
        clock.lap("rerank")
        if cfg.passage_rerank:
            head = ev.by_evidence(head, ranked)
        return (head + tail)[:k], ranked

    def evaluate(self, questions: str | Path | None = None, out: str | Path | None = None,
                 progress: bool = True) -> dict:
        """Run a question set (default: the seeds set); write report.json/.md/.png to ``out`` if given."""
        from . import evaluation

        report = evaluation.evaluate(self, evaluation.load_questions(questions or evaluation.DEFAULT_QUESTIONS),
                                     progress=progress)
        if out is not None:
            evaluation.write(report, out)
        return report

    def configured(self, lm: LanguageModel | None = None, **changes) -> QA:
        """The same corpus (index, lock, re-indexing) with other settings or another generator."""
        other = QA(self.index, lm or self.lm, self.config.with_(**changes))
        other._corpus = self._corpus
        return other

    def ask(self, question: str) -> Answer:
        result = None
        for result in self.stream(question):
            pass
        assert isinstance(result, Answer)
        return result

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Pieces of answer text as they are written, then the verified :class:`Answer`.

        The final Answer's text is authoritative: if a draft fails verification it is
        replaced by the extractive answer.
        """
        question = clean_question(question, self.config.max_question_chars)
        with self._corpus.lock:
            try:
                yield from self._answer(question)
            except _StaleIndex as stale:
                log.warning("%s; re-indexing %s and answering again", stale, self.index.folder)
                self.sync(progress=False)
                yield from self._answer(question)

    def _answer(self, question: str) -> Iterator[str | Answer]:
        cfg, clock = self.config, _Clock()
        vector = self.index.encoder.encode([question])[0]
        hits, ranked = self._search(question, vector, cfg.k, True, clock)
        passages = tuple(PassageRef(h.passage.source, h.passage.start, h.passage.end, h.score, h.passage.text) for h in hits)
        documents = self._read(dict.fromkeys(h.passage.source for h in hits))
        chosen = self._choose(question, ranked, documents)
        if not chosen:
            yield NOT_IN_ARTICLES
            yield Answer(question, NOT_IN_ARTICLES, False, passages=passages, timings_ms=clock.total())
            return
        text = yield from self._write(question, chosen, clock)
        answer = self._assemble(question, text, chosen, passages, documents, clock)
        if answer is None:
            answer = Answer(question, NOT_IN_ARTICLES, False, passages=passages, timings_ms=clock.total())
        yield answer

    def _read(self, sources) -> dict[str, Document]:
        """The retrieved documents as they are on disk now, read once per question."""
        try:
            return {source: self.index.document(source) for source in sources}
        except DocumentError as error:
            raise _StaleIndex(str(error)) from None

    def _choose(self, question: str, ranked: list[ev.Evidence],
                documents: dict[str, Document]) -> list[tuple[ev.Evidence, int]]:
        """The best sentence, and a second from another article when it explains the question nearly as well."""
        cfg = self.config
        if not ranked or ranked[0].pmi < cfg.min_pmi or ranked[0].similarity < cfg.min_similarity:
            return []
        if cfg.require_names and ev.unmatched_names(question, [d.text for d in documents.values()]):
            return []
        best = ranked[0]
        chosen = [(best, 1)]
        for other in ranked[1:cfg.rerank]:
            if other.source != best.source and other.pmi >= max(cfg.min_pmi, best.pmi - cfg.second_source_margin):
                chosen.append((other, 2))
                break
        return chosen

    def _write(self, question: str, chosen, clock: _Clock) -> Iterator[str]:
        cfg = self.config
        if cfg.writer == "generate":
            draft = ""
            for piece in writer.generated(question, chosen, self.lm, cfg.max_new_tokens):
                draft += piece
                yield piece
            clock.lap("generate")
            draft = " ".join(draft.split())
            quotes = [Quote(n, e.text, e.source, e.span.start, e.span.end) for e, n in chosen]
            sources = [Source(n, e.source) for e, n in chosen]
            problems = verify.marker_problems(draft, sources) + verify.unsupported_terms(draft, quotes)
            if draft and verify.MARKER.search(draft) and not problems:
                return draft
            log.info("draft answer replaced by extractive answer: %s", problems or "no citation")
        text = writer.extractive(question, chosen, self.lm, cfg.shorten_tolerance)
        clock.lap("extract")
        yield text
        return text

    def _assemble(self, question, text, chosen, passages, documents: dict[str, Document], clock) -> Answer | None:
        def document(source: str) -> Document:
            if source not in documents:
                raise DocumentError(f"{source}: not among the retrieved documents")
            return documents[source]

        quotes = tuple(Quote(n, e.text, e.source, e.span.start, e.span.end) for e, n in chosen)
        sources = tuple(self._source(e.source, n) for e, n in chosen)
        problems = (verify.quote_problems(quotes, document) + verify.marker_problems(text, sources)
                    + verify.retrieval_problems(quotes, {p.source for p in passages}))
        clock.lap("verify")
        if problems:
            log.warning("answer withheld: %s", "; ".join(problems))
            return None
        return Answer(question, text, True, quotes, sources, passages, clock.total())

    def _source(self, source: str, citation: int) -> Source:
        meta = self.index.documents[source].meta
        return Source(citation, source, meta.title, meta.author, meta.publisher, meta.date)


class _Corpus:
    """What every view of one corpus shares: the current index, its last sync, and one lock."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.last_sync: SyncReport | None = None
        self.lock = threading.RLock()


class _StaleIndex(RuntimeError):
    """A cited document changed or vanished since indexing."""


class _Clock:
    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + (now - self.mark) * 1000
        self.mark = now

    def total(self) -> dict[str, float]:
        return {**self.laps, "total": (time.perf_counter() - self.start) * 1000}


__all__ = ["QA", "Hit", "NOT_IN_ARTICLES"]

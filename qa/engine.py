"""The public engine: a folder of articles in, cited answers out."""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from embeddings import Document, DocumentError, Encoder, Index, IntakeReport, SyncReport, add_files, pages_between
from embeddings.formats.pdf import PageImage
from embeddings.stores import store_uri

from . import choose, cite, steps, verify, writer
from .confidence import corpus as calibration
from .batching import BatchedModels
from .generators import EXTRACTIVE, Generators
from .answer import Answer, PassageRef, Quote, ShortAnswer, Source, Step, in_words
from .confidence import Calibrator, features
from .config import DEFAULT_ANSWERABLE_SHARE, Config
from .language_model import LanguageModel
from .question import clean_question
from .reader import Reader, Span
from .reading import read_in_rounds
from .retrieval import Hit, retrieve

log = logging.getLogger(__name__)

NOT_IN_ARTICLES = "The articles do not say. None of the passages below answers the question; they are only the closest matches."


class QA:
    """Answers questions about one folder of articles, quoting them exactly.

    Stages: retrieve (``retrieval``) → read the k passages (``reader``; the first alone, the rest only
    when its answer is not sure: ``reading``) → choose the answering
    spans or decline (``choose``) → cite them (``cite``, ``writer``) → verify (``verify``).

    Safe to call from many threads at once: each question answers from the index as it was when
    the question arrived (re-indexing builds a new one and swaps it in), and the encoder and reader
    passes of concurrent questions run batched (``batching``)."""

    def __init__(self, index: Index, reader: Reader, config: Config = Config(), lm: LanguageModel | None = None):
        self._corpus = _Corpus(index, reader, config)
        self.reader = reader
        self.config = config
        self._lm = lm
        fitted = reader.settings.get("confidence")
        self.calibrator = Calibrator.from_dict(fitted, f"{config.reader}/reader.json") if fitted else None
        self.corpus_calibration = self._corpus_calibration()
        self._check_min_confidence()
        _ = self.stop_score  # a broken reader.json is refused now, not at the first question

    def _check_min_confidence(self) -> None:
        if self.config.min_confidence is not None and self.calibrator is None:
            raise ValueError(f"Config.min_confidence needs a reader whose reader.json has a confidence model; "
                             f"{self.config.reader} has none (calibrate it: citeqa train-reader --calibrate-only "
                             f"--out {self.config.reader})")

    def _corpus_calibration(self) -> calibration.CorpusCalibration | None:
        """The corpus' own calibration (``citeqa calibrate``) when it fits this reader's confidence model."""
        if self.calibrator is None:
            return None
        made, problem = calibration.load(self.calibration_folder, calibration.stamp(self.calibrator.to_dict()))
        if problem:
            log.warning("%s", problem)
        return made

    @property
    def calibration_folder(self) -> Path:
        """Where ``citeqa calibrate`` keeps this corpus' calibration: beside its index."""
        return self.config.index_path(Path(self.index.folder))

    def calibrate(self, questions: str | Path, progress: bool = True) -> calibration.CorpusCalibration:
        """Fit the confidence to this corpus from a labelled question set (the evaluation format), keep
        it beside the index and answer with it from now on; see ``qa.confidence.corpus``."""
        if self.calibrator is None:
            raise ValueError(f"{self.config.reader}/reader.json has no confidence model to calibrate "
                             f"(fit one: citeqa train-reader --calibrate-only --out {self.config.reader})")
        from .evaluation import load_questions
        from .confidence.evidence import read_rows, row_features
        from . import reliability

        rows = []
        for row in read_rows(self, [(q.question, list(q.answers)) for q in load_questions(questions)],
                             "reading your questions", progress):
            values, text = row_features(row, self.stop_score)
            rows.append({"features": values, "text": text, "golds": row["golds"],
                         "right": reliability.right(text, row["golds"])})
        made = calibration.fit(rows, calibration.stamp(self.calibrator.to_dict()), Path(questions).name,
                               self.calibrator.probability)
        calibration.write(made, self.calibration_folder)
        self.corpus_calibration = made
        return made

    @property
    def answerable_share(self) -> float:
        """The share of questions the documents are taken to answer (``Config.answerable_share``)."""
        if self.config.answerable_share is not None:
            return self.config.answerable_share
        if self.corpus_calibration is not None:
            return self.corpus_calibration.answerable_share
        return DEFAULT_ANSWERABLE_SHARE

    @property
    def index(self) -> Index:
        return self._corpus.index

    @property
    def last_sync(self) -> SyncReport | None:
        return self._corpus.last_sync

    @property
    def lm(self) -> LanguageModel:
        """The generator, loaded on first use: only ``writer="generate"`` needs it."""
        if self._lm is None:
            cfg = self.config
            self._lm = LanguageModel(cfg.generator, cfg.cache_dir, cfg.threads, cfg.dtype)
        return self._lm

    @property
    def threshold(self) -> float:
        """The reader score below which the question is declined."""
        return self.reader.threshold if self.config.reader_threshold is None else self.config.reader_threshold

    @property
    def stop_score(self) -> float | None:
        """The reader score at which reading stops after the first passage; None: every passage is read."""
        score = self.config.stop_score if self.config.stop_score is not None else self.reader.settings.get("stop_score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or score != score):
            raise ValueError(f"{self.config.reader}/reader.json: stop_score must be a number or null, not {score!r}; "
                             f"choose it again with python -m qa.training.early_stop --reader {self.config.reader}")
        return None if score is None or score == float("inf") else float(score)

    @property
    def min_confidence(self) -> float | None:
        """The confidence an answer needs (None: the reader has no confidence model; its threshold decides)."""
        if self.calibrator is None:
            return None
        if self.config.min_confidence is not None:
            return self.config.min_confidence
        own = self.corpus_calibration
        return own.min_confidence if own is not None else self.calibrator.min_confidence

    def confidence(self, hits: list[Hit], spans: list[Span], question: str = "", shipped: bool = False,
                   vector: np.ndarray | None = None) -> float | None:
        """The probability that the best of ``spans`` (the reader's, one per passage of ``hits``) is
        right, at ``answerable_share``; ``shipped``: as before ``citeqa calibrate`` (the configured or
        default share, not the corpus' own recalibration); ``vector``: the question's, if encoded already."""
        if self.calibrator is None:
            return None
        similarity = self._similarity(question, vector) if "similarity" in self.calibrator.features else None
        values = features(hits, spans, question, similarity)
        if shipped:
            return self.calibrator.probability(values, self.config.answerable_share or DEFAULT_ANSWERABLE_SHARE)
        probability = self.calibrator.probability(values, self.answerable_share)
        return probability if self.corpus_calibration is None else self.corpus_calibration.adjust(probability)

    def _similarity(self, question: str, vector: np.ndarray | None):
        """The encoder's cosine between the question and a text (one more encoder pass, for the text)."""
        asked = self._corpus.models.encode(question) if vector is None else vector
        return lambda text: float(self._corpus.models.encode(text) @ asked)

    @classmethod
    def from_folder(cls, folder: str | Path = "seeds", config: Config = Config(), progress: bool = True) -> QA:
        """Open (building or updating as needed) the folder's index and load the models."""
        encoder = Encoder(config.index.encoder, dtype=config.dtype)
        index, report = Index.open(folder, config.index_path(Path(folder)), config.index, encoder, progress,
                                   store_uri(config.store))
        qa = cls(index, Reader(config.reader, config.dtype), config)
        qa._corpus.last_sync = report
        return qa

    def sync(self, progress: bool = True) -> SyncReport:
        """Bring the index up to date with the folder (new, changed and removed files). Questions
        meanwhile are answered from the index as it was; the new one serves the questions after."""
        with self._corpus.lock:
            current = self.index
            index, report = Index.open(current.folder, self.config.index_path(current.folder), self.config.index,
                                       current.encoder, progress, current.store.reopened(), current.renderer)
            self._corpus.index, self._corpus.last_sync = index, report
            return report

    def add_documents(self, files: list[str | Path], max_bytes: int | None = None,
                      progress: bool = True) -> tuple[IntakeReport, SyncReport]:
        """Copy documents (any type ``embeddings.formats`` reads) into the corpus folder (checked, safely renamed) and index them."""
        limit = max_bytes or self.config.index.max_document_bytes
        with self._corpus.lock:
            intake = add_files(self.index.folder, files, limit, self.config.index.ocr, self.config.index.reading)
            return intake, self.sync(progress)

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]:
        """The engine's passage ranking (what evaluation measures): fused, with the first ``config.k``
        reordered by the reader's best span in each when ``config.passage_rerank`` is on."""
        question = clean_question(question, self.config.max_question_chars)
        return self._search(self.index, question, k or self.config.k, read=self.config.passage_rerank)[0]

    def read(self, question: str) -> tuple[list[Hit], list[Span]]:
        """The first ``config.k`` passages for the question, in the fused order, and the reader's best span
        in each it read (all of them, or the first alone when it was sure: ``reading``): what the answer
        is chosen from (calibration reads every passage and fits the threshold and the confidence on it)."""
        question = clean_question(question, self.config.max_question_chars)
        _, head, spans, _ = self._search(self.index, question, self.config.k)
        return head, spans

    def _search(self, index: Index, question: str, k: int, read: bool = True, clock: _Clock | None = None,
                reading: str | None = None) -> tuple[list[Hit], list[Hit], list[Span], np.ndarray]:
        """The top ``k`` passages in the engine's order, the first ``config.k`` as fused, their spans,
        and the question's vector; ``reading``: the question the reader reads, when retrieval searches
        with another text (the second hop)."""
        cfg, clock = self.config, clock or _Clock()
        vector = self._corpus.models.encode(question)
        hits = retrieve(index, question, vector, max(k, cfg.k), cfg.retrieval, cfg.depth, cfg.rrf_k,
                        cfg.bm25_weight)
        clock.lap("retrieve")
        head, tail = hits[:cfg.k], hits[cfg.k:]
        if not read:
            return hits[:k], head, [], vector
        spans = read_in_rounds(self._corpus.models.read, reading or question, [h.passage.text for h in head],
                               self.stop_score)
        clock.lap("read")
        ranking = choose.by_reading(head, spans, self.threshold) if cfg.passage_rerank else head
        return (ranking + tail)[:k], head, spans, vector

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
        """The same corpus (index, lock, re-indexing) and reader with other settings or another generator."""
        other = object.__new__(QA)  # not __init__: a view shares the corpus, its batchers and generators
        other._corpus, other.reader, other.calibrator = self._corpus, self.reader, self.calibrator
        other.corpus_calibration = self.corpus_calibration
        other.config, other._lm = self.config.with_(**changes), lm or self._lm
        other._check_min_confidence()
        return other

    @property
    def writers(self) -> list[str]:
        """The answer writers :meth:`with_writer` accepts: ``extractive`` and the allowed generators."""
        return self._corpus.generators.labels

    def with_writer(self, writer: str, **changes) -> QA:
        """A view that answers with the named writer; one outside ``config.generators`` is refused
        (``generators.WriterRefused``) and never loaded."""
        if writer == EXTRACTIVE:
            return self.configured(writer="extract", **changes)
        name, lm = self._corpus.generators.get(writer)
        return self.configured(lm=lm, writer="generate", generator=name, **changes)

    def page_images(self, source: str, start: int, end: int, short: tuple[int, int] | None = None,
                    width_px: int = 900) -> list[PageImage]:
        """Each page that characters ``start``–``end`` of a PDF stand on, rendered, with those characters
        marked (and ``short``, the short answer's span, marked darker). ``DocumentError`` if the file changed."""
        marks = {"quote": (start, end), **({"short": short} if short else {})}
        pages = pages_between(self.index.documents[source].pages, start, end) if source in self.index.documents else ()
        return [self.index.page_image(source, page, marks, width_px) for page in pages]

    def ask(self, question: str) -> Answer:
        return self._final(self.stream(question))

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Pieces of answer text as they are known (the short answer first), then the verified :class:`Answer`.

        The final Answer's text is authoritative: if a draft fails verification it is
        replaced by the extractive answer.
        """
        question = clean_question(question, self.config.max_question_chars)
        try:
            yield from self._answer(self.index, question)
        except _StaleIndex as stale:
            log.warning("%s; re-indexing %s and answering again", stale, self.index.folder)
            self.sync(progress=False)
            yield from self._answer(self.index, question)

    def _answer(self, index: Index, question: str) -> Iterator[str | Answer]:
        """A composed answer when the question's plan has sub-questions (``steps``), else one span."""
        planned = steps.plan(question) if self.config.compose else steps.Plan()
        if planned.composed:
            answer = self._composed(index, question, planned)
            yield answer.answer
            yield answer
            return
        yield from self._one(index, question, planned.kind)

    def _one(self, index: Index, question: str, kind: str = "span", write: bool = True) -> Iterator[str | Answer]:
        """Retrieve, read, choose, cite, verify one span; a second hop when the first read is not sure."""
        cfg, clock = self.config, _Clock()
        hits, head, spans, vector = self._search(index, question, cfg.k, clock=clock)
        passages = _refs(hits)
        confidence = self.confidence(head, spans, question, vector=vector)
        sure = None if confidence is None else confidence >= self.min_confidence
        chosen = choose.choose(head, spans, self.threshold, cfg.max_sources, sure)
        clock.lap("choose")
        first = None
        if not chosen and sure is False and cfg.hops > 1 and spans:
            hopped = self._hop(index, question, head, spans, clock)
            if hopped is not None:
                first = (choose.best(head, spans), confidence)
                hits, head, spans, confidence = hopped
                seen = {(p.source, p.start) for p in passages}
                passages += tuple(r for r in _refs(hits) if (r.source, r.start) not in seen)
                chosen = choose.choose(head, spans, self.threshold, cfg.max_sources, True)
        if not chosen:
            yield NOT_IN_ARTICLES
            yield Answer(question, NOT_IN_ARTICLES, False, passages=passages, timings_ms=clock.total(),
                         confidence=confidence, passages_read=len(spans), kind=kind)
            return
        kind, short, quotes, text, made = self._cited(index, question, kind, chosen, first, confidence)
        yield cite.lead(short, [q.citation for q in quotes])
        if write and not made:
            text = yield from self._write(question, quotes, text, clock)
        else:
            clock.lap("cite")
        answer = self._assemble(index, question, text, short, quotes, passages, clock, confidence, made)
        if answer is None:
            answer = Answer(question, NOT_IN_ARTICLES, False, passages=passages, timings_ms=clock.total(),
                            confidence=confidence)
        yield dataclasses.replace(answer, passages_read=len(spans), kind=kind if answer.answerable else "span")

    @staticmethod
    def _cited(index: Index, question: str, kind: str, chosen: list[choose.Choice], first, confidence: float | None):
        """The kind, short answer, quotes, extractive text and steps of one span: a bridge when a second hop
        found it in another sentence than the first read's, a reason's clause, else the span as cited."""
        pages = lambda source: index.documents[source].pages  # noqa: E731
        short, quotes, text = cite.compose(chosen, pages)
        bridged = steps.bridge(question, first, (chosen[0], confidence), pages) if first else None
        if bridged is not None:
            return ("bridge", *bridged)
        if kind == "reason":
            short = steps.clause(short, quotes[0])
            return kind, short, quotes, cite.text(short, quotes), ()
        return kind, short, quotes, text, ()

    def _hop(self, index: Index, question: str, head: list[Hit], spans: list[Span], clock: _Clock):
        """The second hop: retrieve with the question and the first read's best sentence, read the new
        passages with the question; their hits, spans and confidence when it clears the answering point."""
        best = choose.best(head, spans)
        title = self._title(index, best.hit.passage.source)
        asked = steps.hop_query(question, best.hit, best.span, self.config.hop_with, title)
        hits, head, spans, _ = self._search(index, asked, self.config.k, clock=clock, reading=question)
        confidence = self.confidence(head, spans, question)
        clock.lap("hop")
        if confidence is None or confidence < self.min_confidence or not spans:
            return None
        return hits, head, spans, confidence

    def _composed(self, index: Index, question: str, plan: steps.Plan) -> Answer:
        """A comparison or yes/no answered by its sub-questions, each one span (``steps.compose``)."""
        clock = _Clock()
        answers = [self._final(self._one(index, sub, write=False)) for sub in plan.sub_questions]
        clock.lap("steps")
        outcome = steps.compose(plan, answers, lambda source: self._title(index, source))
        passages = tuple(dict.fromkeys(p for a in answers for p in a.passages))
        read = sum(a.passages_read for a in answers)
        unsure = outcome.short is not None and outcome.confidence is not None and outcome.confidence < self.min_confidence
        if unsure:
            outcome = dataclasses.replace(outcome, short=None, problem=f"together its steps are {in_words(outcome.confidence)}")
        if outcome.short is None:  # its confidence is shown only when that was the reason
            return Answer(question, f"{NOT_IN_ARTICLES} ({outcome.problem}.)", False, passages=passages,
                          timings_ms=clock.total(), confidence=outcome.confidence if unsure else None,
                          passages_read=read, kind=plan.kind)
        answer = self._assemble(index, question, outcome.text, outcome.short, outcome.quotes, passages, clock,
                                outcome.confidence, outcome.steps, plan.subjects)
        if answer is None:
            return Answer(question, NOT_IN_ARTICLES, False, passages=passages, timings_ms=clock.total(),
                          confidence=outcome.confidence, passages_read=read, kind=plan.kind)
        return dataclasses.replace(answer, passages_read=read, kind=plan.kind)

    @staticmethod
    def _title(index: Index, source: str) -> str:
        """The document's title, else its first line (a heading, as a rule): what its "he" and "it" name."""
        if source not in index.documents:
            return ""
        if index.documents[source].meta.title:
            return index.documents[source].meta.title
        first = index.passages_of(source)[:1]
        return next((line.strip()[:120] for line in first[0].text.splitlines() if line.strip()), "") if first else ""

    @staticmethod
    def _final(pieces: Iterator[str | Answer]) -> Answer:
        result = None
        for result in pieces:
            pass
        assert isinstance(result, Answer)
        return result

    @staticmethod
    def _read(index: Index, sources) -> dict[str, Document]:
        """The cited documents as they are on disk now, read once per question."""
        try:
            return {source: index.document(source) for source in sources}
        except DocumentError as error:
            raise _StaleIndex(str(error)) from None

    def _write(self, question: str, quotes: tuple[Quote, ...], extractive: str, clock: _Clock) -> Iterator[str]:
        """The extractive text, or with ``writer="generate"`` a streamed draft that passes the checks."""
        if self.config.writer != "generate":
            clock.lap("cite")
            return extractive
        draft = ""
        for piece in writer.generated(question, quotes, self.lm, self.config.max_new_tokens):
            draft += piece
            yield piece
        clock.lap("generate")
        draft = " ".join(draft.split())
        problems = writer.draft_problems(draft, quotes)
        if not problems:
            return draft
        log.info("draft answer replaced by extractive answer: %s", "; ".join(problems))
        return extractive

    def _assemble(self, index: Index, question: str, text: str, short: ShortAnswer, quotes: tuple[Quote, ...],
                  passages: tuple[PassageRef, ...], clock: _Clock, confidence: float | None,
                  made: tuple[Step, ...] = (), subjects: tuple[str, ...] = ()) -> Answer | None:
        documents = self._read(index, dict.fromkeys(q.source for q in quotes))
        sources = tuple(self._source(index, q.source, q.citation) for q in quotes)
        problems = verify.answer_problems(text, short, quotes, sources, documents.__getitem__,
                                          {p.source for p in passages}, made, subjects)
        clock.lap("verify")
        if problems:
            log.warning("answer withheld: %s", "; ".join(problems))
            return None
        return Answer(question, text, True, quotes, sources, passages, clock.total(), short, confidence, steps=made)

    @staticmethod
    def _source(index: Index, source: str, citation: int) -> Source:
        meta = index.documents[source].meta
        return Source(citation, source, meta.title, meta.author, meta.publisher, meta.date)


class _Corpus:
    """What every view of one corpus shares: the current index, its last sync, the lock that keeps
    two re-indexings apart, and the batched models."""

    def __init__(self, index: Index, reader: Reader, config: Config) -> None:
        self._index = index
        self.last_sync: SyncReport | None = None
        self.lock = threading.RLock()
        window = config.batch_window_ms / 1000
        self.models = BatchedModels(lambda questions: self.index.encoder.encode_each(questions), reader.read_many,
                                    window, config.max_batch)
        self.generators = Generators(config.generators, lambda name: LanguageModel(
            name, config.cache_dir, config.threads, config.dtype))


    @property
    def index(self) -> Index:
        """The index questions are answered from now: with a shared store, including what other
        indexers committed since (re-read every few seconds)."""
        current = self._index.current()
        if current is not self._index:
            self._index = current
        return current

    @index.setter
    def index(self, index: Index) -> None:
        self._index = index


class _StaleIndex(RuntimeError):
    """A cited document changed or vanished since indexing."""


def _refs(hits: list[Hit]) -> tuple[PassageRef, ...]:
    return tuple(PassageRef(h.passage.source, h.passage.start, h.passage.end, h.score, h.passage.text) for h in hits)


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

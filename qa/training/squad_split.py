"""The fixed split of the SQuAD data, and reader windows cut from it.

TRAIN: the whole rebuilt SQuAD 2.0 training set (442 articles, none shared with the dev files).
TEST: sort the 35 SQuAD 2.0 dev titles, take every 4th from index 3 (8 articles), plus the 13 SQuAD
1.1 dev articles that are not in SQuAD 2.0. TUNE: the other 27 dev articles, never trained on; recipe
choices, the threshold and the confidence calibration are made there. Nothing here reads a TEST
article's answers except the evaluation, which asks for ``"test"`` explicitly.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from embeddings import Document, Span, SplitSettings, split_document
from embeddings.splitting import sentence_spans

from . import occurrence

SPLITS = ("train", "tune", "test")
DEFAULT_DATA = Path("../shared/bench/squad")
V1, V2, TRAIN = "dev-v1.1.json", "dev-v2.0.from-explorer.json", "train-v2.0.rebuilt.json"
WINDOWS = ("passage", "sentence")
"""``passage``: every engine passage (4 sentences) holding the answer; ``sentence``: the answer's
sentence with one neighbour on each side (shorter, so faster to train on)."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    """Gold answer texts; empty for a question the paragraph cannot answer."""
    answer_start: int | None
    """Character offset of the first gold answer in the paragraph (None when unanswerable)."""
    starts: tuple[int, ...] = ()
    """Offset of every gold answer, in the order of ``answers`` (SQuAD 1.1 has up to five annotators')."""


@dataclass(frozen=True)
class Paragraph:
    title: str
    index: int
    context: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Window:
    """One reader input: a question and a passage; ``start``/``end`` are the answer's characters
    inside the passage, or None for "no answer"."""

    question: str
    passage: str
    start: int | None
    end: int | None


def article_split(data: Path = DEFAULT_DATA) -> dict[str, list[str]]:
    """TUNE and TEST titles of the dev files (TRAIN is another file: :func:`paragraphs`)."""
    v2 = sorted(a["title"] for a in _load(data / V2))
    v1 = sorted(a["title"] for a in _load(data / V1))
    test = set(v2[3::4]) | (set(v1) - set(v2))
    return {"tune": [t for t in v2 if t not in test], "test": sorted(test)}


def paragraphs(split: str, data: Path = DEFAULT_DATA) -> list[Paragraph]:
    """Paragraphs of one split with every question. TRAIN: the training file, each answer placed by
    :mod:`occurrence` (the file has texts only). TUNE and TEST: SQuAD 1.1 answers (with offsets) for the
    answerable ones, SQuAD 2.0's unanswerable ones besides. A 1.1-only TEST article has no unanswerable ones."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    if split == "train":
        return _train_paragraphs(data / TRAIN)
    titles = set(article_split(data)[split])
    impossible: dict[str, list[Question]] = {}
    for article in _load(data / V2):
        if article["title"] in titles:
            for p in article["paragraphs"]:
                impossible[p["context"]] = [Question(q["id"], q["question"], (), None)
                                            for q in p["qas"] if not q["answers"]]
    out = []
    for article in _load(data / V1):
        if article["title"] not in titles:
            continue
        for i, p in enumerate(article["paragraphs"]):
            answerable = [Question(q["id"], q["question"], tuple(a["text"] for a in q["answers"]),
                                   q["answers"][0]["answer_start"], tuple(a["answer_start"] for a in q["answers"]))
                          for q in p["qas"]]
            out.append(Paragraph(article["title"], i, p["context"], tuple(answerable + impossible.get(p["context"], []))))
    return out


def _train_paragraphs(path: Path) -> list[Paragraph]:
    out = []
    for article in _load(path):
        for i, p in enumerate(article["paragraphs"]):
            questions = []
            for q in p["qas"]:
                texts = tuple(a["text"] for a in q["answers"])
                starts = tuple(occurrence.choose(p["context"], t, q["question"]) for t in texts)
                if None in starts:
                    raise ValueError(f"{path}: question {q['id']}: an answer is not in its paragraph")
                questions.append(Question(q["id"], q["question"], texts, starts[0] if starts else None, starts))
            out.append(Paragraph(article["title"], i, p["context"], tuple(questions)))
    return out


def _sentence_windows(context: str) -> list[Span]:
    """Every run of three consecutive sentences (the whole paragraph when it has fewer)."""
    sentences = sentence_spans(context, Span(0, len(context)))
    if len(sentences) <= 3:
        return [Span(sentences[0].start, sentences[-1].end)] if sentences else []
    return [Span(sentences[i].start, sentences[i + 2].end) for i in range(len(sentences) - 2)]


def _around(context: str, start: int, end: int) -> list[Span]:
    """The answer's sentence(s) with one neighbour each side."""
    sentences = sentence_spans(context, Span(0, len(context)))
    first = next((i for i, s in enumerate(sentences) if s.end > start), len(sentences) - 1)
    last = next((i for i, s in enumerate(sentences) if s.end >= end), len(sentences) - 1)
    a, b = max(0, first - 1), min(len(sentences) - 1, last + 1)
    return [Span(sentences[a].start, sentences[b].end)]


def windows(paras: list[Paragraph], seed: int, negatives: float = 0.5,
            settings: SplitSettings = SplitSettings(), any_answer: bool = False, window: str = "passage",
            hard: dict[str, list[str]] | None = None) -> list[Window]:
    """Windows holding a question's answer, plus no-answer windows: the passage the engine's retrieval
    ranked highest without the answer for each question in ``hard`` (see :mod:`hard_negatives`), a
    random other window of the paragraph for ``negatives`` of the other answerable questions, and one
    for each unanswerable question.

    ``any_answer``: the answer is one of the question's gold answers drawn at random (the annotators
    disagree on boundaries: "the 1970s" and "1970s"), not always the first. ``window``: see ``WINDOWS``."""
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {WINDOWS}, not {window!r}")
    rng, out, hard = random.Random(seed), [], hard or {}
    for para in paras:
        if window == "passage":
            passages = split_document(Document(f"{para.title}_{para.index}", para.context, ""), settings)
        else:
            passages = [_Cut(s.start, s.end, para.context[s.start:s.end]) for s in _sentence_windows(para.context)]
        if not passages:
            continue
        for q in para.questions:
            if q.answer_start is None:
                p = rng.choice(passages)
                out.append(Window(q.question, p.text, None, None))
                continue
            pick = rng.randrange(len(q.starts)) if any_answer and q.starts else 0
            a_start = q.starts[pick] if q.starts else q.answer_start
            a_end = a_start + len(q.answers[pick])
            if window == "passage":
                holding = [p for p in passages if p.start <= a_start and a_end <= p.end]
            else:
                holding = [_Cut(s.start, s.end, para.context[s.start:s.end]) for s in _around(para.context, a_start, a_end)]
            out += [Window(q.question, p.text, a_start - p.start, a_end - p.start) for p in holding]
            others = [p for p in passages if not (p.start <= a_start and a_end <= p.end)]
            if q.id in hard:
                out.append(Window(q.question, hard[q.id][0], None, None))
            elif others and rng.random() < negatives:
                out.append(Window(q.question, rng.choice(others).text, None, None))
    rng.shuffle(out)
    return out


@dataclass(frozen=True)
class _Cut:
    start: int
    end: int
    text: str


@lru_cache(maxsize=4)
def _load(path: Path) -> list[dict]:
    """The file's articles, parsed once per process (callers only read them)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: SQuAD file not found; give the folder holding {V1}, {V2} and {TRAIN} with --data")
    return json.loads(path.read_text(encoding="utf-8"))["data"]

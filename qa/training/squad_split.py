"""The fixed, by-article split of the SQuAD dev files, and reader windows cut as the engine cuts passages.

TEST: sort the 35 SQuAD 2.0 titles, take every 4th from index 3 (8 articles), plus the 13 SQuAD 1.1
articles that are not in SQuAD 2.0. TRAIN: the other 27. TUNE: 3 of those 27 (every 9th of the sorted
TRAIN titles), never trained on; thresholds are chosen there. Nothing here reads a TEST article's
answers except the evaluation, which asks for ``"test"`` explicitly.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from embeddings import Document, SplitSettings, split_document

SPLITS = ("train", "tune", "test")
DEFAULT_DATA = Path("../shared/bench/squad")
V1, V2 = "dev-v1.1.json", "dev-v2.0.from-explorer.json"


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
    v2 = sorted(a["title"] for a in _load(data / V2))
    v1 = sorted(a["title"] for a in _load(data / V1))
    test = set(v2[3::4]) | (set(v1) - set(v2))
    train_all = [t for t in v2 if t not in test]
    tune = set(train_all[::9])
    return {"train": [t for t in train_all if t not in tune], "tune": sorted(tune), "test": sorted(test)}


def paragraphs(split: str, data: Path = DEFAULT_DATA) -> list[Paragraph]:
    """Paragraphs of one split's articles with every question: SQuAD 1.1 answers (with offsets) for the
    answerable ones, SQuAD 2.0's unanswerable ones besides. A 1.1-only TEST article has no unanswerable ones."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
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


def windows(paras: list[Paragraph], seed: int, negatives: float = 0.5,
            settings: SplitSettings = SplitSettings(), any_answer: bool = False) -> list[Window]:
    """Every passage holding a question's answer, plus no-answer passages: one of the paragraph's other
    passages for ``negatives`` of the answerable questions, one passage for each unanswerable one.

    ``any_answer``: the answer is one of the question's gold answers drawn at random (the annotators
    disagree on boundaries: "the 1970s" and "1970s"), not always the first."""
    rng, out = random.Random(seed), []
    for para in paras:
        passages = split_document(Document(f"{para.title}_{para.index}", para.context, ""), settings)
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
            holding = [p for p in passages if p.start <= a_start and a_end <= p.end]
            out += [Window(q.question, p.text, a_start - p.start, a_end - p.start) for p in holding]
            others = [p for p in passages if p not in holding]
            if others and rng.random() < negatives:
                out.append(Window(q.question, rng.choice(others).text, None, None))
    rng.shuffle(out)
    return out


@lru_cache(maxsize=4)
def _load(path: Path) -> list[dict]:
    """The file's articles, parsed once per process (callers only read them)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: SQuAD file not found; give the folder holding {V1} and {V2} with --data")
    return json.loads(path.read_text(encoding="utf-8"))["data"]

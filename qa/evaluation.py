"""Evaluating the engine on a fixed question set: retrieval, answers, quotes, citations,
refusals and latency, written as report.json, report.md and a chart."""
from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm.auto import tqdm

from . import metrics, reliability
from .answer import Answer
from .retrieval import Hit
from .verify import MARKER


class QA(Protocol):
    """What evaluation needs of the engine (``qa.QA`` is one)."""

    index: Any
    config: Any
    threshold: float

    def retrieve(self, question: str, k: int | None = None) -> list[Hit]: ...

    def ask(self, question: str) -> Answer: ...

    def read(self, question: str) -> tuple[list[Hit], list]: ...

    @property
    def min_confidence(self) -> float | None: ...

DEFAULT_QUESTIONS = Path(__file__).parent / "eval_sets" / "seeds.jsonl"
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    kind: str = "factoid"
    pages: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """For paged documents (PDF): the pages of each gold source on which the answer stands."""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvalQuestion:
        for name in ("id", "question"):
            if not isinstance(data.get(name), str) or not data[name].strip():
                raise ValueError(f"field {name!r} must be a non-empty string")
        lists = {}
        for name in ("answers", "sources", "evidence"):
            value = data.get(name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"field {name!r} must be a list of strings")
            lists[name] = tuple(value)
        if lists["answers"] and not lists["sources"]:
            raise ValueError("an answerable question needs its gold article(s) in 'sources'")
        pages = data.get("pages", {})
        if not isinstance(pages, dict) or not all(
                source in lists["sources"] and isinstance(numbers, list) and all(isinstance(n, int) and n >= 1 for n in numbers)
                for source, numbers in pages.items()):
            raise ValueError("field 'pages' must map gold sources to lists of page numbers (from 1)")
        return cls(data["id"], data["question"], kind=data.get("kind", "factoid"),
                   pages={k: tuple(v) for k, v in pages.items()}, **lists)


def load_questions(path: Path | str) -> list[EvalQuestion]:
    path, questions = Path(path), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the question set ({error})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.from_dict(json.loads(line)))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{path}:{number}: {error}") from None
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


@dataclass
class Outcome:
    """One question's result, with what counts for each metric."""

    question: EvalQuestion
    answer: Answer
    passage_relevant: list[bool]
    article_ranking: list[bool]
    quotes_exact: list[bool] = field(default_factory=list)
    evidence_quoted: float = 0.0
    short_exact: bool | None = None
    best_right: bool = False
    """Whether the reader's best span, answered or not, is right (``reliability.right``)."""
    steps_exact: list[bool] = field(default_factory=list)
    """For each step of a composed answer: its quote and its short answer are exact spans."""

    @property
    def declined(self) -> bool:
        return not self.answer.answerable

    @property
    def text(self) -> str:
        return " ".join(MARKER.sub(" ", self.answer.answer).split())

    @property
    def short(self) -> str:
        short = self.answer.short_answer
        return short.text if short and self.answer.answerable else ""

    @property
    def cited(self) -> set[str]:
        return {s.source for s in self.answer.sources}

    @property
    def page_right(self) -> bool:
        """A quote from a gold source stands on one of its gold pages (declined: not right)."""
        gold = self.question.pages
        return any(set(q.pages) & set(gold[q.source]) for q in self.answer.quotes if q.source in gold)


def _overlaps_evidence(source: str, start: int, end: int, spans: list[tuple[str, int, int]]) -> bool:
    """A span counts when it covers at least half of some gold evidence span."""
    return any(s == source and min(end, e) - max(start, b) >= (e - b) / 2 for s, b, e in spans)


def _evidence_spans(qa: QA, question: EvalQuestion) -> list[tuple[str, int, int]]:
    spans = []
    for source in question.sources:
        text = qa.index.document(source).text
        for evidence in question.evidence:
            position = text.find(evidence)
            if position >= 0:
                spans.append((source, position, position + len(evidence)))
    return spans


def _run_one(qa: QA, question: EvalQuestion, depth: int) -> Outcome:
    hits = qa.retrieve(question.question, depth)
    spans = _evidence_spans(qa, question)
    passage_relevant = [_overlaps_evidence(h.passage.source, h.passage.start, h.passage.end, spans) for h in hits]
    articles = list(dict.fromkeys(h.passage.source for h in hits))
    answer = qa.ask(question.question)
    best = judged_span(qa, question.question, answer)
    outcome = Outcome(question, answer, passage_relevant, [a in question.sources for a in articles],
                      best_right=reliability.right(best, question.answers if question.answerable else ()))
    for quote in answer.quotes:
        outcome.quotes_exact.append(qa.index.document(quote.source).text[quote.start:quote.end] == quote.text)
    if answer.short_answer and not answer.short_answer.stated:
        short = answer.short_answer
        outcome.short_exact = qa.index.document(short.source).text[short.start:short.end] == short.text
    for step in answer.steps:
        document = qa.index.document(step.quote.source).text
        outcome.steps_exact.append(document[step.quote.start:step.quote.end] == step.quote.text
                                   and document[step.short_answer.start:step.short_answer.end] == step.short_answer.text)
    if spans:
        quoted = [any(_overlaps_evidence(q.source, q.start, q.end, [span]) for q in answer.quotes) for span in spans]
        outcome.evidence_quoted = sum(quoted) / len(quoted)
    return outcome


def judged_span(qa: QA, question: str, answer: Answer) -> str | None:
    """The span ``answer.confidence`` is about: the short answer when it answered (the reader's best
    span; the punctuation trimmed from it is ignored by SQuAD's normalisation too), else the best span
    the engine read and rejected, which only a second reading gives."""
    if answer.answerable and answer.short_answer:
        return answer.short_answer.text
    _, spans = qa.read(question)
    return max(spans, key=lambda s: s.score).text if spans else None


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _ranking(rows: list[list[bool]], totals: list[int]) -> dict[str, float | None]:
    scores = {f"recall@{k}": _mean([metrics.recall_at(r, k) for r in rows]) for k in CUTOFFS}
    scores["mrr"] = _mean([metrics.reciprocal_rank(r) for r in rows])
    scores["ndcg@10"] = _mean([metrics.ndcg_at(r, 10, t) for r, t in zip(rows, totals)])
    return scores


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    gold = [o for o in outcomes if o.question.answerable]
    gold_evidence = [o for o in gold if o.question.evidence]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    answered = [o for o in outcomes if not o.declined]
    declined = [o for o in outcomes if o.declined]
    quotes = [ok for o in outcomes for ok in o.quotes_exact]
    cited = [s for o in answered if o.question.answerable for s in o.cited]
    golds = [s for o in answered if o.question.answerable for s in o.cited if s in o.question.sources]
    stages = sorted({k for o in outcomes for k in o.answer.timings_ms})
    return {
        "questions": {"total": len(outcomes), "answerable": len(gold), "unanswerable": len(unanswerable)},
        "retrieval": {
            "evidence_passage": _ranking([o.passage_relevant for o in gold_evidence],
                                         [max(1, sum(o.passage_relevant)) for o in gold_evidence]),
            "article": _ranking([o.article_ranking for o in gold], [len(o.question.sources) for o in gold]),
        },
        "answers": {
            "exact_match": _mean([metrics.exact_match(o.text, o.question.answers) if not o.declined else 0.0 for o in gold]),
            "f1": _mean([metrics.f1(o.text, o.question.answers) if not o.declined else 0.0 for o in gold]),
            "contains_gold_alias": _mean([float(not o.declined and metrics.contains_alias(o.text, o.question.answers)) for o in gold]),
            "gold_article_cited": _mean([float(bool(o.cited & set(o.question.sources))) for o in gold]),
            "page_right": _mean([float(o.page_right) for o in gold if o.question.pages]),
            "page_questions": sum(1 for o in gold if o.question.pages),
            "median_answer_words": statistics.median([len(o.text.split()) for o in answered]) if answered else None,
            "short_contains_gold_alias": _mean([float(not o.declined and metrics.contains_alias(o.short, o.question.answers)) for o in gold]),
            "short_exact_match": _mean([metrics.exact_match(o.short, o.question.answers) if not o.declined else 0.0 for o in gold]),
            "short_f1": _mean([metrics.f1(o.short, o.question.answers) if not o.declined else 0.0 for o in gold]),
            "median_short_answer_words": statistics.median([len(o.short.split()) for o in answered]) if answered else None,
        },
        "quotes": {
            "count": len(quotes),
            "exactness": _mean([float(q) for q in quotes]),
            "short_answer_exactness": _mean([float(o.short_exact) for o in outcomes if o.short_exact is not None]),
            "citation_precision": round(len(golds) / len(cited), 4) if cited else None,
            "citation_recall": _mean([o.evidence_quoted for o in gold_evidence]),
        },
        "by_kind": by_kind(outcomes),
        "steps": {"count": sum(len(o.steps_exact) for o in outcomes),
                  "exactness": _mean([float(ok) for o in outcomes for ok in o.steps_exact]),
                  "answer_kinds": dict(Counter(o.answer.kind for o in answered))},
        "failure_kinds": failure_kinds([(o.question.answers if o.question.answerable else (), o.short or None if not o.declined else None,
                                         o.best_right) for o in outcomes]),
        "refusals": {
            "precision": round(sum(not o.question.answerable for o in declined) / len(declined), 4) if declined else None,
            "recall": _mean([float(o.declined) for o in unanswerable]),
            "false_decline_rate": _mean([float(o.declined) for o in gold]),
        },
        "latency_ms": {
            stage: {"p50": round(metrics.percentile(v, 50), 1), "p95": round(metrics.percentile(v, 95), 1)}
            for stage in stages if (v := [o.answer.timings_ms[stage] for o in outcomes if stage in o.answer.timings_ms])
        },
    }


def by_kind(outcomes: list[Outcome]) -> dict[str, dict[str, Any]]:
    """Per question kind of the set: how many, the short answer right (contains a gold alias; for an
    unanswerable kind, declined), declined, and every gold article cited."""
    kinds: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(o.question.kind for o in outcomes):
        part = [o for o in outcomes if o.question.kind == kind]
        right = [(o.declined if not o.question.answerable else
                  not o.declined and metrics.contains_alias(o.short, o.question.answers)) for o in part]
        kinds[kind] = {"questions": len(part), "right": _mean([float(r) for r in right]),
                       "declined": _mean([float(o.declined) for o in part]),
                       "all_sources_cited": _mean([float(set(o.question.sources) <= o.cited) for o in part
                                                   if o.question.answerable])}
    return kinds


def failure_kinds(rows: list[tuple[list[str] | tuple[str, ...], str | None, bool]]) -> dict[str, int]:
    """Counts of the wrong outcomes by kind, from (gold answers, short answer or None when declined,
    whether the best span was right) rows: a wrong answer given (its words share nothing with a gold
    answer, or too little: F1 < 0.5), a partial one (F1 >= 0.5 but not exact), a right best span
    declined, another declined answerable question, an unanswerable question answered."""
    kinds = dict.fromkeys(("wrong_span_answered", "partial_span", "right_span_declined", "wrong_span_declined",
                           "unanswerable_answered"), 0)
    for golds, short, best_right in rows:
        if not golds:
            kinds["unanswerable_answered"] += short is not None
        elif short is None:
            kinds["right_span_declined" if best_right else "wrong_span_declined"] += 1
        elif metrics.f1(short, golds) < 0.5:
            kinds["wrong_span_answered"] += 1
        elif not metrics.exact_match(short, golds):
            kinds["partial_span"] += 1
    return kinds


def failures(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    rows = []
    for o in outcomes:
        q, problems = o.question, []
        if not all(o.quotes_exact) or o.short_exact is False:
            problems.append("quote not exact")
        if q.answerable:
            if o.declined:
                problems.append("declined an answerable question")
            else:
                if not o.cited & set(q.sources):
                    problems.append("gold article not cited")
                if not metrics.contains_alias(o.text, q.answers):
                    problems.append("answer lacks a gold alias")
                elif not metrics.contains_alias(o.short, q.answers):
                    problems.append("short answer lacks a gold alias")
        elif not o.declined:
            problems.append("answered an unanswerable question")
        if problems:
            rows.append({"id": q.id, "kind": q.kind, "question": q.question, "problems": problems,
                         "expected": {"answers": list(q.answers), "sources": list(q.sources)},
                         "got": {"answer": o.answer.answer, "short": o.short, "sources": sorted(o.cited)}})
    return rows


def evaluate(qa: QA, questions: list[EvalQuestion], depth: int = 10, progress: bool = True) -> dict[str, Any]:
    outcomes = [_run_one(qa, q, depth) for q in tqdm(questions, desc="evaluating", unit="question", disable=not progress)]
    pairs = [(o.answer.confidence, o.best_right) for o in outcomes if o.answer.confidence is not None]
    return {
        "config": {"reader": qa.config.reader, "threshold": qa.threshold, "encoder": qa.index.encoder.name,
                   "retrieval": qa.config.retrieval,
                   "k": qa.config.k, "writer": qa.config.writer, "documents": len(qa.index.documents),
                   "passages": qa.index.manifest.passages},
        "summary": summarize(outcomes),
        "confidence": reliability.summary(pairs, qa.min_confidence) if pairs else None,
        "calibration": before_after(qa, outcomes) if getattr(qa, "corpus_calibration", None) else None,
        "failures": failures(outcomes),
        "per_question": [{"id": o.question.id, "kind": o.question.kind, **o.answer.to_dict()} for o in outcomes],
    }


def before_after(qa: QA, outcomes: list[Outcome]) -> dict[str, Any]:
    """The corpus' own calibration (``citeqa calibrate``) against the shipped one on these questions:
    each question's confidence both ways (the shipped one from a second reading) and what each
    answering point declines."""
    before = []
    for o in outcomes:
        hits, spans = qa.read(o.question.question)
        before.append(qa.confidence(hits, spans, o.question.question, shipped=True))
    shipped_point = qa.config.min_confidence if qa.config.min_confidence is not None else qa.calibrator.min_confidence
    return {"corpus": qa.corpus_calibration.to_dict(),
            "before": _decisions(outcomes, before, shipped_point),
            "after": _decisions(outcomes, [o.answer.confidence for o in outcomes], qa.min_confidence)}


def _decisions(outcomes: list[Outcome], confidences: list[float], point: float) -> dict[str, Any]:
    pairs = [(c, o.best_right) for c, o in zip(confidences, outcomes)]
    has = [c < point for c, o in zip(confidences, outcomes) if o.question.answerable]
    no = [c < point for c, o in zip(confidences, outcomes) if not o.question.answerable]
    return {"min_confidence": point, "answerable_declined": _mean([float(d) for d in has]),
            "unanswerable_declined": _mean([float(d) for d in no]), "ece_all": reliability.ece(pairs),
            "ece_answered": reliability.ece([(c, r) for c, r in pairs if c >= point]),
            "coverage_at_80": reliability.coverage_at(pairs, 0.8)}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def markdown(report: dict[str, Any]) -> str:
    s, c = report["summary"], report["config"]
    lines = ["# citeqa evaluation", "",
             f"{s['questions']['total']} questions ({s['questions']['answerable']} answerable, "
             f"{s['questions']['unanswerable']} unanswerable) · {c['documents']} documents, {c['passages']} passages · "
             f"retrieval {c['retrieval']}, k={c['k']}, writer {c['writer']}, reader threshold {c['threshold']:.2f}", "",
             "## Retrieval", "", "| target | R@1 | R@5 | R@10 | MRR | nDCG@10 |", "|---|---|---|---|---|---|"]
    for name, r in s["retrieval"].items():
        lines.append(f"| {name.replace('_', ' ')} | " + " | ".join(
            "—" if r[m] is None else f"{r[m]:.3f}" for m in ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10")) + " |")
    a, q, r = s["answers"], s["quotes"], s["refusals"]
    lines += ["", "## Answers, quotes, refusals", "", "| metric | value |", "|---|---|",
              f"| exact match | {_pct(a['exact_match'])} |", f"| token F1 | {_pct(a['f1'])} |",
              f"| answer contains a gold alias | {_pct(a['contains_gold_alias'])} |",
              f"| gold article cited | {_pct(a['gold_article_cited'])} |",
              *([f"| page right ({a['page_questions']} questions with a gold page) | {_pct(a['page_right'])} |"]
                if a.get("page_questions") else []),
              f"| median answer length (words) | {a['median_answer_words']} |",
              f"| short answer contains a gold alias | {_pct(a['short_contains_gold_alias'])} |",
              f"| short answer exact match / F1 | {_pct(a['short_exact_match'])} / {_pct(a['short_f1'])} |",
              f"| median short answer length (words) | {a['median_short_answer_words']} |",
              f"| quote exactness ({q['count']} quotes) | {_pct(q['exactness'])} |",
              f"| short answer exactness | {_pct(q['short_answer_exactness'])} |",
              f"| citation precision | {_pct(q['citation_precision'])} |", f"| citation recall | {_pct(q['citation_recall'])} |",
              f"| refusal precision | {_pct(r['precision'])} |", f"| refusal recall | {_pct(r['recall'])} |",
              f"| false-decline rate | {_pct(r['false_decline_rate'])} |",
              *[f"| failures: {name.replace('_', ' ')} | {count} |" for name, count in s.get("failure_kinds", {}).items()],
              *([f"| composed answers' steps: quote and short answer exact ({s['steps']['count']} steps) | "
                 f"{_pct(s['steps']['exactness'])} |"] if s.get("steps", {}).get("count") else []),
              "", "## By question kind", "",
              "Right: the short answer contains a gold alias (an unanswerable kind: declined). Answers given, by "
              "kind: " + ", ".join(f"{k} {n}" for k, n in s.get("steps", {}).get("answer_kinds", {}).items()) + ".", "",
              "| kind | questions | right | declined | every gold article cited |", "|---|---|---|---|---|",
              *[f"| {kind} | {v['questions']} | {_pct(v['right'])} | {_pct(v['declined'])} | {_pct(v['all_sources_cited'])} |"
                for kind, v in s.get("by_kind", {}).items()],
              "", "## Latency (ms)", "", "| stage | p50 | p95 |", "|---|---|---|"]
    lines += [f"| {stage} | {v['p50']} | {v['p95']} |" for stage, v in s["latency_ms"].items()]
    if report.get("confidence"):
        lines += ["", "## Confidence", "", "Right: the best span's F1 against the gold answers is at least 0.5 "
                  "(any answer to an unanswerable question is wrong). Chart: confidence.png.", ""]
        lines += reliability.markdown(report["confidence"])
    if report.get("calibration"):
        b, a, own = report["calibration"]["before"], report["calibration"]["after"], report["calibration"]["corpus"]
        lines += ["", "## This corpus' calibration", "",
                  f"Fitted by `citeqa calibrate` on {own['questions']} questions of {own['source']} ({own['made']}): "
                  f"answerable share {own['answerable_share']:.2f}, log-odds "
                  + (f"refitted (slope {own['slope']:.2f}, intercept {own['intercept']:.2f})" if own["recalibrated"]
                     else "as shipped (too few questions to refit)") + ". Declined: confidence below the point.", "",
                  "| | shipped | this corpus' |", "|---|---|---|"]
        for key, label in (("min_confidence", "answering point"), ("answerable_declined", "answerable declined"),
                           ("unanswerable_declined", "unanswerable declined"), ("ece_all", "ECE, all"),
                           ("ece_answered", "ECE, answered"), ("coverage_at_80", "largest share answered at 80% right")):
            show = (lambda v: "—" if v is None else f"{v:.3f}") if key in ("min_confidence", "ece_all", "ece_answered") else _pct
            lines.append(f"| {label} | {show(b[key])} | {show(a[key])} |")
    lines += ["", f"## Failures ({len(report['failures'])})", ""]
    if report["failures"]:
        lines += ["| id | problems | expected | got |", "|---|---|---|---|"]
        for f in report["failures"]:
            expected = f"{' / '.join(f['expected']['answers']) or 'decline'} ({', '.join(f['expected']['sources']) or '—'})"
            got = re.sub(r"\s+", " ", f"«{f['got'].get('short', '')}» {f['got']['answer']}").replace("|", "\\|")[:160]
            lines.append(f"| {f['id']} | {'; '.join(f['problems'])} | {expected} | {got} ({', '.join(f['got']['sources']) or '—'}) |")
    return "\n".join(lines) + "\n"


def chart(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = report["summary"]
    values = {
        "passage R@5": s["retrieval"]["evidence_passage"]["recall@5"], "article R@1": s["retrieval"]["article"]["recall@1"],
        "gold alias": s["answers"]["contains_gold_alias"], "short answer alias": s["answers"]["short_contains_gold_alias"],
        "gold article cited": s["answers"]["gold_article_cited"],
        "quote exact": s["quotes"]["exactness"], "citation prec.": s["quotes"]["citation_precision"],
        "refusal recall": s["refusals"]["recall"], "false declines": s["refusals"]["false_decline_rate"],
    }
    names = list(values)
    fig, ax = plt.subplots(figsize=(9, 4))
    bars = ax.bar(names, [values[n] or 0 for n in names], color=["#2563eb"] * 8 + ["#dc2626"])
    ax.bar_label(bars, labels=[_pct(values[n]) for n in names], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(f"citeqa on {s['questions']['total']} questions")
    plt.xticks(rotation=25, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write(report: dict[str, Any], out: Path | str) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "png": out / "report.png"}
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["md"].write_text(markdown(report), encoding="utf-8")
    chart(report, paths["png"])
    if report.get("confidence"):
        paths["confidence"] = out / "confidence.png"
        reliability.chart(report["confidence"], paths["confidence"], f"citeqa confidence on {report['summary']['questions']['total']} questions")
    return paths


__all__ = ["DEFAULT_QUESTIONS", "EvalQuestion", "evaluate", "load_questions", "markdown", "write"]

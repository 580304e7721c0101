"""Composing an answer from answered sub-questions (DecompRC's idea, Min et al. 2019): each sub-question
answered by the engine as one exact span, the spans compared in code (``compare``), and the answer
stated with every step's quote cited. A sub-question the documents do not answer declines the whole
question: half an answer is not given.

A composed answer's confidence is the product of its steps' confidences: the probability that every
step is right, taking the steps' errors as independent (each step's own confidence is calibrated as
any span's is); the comparison in code adds no error of its own when its inputs are right."""
from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable

from .. import cite as citing
from ..answer import Answer, Quote, ShortAnswer, Step
from ..choose import Choice
from ..writer import cite
from . import compare, values
from .plan import Plan


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What composing decided: the short answer, steps, quotes, confidence and text; or why not."""

    short: ShortAnswer | None
    steps: tuple[Step, ...]
    quotes: tuple[Quote, ...]
    confidence: float | None
    text: str
    problem: str = ""


def steps_of(plan: Plan, answers: list[Answer]) -> tuple[tuple[Step, ...], tuple[Quote, ...]]:
    """One step for each answered sub-question, its quote renumbered in the composed answer (the same
    sentence cited twice keeps one number)."""
    quotes: dict[tuple[str, int, int], Quote] = {}
    steps = []
    for question, answer in zip(plan.sub_questions, answers):
        short = answer.short_answer
        own = next(q for q in answer.quotes if q.citation == short.citation)
        key = (own.source, own.start, own.end)
        if key not in quotes:
            quotes[key] = dataclasses.replace(own, citation=len(quotes) + 1)
        quote = quotes[key]
        step_short = dataclasses.replace(short, citation=quote.citation)
        value = values.read(short.text, plan.dimension) if plan.dimension in ("time", "quantity", "same") else None
        steps.append(Step(question, step_short, quote, answer.confidence, value.shown if value else None))
    return tuple(steps), tuple(quotes.values())


def compose(plan: Plan, answers: list[Answer], title: Callable[[str], str] = lambda source: "") -> Outcome:
    """The composed answer from the sub-questions' answers (in ``plan.sub_questions`` order);
    ``title(source)``: a document's title, which names what its sentences say "he" or "it" of."""
    missing = [q for q, a in zip(plan.sub_questions, answers) if not a.answerable or a.short_answer is None]
    if missing:
        return Outcome(None, (), (), None, "", f"no passage answers “{missing[0]}”")
    steps, quotes = steps_of(plan, answers)
    read = [values.text_value("") if plan.dimension in ("both", "holds") else values.read(s.short_answer.text, plan.dimension)
            for s in steps]
    if any(v is None for v in read):
        unread = next(s for s, v in zip(steps, read) if v is None)
        return Outcome(None, steps, quotes, None, "",
                       f"“{unread.short_answer.text}” is not a {_WHAT[plan.dimension]} to compare")
    confidences = [s.confidence for s in steps]
    confidence = None if None in confidences else math.prod(confidences)
    if plan.kind == "comparison":
        picked = compare.winner(plan, read)
        if picked is None:
            return Outcome(None, steps, quotes, confidence, "",
                           f"{read[0].shown} and {read[1].shown} do not decide it")
        short = _named(plan.subjects[picked], steps[picked])
    else:
        verdict = compare.yes_no(plan, read, [s.quote.text for s in steps], [title(s.quote.source) for s in steps])
        if verdict is None:
            return Outcome(None, steps, quotes, confidence, "", "the steps do not decide yes or no")
        short = ShortAnswer.statement("yes" if verdict else "no", min(s.short_answer.score for s in steps))
    return Outcome(short, steps, quotes, confidence, _text(plan, short, steps, quotes))


_WHAT = {"time": "date", "quantity": "number", "same": "name"}


def _named(subject: str, step: Step) -> ShortAnswer:
    """The subject as its step's quote spells it (an exact span), else as the question does (stated)."""
    bare = re.sub(r"^(?:the|a|an)\s+", "", subject, flags=re.I)
    at = step.quote.text.lower().find(bare.lower())
    if at < 0:
        return ShortAnswer.statement(subject, step.short_answer.score)
    start = step.quote.start + at
    return ShortAnswer(step.quote.text[at:at + len(bare)], step.quote.citation, step.quote.source, start,
                       start + len(bare), step.short_answer.score)


def _text(plan: Plan, short: ShortAnswer, steps: tuple[Step, ...], quotes: tuple[Quote, ...]) -> str:
    """"Yes — Scott Derrickson: American [1]; Ed Wood: American [2]." then each quote."""
    lead = short.text[:1].upper() + short.text[1:]
    named = plan.subjects or ("",)  # one thing: its step's answer is the fact
    facts = "; ".join(cite(f"{subject}: {step.short_answer.text}" if subject else step.short_answer.text,
                           step.quote.citation).rstrip(".") for subject, step in zip(named, steps))
    return f"{lead} — {facts}. " + " ".join(cite(q.text, q.citation) for q in quotes)


def bridge(question: str, first: tuple[Choice, float | None], final: tuple[Choice, float | None],
           pages: Callable[[str], tuple[int, ...]]) -> tuple[ShortAnswer, tuple[Quote, ...], str, tuple[Step, ...]] | None:
    """A span found through a second hop, as two steps: what the first read found (the bridge) and the
    answer read after retrieving with it. None when the answer stands in the first read's own sentence
    (the hop only made it surer: one span, not a bridge)."""
    (was, was_sure), (found, sure) = first, final
    step_quote, answer_quote = citing.quote(was, 1, pages), citing.quote(found, 2, pages)
    if (step_quote.source, step_quote.start) == (answer_quote.source, answer_quote.start):
        return None
    step_short, short = citing.short_answer(was, 1), citing.short_answer(found, 2)
    made = (Step(question, step_short, step_quote, was_sure),
            Step(f"{question} (given: {step_short.text})", short, answer_quote, sure))
    quotes = (step_quote, answer_quote)
    return short, quotes, citing.text(short, quotes, [2]), made

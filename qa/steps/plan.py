"""Planning: what kind of question this is, and the sub-questions a composed answer needs.

Read from the question's English grammar, not fitted to any question set: a question that names two
alternatives ("…, A or B?") compares them along the dimension its comparative word names (time:
first, older, earlier…; quantity: more, larger, faster…); a question that opens with an auxiliary
verb ("Were…", "Did…") asks yes or no, and when it names two things "of the same X" or "both P" it
is decided by one sub-question per thing; one that asks whether something happened before or after
a date asks when it happened and compares; otherwise the question itself is read as a span: yes
when that span's quote states every content word of the question, undecided (declined) otherwise.
A question that asks why gets a reason. Everything else is one span, as before, and a bridge is found at answer time (``qa.steps.hop``) from what the first read
knows, not from the wording."""
from __future__ import annotations

import re
from dataclasses import dataclass

AUXILIARIES = frozenset("is are was were do does did has have had can could will would should".split())
EARLIER = frozenset("first earlier earliest older oldest before sooner".split())
LATER = frozenset("last later latest younger youngest newer newest after recent recently".split())
MORE = frozenset("more larger largest bigger biggest greater greatest higher highest longer longest taller tallest "
                 "faster fastest heavier heaviest wider widest deeper deepest most".split())
LESS = frozenset("fewer less smaller smallest lower lowest shorter shortest least slower slowest lighter lightest "
                 "narrower narrowest".split())
REASON = re.compile(r"^(?:why\b|how come\b|for what reason\b|what (?:is|was|were|are) the reasons?\b)", re.I)
_ALTERNATIVES = re.compile(r"^(?P<head>(?:which|who|what|whose|whom)\b[^,:;]*?)\s*[,:;]\s*(?P<a>.+?),?\s+or\s+"
                           r"(?P<b>[^,:;]+?)\s*\?*$", re.I)
"""The head is the clause up to the first mark; a name after it may hold commas ("One Belt, One Road")."""
_ALTERNATIVES_FIRST = re.compile(r"^(?P<a>[^,:;]+?)\s+or\s+(?P<b>[^,:;]+?)\s*[,:;]\s*(?P<head>(?:which|who|what)\b.+?)\s*\?*$",
                                 re.I)
""""A or B, which one is older?"."""
_BETWEEN = re.compile(r"^between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*,\s*(?P<head>.+?)\s*\?*$", re.I)
_SAME = re.compile(r"^(?P<aux>\w+)\s+(?:both\s+)?(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+(?:both\s+)?"
                   r"(?:(?:have|has|had|share|shared|hold|held|born|come|came|belong|belonged|\w+ed)\s+)?"
                   r"(?:(?:of|from|in|at|with|to)\s+)?(?:the\s+)?same\s+(?P<attr>[\w\s'-]+?)\s*\?*$", re.I)
""""Were A and B of the same nationality?", "Did A and B have the same …", "Are A and B located in the same …"."""
_BOTH = re.compile(r"^(?P<aux>\w+)\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+both\s+(?P<pred>.+?)\s*\?*$", re.I)
_BOTH_FIRST = re.compile(r"^(?P<aux>\w+)\s+both\s+(?P<a>.+?)\s+and\s+(?P<b>\S+(?:\s+[A-Z0-9][\w'’.-]*)*)\s+(?P<pred>[^A-Z].+?)\s*\?*$")
""""Were both A and B P?": B runs to the first word that is not capitalised."""
_LITERAL = re.compile(r"^(?P<aux>\w+)\s+(?P<clause>.+?)\s+(?P<cmp>before|after|earlier than|later than|prior to)\s+"
                      r"(?P<date>(?:[A-Za-z]+\.?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:1[0-9]{3}|20[0-9]{2}))\s*\?*$", re.I)
_SINGULAR = {"are": "is", "were": "was", "do": "does", "have": "has"}
"""A sub-question asks of one of the two things the question names together."""
_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Plan:
    """How a question is answered: ``kind`` (span, comparison, yes/no, reason); for a composed one, the
    things it names, one sub-question each, and how their answers decide it."""

    kind: str = "span"
    subjects: tuple[str, ...] = ()
    sub_questions: tuple[str, ...] = ()
    dimension: str | None = None
    """time or quantity (which is earlier or larger), same (are the two answers the same), both
    (does the predicate hold of each), holds (does the one answer's quote state the question)."""
    direction: int = 0
    """+1: the later or larger value wins; -1: the earlier or smaller."""
    predicate: str = ""
    """For ``both`` and ``holds``: what must hold of each subject, or be stated."""
    literal: str = ""
    """For a yes/no that compares one answer with a date the question gives ("… before 2010?")."""

    @property
    def composed(self) -> bool:
        return bool(self.sub_questions)


def plan(question: str) -> Plan:
    """The plan for one (cleaned) question."""
    text = question.strip()
    first = text.split(maxsplit=1)[0].lower() if text else ""
    if REASON.match(text):
        return Plan("reason")
    if first in AUXILIARIES:
        return _yes_no(text)
    return _comparison(text) or Plan()


def _yes_no(text: str) -> Plan:
    same = _SAME.match(text)
    if same:
        a, b, attribute = _clean(same["a"]), _clean(same["b"]), same["attr"].strip()
        return Plan("yes/no", (a, b), tuple(f"What is the {attribute} of {s}?" for s in (a, b)), "same")
    both = _BOTH.match(text) or _BOTH_FIRST.match(text)
    if both:
        a, b, predicate = _clean(both["a"]), _clean(both["b"]), both["pred"].strip()
        aux = _SINGULAR.get(both["aux"].lower(), both["aux"].lower())
        return Plan("yes/no", (a, b), tuple(f"{aux.capitalize()} {s} {predicate}?" for s in (a, b)), "both",
                    predicate=predicate)
    literal = _LITERAL.match(text)
    if literal:
        aux, clause = literal["aux"].lower(), literal["clause"]
        earlier = literal["cmp"].lower() in ("before", "earlier than", "prior to")
        return Plan("yes/no", (), (f"When {aux} {clause}?",), "time", -1 if earlier else 1, literal=literal["date"])
    return Plan("yes/no", (), (text,), "holds", predicate=text.split(maxsplit=1)[1] if " " in text else text)


def _comparison(text: str) -> Plan | None:
    match = _ALTERNATIVES.match(text) or _BETWEEN.match(text) or _ALTERNATIVES_FIRST.match(text)
    if not match:
        return None
    head, a, b = match["head"], _clean(match["a"]), _clean(match["b"])
    words = [w.lower() for w in _WORD.findall(head)]
    if not words or words[0] not in ("which", "who", "what", "whose", "whom"):
        return None
    dimension, direction, at = _dimension(words)
    if dimension is None:
        return None
    return Plan("comparison", (a, b), tuple(_sub_question(head, words, at, dimension, s) for s in (a, b)),
                dimension, direction)


def _dimension(words: list[str]) -> tuple[str | None, int, int]:
    """The dimension and direction the first comparative word names, and where it stands."""
    for at, word in enumerate(words):
        if word in EARLIER or word in LATER:
            return "time", -1 if word in EARLIER else 1, at
        if word in MORE or word in LESS:
            return "quantity", 1 if word in MORE else -1, at
    return None, 0, -1


def _sub_question(head: str, words: list[str], at: int, dimension: str, subject: str) -> str:
    """"When was A started?" from "Which magazine was started first"; "How many members does A have?"
    from "Which band has more members"; otherwise the head's verb asked of A."""
    aux = next((i for i, w in enumerate(words[:at]) if w in AUXILIARIES), None)
    verb = " ".join(words[aux + 1:at]) if aux is not None else ""
    if dimension == "time":
        return f"When {words[aux]} {subject} {verb}?".replace(" ?", "?") if aux is not None else f"When was {subject}?"
    noun = words[at + 1] if at + 1 < len(words) and words[at] in ("more", "fewer", "less") else ""
    if noun:
        return f"How many {noun} does {subject} have?"
    rest = " ".join(words[1 if aux is None else aux + 1:at])
    return f"How much {rest} {subject}?" if rest else f"How much is {subject}?"


def _clean(subject: str) -> str:
    return subject.strip().strip("\"'“”‘’").rstrip("?").strip()

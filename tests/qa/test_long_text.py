"""Nothing in a document is invisible: text that the sentence splitter cannot cut (no punctuation, no
line breaks, one 5 MB line, a 20,000-character sentence, CJK without spaces) is still found, answered
and quoted exactly, with a fact at its start, middle and end."""
import random
import re

import pytest

from embeddings import DEFAULT_ENCODER
from embeddings.tokens import tokens_of
from qa import QA
from tests.conftest import SEEDS

# Real prose with its punctuation and line breaks taken out, as in a transcript or an OCR dump.
PROSE = re.sub(r"[^\w\s]", "", " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))).split()
PLACES = iter(["Amber Tower", "Birch Lodge", "Cedar Hall", "Dune Station", "Elm Harbor", "Fern Mill",
               "Granite Keep", "Hazel Court", "Iris Pavilion", "Juniper Depot", "Kestrel Yard",
               "Linden Gate", "Maple Arcade", "Nettle Barn", "Olive Chapel"])
FACTS: dict[str, list[tuple[str, str, str]]] = {}


def fact(name: str, where: str, rng: random.Random) -> str:
    place, code = next(PLACES), str(rng.randrange(1000, 10000))
    FACTS.setdefault(name, []).append((where, place, code))
    return f"the access code of the {place} is {code}"


def filler(rng: random.Random, chars: int) -> str:
    """``chars`` characters of punctuation-free prose from a random place in the seeds, repeated as needed."""
    words, size, at = [], 0, rng.randrange(len(PROSE))
    while size < chars:
        words.append(PROSE[at % len(PROSE)])
        size, at = size + len(words[-1]) + 1, at + 1
    return " ".join(words)


def cjk(rng: random.Random, chars: int) -> str:
    return "".join(rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发") for _ in range(chars))


def with_facts(name: str, rng: random.Random, body, size: int, sep: str = " ") -> str:
    parts = [fact(name, "start", rng), body(rng, size), fact(name, "middle", rng), body(rng, size),
             fact(name, "end", rng)]
    return sep.join(parts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(7)
    folder = tmp_path_factory.mktemp("long") / "docs"
    folder.mkdir()
    texts = {
        "no-punctuation.txt": with_facts("no-punctuation.txt", rng, filler, 40_000),
        "no-line-breaks.txt": with_facts("no-line-breaks.txt", rng,
                                         lambda r, n: ". ".join(filler(r, 100).capitalize() for _ in range(n // 100)) + ".",
                                         40_000, ". "),
        "one-line-5mb.txt": with_facts("one-line-5mb.txt", rng, filler, 2_500_000),
        "cjk.txt": with_facts("cjk.txt", rng, cjk, 30_000, ""),
    }
    prose = (SEEDS / "000_bbae39c19cb2c249.txt").read_text(encoding="utf-8")
    sentence = with_facts("long-sentence.txt", rng, filler, 10_000)
    texts["long-sentence.txt"] = f"{prose[:2000]}\n\nThe inspectors noted that {sentence}.\n\n{prose[2000:]}"
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert len(texts["one-line-5mb.txt"]) >= 5_000_000 and "\n" not in texts["one-line-5mb.txt"]
    return folder, texts


@pytest.fixture(scope="module")
def qa(corpus):
    return QA.from_folder(corpus[0], progress=False)


CASES = [(name, where) for name in ("no-punctuation.txt", "no-line-breaks.txt", "one-line-5mb.txt", "cjk.txt",
                                    "long-sentence.txt") for where in ("start", "middle", "end")]
ANSWERED_AT_LEAST = 10
"""Of the 15 facts, the reader answers 12 (it declines two in run-on text, where nothing marks where the
number ends, and reads "327" for "3270" before CJK characters: the reader's limits, not the splitter's).
The floor catches a splitter that hides text again; every fact must be retrieved, every answer exact."""


def question(name: str, where: str) -> tuple[str, str]:
    place, code = next((p, c) for w, p, c in FACTS[name] if w == where)
    return f"What is the access code of the {place}?", code


@pytest.mark.parametrize("name,where", CASES)
def test_a_fact_anywhere_in_unsplittable_text_is_retrieved_in_a_bounded_passage(qa, name, where):
    asked, code = question(name, where)
    hits = [h for h in qa.retrieve(asked) if code in h.passage.text]
    assert hits and hits[0].passage.source == name, f"{name} ({where}): not among the passages read"
    assert tokens_of(DEFAULT_ENCODER).count([hits[0].passage.text])[0] <= qa.config.index.split.max_tokens


def test_the_facts_are_answered_with_exact_bounded_quotes(qa, corpus):
    _, texts = corpus
    answered = []
    for name, where in CASES:
        asked, code = question(name, where)
        answer = qa.ask(asked)
        if not answer.answerable:
            continue
        quote = answer.quotes[0]
        assert texts[quote.source][quote.start:quote.end] == quote.text
        assert tokens_of(DEFAULT_ENCODER).count([quote.text])[0] <= qa.config.index.split.max_tokens
        short = answer.short_answer
        assert quote.start <= short.start and short.end <= quote.end
        # A code read from another file's fact is the reader's mistake (counted wrong), not the splitter's.
        answered.append((name, where, quote.source == name and code in short.text))
    right = [case for case in answered if case[2]]
    assert len(right) >= ANSWERED_AT_LEAST, f"answered right: {right}; all answers: {answered}"

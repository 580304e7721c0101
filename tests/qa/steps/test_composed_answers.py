"""Composed answers with the real bundled models, on a corpus the test writes: two short articles
about two people and one about a laboratory. Every step stands on an exact span of its document."""
import json

import pytest

from qa import QA, Answer
from qa.answer import Step

ARTICLES = {
    "moreau.txt": "Alice Moreau\n\nAlice Moreau is a French chemist. She was born on 3 May 1961 in Lyon, where her father "
                  "ran a bakery. Moreau founded the Lyon Institute of Catalysis in 1994 and has directed it since. In 2010 "
                  "she won the Perkin Medal because her catalysts cut the energy cost of making ammonia by a third. She has "
                  "written four books on green chemistry.\n",
    "keller.txt": "Bruno Keller\n\nBruno Keller is a Swiss physicist. He was born on 12 August 1975 in Basel. Keller studied "
                  "in Zurich and later worked for ten years at CERN in Geneva. He is married to the painter Ines Vogt and "
                  "they have two children.\n",
    "optics.txt": "Basel Laboratory of Optics\n\nThe Basel Laboratory of Optics is a private research laboratory on the "
                  "Rhine. It was founded in 2003 by the physicist Bruno Keller with money from a Swiss bank. The laboratory "
                  "builds lenses for space telescopes and employs about 120 people.\n",
}


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return QA.from_folder(folder, progress=False)


def exact(qa: QA, answer: Answer) -> None:
    """The contract's guarantee for composed answers: every step's quote and short answer are exact
    spans, the quote is one of the answer's, every document a step used is cited; the round trip holds."""
    assert Answer.from_dict(json.loads(json.dumps(answer.to_dict()))).to_dict() == answer.to_dict()
    cited = {s.source for s in answer.sources}
    for step in answer.steps:
        text = qa.index.document(step.quote.source).text
        assert text[step.quote.start:step.quote.end] == step.quote.text
        assert text[step.short_answer.start:step.short_answer.end] == step.short_answer.text
        assert step.quote in answer.quotes and step.quote.source in cited
        assert step.quote.start <= step.short_answer.start <= step.short_answer.end <= step.quote.end


def test_a_comparison_of_dates_names_the_earlier_with_both_facts(people):
    answer = people.ask("Who was born first, Alice Moreau or Bruno Keller?")
    assert answer.answerable and answer.kind == "comparison"
    assert answer.short_answer.text == "Alice Moreau"
    assert [s.short_answer.text for s in answer.steps] == ["3 May 1961", "12 August 1975"]
    assert {s.source for s in answer.sources} == {"moreau.txt", "keller.txt"}
    assert "[1]" in answer.answer and "[2]" in answer.answer
    assert 0 < answer.confidence <= min(s.confidence for s in answer.steps)  # the product of the steps'
    exact(people, answer)


def test_a_no_stands_on_both_facts(people):
    answer = people.ask("Were Alice Moreau and Bruno Keller of the same nationality?")
    assert answer.answerable and answer.kind == "yes/no" and answer.short_answer.text == "no"
    assert answer.short_answer.stated and answer.answer.startswith("No — ")
    assert [s.short_answer.text for s in answer.steps] == ["French", "Swiss"]
    exact(people, answer)


def test_a_yes_stands_on_the_quote_that_states_it(people):
    answer = people.ask("Did Alice Moreau found the Lyon Institute of Catalysis in 1994?")
    assert answer.answerable and answer.short_answer.text == "yes"
    assert "founded the Lyon Institute of Catalysis in 1994" in answer.steps[0].quote.text
    exact(people, answer)


def test_a_yes_no_about_a_given_date_is_yes_or_no_from_the_date_found(people):
    yes = people.ask("Was Alice Moreau born before 1970?")
    no = people.ask("Was Bruno Keller born before 1970?")
    assert (yes.short_answer.text, no.short_answer.text) == ("yes", "no")
    assert no.answer.startswith("No — 12 August 1975 [1].")
    exact(people, yes)
    exact(people, no)


def test_a_question_whose_second_thing_is_in_no_article_is_declined_not_half_answered(people):
    answer = people.ask("Who was born first, Alice Moreau or Carla Rossi?")
    assert not answer.answerable and answer.short_answer is None and not answer.quotes
    assert "Carla Rossi" in answer.answer


def test_a_reason_is_the_clause_not_a_noun_phrase(people):
    answer = people.ask("Why did Alice Moreau win the Perkin Medal?")
    assert answer.answerable and answer.kind == "reason"
    assert answer.short_answer.text == "because her catalysts cut the energy cost of making ammonia by a third"


def test_composing_off_answers_every_question_as_one_span(people):
    plain = QA(people.index, people.reader, people.config.with_(compose=False))
    answer = plain.ask("Who was born first, Alice Moreau or Bruno Keller?")
    assert answer.kind == "span" and not answer.steps


def test_steps_print_in_order_with_their_citations(people):
    printed = str(people.ask("Who was born first, Alice Moreau or Bruno Keller?"))
    assert printed.startswith("Answer (comparison): Alice Moreau")
    assert printed.index("Step 1: When was Alice Moreau born? → 3 May 1961 [1]") < printed.index("Step 2: When was Bruno Keller born?")


def test_a_step_survives_its_round_trip():
    data = {"question": "When?", "short_answer": {"text": "2005", "citation": 1, "source": "a.txt", "start": 3, "end": 7,
                                                  "score": 1.0},
            "quote": {"citation": 1, "text": "In 2005 it began.", "source": "a.txt", "start": 0, "end": 17, "page": None, "pages": []},
            "confidence": 0.8, "value": "2005"}
    assert Step.from_dict(data).to_dict() == data


def test_with_two_hops_an_unsure_first_read_retrieves_again(people):
    unreachable = QA(people.index, people.reader, people.config.with_(hops=2, min_confidence=1.0))
    answer = unreachable.ask("In what year was the founder of the Basel Laboratory of Optics born?")
    assert "hop" in answer.timings_ms and not answer.answerable  # nothing is ever sure enough at 1.0
    once = QA(people.index, people.reader, people.config.with_(hops=1, min_confidence=1.0))
    assert "hop" not in once.ask("In what year was the founder of the Basel Laboratory of Optics born?").timings_ms

"""End to end with the real bundled models: invariant, contract and citations."""
import json
import subprocess
import sys

import pytest

from qa import Answer, QuestionError
from qa.answer import KINDS
from tests.conftest import ROOT, load_questions

QUESTIONS = load_questions()
ANSWERABLE = [q for q in QUESTIONS if q["answers"]]
UNANSWERABLE = [q for q in QUESTIONS if not q["answers"]]
# Questions on subjects the articles never touch must always be declined. The on-topic
# unanswerable ones (u-7 and later) are measured by `citeqa eval`, not asserted one by one.
OFF_TOPIC = [q for q in UNANSWERABLE if q["id"] in {"u-1", "u-2", "u-3", "u-4", "u-5", "u-6"}]
CONTRACT_KEYS = ["question", "answer", "answerable", "short_answer", "confidence", "quotes", "sources", "passages", "passages_read",
                 "kind", "steps", "timings_ms"]


def check_contract_and_invariant(answer: Answer, qa) -> dict:
    data = answer.to_dict()
    assert list(data) == CONTRACT_KEYS
    assert Answer.from_dict(json.loads(json.dumps(data))).to_dict() == data
    listed = {s["citation"] for s in data["sources"]}
    for quote in data["quotes"]:
        document = qa.index.document(quote["source"])
        assert document.text[quote["start"]:quote["end"]] == quote["text"]
        assert quote["citation"] in listed
    for marker in __import__("re").findall(r"\[(\d+)\]", data["answer"]):
        assert int(marker) in listed
    assert {q["citation"] for q in data["quotes"]} == listed  # a quote for every cited source
    short = data["short_answer"]
    assert data["kind"] in KINDS
    for step in data["steps"]:  # every fact a composed answer states stands on an exact span
        text = qa.index.document(step["quote"]["source"]).text
        assert text[step["quote"]["start"]:step["quote"]["end"]] == step["quote"]["text"]
        assert step["quote"] in data["quotes"]
        assert text[step["short_answer"]["start"]:step["short_answer"]["end"]] == step["short_answer"]["text"]
    if data["answerable"] and not short["source"]:  # stated: yes, no or a compared thing, on its steps
        assert data["steps"] and data["kind"] in ("comparison", "yes/no")
    elif data["answerable"]:
        assert qa.index.document(short["source"]).text[short["start"]:short["end"]] == short["text"]
        assert any(q["citation"] == short["citation"] and q["source"] == short["source"]
                   and q["start"] <= short["start"] and short["end"] <= q["end"] for q in data["quotes"])
        assert data["answer"].startswith(short["text"][:1].upper() + short["text"][1:])
    else:
        assert short is None
    for passage in data["passages"]:
        assert set(passage) == {"source", "start", "end", "score"}
    assert 1 <= data["passages_read"] <= len(data["passages"]) or not data["passages"]
    assert data["timings_ms"]["total"] > 0
    return data


@pytest.fixture(scope="module")
def answers(qa):
    return {q["id"]: qa.ask(q["question"]) for q in QUESTIONS}


@pytest.mark.parametrize("case", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_every_answer_keeps_the_invariant_and_contract(qa, answers, case):
    check_contract_and_invariant(answers[case["id"]], qa)


# The floors below guard the measured quality of the shipped reader on this set (README, Results):
# false declines 12.7%, gold article cited 87.3%, gold alias 85.7%, short-answer alias 77.8%.
# The targets (5%, 90%, 80%) are reported there as missed, not asserted here.
def test_at_most_15_percent_of_answerable_questions_are_declined(answers):
    declined = [q["id"] for q in ANSWERABLE if not answers[q["id"]].answerable]
    assert len(declined) <= 0.15 * len(ANSWERABLE), declined


def test_gold_article_is_cited_for_at_least_85_percent(answers):
    misses = [q["id"] for q in ANSWERABLE if not {s.source for s in answers[q["id"]].sources} & set(q["sources"])]
    assert len(misses) <= 0.15 * len(ANSWERABLE), misses


def test_short_answers_are_short_and_mostly_hold_a_gold_alias(answers):
    from statistics import median

    from qa.metrics import contains_alias

    answered = [q for q in ANSWERABLE if answers[q["id"]].answerable]
    misses = [q["id"] for q in answered if not contains_alias(answers[q["id"]].short_answer.text, q["answers"])]
    assert len(misses) <= 0.30 * len(ANSWERABLE), misses
    assert median(len(answers[q["id"]].short_answer.text.split()) for q in answered) <= 8


def test_most_answers_contain_a_gold_alias(answers):
    from qa.metrics import contains_alias

    misses = [q["id"] for q in ANSWERABLE if not contains_alias(answers[q["id"]].answer, q["answers"])]
    assert len(misses) <= 0.20 * len(ANSWERABLE), misses


@pytest.mark.parametrize("case", OFF_TOPIC, ids=[q["id"] for q in OFF_TOPIC])
def test_unanswerable_question_is_declined_without_support(qa, case):
    answer = qa.ask(case["question"])
    data = check_contract_and_invariant(answer, qa)
    assert data["answerable"] is False
    assert data["quotes"] == [] and data["sources"] == []
    assert "do not say" in data["answer"] and "[" not in data["answer"]
    assert data["passages"], "the closest passages are still shown"


def test_every_article_is_covered_by_the_questions():
    assert len({q["sources"][0] for q in ANSWERABLE}) == 5 and len(ANSWERABLE) >= 20
    assert len(OFF_TOPIC) == 6


def test_stream_yields_text_then_the_same_answer_as_ask(qa):
    question = ANSWERABLE[0]["question"]
    items = list(qa.stream(question))
    assert all(isinstance(i, str) for i in items[:-1]) and items[:-1]
    assert isinstance(items[-1], Answer)
    assert items[-1].answer == qa.ask(question).answer


def test_str_shows_answer_quotes_and_articles(qa):
    text = str(qa.ask("By how much did Russia-China trade grow in 2017?"))
    assert "31.5%" in text and "[1]" in text and "China and Russia: back to back against the US" in text


def test_bad_question_raises_clear_error(qa):
    with pytest.raises(QuestionError, match="empty"):
        qa.ask("   ")


def test_generate_writer_keeps_the_invariant(qa):
    """A free-writing 135M model is checked; whatever it writes, the answer stays verifiable."""
    free = qa.configured(writer="generate")
    for case in ANSWERABLE[:4]:
        data = check_contract_and_invariant(free.ask(case["question"]), qa)
        assert data["answerable"]


def test_cli_json_equals_to_dict(qa, seeds_copy):
    question = "Who is the Russian Industry and Trade Minister?"
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ask", question, "--json", "--corpus", str(seeds_copy)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    expected = qa.ask(question).to_dict()
    printed.pop("timings_ms"), expected.pop("timings_ms")
    assert printed == expected


def test_cli_reports_bad_question_without_traceback(seeds_copy):
    result = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "", "--corpus", str(seeds_copy)],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 2
    assert "question is empty" in result.stderr and "Traceback" not in result.stderr


def test_cli_refuses_a_corpus_folder_that_does_not_exist_and_makes_nothing(tmp_path):
    missing = tmp_path / "notes"
    for command in (["index", str(missing)], ["ask", "Where?", "--corpus", str(missing)]):
        result = subprocess.run([sys.executable, "-m", "qa.cli", *command], capture_output=True, text=True, cwd=ROOT,
                                timeout=600)
        assert result.returncode == 2 and "no such folder of documents" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and not missing.exists()


def test_any_causal_lm_path_can_be_configured(qa, tmp_path):
    """A (tiny, random) transformers model given by path loads and cannot break the invariant."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from qa import QA
    from qa.language_model import LanguageModel

    config = LlamaConfig(vocab_size=len(qa.lm.tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=2048)
    LlamaForCausalLM(config).save_pretrained(tmp_path)
    qa.lm.tokenizer.save_pretrained(tmp_path)
    tiny = QA(qa.index, qa.reader, qa.config.with_(writer="generate"), LanguageModel(str(tmp_path)))
    for case in QUESTIONS[:3] + UNANSWERABLE[:1]:
        check_contract_and_invariant(tiny.ask(case["question"]), qa)


def test_first_retrieved_passage_holds_the_first_quote(qa, answers):
    answered = [q for q in ANSWERABLE[:12] if answers[q["id"]].answerable]
    assert len(answered) >= 8
    for case in answered:
        answer = answers[case["id"]]
        first = qa.retrieve(case["question"])[0].passage
        quote = answer.quotes[0]
        assert answer.passages[0].source == first.source == quote.source, case["id"]
        assert first.start <= quote.start and quote.end <= first.end, case["id"]


def test_every_answer_says_how_sure_it_is_and_the_user_sets_the_answering_point(qa):
    question = "Who is the Russian Industry and Trade Minister?"
    answer = qa.ask(question)
    assert answer.answerable and 0.0 <= qa.min_confidence <= answer.confidence <= 1.0
    stricter = qa.configured(min_confidence=min(1.0, answer.confidence + 1e-4))
    declined = stricter.ask(question)
    assert not declined.answerable and declined.short_answer is None
    assert declined.confidence == pytest.approx(answer.confidence), "a declined answer keeps its best span's confidence"
    assert "right (" in str(answer) and "%)" in str(answer)


@pytest.mark.parametrize("case", OFF_TOPIC, ids=lambda c: c["id"])
def test_off_topic_questions_are_declined_with_low_confidence(qa, case):
    answer = qa.ask(case["question"])
    assert not answer.answerable and answer.confidence < qa.min_confidence


def test_cli_min_confidence_is_checked_and_used(seeds_copy):
    question = "Who is the Russian Industry and Trade Minister?"
    run = [sys.executable, "-m", "qa.cli", "ask", question, "--json", "--corpus", str(seeds_copy)]
    bad = subprocess.run(run + ["--min-confidence", "1.5"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr and "Traceback" not in bad.stderr
    strict = subprocess.run(run + ["--min-confidence", "1"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert strict.returncode == 0 and json.loads(strict.stdout)["answerable"] is False

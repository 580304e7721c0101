import pytest

from qa.evidence import unmatched_names


@pytest.mark.parametrize("question, text", [
    ("Which company was hit by U.S. measures?", "The US government can ruin a company."),
    ("Which company was hit by US measures?", "Huawei was swiped from the U.S. market."),
    ("What did the E.U. decide?", "The EU decided to extend sanctions."),
])
def test_dotted_and_plain_abbreviations_are_one_name(question, text):
    assert unmatched_names(question, [text]) == []


def test_a_name_no_text_mentions_is_reported():
    assert unmatched_names("What is the population of Brazil?", ["Russia and China signed a deal."]) == ["Brazil"]
    assert unmatched_names("What happened in 2031?", ["In 2017 trade grew."]) == ["2031"]

import pytest

from qa import Config
from qa.question import QuestionError, clean_question


@pytest.mark.parametrize("bad, message", [
    ("", "empty"), ("   \n\t", "empty"), ("?!...", "no words"), ("x" * 2001, "limit is 2,000"), (42, "must be a string"),
    (None, "must be a string"),
])
def test_bad_questions_get_a_clear_message(bad, message):
    with pytest.raises(QuestionError, match=message):
        clean_question(bad, 2000)


def test_control_characters_and_nul_are_removed():
    assert clean_question("How\x00 much\x07 did\ttrade grow?", 2000) == "How much did trade grow?"


def test_config_rejects_unknown_choices():
    with pytest.raises(ValueError, match="writer"):
        Config(writer="poetry")
    with pytest.raises(ValueError, match="k must be at least 1"):
        Config(k=0)
    assert Config().with_(encoder="some/model").index.encoder == "some/model"

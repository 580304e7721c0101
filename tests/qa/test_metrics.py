import math

from qa.metrics import contains_alias, exact_match, f1, ndcg_at, normalize_answer, percentile, recall_at, reciprocal_rank


def test_squad_normalisation_matches_the_official_script():
    assert normalize_answer("The  Denver Broncos!") == "denver broncos"
    assert normalize_answer("an apple, a day") == "apple day"
    assert exact_match("the Broncos.", ["Denver Broncos", "Broncos"]) == 1.0


def test_f1_is_token_overlap_max_over_golds():
    assert f1("Denver Broncos won", ["Denver Broncos"]) == 0.8
    assert f1("nothing", ["Denver"]) == 0.0
    assert f1("x", []) == 0.0


def test_alias_must_be_whole_tokens():
    assert contains_alias("It grew by 31.5% [1].", ["31.5%"])
    assert not contains_alias("AUKUS was formed", ["UK"])


def test_ranking_metrics():
    relevant = [False, True, False, True]
    assert recall_at(relevant, 1) == 0.0 and recall_at(relevant, 2) == 1.0
    assert reciprocal_rank(relevant) == 0.5
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert abs(ndcg_at(relevant, 10, 2) - expected) < 1e-12
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile([1, 2, 3, 4], 95) == 4

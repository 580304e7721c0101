import numpy as np

from qa.retrieval import reciprocal_rank_fusion


def test_rrf_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([np.array([1, 2, 3]), np.array([3, 1, 4])], k=60)
    rows = [row for row, _ in fused]
    assert rows[0] == 1 and rows[1] == 3 and set(rows) == {1, 2, 3, 4}
    assert abs(dict(fused)[1] - (1 / 61 + 1 / 62)) < 1e-12


def test_rrf_of_one_ranking_keeps_its_order():
    assert [r for r, _ in reciprocal_rank_fusion([np.array([5, 2, 9])])] == [5, 2, 9]

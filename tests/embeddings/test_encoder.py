"""The question encoder: a text's vector does not depend on the texts encoded with it."""
import numpy as np

from tests.conftest import load_questions


def test_each_vector_is_the_same_alone_and_encoded_with_others(encoder):
    questions = [case["question"] for case in load_questions()[:24]]
    together = encoder.encode_each(questions)
    assert together.shape == (24, encoder.dimension) and together.dtype == np.float32
    for question, vector in zip(questions, together):
        assert np.array_equal(encoder.encode([question])[0], vector)
    assert np.array_equal(encoder.encode_each(questions[::-1]), together[::-1])
    assert encoder.encode_each([]).shape == (0, encoder.dimension)

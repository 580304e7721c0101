"""A deterministic stand-in encoder for fault tests, where the model is not the point."""
import hashlib
import time

import numpy as np

from embeddings import DEFAULT_ENCODER
from embeddings.tokens import tokens_of


def hash_vector(text: str, dimension: int = 16) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dimension).astype(np.float32)
    return vector / np.linalg.norm(vector)


class HashEncoder:
    name = "test/hash-encoder"
    dimension = 16
    max_tokens = 254
    tokens = tokens_of(DEFAULT_ENCODER)  # passages are bounded by the real tokenizer, as with the real encoder

    def __init__(self, delay: float = 0.0, on_encode=None):
        self.delay, self.on_encode, self.calls = delay, on_encode, 0

    def encode(self, texts, progress=False):
        self.calls += 1
        if self.on_encode:
            self.on_encode(self.calls)
        time.sleep(self.delay * len(texts))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([hash_vector(t, self.dimension) for t in texts])

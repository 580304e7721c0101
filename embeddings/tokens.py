"""Counting text the way the models read it: the encoder's tokenizer, which the reader shares."""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from .models import resolve


class Tokens:
    """Where each token of a text lies (character offsets), by a fast (Rust) tokenizer."""

    def __init__(self, tokenizer) -> None:
        from copy import deepcopy

        # A private copy without truncation or padding: the splitter needs every token of a text,
        # and must not change how the model's own tokenizer is set up.
        self._tokenizer = deepcopy(tokenizer)
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """For each text, the (start, end) of each of its tokens, special tokens left out."""
        if not texts:
            return []
        return [e.offsets for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    def count(self, texts: Sequence[str]) -> list[int]:
        return [len(o) for o in self.offsets(texts)]


@lru_cache(maxsize=4)
def tokens_of(model: str) -> Tokens:
    """The token counter of a sentence-transformers or transformers model (bundled, a path, or a hub name).
    Cached: a tokenizer is read-only once loaded, and loading it takes a tenth of a second."""
    from transformers import AutoTokenizer

    location = resolve(model)
    tokenizer = AutoTokenizer.from_pretrained(location)
    if not getattr(tokenizer, "is_fast", False):
        raise RuntimeError(f"{model}: has no fast tokenizer; citeqa needs one to bound passages in tokens")
    return Tokens(tokenizer.backend_tokenizer)

"""The reader: given a question and passages, the answer's exact characters in one of them, or none.

A MiniLM-L6 span-extraction model (start/end over the passage tokens, [CLS] for "no answer"),
trained here on SQuAD TRAIN articles (``citeqa train-reader``; see models/reader/MODEL_CARD.md).
Only the trained weights ship; the word embeddings are the bundled base model's, frozen in training.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from embeddings.models import resolve, resolve_dtype

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_READER = str(Path(__file__).parent / "models" / "reader")
WEIGHTS = "reader.safetensors"
FROZEN = "bert.embeddings.word_embeddings.weight"
BUCKET = 16
"""One passage a forward pass, padded to a multiple of BUCKET tokens: its scores are then the same
whatever it is read with, on every CPU, and the process meets at most 20 shapes. Measured on a 2-core
AMD EPYC (avx512_bf16), 74 seeds questions: one passage a pass or four (padded to 64-token buckets,
as before) gave identical scores and cost the same per row (four rows of 128 tokens 43 ms, one row
15 ms), and one a pass lets the engine read the first passage alone (``qa.reading``). Unpadded, every
new length is a new shape: 600 passes over 300 lengths grew the process by 935 MB, against 55 MB with
16-token buckets. On a 2-core AMX Xeon, four rows a pass were cheaper per row (98 against 131 ms a
question of 5 passages) but a passage read with others scored up to 0.05 apart from it read alone."""


@dataclass(frozen=True)
class Span:
    """The reader's best answer in one passage: ``passage[start:end]``, with its score over "no answer"."""

    passage: int
    start: int
    end: int
    text: str
    score: float
    """Best span logit sum minus the no-answer logit sum: above the reader's threshold, it answers."""
    share: float = 1.0
    """The span's probability among every span the passage allows (a softmax over their logit sums):
    how far ahead of the passage's other spans it is, whatever the scale of the scores."""


def load_base(base: str = BASE_MODEL):
    """Tokenizer and a span-extraction model on the bundled base weights (the QA head untrained)."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer
    from transformers.utils import logging as hf_logging

    location = resolve(base)
    local = Path(location).exists()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # "qa_outputs newly initialised" is expected: the head is ours
    try:
        model = AutoModelForQuestionAnswering.from_pretrained(location, local_files_only=local)
    finally:
        hf_logging.set_verbosity(verbosity)
    return AutoTokenizer.from_pretrained(location, local_files_only=local), model


class Reader:
    """Reads passages for one question in one batch; threshold and limits come with the weights."""

    def __init__(self, path: str | Path = DEFAULT_READER, dtype: str = "auto", max_length: int = 320,
                 max_answer_tokens: int = 30):
        from safetensors.torch import load_file

        path = Path(path)
        settings_file, weights = path / "reader.json", path / WEIGHTS
        if not weights.exists():
            raise RuntimeError(f"reader weights not found: {weights}; train them with `citeqa train-reader "
                               f"--out {path}` or give Config(reader=...) a folder holding {WEIGHTS}")
        self.settings = json.loads(settings_file.read_text(encoding="utf-8")) if settings_file.exists() else {}
        self.tokenizer, self.model = load_base(self.settings.get("base_model", BASE_MODEL))
        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        if unexpected or set(missing) - {FROZEN}:
            raise RuntimeError(f"{weights}: does not fit the base model "
                               f"(missing {sorted(set(missing) - {FROZEN})[:3]}, unexpected {unexpected[:3]})")
        self.model.to(resolve_dtype(dtype)).eval()
        self.threshold = float(self.settings.get("threshold", 0.0))
        self.max_length, self.max_answer_tokens = max_length, max_answer_tokens

    @staticmethod
    def save(model, folder: str | Path) -> None:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items() if k != FROZEN}
        save_file(state, str(folder / WEIGHTS))

    def read(self, question: str, passages: Sequence[str]) -> list[Span]:
        """The best span of each passage (in the passages' order), scored against "no answer"."""
        return self.read_many([(question, passages)])[0]

    @torch.inference_mode()
    def read_many(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[list[Span]]:
        """:meth:`read` for several questions at once (see ``qa.batching``), one passage a forward pass:
        a passage's scores do not depend on what it is read with."""
        pairs = [(question, passage) for question, passages in requests for passage in passages]
        if not pairs:
            return [[] for _ in requests]
        # only_first: a question too long for the window (up to 2,000 characters) is cut, the passage
        # never: passages are bounded (SplitSettings.max_tokens) to leave a question 93 tokens of it.
        enc = self.tokenizer([q for q, _ in pairs], [p for _, p in pairs], truncation="only_first",
                             max_length=self.max_length, return_offsets_mapping=True)
        logits = [self._logits(enc, i) for i in range(len(pairs))]
        spans, row = [], 0
        for _, passages in requests:
            spans.append([self._best(p, passages[p], *logits[row + p], enc["offset_mapping"][row + p],
                                     enc.sequence_ids(row + p)) for p in range(len(passages))])
            row += len(passages)
        return spans

    def _logits(self, enc, i: int):
        length = min(self.max_length, -(-len(enc["input_ids"][i]) // BUCKET) * BUCKET)
        batch = self.tokenizer.pad({name: [enc[name][i]] for name in self.tokenizer.model_input_names},
                                   padding="max_length", max_length=length, return_tensors="pt")
        out = self.model(**batch)
        return out.start_logits[0].float(), out.end_logits[0].float()

    def _best(self, p: int, passage: str, start, end, offsets, sequence) -> Span:
        context = torch.zeros(len(start), dtype=torch.bool)
        context[:len(sequence)] = torch.tensor([s == 1 for s in sequence])
        null = float(start[0] + end[0])
        s_logits = start.masked_fill(~context, -1e4)
        e_logits = end.masked_fill(~context, -1e4)
        # Every (start, end) pair with start <= end < start + max_answer_tokens, in one matrix.
        pair = s_logits[:, None] + e_logits[None, :]
        n = pair.shape[0]
        allowed = torch.ones(n, n, dtype=torch.bool).triu() & ~torch.ones(n, n, dtype=torch.bool).triu(self.max_answer_tokens)
        pair = pair.masked_fill(~allowed, -1e4)
        best = int(pair.argmax())
        i, j = divmod(best, n)
        a, b = int(offsets[i][0]), int(offsets[j][1])
        share = float(torch.exp(pair[i, j] - torch.logsumexp(pair.flatten(), 0)))
        return Span(p, a, b, passage[a:b], float(pair[i, j]) - null, share)

"""All settings of the answer engine in one typed object."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embeddings import IndexSettings, ReadLimits, SplitSettings

from .language_model import DEFAULT_GENERATOR
from .reader import DEFAULT_READER
from .retrieval import MODES

WRITERS = ("extract", "generate")
HOP_WITH = ("sentence", "span", "title")
DEFAULT_ANSWERABLE_SHARE = 0.85
"""People ask their own documents mostly what the documents say: 93 of the 107 questions of the two
tuning sets (seeds.jsonl, docs.jsonl) can be answered (87%), against half of SQuAD 2.0's."""
# Help texts of the options every shell (CLI, app) offers for Config fields.
STORE_HELP = ("where the index is kept: local (default), milvus:PATH.db, milvus://HOST:PORT or milvus+https://HOST:PORT, "
              "with ?collection=NAME to share one collection (default: CITEQA_STORE, else local)")
OCR_HELP = ("read PDF pages without a text layer with tesseract in these languages (eng, deu+eng; "
            "needs Debian's tesseract-ocr; default: such PDFs are skipped)")


@dataclass(frozen=True)
class Config:
    """Defaults are the offline bundled models; every model can be a hub name or a local path."""

    index: IndexSettings = field(default_factory=IndexSettings)
    index_dir: str | None = None
    """Where the index lives; default: a hidden ``.citeqa`` folder inside the corpus folder."""
    store: str | None = None
    """Where passages are kept and searched (``embeddings.stores``): ``local`` (the index folder),
    ``milvus:PATH.db``, ``milvus://HOST:PORT`` or ``milvus+https://HOST:PORT``; None: env
    ``CITEQA_STORE``, else ``local``."""
    generator: str = DEFAULT_GENERATOR
    generators: tuple[str, ...] = (DEFAULT_GENERATOR,)
    """The generators a shared server offers its users (``QA.with_writer``); nothing else is loaded for them."""
    writer: str = "extract"
    """``extract``: the short answer, then the quoted sentences; ``generate``: the generator (a causal
    LM, loaded only then) writes from the quotes, checked, with ``extract`` as the fallback."""
    cache_dir: str | None = None
    """Converted model weights; default ``~/.cache/citeqa/models``."""
    k: int = 5
    retrieval: str = "hybrid"
    depth: int = 50
    rrf_k: int = 60
    bm25_weight: float = 1.0
    """Weight of the BM25 list in reciprocal-rank fusion (the dense list weighs 1)."""
    reader: str = DEFAULT_READER
    """The span reader (a folder holding reader.safetensors and reader.json); it answers or declines."""
    reader_threshold: float | None = None
    """Declining point on the reader's score; None: the one calibrated with the weights (reader.json)."""
    min_confidence: float | None = None
    """Answer only when the probability that the short answer is right (``Answer.confidence``) is at
    least this, 0 to 1; None: the default chosen on TUNE, shipped in reader.json. Lower answers more
    questions and is wrong more often."""
    answerable_share: float | None = None
    """The share of questions asked that the documents can answer, 0 to 1 exclusive: the confidence
    is corrected for it (``qa.confidence``); None: the share fitted to this corpus by ``citeqa
    calibrate``, else ``DEFAULT_ANSWERABLE_SHARE``. The SQuAD benchmarks set SQuAD's own."""
    stop_score: float | None = None
    """Read the first passage alone and stop when its best span scores at least this over "no answer"
    (``qa.reading``); None: the point chosen on TUNE with the weights (reader.json ``stop_score``);
    ``inf``: read all ``k`` passages always."""
    passage_rerank: bool = True
    """Reorder the ``k`` retrieved passages by the reader's best span in each (see ``choose.by_reading``)."""
    max_sources: int = 2
    """At most this many documents are cited for one short answer (the best, and others stating it too)."""
    compose: bool = True
    """Answer comparisons and two-subject yes/no questions by their sub-questions, and a "why" with the
    clause that gives the reason (``qa.steps``); False: every question is one span, as before."""
    hops: int = 1
    """Retrieval rounds for one span: 2 retrieves again with the question and what the first read found
    when that read is not sure (``qa.steps.hop``); 1: never. Off by default: on held-out sets the hop
    answered nothing more and one unanswerable question wrongly (docs/evaluation.md)."""
    hop_with: str = "title"
    """What of the first read joins the question in the second hop: ``sentence``, ``span`` or ``title``."""
    batch_window_ms: float = 0.0
    """How long an idle model waits for more questions to share its next forward pass. 0: none; under
    load a batch forms anyway while the previous one runs (a 5 ms window cost one user 10 ms a question)."""
    max_batch: int = 16
    """At most this many concurrent questions share one encoder or reader forward pass."""
    max_question_chars: int = 2000
    max_new_tokens: int = 80
    threads: int | None = None
    dtype: str = "auto"
    """Encoder and generator weights: ``auto`` = bfloat16 where the CPU computes it natively, else float32."""

    def __post_init__(self) -> None:
        if self.writer not in WRITERS:
            raise ValueError(f"Config.writer must be one of {WRITERS}, not {self.writer!r}")
        if self.retrieval not in MODES:
            raise ValueError(f"Config.retrieval must be one of {MODES}, not {self.retrieval!r}")
        if self.hop_with not in HOP_WITH:
            raise ValueError(f"Config.hop_with must be one of {HOP_WITH}, not {self.hop_with!r}")
        if self.hops not in (1, 2):
            raise ValueError(f"Config.hops must be 1 (one retrieval) or 2 (a second hop), not {self.hops}")
        for name in ("k", "depth", "max_sources", "max_batch", "max_question_chars", "max_new_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"Config.{name} must be at least 1, not {getattr(self, name)}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"Config.min_confidence must be between 0 and 1 (a probability), not {self.min_confidence}")
        if self.answerable_share is not None and not 0.0 < self.answerable_share < 1.0:
            raise ValueError(f"Config.answerable_share must be between 0 and 1, both excluded (a share of the "
                             f"questions), not {self.answerable_share}")
        if self.stop_score is not None and self.stop_score != self.stop_score:
            raise ValueError("Config.stop_score must be a number, inf (read every passage) or None, not NaN")
        if not 0 <= self.batch_window_ms <= 1000:
            raise ValueError(f"Config.batch_window_ms must be between 0 and 1000, not {self.batch_window_ms}")

    def with_(self, **changes: Any) -> Config:
        """A copy with some fields changed; ``encoder=`` and ``ocr=`` reach into the index settings."""
        for name in ("encoder", "ocr"):
            if name in changes:
                changes["index"] = dataclasses.replace(changes.get("index", self.index), **{name: changes.pop(name)})
        return dataclasses.replace(self, **changes)

    def index_path(self, folder: Path) -> Path:
        return Path(self.index_dir) if self.index_dir else Path(folder) / ".citeqa"


__all__ = ["Config", "IndexSettings", "ReadLimits", "SplitSettings"]

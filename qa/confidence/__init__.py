"""The confidence stage: how sure the engine is of its best span (``model``), the answering point
chosen on labelled questions (``point``), and a corpus' own calibration from its user's questions
(``corpus``). See docs/confidence.md."""
from .model import FEATURES, MAX_MARGIN, Calibrator, Head, features, overlap, sentence_of

__all__ = ["FEATURES", "MAX_MARGIN", "Calibrator", "Head", "features", "overlap", "sentence_of"]

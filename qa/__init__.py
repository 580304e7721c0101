"""Question in, cited answer out. ``from qa import QA``."""
from embeddings import StoreMismatch, StoreUnavailable

from .answer import Answer, PassageRef, Quote, ShortAnswer, Source
from .config import Config
from .engine import QA
from .generators import WriterRefused
from .question import QuestionError

__all__ = ["QA", "Answer", "Config", "PassageRef", "Quote", "QuestionError", "ShortAnswer", "Source", "StoreMismatch",
           "StoreUnavailable", "WriterRefused"]

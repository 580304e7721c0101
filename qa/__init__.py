"""Question in, cited answer out. ``from qa import QA``."""
from .answer import Answer, PassageRef, Quote, ShortAnswer, Source
from .config import Config
from .engine import QA
from .generators import WriterRefused
from .question import QuestionError

__all__ = ["QA", "Answer", "Config", "PassageRef", "Quote", "QuestionError", "ShortAnswer", "Source", "WriterRefused"]

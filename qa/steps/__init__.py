"""Composed answers: planning a question into sub-questions (``plan``), a second hop when one passage
is not enough (``hop``), comparing what the sub-questions found (``values``, ``compare``), stating the
answer with every step cited (``compose``), and a reason's clause (``reason``)."""
from .compose import Outcome, bridge, compose
from .hop import query as hop_query
from .plan import Plan, plan
from .reason import clause

__all__ = ["Outcome", "Plan", "bridge", "clause", "compose", "hop_query", "plan"]

"""The answer writers one server offers: the extractive answer, or a generator its operator listed.

Users choose by label, never by path, and nothing outside the list is ever loaded: at most one
model per listed generator, loaded on first use."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import PurePath

from .language_model import LanguageModel

EXTRACTIVE = "extractive"


class WriterRefused(ValueError):
    """A writer the server does not offer; the message lists what it offers and names no path."""


def label(name: str) -> str:
    """What users see and send: a hub name as it is, a local path by its last part only."""
    if name.startswith(("/", ".", "~")) or "\\" in name or name.endswith(".gguf"):
        return PurePath(name).name
    return name


class Generators:
    """The operator's generators by label, each loaded at most once (thread-safe)."""

    def __init__(self, allowed: Sequence[str], load: Callable[[str], LanguageModel]):
        self._names: dict[str, str] = {}
        for name in allowed:
            key = label(name)
            if key == EXTRACTIVE or key in self._names:
                raise ValueError(f"generators: two entries would both be offered as {key!r}; rename one")
            self._names[key] = name
        self._load, self._loaded = load, {}
        self._lock = threading.Lock()

    @property
    def labels(self) -> list[str]:
        return [EXTRACTIVE, *self._names]

    def get(self, key: str) -> tuple[str, LanguageModel]:
        """The generator's configured name and model for a label the server offers."""
        if not isinstance(key, str) or key not in self._names:
            raise WriterRefused(f"this server does not offer that answer writer; choose one of: {', '.join(self.labels)}")
        name = self._names[key]
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(name)
            return name, self._loaded[name]

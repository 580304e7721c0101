"""Sentences and passages with exact character offsets into the document text."""
from __future__ import annotations

from dataclasses import dataclass

import re

import sentencex

from .cleaning import content_sections
from .records import Document, Passage, Span


# Bumped whenever the same settings would cut different passages, so old indexes are rebuilt.
SPLITTER_VERSION = 5


@dataclass(frozen=True)
class SplitSettings:
    """How passages are cut: whole sentences only, a few per passage, overlapping."""

    max_sentences: int = 4
    overlap: int = 1
    max_chars: int = 1200
    language: str = "en"

    def __post_init__(self) -> None:
        if self.max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        if not 0 <= self.overlap < self.max_sentences:
            raise ValueError("overlap must be at least 0 and smaller than max_sentences")


# sentencex keeps a quotation (or an unbalanced quotation mark, to the end of the paragraph)
# in one sentence. Past 300 characters such a "sentence" is split again at sentence ends after
# a lower-case word (so not after "U.S." or "Dr."), inside the quotation too: the answer
# engine's scorer reads only the first 400 characters of a sentence, and a quote should be
# the sentence that says it, not a speech.
_LONG_SENTENCE = 300
_PLAIN_END = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=[a-z]{2}[.!?][’”\"']))\s+(?=[“\"‘'(A-Z])")


def _pieces(text: str, language: str) -> list[str]:
    """Pieces whose concatenation is exactly ``text``, one sentence each."""
    pieces = []
    for piece in sentencex.segment(language, text):
        if len(piece) <= _LONG_SENTENCE:
            pieces.append(piece)
            continue
        cuts = [0] + [m.start() for m in _PLAIN_END.finditer(piece)] + [len(piece)]
        pieces += [piece[a:b] for a, b in zip(cuts, cuts[1:])]
    return pieces


def sentence_spans(text: str, paragraph: Span, language: str = "en") -> list[Span]:
    """Sentences of one paragraph, trimmed of white space, as offsets into ``text``."""
    spans, pos = [], paragraph.start
    for piece in _pieces(text[paragraph.start:paragraph.end], language):
        stripped = piece.strip()
        if stripped:
            start = pos + piece.index(stripped)
            spans.append(Span(start, start + len(stripped)))
        pos += len(piece)
    return spans


def _sentences(text: str, section: list[Span], language: str, wrapped: bool = False) -> list[Span]:
    """Sentences of a section; a line without letters (a poll's "24 (22%)") joins the sentence before it.

    ``wrapped``: the text breaks lines inside sentences (a PDF), so the section is one paragraph and
    ``text`` has its line breaks turned into spaces (same length, so the offsets are the document's)."""
    if wrapped:
        return sentence_spans(text, Span(section[0].start, section[-1].end), language)
    sentences: list[Span] = []
    for paragraph in section:
        if sentences and not any(c.isalpha() for c in text[paragraph.start:paragraph.end]):
            sentences[-1] = Span(sentences[-1].start, paragraph.end)
        else:
            sentences += sentence_spans(text, paragraph, language)
    return sentences


def _windows(sentences: list[Span], text: str, settings: SplitSettings) -> list[list[Span]]:
    windows, first = [], 0
    while first < len(sentences):
        last = first + 1
        while (
            last < len(sentences)
            and last - first < settings.max_sentences
            and sentences[last].end - sentences[first].start <= settings.max_chars
        ):
            last += 1
        windows.append(sentences[first:last])
        if last == len(sentences):
            break
        first = max(first + 1, last - settings.overlap)
    return windows


def split_document(document: Document, settings: SplitSettings = SplitSettings()) -> list[Passage]:
    """Overlapping passages of whole sentences; none crosses skipped text."""
    text, passages = document.text, []
    wrapped = document.loader.startswith("pdf")
    segmented = text.replace("\n", " ") if wrapped else text
    for section in content_sections(text):
        sentences = _sentences(segmented, section, settings.language, wrapped)
        for window in _windows(sentences, text, settings):
            start, end = window[0].start, window[-1].end
            passages.append(Passage(document.source, start, end, text[start:end], tuple(window)))
    return passages

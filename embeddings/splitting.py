"""Sentences and passages with exact character offsets into the document text."""
from __future__ import annotations

from dataclasses import dataclass

import re

import sentencex

from .cleaning import content_sections
from .encoder import DEFAULT_ENCODER
from .records import Document, Passage, Span
from .tokens import Tokens, tokens_of


# Bumped whenever the same settings would cut different passages, so old indexes are rebuilt.
SPLITTER_VERSION = 6


@dataclass(frozen=True)
class SplitSettings:
    """How passages are cut: whole sentences, a few per passage, overlapping, and never longer than
    ``max_tokens`` tokens or ``max_chars`` characters, whatever the text looks like."""

    max_sentences: int = 4
    overlap: int = 1
    max_chars: int = 1200
    language: str = "en"
    max_tokens: int = 224
    """Hard bound on a passage in the encoder's tokens (the reader's tokenizer is the same). The encoder
    reads 256 tokens: 2 special ones and up to 30 of the title go before the passage. The reader reads
    320: 3 special ones, the passage, and a question of up to 93 tokens (a longer one is cut, the
    passage never). A "sentence" over the bound (text without full stops or line breaks, OCR, a
    flattened table) is cut at the last white space (else at a token boundary) into pieces of at
    most a quarter of the bound, two a passage, overlapping by one as usual. Normal prose is below
    it: seeds passages are at most 185 tokens."""

    def __post_init__(self) -> None:
        if self.max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        if not 0 <= self.overlap < self.max_sentences:
            raise ValueError("overlap must be at least 0 and smaller than max_sentences")
        if self.max_tokens < 16 or self.max_chars < 32:
            raise ValueError("max_tokens must be at least 16 and max_chars at least 32")


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


# A sentence over the bounds is cut into pieces of a quarter of them, two pieces a passage,
# overlapping by one: passages of cut text are then the size of ordinary ones (seeds median 99
# tokens). On three generated corpora (36 facts at the start, middle and end of unpunctuated text, a
# 10,000-character sentence and CJK text; not the tests' own corpus) this answered 35 of 36; pieces of
# half the bounds answered 29, three or four quarter pieces a passage 30 and 29: the reader loses
# its way in long stretches of unpunctuated text. The price: each piece is encoded twice.
PIECES = 4
PIECES_PER_PASSAGE = 2
_SPACES = (" ", "\n", "\t", "\r", "\u3000", "\xa0", "\u2009", "\u202f")


def _cut_point(text: str, start: int, limit: int) -> int:
    """The end of a piece starting at ``start`` and ending by ``limit``: the last white space after
    ``start``, else ``limit`` itself (a character, or token, boundary)."""
    space = max(text.rfind(c, start + 1, limit + 1) for c in _SPACES)
    return space if space > start else limit


def _cut(span: Span, text: str, max_tokens: int, max_chars: int, tokens: Tokens) -> list[tuple[Span, int]]:
    """An overlong sentence as trimmed pieces of at most ``max_tokens`` tokens and ``max_chars``
    characters, each with its token count. Only a piece at a time is tokenized, so a 5 MB line
    costs no more memory than a short one."""
    pieces, start = [], span.start
    while start < span.end:
        end = span.end if span.end - start <= max_chars else _cut_point(text, start, start + max_chars)
        offsets = tokens.offsets([text[start:end]])[0]
        while len(offsets) > max_tokens:  # a cut inside a word may tokenize its part anew: count again
            end = _cut_point(text, start, max(start + 1, start + offsets[max_tokens][0]))
            offsets = tokens.offsets([text[start:end]])[0]
        piece = text[start:end].rstrip()
        pieces.append((Span(start, start + len(piece)), max(1, len(offsets))))
        start = end
        while start < span.end and text[start].isspace():
            start += 1
    return pieces


def _bounded(sentences: list[Span], text: str, settings: SplitSettings,
             tokens: Tokens) -> tuple[list[Span], list[int], list[bool]]:
    """The sentences with their token counts, and whether each is a piece of an overlong one (over
    either bound), which is cut into pieces of a quarter of the bounds."""
    short = [s for s in sentences if s.end - s.start <= settings.max_chars]
    counts = dict(zip(short, tokens.count([text[s.start:s.end] for s in short])))
    spans, sizes, cut = [], [], []
    for sentence in sentences:
        n = counts.get(sentence)
        if n is not None and n <= settings.max_tokens:
            spans.append(sentence)
            sizes.append(n)
            cut.append(False)
            continue
        for piece, size in _cut(sentence, text, settings.max_tokens // PIECES, settings.max_chars // PIECES, tokens):
            spans.append(piece)
            sizes.append(size)
            cut.append(True)
    return spans, sizes, cut


def _windows(sentences: list[Span], sizes: list[int], cut: list[bool], text: str, settings: SplitSettings,
             tokens: Tokens) -> list[list[Span]]:
    windows, first = [], 0
    while first < len(sentences):
        last, used = first + 1, sizes[first]
        while (
            last < len(sentences)
            and last - first < (min(PIECES_PER_PASSAGE, settings.max_sentences) if cut[first] or cut[last]
                                else settings.max_sentences)
            and sentences[last].end - sentences[first].start <= settings.max_chars
            and _fits(sentences, sizes, first, last, used, text, settings.max_tokens, tokens)
        ):
            used += sizes[last]
            last += 1
        windows.append(sentences[first:last])
        if last == len(sentences):
            break
        first = max(first + 1, last - settings.overlap)
    return windows


def _fits(sentences: list[Span], sizes: list[int], first: int, last: int, used: int, text: str, max_tokens: int,
          tokens: Tokens) -> bool:
    """Sentence ``last`` joins the window ``first..last-1`` (``used`` tokens) within the bound. Token
    counts add up across white space; two pieces cut inside a word are counted together again."""
    if used + sizes[last] > max_tokens:
        return False
    if sentences[last - 1].end < sentences[last].start:
        return True
    return tokens.count([text[sentences[first].start:sentences[last].end]])[0] <= max_tokens


def split_document(document: Document, settings: SplitSettings = SplitSettings(),
                   tokens: Tokens | None = None) -> list[Passage]:
    """Overlapping passages of whole sentences (pieces of an overlong one); none crosses skipped text,
    none is over the bounds. ``tokens``: the encoder's tokenizer (default: the bundled encoder's)."""
    tokens = tokens or tokens_of(DEFAULT_ENCODER)
    text, passages = document.text, []
    wrapped = document.loader.startswith("pdf")
    segmented = text.replace("\n", " ") if wrapped else text
    for section in content_sections(text):
        sentences, sizes, cut = _bounded(_sentences(segmented, section, settings.language, wrapped), segmented,
                                         settings, tokens)
        for window in _windows(sentences, sizes, cut, segmented, settings, tokens):
            start, end = window[0].start, window[-1].end
            passages.append(Passage(document.source, start, end, text[start:end], tuple(window)))
    return passages

"""Plain text and Markdown: decoded exactly (UTF-8, UTF-16/32 with or without a mark, detected legacy code pages)."""
from __future__ import annotations

import codecs

import charset_normalizer

from ..errors import DocumentError
from .base import Extracted, Limits, Loader

# charset-normalizer's "chaos" above this means the guess is mostly noise.
_MAX_CHAOS = 0.2
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _best_guess(matches):
    """The least chaotic decoding; among equally clean ones the Western code pages, the most common
    legacy encodings, win (short French text decodes cleanly as cp1250 too, with wrong letters)."""
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least + 0.01]
    return next((m for m in clean if m.encoding in _WESTERN), clean[0])


def _wide_without_mark(raw: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark, told by where the NUL bytes of ASCII letters fall."""
    sample = raw[:4096]
    for encoding, width, where in (("utf-32-le", 4, (1, 2, 3)), ("utf-32-be", 4, (0, 1, 2)),
                                   ("utf-16-le", 2, (1,)), ("utf-16-be", 2, (0,))):
        if len(raw) % width:
            continue
        units = [sample[i:i + width] for i in range(0, len(sample) - width + 1, width)]
        if units and sum(all(u[j] == 0 for j in where) for u in units) >= 0.6 * len(units):
            return encoding
    return None


def _readable(text: str) -> bool:
    """Mostly letters, digits, punctuation and whitespace: control characters mean it was not text."""
    sample = text[:4096]
    return bool(sample) and sum(c.isprintable() or c.isspace() for c in sample) >= 0.95 * len(sample)


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """Text and encoding name; a byte-order mark, UTF-8, wide text by its NULs, a confident detection, or refuse."""
    for mark, encoding in _MARKS:
        if raw.startswith(mark):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                raise DocumentError(f"{name}: has a {encoding.upper()} mark but is not valid {encoding.upper()}; "
                                    "convert it to UTF-8") from None
    if b"\x00" in raw:
        wide = _wide_without_mark(raw)
        try:
            text = raw.decode(wide) if wide else ""
        except UnicodeDecodeError:
            text = ""
        if _readable(text):
            return text, wide
        raise DocumentError(f"{name}: binary data (NUL bytes), not a text document; remove it or convert "
                            "it to UTF-8 text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    best = _best_guess(charset_normalizer.from_bytes(raw))
    if best is None or best.chaos > _MAX_CHAOS:
        raise DocumentError(
            f"{name}: not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and its encoding "
            "could not be detected; convert it to UTF-8"
        )
    return str(best), best.encoding


class TextLoader(Loader):
    name = "text"
    suffixes = (".txt", ".md")

    def extract(self, raw: bytes, source: str, limits: Limits, password: str | None = None) -> Extracted:
        text, encoding = decode(raw, source)
        return Extracted(text, encoding)

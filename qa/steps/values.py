"""Reading the values a comparison compares out of a short answer: dates as (year, month, day),
quantities as numbers with their unit, anything else as normalised text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..metrics import normalize_answer

MONTHS = {m: n for n, m in enumerate("january february march april may june july august september october "
                                     "november december".split(), start=1)}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
_YEAR = r"(?:1[0-9]{3}|20[0-9]{2})"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+([A-Za-z]+)\.?,?\s+({_YEAR})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b([A-Za-z]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+({_YEAR})\b")
_MONTH_YEAR = re.compile(rf"\b([A-Za-z]+)\s+({_YEAR})\b")
_YEAR_ALONE = re.compile(rf"\b({_YEAR})s?\b")
_NUMBER = re.compile(r"(?P<currency>[$€£¥₹`])?\s?(?P<number>\d+(?:,\d{2,3})*(?:\s\d{3})*(?:\.\d+)?|\d*\.\d+)\s*"
                     r"(?P<scale>thousand|million|billion|trillion|bn|m|lakh|crore)?\b\s*"
                     r"(?P<unit>%|percent\b|per cent\b|(?:us\s)?dollars?\b|usd\b|euros?\b|eur\b|pounds?\b|gbp\b|yuan\b|"
                     r"rupees?\b|rubles?\b|roubles?\b)?", re.I)
"""Digits grouped by three or, as in India, by two after the first three ("2,54,970"); a currency as a
sign before or a word after, so "$132 billion" and "100 billion dollars" compare."""
_SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12, "lakh": 1e5,
           "crore": 1e7}
_CURRENCIES = {"$": "$", "usd": "$", "dollar": "$", "us dollar": "$", "€": "€", "eur": "€", "euro": "€", "£": "£",
               "gbp": "£", "pound": "£", "¥": "¥", "yuan": "¥", "₹": "₹", "`": "₹", "rupee": "₹", "ruble": "₽", "rouble": "₽"}
"""The backtick is how a PDF without the font's glyph extracts the rupee sign (``../shared/docs/pdf/reliance.pdf``)."""
_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}


@dataclass(frozen=True, order=True)
class Value:
    """A comparable reading: ``unit`` must match for two values to compare ("date", "%", "$", "text", "")."""

    unit: str
    amount: tuple[float, ...]
    shown: str

    def comparable(self, other: Value) -> bool:
        return self.unit == other.unit


def date(text: str) -> Value | None:
    """The first full or partial date in ``text`` ("July 16, 1966", "16 July 1966", "March 2012", "2005",
    "the 1970s"): its year, month and day as far as given."""
    for pattern, order in ((_MONTH_DAY_YEAR, "mdy"), (_DAY_MONTH_YEAR, "dmy")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()))
            month = MONTHS.get(parts["m"].lower())
            if month:
                return Value("date", (int(parts["y"]), month, int(parts["d"])), match.group(0))
    for match in _MONTH_YEAR.finditer(text):
        month = MONTHS.get(match.group(1).lower())
        if month:
            return Value("date", (int(match.group(2)), month), match.group(0))
    match = _YEAR_ALONE.search(text)
    return Value("date", (int(match.group(1)),), match.group(0)) if match else None


def quantity(text: str) -> Value | None:
    """The first number in ``text`` with its scale and unit ("$132 billion", "31.5%", "24 percent", "four")."""
    match = _NUMBER.search(text)
    if match is None:
        word = next((w for w in normalize_answer(text).split() if w in _WORDS), None)
        return Value("", (float(_WORDS[word]),), word) if word else None
    number = float(re.sub(r"[,\s]", "", match["number"]))
    number *= _SCALES.get((match["scale"] or "").lower(), 1.0)
    return Value(_unit(match["currency"], match["unit"]), (number,), match.group(0).strip())


def _unit(sign: str | None, word: str | None) -> str:
    """"%", a currency's sign whether written as a sign or a word, or "" for a bare count."""
    word = " ".join((word or "").lower().split())
    if word in ("%", "percent", "per cent"):
        return "%"
    named = word[:-1] if word.endswith("s") else word
    return _CURRENCIES.get(named) or _CURRENCIES.get(sign or "", "")


def text_value(text: str) -> Value:
    return Value("text", tuple(), normalize_answer(text))


def read(text: str, dimension: str) -> Value | None:
    """The value a ``dimension`` ("time", "quantity", "same") compares, read from a short answer."""
    if dimension == "time":
        return date(text)
    if dimension == "quantity":
        return quantity(text)
    return text_value(text) if normalize_answer(text) else None


def same(a: Value, b: Value) -> bool:
    """Two texts say the same when, normalised, one's words contain the other's."""
    x, y = f" {a.shown} ", f" {b.shown} "
    return x in y or y in x

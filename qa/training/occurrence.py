"""Where in its paragraph an answer given as text only stands.

The rebuilt SQuAD 2.0 training set has answer texts but no offsets, and 10.8% of them occur more than
once in their paragraph. The rule: the occurrence whose surroundings (``RADIUS`` characters each side)
share the most distinct question words of four letters or more; the first such occurrence on a tie.
Measured on dev-v1.1's official offsets over the non-TEST articles only (``python -m
qa.training.occurrence``); the figures are in docs/reader.md.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from . import squad_split

RADIUS = 50
_WORD = re.compile(r"[^\W\d_]{4,}")


def occurrences(context: str, answer: str) -> list[int]:
    starts, at = [], context.find(answer)
    while at >= 0 and answer:
        starts.append(at)
        at = context.find(answer, at + 1)
    return starts


def choose(context: str, answer: str, question: str, radius: int = RADIUS) -> int | None:
    """Offset of the occurrence of ``answer`` the question most likely means (None: not in the context)."""
    starts = occurrences(context, answer)
    if len(starts) <= 1:
        return starts[0] if starts else None
    words = {w.lower() for w in _WORD.findall(question)}

    def shared(start: int) -> int:
        around = context[max(0, start - radius):start + len(answer) + radius]
        return len(words & {w.lower() for w in _WORD.findall(around)})

    return max(starts, key=lambda s: (shared(s), -s))


def measure(data: Path, radius: int = RADIUS) -> dict[str, float | int]:
    """On dev-v1.1's non-TEST articles: of the first answers occurring more than once, how often the
    first occurrence and how often the rule's is the annotated one."""
    test = set(squad_split.article_split(data)["test"])
    total = first = rule = 0
    for article in squad_split._load(data / squad_split.V1):
        if article["title"] in test:
            continue
        for para in article["paragraphs"]:
            for q in para["qas"]:
                gold = q["answers"][0]
                starts = occurrences(para["context"], gold["text"])
                if len(starts) < 2:
                    continue
                total += 1
                first += starts[0] == gold["answer_start"]
                rule += choose(para["context"], gold["text"], q["question"], radius) == gold["answer_start"]
    return {"repeated": total, "first_right": round(first / total, 4), "rule_right": round(rule / total, 4),
            "radius": radius}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.training.occurrence", description=__doc__)
    parser.add_argument("--data", default=str(squad_split.DEFAULT_DATA))
    args = parser.parse_args(argv)
    for radius in (50, 100, RADIUS, 250):
        print(json.dumps(measure(Path(args.data), radius)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

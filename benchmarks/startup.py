"""Start-up of the app (``python app.py``) from process start to ready-for-questions (its server
listening, models loaded), to the first answer over HTTP, and its peak memory while answering. Warm: index and converted weights present (median of three starts).
Cold: a fresh copy of the seeds and an empty home folder, so the index is built (the reader and
encoder load from the repository and site-packages; the generator is loaded only for writer="generate").

    python -m benchmarks.startup [--warm 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, check, launch_app, peak_rss_mb, save, table

TARGET_WARM_S = 6.0
TARGET_PEAK_MB = 1024
QUESTIONS = ["Who did the Americans agree to supply submarines to?", "How much did China agree to pay in fines to save ZTE?",
             "What is the population of Brazil?", "When was the conversation between the two presidents?"]


def start(corpus: Path, home: str | None = None) -> dict:
    """Launch the app, wait for its ready line, ask a few questions over HTTP, read its memory, stop it."""
    from gradio_client import Client

    with launch_app(corpus, home=home) as app:
        started = time.time() - app.ready_s
        ready_peak = peak_rss_mb(app.process.pid)
        client = Client(app.url, verbose=False)
        client.predict(QUESTIONS[0], 5, api_name="/answer")
        first_answer_s = time.time() - started
        for question in QUESTIONS[1:]:
            client.predict(question, 5, api_name="/answer")
        return {"ready_s": round(app.ready_s, 2), "first_answer_s": round(first_answer_s, 2),
                "peak_rss_mb_at_ready": round(ready_peak),
                "peak_rss_mb_after_questions": round(peak_rss_mb(app.process.pid))}


def measure(warm: int) -> dict:
    start(ROOT / "seeds")  # leaves the index in place
    warm_runs = [start(ROOT / "seeds") for _ in range(warm)]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "seeds"
        shutil.copytree(ROOT / "seeds", corpus, ignore=shutil.ignore_patterns(".citeqa"))
        (Path(tmp) / "home").mkdir()
        cold = start(corpus, home=str(Path(tmp) / "home"))
    return {"warm_runs": warm_runs, "warm_ready_s": statistics.median(r["ready_s"] for r in warm_runs),
            "warm_first_answer_s": statistics.median(r["first_answer_s"] for r in warm_runs),
            "warm_peak_rss_mb": max(r["peak_rss_mb_after_questions"] for r in warm_runs), "cold": cold}


def targets(results: dict) -> list[list[str]]:
    return [check("warm start to ready", results["warm_ready_s"], TARGET_WARM_S, "s",
                  remedy="imports alone take about 6 s here: docs/speed-and-scale.md"),
            check("peak RSS (warm start, then 4 questions over HTTP)", results["warm_peak_rss_mb"], TARGET_PEAK_MB, "MB")]


def markdown(results: dict) -> str:
    cold = results["cold"]
    return table(["measure", "value", "target"], [
        ["warm start to ready (median of %d), s" % len(results["warm_runs"]), results["warm_ready_s"], f"≤ {TARGET_WARM_S:.0f}"],
        ["warm start to first answer over HTTP (median), s", results["warm_first_answer_s"], "reported"],
        ["peak RSS, warm, after 4 questions, MB", results["warm_peak_rss_mb"], f"≤ {TARGET_PEAK_MB}"],
        ["cold first start to ready (index built), s", cold["ready_s"], "reported"],
        ["cold first start to first answer, s", cold["first_answer_s"], "reported"],
        ["peak RSS, cold start, MB", cold["peak_rss_mb_after_questions"], "reported"],
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warm", type=int, default=3)
    args = parser.parse_args(argv)
    results = measure(args.warm)
    print(markdown(results))
    save("startup", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

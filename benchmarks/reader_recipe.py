"""Training speed of the reader's recipe options, measured before a long run: windows a second for
window length (the engine's 4-sentence passages, or the answer's sentence with a neighbour each side),
bf16 autocast, batch size and frozen lower layers. Each row trains the same number of windows drawn from
the first TRAIN paragraphs (after a few warm-up batches) from the base model; nothing is saved.

    python -m benchmarks.reader_recipe [--windows 640]
"""
from __future__ import annotations

import argparse
import random
import time

import torch

from qa.reader import load_base
from qa.training import squad_split
from qa.training.train_reader import batches, encode, freeze

from .common import BENCH_DATA, OUT, save, table

BASELINE = {"window": "passage", "bf16": True, "batch_size": 16, "freeze_layers": 0}
VARIANTS = [{}, {"window": "sentence"}, {"bf16": False}, {"batch_size": 32}, {"freeze_layers": 3},
            {"window": "sentence", "batch_size": 32}, {"window": "sentence", "freeze_layers": 3}]
WARMUP_BATCHES = 3


def measure(paras, recipe: dict, count: int, max_length: int = 320) -> dict:
    torch.manual_seed(13)
    tokenizer, model = load_base()
    freeze(model, recipe["freeze_layers"])
    windows = squad_split.windows(paras, 13, 0.5, window=recipe["window"])[:count]
    plan = batches(windows, recipe["batch_size"], random.Random(13))
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    model.train()
    tokens = seen = 0
    for n, batch in enumerate(plan[:WARMUP_BATCHES] + plan):
        if n == WARMUP_BATCHES:
            started = time.perf_counter()
        inputs = encode(tokenizer, batch, max_length)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=recipe["bf16"]):
            loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if n >= WARMUP_BATCHES:
            seen += len(batch)
            tokens += int(inputs["attention_mask"].sum())
    seconds = time.perf_counter() - started
    return {**recipe, "windows": seen, "tokens_per_window": round(tokens / seen, 1),
            "windows_per_s": round(seen / seconds, 2), "seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reader_recipe", description=__doc__)
    parser.add_argument("--windows", type=int, default=640)
    parser.add_argument("--paragraphs", type=int, default=400)
    args = parser.parse_args(argv)
    paras = squad_split.paragraphs("train", BENCH_DATA / "squad")[:args.paragraphs]
    rows = [measure(paras, {**BASELINE, **variant}, args.windows) for variant in VARIANTS]
    text = markdown(rows)
    print(text)
    save("reader_recipe", {"rows": rows})
    (OUT / "reader_recipe.md").write_text(text + "\n", encoding="utf-8")  # the model card's table
    return 0


def markdown(rows: list[dict]) -> str:
    base = rows[0]["windows_per_s"]
    return table(["window", "bf16 autocast", "batch", "frozen layers", "tokens/window", "windows/s", "vs first row"],
                 [[r["window"], "yes" if r["bf16"] else "no", r["batch_size"], r["freeze_layers"], r["tokens_per_window"],
                   r["windows_per_s"], f"{r['windows_per_s'] / base:.2f}×"] for r in rows])


if __name__ == "__main__":
    raise SystemExit(main())

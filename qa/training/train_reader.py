"""``citeqa train-reader``: fine-tune the bundled MiniLM-L6 for span extraction with a no-answer option.

Seeded, with a progress bar, resumable (a checkpoint every ``--save-every`` steps in ``--work``).
The word embeddings stay frozen, so what ships is every other weight (bfloat16 safetensors, about
22 MB) and the reader loads it over the bundled base model.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from ..reader import BASE_MODEL, Reader, WEIGHTS, load_base
from . import squad_split
from .squad_split import Window


PAD_TO = 8


def encode(tokenizer, batch: list[Window], max_length: int) -> dict[str, torch.Tensor]:
    """Token ids and start/end labels; an answer cut off by truncation counts as no answer (label 0 = [CLS])."""
    # Lengths padded to a multiple of 8: a few dozen shapes, not one a batch. With a new shape every
    # batch, a 664-step run grew from 2.8 to 5.4 GB resident and slowed from 1.1 to 2 s a batch (half
    # of it system time). Measured on 120 batches: multiple of 1, 1.07 s a batch and 3.3 GB growing;
    # of 8, 1.10 s and 1.9 GB flat; of 32, 1.22 s (10% more tokens) and 1.8 GB.
    enc = tokenizer([w.question for w in batch], [w.passage for w in batch], truncation="only_second",
                    max_length=max_length, padding=True, pad_to_multiple_of=PAD_TO, return_offsets_mapping=True,
                    return_tensors="pt")
    starts, ends = [], []
    for row, window in enumerate(batch):
        s = e = 0
        if window.start is not None:
            sequence, first = enc.sequence_ids(row), None
            covered = 0
            for t, (a, b) in enumerate(enc["offset_mapping"][row].tolist()):
                if sequence[t] != 1:
                    continue
                if first is None and b > window.start:
                    first = t
                if a < window.end:
                    e, covered = t, b
            s = first or 0
            if not s or e < s or covered < window.end:
                s = e = 0
        starts.append(s)
        ends.append(e)
    enc.pop("offset_mapping")
    enc["start_positions"], enc["end_positions"] = torch.tensor(starts), torch.tensor(ends)
    return dict(enc)


def freeze(model, layers: int) -> None:
    """The word embeddings always stay as the base has them (they are not shipped); ``layers``: the
    embeddings and that many lower transformer layers too (less to back-propagate through)."""
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    if layers:
        for module in [model.bert.embeddings, *model.bert.encoder.layer[:layers]]:
            module.requires_grad_(False)


def batches(windows: list[Window], size: int, rng: random.Random) -> list[list[Window]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(windows, key=lambda w: len(w.question) + len(w.passage))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def train(args: argparse.Namespace) -> Path:
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    tokenizer, model = load_base()
    freeze(model, args.freeze_layers)
    data = Path(args.data)
    paras = squad_split.paragraphs("train", data)
    if args.limit:
        paras = paras[:args.limit]
    hard = {}
    if args.hard_negatives:
        from . import hard_negatives

        hard = hard_negatives.mine(data / squad_split.TRAIN, Path(args.cache), args.hard_negatives, args.seed,
                                   limit=len({p.title for p in paras}) if args.limit else 0)
    epochs = [squad_split.windows(paras, args.seed + e, args.negatives, any_answer=args.any_answer,
                                  window=args.window, hard=hard) for e in range(args.epochs)]
    plan = [batches(w, args.batch_size, random.Random(args.seed + e)) for e, w in enumerate(epochs)]
    total = sum(len(p) for p in plan)
    if args.max_steps:
        total = min(total, args.max_steps)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(total * args.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    step, before = _resume(work, model, optimizer, schedule)
    flat = [b for p in plan for b in p][:total]
    epoch_ends = set(np.cumsum([len(p) for p in plan]).tolist())
    model.train()
    losses: list[float] = []
    started = time.time()
    with tqdm(total=total, initial=step, desc="train-reader", unit="batch") as bar:
        for batch in flat[step:]:
            inputs = encode(tokenizer, batch, args.max_length)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}", epoch=f"{step / max(1, len(plan[0])):.2f}")
            if step % args.save_every == 0 or step == total:
                _checkpoint(work, model, optimizer, schedule, step, before + time.time() - started)
            if step in epoch_ends:  # kept to compare epochs on TUNE, never on TEST
                Reader.save(model, work / f"epoch-{sorted(epoch_ends).index(step) + 1}")
    model.eval()
    out = Path(args.out)
    Reader.save(model, out)
    stamp = {"base_model": BASE_MODEL, "seed": args.seed, "epochs": args.epochs, "steps": total,
             "batch_size": args.batch_size, "lr": args.lr, "warmup": args.warmup, "negatives": args.negatives,
             "any_answer": args.any_answer, "max_length": args.max_length, "window": args.window,
             "freeze_layers": args.freeze_layers, "hard_negatives": args.hard_negatives, "hard_negative_questions": len(hard), "bf16_autocast": args.bf16, "train_paragraphs": len(paras),
             "train_windows_per_epoch": [len(w) for w in epochs], "final_loss_50": float(np.mean(losses[-50:])) if losses else None,
             "windows_seen": sum(len(b) for b in flat), "windows_per_epoch_used": round(sum(len(b) for b in flat) / max(1, len(epochs[0])), 3),
             "training_minutes": round((before + time.time() - started) / 60, 1), "threads": torch.get_num_threads(),
             "commit": _commit(),
             "weights_sha256": hashlib.sha256((out / WEIGHTS).read_bytes()).hexdigest()}
    (out / "training.json").write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return out


def _checkpoint(work: Path, model, optimizer, schedule, step: int, seconds: float) -> None:
    """Weights, optimizer moments and the random state as safetensors (nothing is unpickled on resume)."""
    from safetensors.torch import save_file

    tensors = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    for pid, state in optimizer.state_dict()["state"].items():
        for name, value in state.items():
            tensors[f"optimizer.{pid}.{name}"] = torch.as_tensor(value).contiguous()
    tensors["rng"] = torch.get_rng_state()
    save_file(tensors, str(work / "checkpoint.safetensors.tmp"))
    (work / "checkpoint.json.tmp").write_text(json.dumps({"step": step, "seconds": seconds, "schedule": schedule.state_dict()}), encoding="utf-8")
    (work / "checkpoint.safetensors.tmp").replace(work / "checkpoint.safetensors")
    (work / "checkpoint.json.tmp").replace(work / "checkpoint.json")


def _resume(work: Path, model, optimizer, schedule) -> tuple[int, float]:
    """The step and the training seconds of the checkpoint in ``work`` (0, 0.0 when there is none)."""
    from safetensors.torch import load_file

    meta_path, tensors_path = work / "checkpoint.json", work / "checkpoint.safetensors"
    if not (meta_path.exists() and tensors_path.exists()):
        return 0, 0.0
    meta, tensors = json.loads(meta_path.read_text(encoding="utf-8")), load_file(str(tensors_path))
    model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")})
    state = optimizer.state_dict()
    moments: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, pid, name = key.split(".", 2)
            moments.setdefault(int(pid), {})[name] = value
    optimizer.load_state_dict({"state": moments, "param_groups": state["param_groups"]})
    schedule.load_state_dict(meta["schedule"])
    torch.set_rng_state(tensors["rng"])
    print(f"resuming from {tensors_path} at step {meta['step']}")
    return int(meta["step"]), float(meta.get("seconds", 0.0))


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", default=str(squad_split.DEFAULT_DATA),
                        help=f"folder with the SQuAD files ({squad_split.TRAIN} is trained on, the dev files tune)")
    parser.add_argument("--out", default="qa/models/reader", help="where the trained weights are written")
    parser.add_argument("--work", default=".reader-train", help="checkpoints (resume by running the same command)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=float, default=0.06)
    parser.add_argument("--negatives", type=float, default=0.5, help="share of answerable questions that also get a no-answer passage")
    parser.add_argument("--any-answer", action="store_true",
                        help="train on a random one of each question's gold answers, not always the first")
    parser.add_argument("--max-length", type=int, default=320)
    parser.add_argument("--window", choices=squad_split.WINDOWS, default="passage",
                        help="passage: the engine's 4-sentence passages; sentence: the answer's sentence and its neighbours")
    parser.add_argument("--freeze-layers", type=int, default=0, help="also freeze this many lower transformer layers")
    parser.add_argument("--hard-negatives", type=float, default=0.2,
                        help="share of answerable questions given a no-answer passage from the engine's own retrieval (0: none)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-bf16", dest="bf16", action="store_false", help="train in float32")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--save-every", type=int, default=200)
    parser.add_argument("--limit", type=int, default=0, help="only the first N TRAIN paragraphs (smoke runs, learning curve)")
    # 5,000 batches of 16 (80,000 windows, about half an epoch) so the whole command fits 150 minutes on
    # 2 cores: measured from an empty cache, 144.5 (mining 16, training 113.7 at 1.36 s a batch, calibration 15).
    parser.add_argument("--max-steps", type=int, default=5000, help="stop after N batches (0: every epoch in full)")
    parser.add_argument("--cache", default=".bench-cache", help="where the calibration corpus and its index are kept")
    parser.add_argument("--calibrate-only", action="store_true", help="only choose the threshold for the weights in --out")
    parser.add_argument("--no-calibrate", dest="calibrate", action="store_false", help="train only")
    parser.add_argument("--tune-every", type=int, default=2, help="calibrate on every N-th TUNE question (2: 15 min instead of 32)")
    parser.add_argument("--max-false-declines", type=float, default=0.15,
                        help="the threshold may decline at most this share of TUNE's answerable questions")


def run(args: argparse.Namespace) -> int:
    """Train (unless ``--calibrate-only``), then choose the threshold, the confidence model and the
    stopping score on TUNE articles (unless ``--no-calibrate``)."""
    from . import early_stop
    from .calibrate import calibrate

    out = Path(args.out) if args.calibrate_only else train(args)
    print(f"reader weights in {out}")
    if args.calibrate or args.calibrate_only:
        settings = calibrate(out, Path(args.data), Path(args.cache), limit=args.limit,
                             max_false_declines=args.max_false_declines, every=args.tune_every)
        print(f"threshold {settings['threshold']}, min_confidence {settings['confidence']['min_confidence']} "
              f"(TUNE: {json.dumps(settings['tune'])})")
        stop = early_stop.run(out, Path(args.data), Path(args.cache), early_stop.SAMPLE, early_stop.KEEP, limit=args.limit)
        early_stop.write(out, stop)
        print(f"stop score {stop['stop_score']} (reading stops after the first passage when it is reached)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="citeqa train-reader", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())

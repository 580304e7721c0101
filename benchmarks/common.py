"""What every benchmark shares: the machine's description, JSON results, tables, memory readings."""
from __future__ import annotations

import ctypes
import gc
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CACHE = ROOT / ".bench-cache"
BENCH_DATA = Path(os.environ.get("CITEQA_BENCH_DATA", ROOT.parent / "shared" / "bench"))
PACKAGES = ("torch", "transformers", "sentence-transformers", "faiss-cpu", "bm25s", "gradio")


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout
    commit = commit.strip() + (" with uncommitted changes" if dirty.strip() else "")
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(), "platform": platform.platform(), "commit": commit,
        "packages": {name: version(name) for name in PACKAGES}, "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def save(name: str, results: dict[str, Any]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "results": results}, indent=1), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")
    return path


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, numbers formatted for reading."""
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def settled_rss_mb() -> float:
    """Resident memory after handing freed heap back to the system, so later growth is not hidden by reuse."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def peak_rss_mb(pid: int | None = None) -> float:
    """The kernel's high-water mark of resident memory (VmHWM) for a process."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return kb / 1024


def run_json(module: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m module args`` in a fresh process (clean memory readings); its last stdout line is JSON."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def check(what: str, measured: float, limit: float, unit: str = "", higher_is_better: bool = False,
          remedy: str = "") -> list[str]:
    """A row of the targets table: the figure, its target and, when missed, by how much."""
    met = measured >= limit if higher_is_better else measured <= limit
    sign = "≥" if higher_is_better else "≤"
    status = "met" if met else f"**missed by {_number(abs(measured - limit))} {unit}**".replace(" **", "**")
    if not met and remedy:
        status += f": {remedy}"
    return [what, f"{_number(measured)} {unit}".strip(), f"{sign} {_number(limit)} {unit}".strip(), status]


@dataclass
class App:
    url: str
    process: subprocess.Popen
    ready_s: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def launch_app(corpus: Path, args: list[str] = (), home: str | None = None) -> Iterator[App]:
    """``python app.py`` in its own process on ``corpus`` and a free port, from start to its ready line."""
    port = free_port()
    env = {**os.environ, "CITEQA_CORPUS": str(corpus), "CITEQA_PORT": str(port), **({"HOME": home} if home else {})}
    started = time.time()
    app = subprocess.Popen([sys.executable, "app.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        for line in app.stdout:
            if line.startswith("citeqa: ready"):
                break
        else:
            raise RuntimeError(f"app exited with {app.wait()} before it was ready")
        ready_s = time.time() - started
        threading.Thread(target=app.stdout.read, daemon=True).start()  # keep its pipe from filling up
        yield App(f"http://127.0.0.1:{port}/", app, ready_s)
    finally:
        app.terminate()
        app.wait(timeout=30)

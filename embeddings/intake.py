"""Adding files to a corpus folder: checked, renamed safely, never overwriting."""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .formats.pdf import NoTextLayer
from .loading import SUFFIXES, DocumentError, file_sha256
from .sandbox import ReadLimits, Sandbox

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class IntakeReport:
    added: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dot, only letters, digits, '.', '_' and '-'."""
    base = unicodedata.normalize("NFKD", Path(str(name).replace("\\", "/")).name)
    base = base.encode("ascii", "ignore").decode("ascii")
    stem, suffix = os.path.splitext(base)
    stem = _UNSAFE.sub("_", stem).strip("._-")[:100] or "document"
    return f"{stem}{suffix.lower()}"


def _free_name(folder: Path, name: str) -> str:
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 2
    while (folder / candidate).exists():
        candidate, n = f"{stem}-{n}{suffix}", n + 1
    return candidate


def add_files(folder: Path, files: list[Path | str], max_bytes: int, ocr: str | None = None,
              limits: ReadLimits = ReadLimits()) -> IntakeReport:
    """Copy readable documents into ``folder``; each rejection says why. Each file is read in a worker
    process within ``limits`` (``embeddings.sandbox``), so a hostile upload costs only itself. With
    ``ocr`` on, a PDF without a text layer is let in unread: the sync that follows OCRs it once."""
    folder, report = Path(folder), IntakeReport()
    existing = {file_sha256(p): p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES}
    with Sandbox(limits) as sandbox:
        for file in files:
            path = Path(file)
            label = path.name
            reason = _unreadable(sandbox, path, label, max_bytes, ocr)
            if reason:
                report.rejected[label] = reason
                continue
            digest = file_sha256(path)
            if digest in existing:
                report.already_present.append(existing[digest])
                continue
            target = folder / _free_name(folder, safe_name(label))
            staging = folder / f".{target.name}.part"
            shutil.copyfile(path, staging)
            os.replace(staging, target)
            existing[digest] = target.name
            report.added.append(target.name)
    return report


def _unreadable(sandbox: Sandbox, path: Path, label: str, max_bytes: int, ocr: str | None) -> str | None:
    """Why the file cannot be added, or None."""
    if Path(safe_name(label)).suffix not in SUFFIXES:
        return f"{label}: only {', '.join(SUFFIXES)} files can be added"
    try:
        sandbox.read(path, label, max_bytes=max_bytes)
    except NoTextLayer as error:
        return None if ocr is not None else str(error)
    except DocumentError as error:
        return str(error)
    return None

"""Adding files to a corpus folder: checked, renamed safely, never overwriting."""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .loading import SUFFIXES, DocumentError, file_sha256, read_document

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


def add_files(folder: Path, files: list[Path | str], max_bytes: int) -> IntakeReport:
    """Copy readable .txt/.md files into ``folder``; each rejection says why."""
    folder, report = Path(folder), IntakeReport()
    existing = {file_sha256(p): p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES}
    for file in files:
        path = Path(file)
        label = path.name
        name = safe_name(label)
        if Path(name).suffix not in SUFFIXES:
            report.rejected[label] = f"{label}: only {', '.join(SUFFIXES)} files can be added"
            continue
        try:
            document = read_document(path, label, max_bytes=max_bytes)
        except DocumentError as error:
            report.rejected[label] = str(error)
            continue
        if document.sha256 in existing:
            report.already_present.append(existing[document.sha256])
            continue
        target = folder / _free_name(folder, name)
        staging = folder / f".{target.name}.part"
        shutil.copyfile(path, staging)
        os.replace(staging, target)
        existing[document.sha256] = target.name
        report.added.append(target.name)
    return report

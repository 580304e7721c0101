"""Adding files to a corpus folder: checked, renamed safely, never overwriting."""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .formats.pdf import NoTextLayer
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


def add_files(folder: Path, files: list[Path | str], max_bytes: int, ocr: str | None = None) -> IntakeReport:
    """Copy readable documents into ``folder``; each rejection says why. With ``ocr`` on, a PDF
    without a text layer is let in unread: the sync that follows OCRs it once (seconds a page)."""
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
            read_document(path, label, max_bytes=max_bytes)
        except NoTextLayer as error:
            if ocr is None:
                report.rejected[label] = str(error)
                continue
        except DocumentError as error:
            report.rejected[label] = str(error)
            continue
        digest = file_sha256(path)
        if digest in existing:
            report.already_present.append(existing[digest])
            continue
        target = folder / _free_name(folder, name)
        staging = folder / f".{target.name}.part"
        shutil.copyfile(path, staging)
        os.replace(staging, target)
        existing[digest] = target.name
        report.added.append(target.name)
    return report

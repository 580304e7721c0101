"""Cheap refusals before any parser runs: containers that would unpack to too much, and XML that
declares entities (a few bytes that expand to gigabytes, or that read other files of this machine).

Zip containers (DOCX, ODT, EPUB) are judged by their central directory alone: what each member says
it unpacks to, which ``zipfile`` then holds the parsers to. No real document declares an entity."""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from ..errors import DocumentError

ZIPPED = (".docx", ".odt", ".epub")
MARKUP = (".html", ".htm")
MAX_UNZIPPED_BYTES = 256 * 2**20
"""More than 30 times the text a document may have (8 MiB); a 500-page book's DOCX unpacks to about 20 MB."""
MAX_RATIO = 100
"""Text XML compresses 5 to 20 times; a member packed tighter than 100 to 1 is padding made to expand."""
RATIO_FROM_BYTES = 2**20
"""Small members (styles, a blank image) may compress far better without being a threat."""
MAX_MEMBERS = 10_000
HEAD_BYTES = 64 * 1024
"""The part of an XML member searched for entity declarations: they stand before its first element."""
_XML_MEMBER = re.compile(r"\.(xml|xhtml|html?|opf|ncx|rels|svg)$", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class _Prolog(Exception):
    """Raised from expat's handlers to stop at the first element or entity declaration."""


def _declares_entities(head: bytes) -> bool:
    """Whether the XML declares an entity before its first element (expat reads the prolog only)."""
    found = []

    def entity(*_):
        found.append(True)
        raise _Prolog

    def element(*_):
        raise _Prolog

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = element
    try:
        parser.Parse(head, False)
    except _Prolog:
        return bool(found)
    except expat.ExpatError:
        return bool(_ENTITY.search(head))  # broken XML: the loader says why, unless it is this
    return bool(_ENTITY.search(head))  # no element within the head: a prolog that long is itself a sign


def _entities_refused(source: str, where: str) -> DocumentError:
    return DocumentError(f"{source}: declares XML entities ({where}); citeqa does not read such files: entities "
                         "can expand a few bytes into gigabytes or pull in other files. Re-save it from its program")


def _check_zip(path: Path, source: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise DocumentError(f"{source}: holds {len(members):,} files (over {MAX_MEMBERS:,}); remove it")
            total = sum(m.file_size for m in members)
            if total > MAX_UNZIPPED_BYTES:
                raise DocumentError(f"{source}: would unpack to {total / 2**20:,.0f} MB (over {MAX_UNZIPPED_BYTES // 2**20} "
                                    "MB): the file may be a decompression bomb; remove it")
            for member in members:
                ratio = member.file_size / max(1, member.compress_size)
                if member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
                    raise DocumentError(f"{source}: {member.filename} is packed {ratio:,.0f} to 1 (over {MAX_RATIO} to 1): "
                                        "the file may be a decompression bomb; remove it")
            for member in members:
                if _XML_MEMBER.search(member.filename):
                    with archive.open(member) as handle:
                        if _declares_entities(handle.read(HEAD_BYTES)):
                            raise _entities_refused(source, f"in {member.filename}")
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError, RuntimeError,
            OSError, zlib.error) as error:
        raise DocumentError(f"{source}: not a readable {path.suffix.lower()} file (a damaged or truncated zip "
                            f"container: {error}); re-save it, or remove it") from None


def _check_markup(path: Path, source: str) -> None:
    with open(path, "rb") as handle:
        if _ENTITY.search(handle.read(HEAD_BYTES * 16)):
            raise _entities_refused(source, "in its document type")


def check_file(path: Path, source: str) -> None:
    """Refuse, with the reason, a file whose container or markup is made to harm; others pass unread."""
    suffix = Path(source).suffix.lower() or path.suffix.lower()
    if suffix in ZIPPED and zipfile.is_zipfile(path):
        _check_zip(path, source)
    elif suffix in MARKUP:
        _check_markup(path, source)

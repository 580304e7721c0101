"""Where an index is kept, chosen by a URI:

- ``local`` (default): the folder index (``CORPUS/.citeqa``), FAISS and bm25s in the process;
- ``milvus:PATH.db``: Milvus Lite embedded in the process, in one file;
- ``milvus://HOST:PORT``: a Milvus server (Standalone, Distributed, or ``milvus-lite server``);
- ``milvus+https://HOST:PORT``: a managed cluster over TLS, token from ``CITEQA_MILVUS_TOKEN``.

Milvus URIs take ``?collection=NAME`` (default: ``citeqa_`` and the corpus folder's name) and
``&analyzer=standard`` (default ``citeqa``: see ``milvus.ANALYZERS``) and ``&timeout=SECONDS`` (each
request's deadline, default 10)."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .base import NewDocument, Scored, Store, StoreMismatch, StoreUnavailable, reciprocal_rank_fusion
from .local import LocalStore

ENV_STORE = "CITEQA_STORE"
ENV_TOKEN = "CITEQA_MILVUS_TOKEN"
FORMS = "local, milvus:PATH.db, milvus://HOST:PORT or milvus+https://HOST:PORT (optionally ?collection=NAME)"


def open_store(uri: str, folder: Path | str, index_dir: Path | str) -> Store:
    """The store a URI names, for the corpus in ``folder`` (a local index lives in ``index_dir``)."""
    uri = (uri or "local").strip()
    if uri == "local":
        return LocalStore(index_dir)
    scheme = uri.split(":", 1)[0]
    if scheme not in ("milvus", "milvus+https", "milvus+http"):
        raise ValueError(f"store {uri!r}: not a store this citeqa knows; use {FORMS}")
    try:
        from .milvus import MilvusStore, collection_name
    except ImportError as error:
        raise ValueError(f"store {uri!r} needs pymilvus and milvus-lite ({error}): pip install 'citeqa[milvus]'") from None
    body, _, query = uri.partition("?")
    options = parse_qs(query)
    collection = options.get("collection", [collection_name(Path(folder))])[0]
    if not collection.replace("_", "a").isalnum() or collection[0].isdigit():
        raise ValueError(f"store {uri!r}: collection {collection!r} must be letters, digits and underscores")
    token = os.environ.get(ENV_TOKEN, "")
    analyzer = options.get("analyzer", ["citeqa"])[0]
    given = options.get("timeout", ["10"])[0]
    try:
        timeout = float(given)
    except ValueError:
        timeout = float("nan")  # fails the range check below
    if not 0 < timeout <= 3600:
        raise ValueError(f"store {uri!r}: timeout must be seconds between 0 and 3600, not {given!r}")
    if body.startswith("milvus://") or body.startswith("milvus+http://") or body.startswith("milvus+https://"):
        parts = urlsplit(body)
        if not parts.hostname:
            raise ValueError(f"store {uri!r}: no host; use {FORMS}")
        secure = parts.scheme == "milvus+https"
        if secure and not token:
            raise ValueError(f"store {uri!r}: a managed cluster needs its token in {ENV_TOKEN}")
        port = f":{parts.port}" if parts.port else ""
        return MilvusStore(uri, f"{'https' if secure else 'http'}://{parts.hostname}{port}", collection, token,
                           timeout, analyzer)
    path = body[len("milvus:"):]
    if not path.endswith(".db"):
        raise ValueError(f"store {uri!r}: Milvus Lite needs a file ending in .db (milvus:PATH.db)")
    Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return MilvusStore(uri, str(Path(path).expanduser().resolve()), collection, timeout=timeout, analyzer=analyzer)


def store_uri(given: str | None) -> str:
    """The store to use: the one given, else ``CITEQA_STORE``, else ``local``."""
    return given or os.environ.get(ENV_STORE) or "local"


__all__ = ["ENV_STORE", "ENV_TOKEN", "LocalStore", "NewDocument", "Scored", "Store", "StoreMismatch",
           "StoreUnavailable", "open_store", "reciprocal_rank_fusion", "store_uri"]

"""What the entry points (CLI, app) set up before anything loads: offline hub, quiet libraries."""
from __future__ import annotations

import logging
import os


def quiet_libraries() -> None:
    """For the entry points: our own warnings stay, third-party chatter goes."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # gRPC's C core (under pymilvus) logs reconnects such as "GOAWAY … too_many_pings" to stderr; a
    # failed Milvus request is reported by citeqa itself (StoreUnavailable).
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    logging.basicConfig(level=logging.WARNING, format="citeqa: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.ERROR)  # logs routine progress as WARNING
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # "empty HTML tree": the loader says it better
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

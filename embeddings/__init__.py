"""Documents in, a searchable index out. Never imports ``qa``."""
from .encoder import DEFAULT_ENCODER, Encoder
from .index import Index, IndexSettings, SyncReport
from .intake import IntakeReport, add_files, safe_name
from .loading import DocumentError, read_document
from .records import Document, DocumentMeta, Passage, Span, page_of, pages_between
from .splitting import SplitSettings, sentence_spans, split_document
from .store import IndexCorrupt
from .stores import Scored, Store, StoreMismatch, StoreUnavailable, open_store, store_uri

__all__ = [
    "DEFAULT_ENCODER", "Document", "IntakeReport", "add_files", "safe_name", "DocumentError", "DocumentMeta", "Encoder", "Index", "IndexCorrupt",
    "IndexSettings", "Passage", "Span", "SplitSettings", "SyncReport", "read_document", "sentence_spans",
    "split_document", "page_of", "pages_between", "Scored", "Store", "StoreMismatch", "StoreUnavailable",
    "open_store", "store_uri",
]

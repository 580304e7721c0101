"""Documents in, a searchable index out. Never imports ``qa``.

Names are imported on first use: the document-reading worker (``embeddings.worker``) imports this
package too, and must start in a fraction of a second without torch or the models."""
from importlib import import_module

_WHERE = {
    "DEFAULT_ENCODER": "encoder", "Encoder": "encoder",
    "Index": "index", "IndexSettings": "index", "SyncReport": "index",
    "IntakeReport": "intake", "add_files": "intake", "safe_name": "intake",
    "DocumentError": "loading", "read_document": "loading",
    "Document": "records", "DocumentMeta": "records", "Passage": "records", "Span": "records",
    "page_of": "records", "pages_between": "records",
    "ReadLimits": "sandbox", "Sandbox": "sandbox",
    "terms": "sparse",
    "SplitSettings": "splitting", "sentence_spans": "splitting", "split_document": "splitting",
    "IndexCorrupt": "store",
    "Scored": "stores", "Store": "stores", "StoreMismatch": "stores", "StoreUnavailable": "stores",
    "open_store": "stores", "store_uri": "stores",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'embeddings' has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

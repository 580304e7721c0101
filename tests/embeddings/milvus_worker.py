"""Indexes a folder into a Milvus store with the hash encoder; run as a subprocess by the Milvus tests."""
import sys

from embeddings import Index, IndexSettings
from tests.embeddings.fakes import HashEncoder

if __name__ == "__main__":
    _, report = Index.open(sys.argv[1], settings=IndexSettings(encoder=HashEncoder.name), encoder=HashEncoder(),
                           progress=False, store=sys.argv[2])
    print(f"encoded={report.encoded_passages} skipped={len(report.skipped)}", flush=True)

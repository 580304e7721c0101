"""Indexes a folder with the hash encoder; run as a subprocess by the fault tests."""
import sys

from embeddings import Index, IndexSettings
from tests.embeddings.fakes import HashEncoder

if __name__ == "__main__":
    _, report = Index.open(sys.argv[1], settings=IndexSettings(encoder=HashEncoder.name),
                           encoder=HashEncoder(delay=float(sys.argv[2])), progress=False)
    print(f"encoded={report.encoded_passages}", flush=True)

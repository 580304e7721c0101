"""A Milvus Lite server process (``milvus-lite server``) on localhost: what the tests and benchmarks
talk to through the network, exactly as to Milvus Standalone."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MilvusServer:
    """Bound to 127.0.0.1 (it binds 0.0.0.0 unless told otherwise); its data survives a restart."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir, self.port = Path(data_dir), port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = self.data_dir.parent / f"milvus-{self.port}.log"
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)

    @property
    def uri(self) -> str:
        return f"milvus://127.0.0.1:{self.port}"

    def start(self) -> MilvusServer:
        command = shutil.which("milvus-lite") or str(Path(sys.executable).parent / "milvus-lite")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([command, "server", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
                                             "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"milvus-lite server did not listen on port {self.port} within 60 s")

    def kill(self) -> None:
        """As a crash would end it (SIGKILL): no shutdown, nothing flushed on the way out."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

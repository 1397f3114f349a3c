"""A throwaway PostgreSQL server on loopback for the test session.

Started from the Debian server binaries; as root, initdb refuses to run, so the cluster is
owned by the `postgres` user (the recipe of ../shared/NOTES.md). If the server cannot start the
tests that need it fail: green must never mean skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.servers import free_port


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): "
            "run scripts/test, which installs Debian's postgresql package"
        )
    return Path(found[-1]).parent


class PostgresServer:
    """initdb + pg_ctl start on a free port; ``stop()`` removes everything."""

    def __init__(self, *, durable: bool = False) -> None:
        """``durable=False`` turns fsync off: fine for tests, never for benchmarks."""
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="daylight-pg-"))
        self.port = free_port()
        self.data = self.root / "data"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            uid = pwd.getpwnam("postgres").pw_uid
            os.chown(self.root, uid, -1)
            os.chmod(self.root, 0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                  "-c max_connections=200"
                  + ("" if durable else " -c fsync=off -c full_page_writes=off"),
        )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

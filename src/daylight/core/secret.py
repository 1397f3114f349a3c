"""Secret files: written once, readable by their owner only, durably."""

from __future__ import annotations

import os
from pathlib import Path

from daylight.core.errors import ConflictError


def write_secret(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 holding ``text``, durably; refuse if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise ConflictError(f"refusing to overwrite `{path}`") from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)

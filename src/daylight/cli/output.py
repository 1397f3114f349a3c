"""What every command shares for output: JSON on stdout, Rich on stderr."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

stderr = Console(stderr=True, soft_wrap=True)
"""Tables, summaries and progress bars: on stderr, so stdout stays machine-readable."""


def print_json(value: Any) -> None:
    """One JSON value on one line of stdout, UTF-8 as is."""
    print(json.dumps(value, ensure_ascii=False))


"""What every command shares for output: JSON on stdout, Rich on stderr.

``stderr`` (a Rich console) is made on first use: importing Rich costs a command that prints
no table or progress bar (``log checkpoint``) about 20 ms of its start-up."""

from __future__ import annotations

import json
import sys
from functools import cache
from typing import TYPE_CHECKING, Any

from daylight.core.errors import UNPRINTABLE, printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


@cache
def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True)


def __getattr__(name: str) -> Console:
    """``stderr``: tables, summaries and progress bars on stderr, so stdout stays
    machine-readable."""
    if name == "stderr":
        return _stderr()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def progress_bar() -> Progress:
    """A progress bar on stderr (description, bar, done of total, time), gone when it ends,
    shown only on a terminal."""
    from rich.progress import (  # heavy: loaded where used, not at start-up
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        transient=True, console=_stderr(), disable=not sys.stderr.isatty(),
    )


def say(text: str) -> None:
    """A line on stderr of text that came from elsewhere (a report's files, a folder's name as
    typed): no Rich markup in it is read, and no control character reaches the terminal."""
    _stderr().print(printable(text), markup=False, highlight=False)


def print_json(value: Any) -> None:
    """One JSON value on one line of stdout, UTF-8 as is but for what a terminal would obey."""
    # json.dumps escapes the C0 controls but writes the rest of UNPRINTABLE raw (0x9b is the
    # 8-bit CSI a terminal may obey; a lone surrogate is not UTF-8). They only occur inside
    # JSON strings, where a \u escape is the same value.
    text = json.dumps(value, ensure_ascii=False)
    print(UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))

"""Every error Daylight raises, under one base class.

The tree::

    DaylightError                     500, exit 1
    ├── InputError                    400, exit 2   bad user input: names file, line, field
    │   └── EntryTooLargeError        413, exit 2   a log entry over max_entry_bytes
    ├── ConfigError                   400, exit 2   bad settings or home directory
    ├── NotFoundError                 404, exit 3   an index, account or file that is not there
    ├── ConflictError                 409, exit 4   refusing to overwrite what exists
    ├── StorageError                  503, exit 5   the database failed or is unreachable
    ├── PushbackError                 503, exit 5   the sequencer is full: retry after a delay
    └── VerificationError             422, exit 6   evidence of misbehaviour or corruption
        ├── ProofError                              an inclusion or consistency proof fails
        ├── SignatureError                          a note signature is missing or invalid
        └── InconsistencyError                      two views of a log disagree

Messages and ``where`` are made printable once, here (``printable``): a control character, a
bidirectional override or a lone surrogate that came from user input is shown as an escape
(``\\x1b``, ``\\u202e``, ``\\ud800``), so that printing an error can neither drive the reader's
terminal nor fail to encode.

Third-party exceptions (``sqlite3``, ``psycopg``, ``json``, ``binascii``, ``ValueError``) are
translated at the module that meets them, with ``raise ... from``. Errors that prove misbehaviour
carry the evidence (hashes, checkpoint text) in ``evidence`` so that a reader can check the claim.
"""

from __future__ import annotations

import base64
import re
from typing import Any

UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                         "\ud800-\udfff]")
"""C0 and C1 controls, DEL, bidirectional marks, embeddings, overrides and isolates, line and
paragraph separators, and surrogates (only a lone one can be in a str): what must not reach a
terminal as it is."""


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    if match.group() in _NAMED:
        return _NAMED[match.group()]
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, bidirectional-control and lone-surrogate character written
    as a Python-style escape: safe to print on a terminal and to encode as UTF-8."""
    return UNPRINTABLE.sub(_escape, text)


def shortened(text: str, limit: int = 200) -> str:
    """``text`` if it is at most ``limit`` characters, else its first ``limit`` and its length:
    what a message quotes of input that may be of any size."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class DaylightError(Exception):
    """Base of every Daylight error.

    ``message`` is one lowercase line; ``where`` names the file, line, field or index concerned;
    ``evidence`` holds machine-readable proof of the problem (hashes, texts, sizes).
    """

    status: int = 500
    exit_code: int = 1
    code: str = "daylight_error"

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> None:
        message = printable(message)
        super().__init__(message)
        self.message = message
        self.where = None if where is None else printable(where)
        self.evidence = dict(evidence or {})

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def diagnostics(self) -> str:
        """A multi-line explanation: the message, where, and each piece of evidence (bytes in
        standard base64, multi-line texts indented)."""
        lines = [str(self)]
        for key, value in self.evidence.items():
            shown = "\n".join(printable(line) for line in str(_jsonable(value)).split("\n"))
            if "\n" in shown:
                shown = "\n    " + shown.rstrip("\n").replace("\n", "\n    ")
            lines.append(f"  {key}: {shown}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The one JSON error shape, used by the HTTP API and `--json` CLI output."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.where is not None:
            body["where"] = self.where
        if self.evidence:
            body["evidence"] = {k: _jsonable(v) for k, v in self.evidence.items()}
        return {"error": body}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class InputError(DaylightError):
    """User input that does not have the expected shape."""

    status = 400
    exit_code = 2
    code = "invalid_input"


class EntryTooLargeError(InputError):
    """A log entry larger than the log accepts."""

    status = 413
    code = "entry_too_large"


class ConfigError(DaylightError):
    """A setting, home directory or key file that cannot be used."""

    status = 400
    exit_code = 2
    code = "invalid_config"


class NotFoundError(DaylightError):
    """Something asked for by name or index that does not exist."""

    status = 404
    exit_code = 3
    code = "not_found"


class ConflictError(DaylightError):
    """An operation that would overwrite or contradict what is already stored."""

    status = 409
    exit_code = 4
    code = "conflict"


class StorageError(DaylightError):
    """The database failed; nothing was changed by the failed operation."""

    status = 503
    exit_code = 5
    code = "storage_unavailable"


class PushbackError(DaylightError):
    """The sequencer has more pending work than it accepts; retry after ``retry_after_s``."""

    status = 503
    exit_code = 5
    code = "pushback"

    def __init__(self, message: str, *, retry_after_s: float = 1.0, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_s = retry_after_s


class VerificationError(DaylightError):
    """Evidence that a log, proof or signature is not what it claims."""

    status = 422
    exit_code = 6
    code = "verification_failed"


class ProofError(VerificationError):
    """An inclusion or consistency proof does not verify."""

    code = "invalid_proof"


class SignatureError(VerificationError):
    """A signed note has no valid signature by the expected key."""

    code = "invalid_signature"


class InconsistencyError(VerificationError):
    """Two checkpoints or two copies of a log cannot both be true."""

    code = "inconsistent_log"

"""C2SP ``tlog-proof`` (``c2sp.org/tlog-proof@v1``): an entry's inclusion proof and the signed
checkpoint it is proven against, in one text that can be checked offline::

    c2sp.org/tlog-proof@v1
    extra <base64 of the extra data>            (optional)
    index <leaf_index>
    <base64 inclusion proof hash>               (one a line, from the leaf's sibling up)
    ...
    <empty line>
    <the signed checkpoint, verbatim>

Daylight puts the log entry's own bytes in the ``extra`` line (a report row's entry, an
objection signature's entry), so that a reader can hash it (RFC 6962 leaf hash) and check the
proof; as the spec says, nothing trusts the extra data before that check. The one definition of
the format, for the report's proof files, the signers' receipts and the log's HTTP route; a
published format: it imports no database, store or service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from daylight.core.errors import InputError
from daylight.log.note import b64decode_canonical, b64encode_canonical

HEADER = "c2sp.org/tlog-proof@v1"
EXTENSION = ".tlog-proof"
INDEX_LINE = re.compile(r"index (0|[1-9][0-9]{0,19})")
"""The line naming the leaf index: decimal, no leading zeroes."""


@dataclass(frozen=True)
class TlogProof:
    """An entry's index, its inclusion proof, the checkpoint it is proven against (the signed
    note, verbatim), and the extra data (the entry's bytes, or none)."""

    index: int
    inclusion_proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def to_text(self) -> str:
        """The ``c2sp.org/tlog-proof@v1`` text."""
        return tlog_proof_text(
            self.index, [b64encode_canonical(h) for h in self.inclusion_proof], self.checkpoint,
            None if self.extra is None else b64encode_canonical(self.extra))

    @classmethod
    def from_text(cls, text: str, *, where: str = "tlog-proof") -> TlogProof:
        """Parse strictly (canonical base64, 32-byte hashes, a decimal index without leading
        zeroes); InputError naming ``where`` (``where:line`` for a line) and what was expected
        otherwise."""
        head, separator, checkpoint = text.partition("\n\n")
        if not separator or not checkpoint:
            raise InputError(f"expected `{HEADER}`, proof lines, an empty line and a checkpoint",
                             where=where)
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise InputError(f"expected the first line `{HEADER}`", where=f"{where}:1")
        position = 1
        extra = None
        if len(lines) > 1 and lines[1].startswith("extra "):
            extra = b64decode_canonical(lines[1][len("extra "):], "the extra data",
                                        where=f"{where}:2")
            position = 2
        if len(lines) <= position or not (match := INDEX_LINE.fullmatch(lines[position])):
            raise InputError("expected the line `index N` (N decimal, no leading zeroes)",
                             where=f"{where}:{position + 1}")
        hashes = []
        for number, line in enumerate(lines[position + 1:], start=position + 2):
            value = b64decode_canonical(line, "the proof hash", where=f"{where}:{number}")
            if len(value) != 32:
                raise InputError(f"the proof hash is {len(value)} bytes, expected 32 bytes",
                                 where=f"{where}:{number}")
            hashes.append(value)
        return cls(int(match[1]), tuple(hashes), checkpoint, extra)


def tlog_proof_text(index: int, inclusion_proof: Iterable[str], checkpoint: str,
                    extra: str | None = None) -> str:
    """The ``c2sp.org/tlog-proof@v1`` text from its parts with the hashes (and the extra data)
    already in standard base64: a report writes one proof per row, and encodes a hash that many
    proofs share once."""
    head = f"{HEADER}\nindex {index}" if extra is None else f"{HEADER}\nextra {extra}\nindex {index}"
    return "\n".join((head, *inclusion_proof)) + "\n\n" + checkpoint

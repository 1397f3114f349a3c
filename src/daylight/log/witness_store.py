"""SQL persistence of witnessing, both sides: the cosignatures a log collected
(``log_cosignature``), and a witness's latest cosigned checkpoint per origin
(``witness_checkpoint``) with the evidence of every fork it refused (``witness_refusal``).

Every method runs inside a transaction the caller holds. The schema is in
``migrations/0002_witness.sql``.
"""

from __future__ import annotations

from dataclasses import dataclass

from daylight.core.database import Transaction


@dataclass(frozen=True)
class CollectedCosignature:
    """A cosignature line a witness returned for one of the log's checkpoints."""

    tree_size: int
    witness: str
    key_hash: str
    line: str
    url: str
    received_at: str


@dataclass(frozen=True)
class Refusal:
    """Evidence a witness kept of a checkpoint it refused as a fork."""

    refusal_id: str
    origin: str
    received_at: str
    status: int
    reason: str
    request: str
    cosigned_note: str

    def to_json(self) -> dict[str, object]:
        return {"refusal_id": self.refusal_id, "origin": self.origin,
                "received_at": self.received_at, "status": self.status, "reason": self.reason,
                "request": self.request, "cosigned_note": self.cosigned_note}


class WitnessStore:
    """Reads and writes the witnessing tables through the caller's transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    # -- the log's side ------------------------------------------------------------------

    def add_cosignature(self, cosignature: CollectedCosignature) -> None:
        """Keep a cosignature (a later one by the same key for the same size replaces it)."""
        self.tx.execute(
            "INSERT INTO log_cosignature (tree_size, witness, key_hash, line, url, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tree_size, witness, key_hash) DO UPDATE SET "
            "line = excluded.line, url = excluded.url, received_at = excluded.received_at",
            (cosignature.tree_size, cosignature.witness, cosignature.key_hash, cosignature.line,
             cosignature.url, cosignature.received_at))

    def cosignatures(self, tree_size: int) -> list[CollectedCosignature]:
        """The cosignatures collected for the checkpoint of ``tree_size``, by witness name."""
        rows = self.tx.query(
            "SELECT tree_size, witness, key_hash, line, url, received_at FROM log_cosignature "
            "WHERE tree_size = ? ORDER BY witness, key_hash", (tree_size,))
        return [CollectedCosignature(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]),
                                     str(r[5])) for r in rows]

    # -- the witness's side --------------------------------------------------------------

    def lock(self, origin: str) -> None:
        """Serialise add-checkpoint calls for ``origin`` until the transaction ends."""
        self.tx.lock(f"daylight.witness:{origin}")

    def latest(self, origin: str) -> str | None:
        """The note of the latest checkpoint cosigned for ``origin``, if any."""
        row = self.tx.query_one("SELECT note FROM witness_checkpoint WHERE origin = ?", (origin,))
        return None if row is None else str(row[0])

    def save_latest(self, origin: str, tree_size: int, root_hash: bytes, note: str,
                    cosigned_at: str) -> None:
        self.tx.execute(
            "INSERT INTO witness_checkpoint (origin, tree_size, root_hash, note, cosigned_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
            "tree_size = excluded.tree_size, root_hash = excluded.root_hash, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at",
            (origin, tree_size, root_hash, note, cosigned_at))

    def add_refusal(self, refusal: Refusal) -> None:
        self.tx.execute(
            "INSERT INTO witness_refusal (refusal_id, origin, received_at, status, reason, "
            "request, cosigned_note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (refusal.refusal_id, refusal.origin, refusal.received_at, refusal.status,
             refusal.reason, refusal.request, refusal.cosigned_note))

    def refusals(self, origin: str | None = None) -> list[Refusal]:
        """Every refusal kept (for ``origin``), oldest first."""
        sql = ("SELECT refusal_id, origin, received_at, status, reason, request, cosigned_note "
               "FROM witness_refusal")
        params: tuple[str, ...] = ()
        if origin is not None:
            sql, params = sql + " WHERE origin = ?", (origin,)
        rows = self.tx.query(sql + " ORDER BY received_at, refusal_id", params)
        return [Refusal(str(r[0]), str(r[1]), str(r[2]), int(r[3]), str(r[4]), str(r[5]),
                        str(r[6])) for r in rows]

"""``VoiceStore``: the voice layer's tables (declarations, reviews, reviewers' pseudonyms,
objections, signatures, refusals), read and written through the caller's transaction. Nothing
else runs SQL on them; the layers above use the typed reads in ``daylight.voice.reads`` and the
flows in ``daylight.flows``."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from daylight.core.clock import parse_utc_text, utc_text
from daylight.core.database import Migration, Transaction, load_migrations
from daylight.core.keyset import Window, keyset_rows
from daylight.voice.declaration import APPROVED, Declaration, Review
from daylight.voice.objection import Objection, Subject


def voice_migrations() -> list[Migration]:
    """The voice layer's schema migrations."""
    return load_migrations("voice", "daylight.voice")


def new_id(prefix: str) -> str:
    """A fresh random id: ``decl-``, ``obj-``, ``ref-`` and 16 hex digits."""
    return f"{prefix}-{secrets.token_hex(8)}"


_DECLARATION = ("declaration_id, account_id, capability, purpose, fields, approvals_required, "
                "status, expires_at, submitted_at, log_index")
_OBJECTION = ("objection_id, about_kind, about_id, statement, threshold, signatures, status, "
              "filed_at, log_index, review_opened_at, outcome, rationale, resolved_by, resolved_at")


def _declaration(row: Sequence[Any]) -> Declaration:
    return Declaration(row[0], row[1], row[2], row[3], json.loads(row[4]), int(row[5]), row[6],
                       parse_utc_text(row[7]), row[8], int(row[9]))


def _objection(row: Sequence[Any]) -> Objection:
    return Objection(row[0], Subject(row[1], row[2]), row[3], int(row[4]), int(row[5]), row[6],
                     row[7], int(row[8]), row[9], row[10], row[11], row[12], row[13])


class VoiceStore:
    """Reads and writes the voice tables in ``tx``."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def lock(self) -> None:
        """Serialise voice writers (PostgreSQL; SQLite writers are serial already)."""
        self.tx.lock("daylight.voice")

    # -- declarations --------------------------------------------------------------------------

    def add_declaration(self, d: Declaration) -> None:
        self.tx.execute(
            f"INSERT INTO voice_declaration ({_DECLARATION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (d.declaration_id, d.account_id, d.capability, d.purpose,
             json.dumps(d.fields, sort_keys=True, ensure_ascii=False), d.approvals_required,
             d.status, utc_text(d.expires_at), d.submitted_at, d.log_index))

    def declaration(self, declaration_id: str) -> Declaration | None:
        row = self.tx.query_one(f"SELECT {_DECLARATION} FROM voice_declaration "
                                "WHERE declaration_id = ?", (declaration_id,))
        return _declaration(row) if row else None

    def declarations(self, account_id: str | None = None) -> list[Declaration]:
        """Every declaration (of ``account_id``), oldest first."""
        where, params = ("WHERE account_id = ? ", (account_id,)) if account_id else ("", ())
        rows = self.tx.query(f"SELECT {_DECLARATION} FROM voice_declaration {where}"
                             "ORDER BY submitted_at, declaration_id", params)
        return [_declaration(r) for r in rows]

    def declaration_page(self, window: Window, *, account_ids: Sequence[str] | None = None,
                         statuses: Sequence[str] | None = None) -> list[Declaration]:
        """The declarations of ``window`` in the order filed (their log index), of
        ``account_ids`` and with a stored status among ``statuses`` (None: any)."""
        conditions: list[str] = []
        params: list[Any] = []
        for column, values in (("account_id", account_ids), ("status", statuses)):
            if values is not None:
                if not values:
                    return []
                conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        rows = keyset_rows(self.tx, columns=_DECLARATION, table="voice_declaration",
                           id_column="declaration_id", order="log_index", window=window,
                           where=" AND ".join(conditions), params=params)
        return [_declaration(r) for r in rows]

    def approved_declarations(self) -> list[Declaration]:
        """Declarations whose stored status is approved (some may have expired)."""
        rows = self.tx.query(f"SELECT {_DECLARATION} FROM voice_declaration WHERE status = ? "
                             "ORDER BY account_id, declaration_id", (APPROVED,))
        return [_declaration(r) for r in rows]

    def review_marker(self) -> tuple[int, int]:
        """(reviews, highest review log index): changes whenever any declaration's status does
        (only a review changes one), so a reader may keep what it read while it is unchanged."""
        row = self.tx.query_one("SELECT COUNT(*), MAX(log_index) FROM voice_review")
        return (int(row[0]), int(row[1]) if row[1] is not None else -1) if row else (0, -1)

    def set_declaration_status(self, declaration_id: str, status: str) -> None:
        self.tx.execute("UPDATE voice_declaration SET status = ? WHERE declaration_id = ?",
                        (status, declaration_id))

    def reviews(self, declaration_id: str) -> list[Review]:
        rows = self.tx.query("SELECT step, reviewer, decision, rationale, status, reviewed_at, "
                             "log_index FROM voice_review WHERE declaration_id = ? ORDER BY step",
                             (declaration_id,))
        return [Review(int(r[0]), r[1], r[2], r[3], r[4], r[5], int(r[6])) for r in rows]

    def all_reviews(self, declaration_ids: Sequence[str] | None = None) -> dict[str, list[Review]]:
        """Every declaration's reviews (or those of ``declaration_ids``), by declaration id."""
        if declaration_ids is not None and not declaration_ids:
            return {}
        where = (f"WHERE declaration_id IN ({', '.join('?' for _ in declaration_ids)}) "
                 if declaration_ids else "")
        rows = self.tx.query("SELECT declaration_id, step, reviewer, decision, rationale, status, "
                             f"reviewed_at, log_index FROM voice_review {where}"
                             "ORDER BY declaration_id, step", declaration_ids or ())
        found: dict[str, list[Review]] = {}
        for r in rows:
            found.setdefault(r[0], []).append(Review(int(r[1]), r[2], r[3], r[4], r[5], r[6],
                                                     int(r[7])))
        return found

    def add_review(self, declaration_id: str, review: Review) -> None:
        self.tx.execute("INSERT INTO voice_review (declaration_id, step, reviewer, decision, "
                        "rationale, status, reviewed_at, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (declaration_id, review.step, review.reviewer, review.decision,
                         review.rationale, review.status, review.reviewed_at, review.log_index))

    def reviewer_pseudonym(self, identity: str) -> str:
        """The reviewer's stable public pseudonym, made on their first review."""
        row = self.tx.query_one("SELECT pseudonym FROM voice_reviewer WHERE identity = ?",
                                (identity,))
        if row:
            return str(row[0])
        pseudonym = new_id("reviewer")
        self.tx.execute("INSERT INTO voice_reviewer (identity, pseudonym) VALUES (?, ?)",
                        (identity, pseudonym))
        return pseudonym

    # -- objections ----------------------------------------------------------------------------

    def add_objection(self, o: Objection) -> None:
        self.tx.execute(
            f"INSERT INTO voice_objection ({_OBJECTION}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (o.objection_id, o.about.kind, o.about.id, o.statement, o.threshold, o.signatures,
             o.status, o.filed_at, o.log_index, o.review_opened_at, o.outcome, o.rationale,
             o.resolved_by, o.resolved_at))

    def objection(self, objection_id: str) -> Objection | None:
        row = self.tx.query_one(f"SELECT {_OBJECTION} FROM voice_objection WHERE objection_id = ?",
                                (objection_id,))
        return _objection(row) if row else None

    def objections(self) -> list[Objection]:
        rows = self.tx.query(f"SELECT {_OBJECTION} FROM voice_objection "
                             "ORDER BY filed_at, objection_id")
        return [_objection(r) for r in rows]

    def objection_page(self, window: Window) -> list[Objection]:
        """The objections of ``window``, in the order filed (their log index)."""
        rows = keyset_rows(self.tx, columns=_OBJECTION, table="voice_objection",
                           id_column="objection_id", order="log_index", window=window)
        return [_objection(r) for r in rows]

    def update_objection(self, o: Objection) -> None:
        """Store a changed count, status or resolution (an objection is never deleted)."""
        self.tx.execute("UPDATE voice_objection SET signatures = ?, status = ?, "
                        "review_opened_at = ?, outcome = ?, rationale = ?, resolved_by = ?, "
                        "resolved_at = ? WHERE objection_id = ?",
                        (o.signatures, o.status, o.review_opened_at, o.outcome, o.rationale,
                         o.resolved_by, o.resolved_at, o.objection_id))

    def has_signature_tag(self, objection_id: str, tag: str) -> bool:
        return self.tx.query_one("SELECT 1 FROM voice_signature WHERE objection_id = ? AND tag = ?",
                                 (objection_id, tag)) is not None

    def add_signature(self, objection_id: str, position: int, tag: str, commitment: str,
                      sealed: bytes, signed_at: str, log_index: int) -> None:
        self.tx.execute("INSERT INTO voice_signature (objection_id, position, tag, commitment, "
                        "sealed, signed_at, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (objection_id, position, tag, commitment, sealed, signed_at, log_index))

    def sealed_signatures(self, objection_id: str) -> list[tuple[int, str, bytes]]:
        """(position, commitment, sealed box) of each signature, in order."""
        rows = self.tx.query("SELECT position, commitment, sealed FROM voice_signature "
                             "WHERE objection_id = ? ORDER BY position", (objection_id,))
        return [(int(r[0]), r[1], bytes(r[2])) for r in rows]

    # -- refusals ------------------------------------------------------------------------------

    def has_refusal_tag(self, tag: str) -> bool:
        return self.tx.query_one("SELECT 1 FROM voice_refusal WHERE tag = ?", (tag,)) is not None

    def add_refusal(self, refusal_id: str, about: Subject, tag: str, commitment: str,
                    sealed: bytes, recorded_at: str, log_index: int) -> None:
        self.tx.execute("INSERT INTO voice_refusal (refusal_id, about_kind, about_id, tag, "
                        "commitment, sealed, recorded_at, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (refusal_id, about.kind, about.id, tag, commitment, sealed, recorded_at,
                         log_index))

    def refusal_count(self, about: Subject) -> int:
        row = self.tx.query_one("SELECT COUNT(*) FROM voice_refusal WHERE about_kind = ? "
                                "AND about_id = ?", (about.kind, about.id))
        return int(row[0]) if row else 0

    def signature_counts(self, before: str) -> dict[str, int]:
        """Objection id → signatures recorded before ``before`` (an RFC 3339 time or a date)."""
        rows = self.tx.query("SELECT objection_id, COUNT(*) FROM voice_signature "
                             "WHERE signed_at < ? GROUP BY objection_id", (before,))
        return {str(r[0]): int(r[1]) for r in rows}

    def refusal_counts(self, before: str | None = None) -> list[tuple[Subject, int, str, str]]:
        """(subject, refusals, first recorded, last recorded) for every subject refused (before
        ``before``, an RFC 3339 time or a date, if given)."""
        where, params = ("WHERE recorded_at < ? ", (before,)) if before is not None else ("", ())
        rows = self.tx.query("SELECT about_kind, about_id, COUNT(*), MIN(recorded_at), "
                             f"MAX(recorded_at) FROM voice_refusal {where}GROUP BY about_kind, "
                             "about_id ORDER BY about_kind, about_id", params)
        return [(Subject(r[0], r[1]), int(r[2]), r[3], r[4]) for r in rows]

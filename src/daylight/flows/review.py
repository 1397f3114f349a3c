"""Review: the queue of uncertain matches waiting for a person, and recording a reviewer's
judgement (stored, logged, and honoured by every later screening)."""

from __future__ import annotations

from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.registry.service import JudgementRecord, record_judgement, review_queue


def pending_reviews(database: Database) -> list[dict[str, Any]]:
    """What ``daylight review list`` prints, one JSON object per waiting account."""
    return review_queue(database)


def judge(database: Database, log: TransparencyLog, account_id: str, organization_id: str,
          verdict: str, note: str, *, clock: Clock = utc_now) -> JudgementRecord:
    """Record that ``account_id`` is (``same``), is not (``different``) or may be (``unsure``)
    ``organization_id``, with the reviewer's ``note``; the account is resolved again at once."""
    return record_judgement(database, log, account_id, organization_id, verdict, note, clock())

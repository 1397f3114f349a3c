"""Review: the queue of uncertain matches waiting for a person, and recording a reviewer's
judgement (stored, logged, and honoured by every later screening)."""

from __future__ import annotations

from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.registry.service import JudgementRecord, record_judgement
from daylight.registry.store import RegistryStore

ReviewItem = dict[str, Any]
"""A waiting account in the shape of ``daylight review list`` (docs/registry.md)."""


def review_queue(database: Database) -> list[ReviewItem]:
    """Accounts waiting for a person, with the candidate and why."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        items = []
        for resolution in store.resolutions_with_status("review"):
            account = store.account(resolution.account_id)
            org = store.organization(resolution.organization_id or "")
            items.append({
                "account": account.to_json() if account else None,
                "candidate": ({"id": org.id, "name": org.name, "sector": org.sector,
                               "state": org.state} if org else None),
                "score": resolution.score, "features": resolution.features.get("features", {}),
                "runner_up": resolution.features.get("runner_up"),
                "margin_logit": resolution.features.get("margin_logit")})
    return items


def judge(database: Database, log: TransparencyLog, account_id: str, organization_id: str,
          verdict: str, note: str, *, clock: Clock = utc_now) -> JudgementRecord:
    """Record that ``account_id`` is (``same``), is not (``different``) or may be (``unsure``)
    ``organization_id``, with the reviewer's ``note``; the account is resolved again at once."""
    return record_judgement(database, log, account_id, organization_id, verdict, note, clock())

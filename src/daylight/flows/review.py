"""Review: the queue of uncertain matches waiting for a person, and recording a reviewer's
judgement (stored, logged, and honoured by every later screening).

The reviewer is who the caller says acted (the token's subject over HTTP, ``--by`` on the command
line): stored and logged only as their reviewer pseudonym (``reviewer-…``), the one their
declaration reviews and objection resolutions carry (``VoiceStore.reviewer_pseudonym``), made in
the judgement's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.keyset import ALL, Window
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.resolution import Resolution
from daylight.registry.service import JudgementRecord, Screening, judge_in
from daylight.registry.store import RegistryStore
from daylight.voice.identity import canonical_identity
from daylight.voice.store import VoiceStore


@dataclass(frozen=True)
class ReviewItem:
    """An account waiting for a person: the screening outcome and the candidate organisation."""

    account: Account | None
    candidate: Organization | None
    resolution: Resolution

    def to_json(self) -> dict[str, Any]:
        """What ``daylight review list`` prints for the account (docs/registry.md)."""
        candidate, features = self.candidate, self.resolution.features
        return {"account": self.account.to_json() if self.account else None,
                "candidate": ({"id": candidate.id, "name": candidate.name,
                               "sector": candidate.sector, "state": candidate.state}
                              if candidate else None),
                "score": self.resolution.score, "features": features.get("features", {}),
                "runner_up": features.get("runner_up"),
                "margin_logit": features.get("margin_logit"),
                "agency_evidence": features.get("agency_evidence", []),
                "provisional": features.get("provisional")}


def review_queue(database: Database, window: Window = ALL) -> list[ReviewItem]:
    """Accounts waiting for a person (those of ``window``, default all), in account id order,
    with the candidate and why."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        return [ReviewItem(store.account(resolution.account_id),
                           store.organization(resolution.organization_id or ""), resolution)
                for resolution in store.resolutions_with_status("review", window)]


def judge(database: Database, log: TransparencyLog, account_id: str, organization_id: str,
          verdict: str, note: str, *, reviewer: str, clock: Clock = utc_now) -> JudgementRecord:
    """Record that ``account_id`` is (``same``), is not (``different``) or may be (``unsure``)
    ``organization_id``, with the reviewer's ``note``; the account is resolved again at once.
    ``reviewer``: the reviewer's identity, logged only as their pseudonym."""
    (record,) = judge_all(database, log, [Verdict(account_id, organization_id, verdict, note)],
                          reviewer=reviewer, clock=clock)
    return record


@dataclass(frozen=True)
class Verdict:
    """What a reviewer says of one account and one organisation (see ``judge``)."""

    account_id: str
    organization_id: str
    verdict: str
    note: str


def judge_all(database: Database, log: TransparencyLog, verdicts: Sequence[Verdict], *,
              reviewer: str, clock: Clock = utc_now) -> list[JudgementRecord]:
    """``judge`` for each of ``verdicts``, all by one reviewer, in one transaction: all are
    recorded or none (the first refused one says why), and the screener is loaded once."""
    identity = canonical_identity(reviewer, where="--by")
    if not verdicts:
        return []
    screening = Screening.from_database(database)
    now = clock()
    with database.transaction() as tx:
        voice = VoiceStore(tx)
        voice.lock()
        pseudonym = voice.reviewer_pseudonym(identity)
        records = [judge_in(tx, log, screening, v.account_id, v.organization_id, v.verdict,
                            v.note, now, reviewer=pseudonym) for v in verdicts]
    log.integrate()
    return records

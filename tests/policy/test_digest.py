"""Per-period decision digests: appended atomically with their row, recomputable from the rows
without Daylight's code, appended again only when the rows change (naming what they correct)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlsplit, urlunsplit

import psycopg
import rfc8785

from daylight.core.database import Database, migrate
from daylight.core.period import parse_period
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.decision import Decision, Reason
from daylight.policy.digest import days_to_digest, digest_decisions, digest_ended_days
from daylight.policy.recorder import DecisionRecorder
from tests.policy.conftest import NOW

ALLOW = Decision(True, (Reason("p/allow", "ok"),), 1)
DENY = Decision(False, (Reason("p/no", "no"),), 1)


def _at(day: str) -> float:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00").timestamp()


def _record(database: Database, day: str, decisions: list[tuple[str, Decision]]) -> None:
    recorder = DecisionRecorder(clock=lambda: _at(day))
    for account, decision in decisions:
        recorder.record(account, "face.search", {"purpose": "x"} if not decision.allowed else None,
                        decision)
    recorder.flush(database)


def test_a_digest_commits_to_the_rows(database: Database, log: TransparencyLog) -> None:
    _record(database, "2026-11-18", [("SYNTHETIC-a", ALLOW), ("SYNTHETIC-a", ALLOW), ("SYNTHETIC-b", DENY)])
    result = digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()
    assert result["appended"] and (result["decisions"], result["allowed"], result["denied"]) == (3, 2, 1)
    entry = json.loads(log.entry(result["log_index"]))
    assert entry["type"] == "policy.decision_digest"
    with database.transaction(write=False) as tx:
        counts = tx.query("SELECT day, account_id, operation, outcome, policies, policy_version, "
                          "decisions FROM policy_decision_count ORDER BY account_id")
        denials = tx.query("SELECT denial_id, decided_at, account_id, operation, context, reasons, "
                           "errors, policy_version FROM policy_denial")
    names = ("day", "account_id", "operation", "outcome", "policies", "policy_version", "decisions")
    recomputed = hashlib.sha256(rfc8785.dumps([dict(zip(names, r, strict=True)) for r in counts])).hexdigest()
    assert entry["payload"]["counts_sha256"] == recomputed
    denial_names = ("denial_id", "decided_at", "account_id", "operation", "context", "reasons",
                    "errors", "policy_version")
    rows = [dict(zip(denial_names, r, strict=True)) for r in denials]
    for row in rows:
        for key in ("context", "reasons", "errors"):
            row[key] = json.loads(row[key])
    assert entry["payload"]["denials_sha256"] == hashlib.sha256(rfc8785.dumps(rows)).hexdigest()
    assert rows[0]["context"] == {"purpose": "x"}


def test_same_rows_append_nothing_late_rows_correct(database: Database, log: TransparencyLog) -> None:
    _record(database, "2026-11-18", [("SYNTHETIC-a", ALLOW)])
    first = digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()
    size = log.tree_size()
    assert digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()["appended"] is False
    assert log.tree_size() == size
    _record(database, "2026-11-18", [("SYNTHETIC-c", DENY)])
    late = digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()
    assert late["appended"] and late["corrects"] == first["log_index"]
    assert late["decisions"] == 2


def test_ended_days_are_digested_once(database: Database, log: TransparencyLog) -> None:
    for day in ("2026-11-01", "2026-11-19", "2026-11-20"):
        _record(database, day, [("SYNTHETIC-a", ALLOW)])
    assert days_to_digest(database, date(2026, 11, 20)) == ["2026-11-01", "2026-11-19"]
    appended = digest_ended_days(database, log, datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert [a.to_json()["period"] for a in appended] == ["2026-11-01", "2026-11-19"]
    # an old day already digested is not looked at again; recent ones are, and are unchanged
    assert days_to_digest(database, date(2026, 11, 20)) == ["2026-11-19"]
    assert digest_ended_days(database, log, datetime(2026, 11, 20, 12, tzinfo=UTC)) == []


def test_a_month_digest_covers_its_days(database: Database, log: TransparencyLog) -> None:
    _record(database, "2026-10-31", [("SYNTHETIC-a", ALLOW)])
    _record(database, "2026-11-01", [("SYNTHETIC-a", ALLOW), ("SYNTHETIC-b", DENY)])
    _record(database, "2026-11-30", [("SYNTHETIC-a", DENY)])
    month = digest_decisions(database, log, parse_period("2026-11"), NOW).to_json()
    assert (month["decisions"], month["denied"], month["denials_recorded"]) == (3, 2, 2)


COUNT_NAMES = ("day", "account_id", "operation", "outcome", "policies", "policy_version", "decisions")


def _outsider_counts_sha256(database: Database) -> str:
    """What a third party computes from the rows: sorted by code point, hashed with rfc8785."""
    with database.transaction(write=False) as tx:
        rows = [dict(zip(COUNT_NAMES, r, strict=True)) for r in tx.query(
            "SELECT day, account_id, operation, outcome, policies, policy_version, decisions "
            "FROM policy_decision_count")]
    rows.sort(key=lambda r: tuple(r[n] for n in COUNT_NAMES[:-1]))
    return hashlib.sha256(rfc8785.dumps(rows)).hexdigest()


def test_the_digest_does_not_depend_on_the_server_collation(postgres_url: str) -> None:
    """On a PostgreSQL database whose collation is en-US, ORDER BY puts `SYNTHETIC-b` before
    `SYNTHETIC_c` before `synthetic-a`; the digest must still be the code-point one."""
    name = "icu_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
                     "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    parts = urlsplit(postgres_url)
    database = Database(urlunsplit(parts._replace(path=f"/{name}")))
    try:
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, Signer.generate("icu.daylight.invalid/log"))
        _record(database, "2026-11-18", [(a, ALLOW) for a in
                                         ("SYNTHETIC-b", "SYNTHETIC-A", "synthetic-a", "SYNTHETIC_c")])
        result = digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()
        assert result["counts_sha256"] == _outsider_counts_sha256(database)
    finally:
        database.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name}")


def test_denials_sort_by_time_whatever_the_fraction_of_a_second(database: Database,
                                                                log: TransparencyLog) -> None:
    """`decided_at` has a fixed width, so sorting its strings and sorting its times agree."""
    moments = iter([_at("2026-11-18") + 0.5, _at("2026-11-18")])
    recorder = DecisionRecorder(clock=lambda: next(moments))
    recorder.record("SYNTHETIC-a", "face.search", None, DENY)  # at 10:00:00.5
    recorder.record("SYNTHETIC-b", "face.search", None, DENY)  # at 10:00:00 exactly
    recorder.flush(database)
    result = digest_decisions(database, log, parse_period("2026-11-18"), NOW).to_json()
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT denial_id, decided_at, account_id, operation, context, reasons, "
                        "errors, policy_version FROM policy_denial")
    names = ("denial_id", "decided_at", "account_id", "operation", "context", "reasons", "errors",
             "policy_version")
    denials = [dict(zip(names, r, strict=True)) for r in rows]
    for row in denials:
        for key in ("context", "reasons", "errors"):
            row[key] = json.loads(row[key])
    denials.sort(key=lambda r: (datetime.fromisoformat(r["decided_at"]), r["denial_id"]))
    assert [d["account_id"] for d in denials] == ["SYNTHETIC-b", "SYNTHETIC-a"]
    assert denials[0]["decided_at"] == "2026-11-18T10:00:00.000000Z"
    assert result["denials_sha256"] == hashlib.sha256(rfc8785.dumps(denials)).hexdigest()

"""The gate decides under the version in force, refreshes when the registry or the policies
change, and records every decision: counts per account × operation × outcome × policies, and
every denial whole."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from daylight.core.database import Database
from daylight.core.errors import StorageError
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.decision import Decision, Reason
from daylight.policy.entities import ApprovedDeclaration
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack
from daylight.policy.recorder import DecisionRecorder
from daylight.policy.versions import publish
from daylight.registry.resolution import Classification
from daylight.registry.store import RegistryStore
from tests.policy.conftest import NOW, RegistryAccount, add_registry_accounts

DAY_SECONDS = datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp()


def _counts(database: Database) -> list[tuple[object, ...]]:
    with database.transaction(write=False) as tx:
        return tx.query("SELECT day, account_id, operation, outcome, policies, policy_version, "
                        "decisions FROM policy_decision_count ORDER BY account_id, operation")


def test_decisions_name_the_version_and_follow_the_registry(
        world: Database, log: TransparencyLog, catalog: Catalog) -> None:
    gate = Gate(world, catalog, refresh_interval_s=None, now=lambda: NOW)
    assert gate.decide("SYNTHETIC-shop", "face.search").policy_ids == ("daylight:no-policy-version",)
    publish(world, log, [load_pack("employee-demands")], catalog, NOW - timedelta(hours=1))
    assert gate.refresh() is True
    assert gate.refresh() is False
    police = gate.decide("SYNTHETIC-police", "face.search")
    assert not police.allowed and police.policy_version == 1
    assert police.policy_ids == ("employee-demands/no-face-recognition-for-law-enforcement",)
    contractor = gate.decide("SYNTHETIC-contractor", "storage.object")
    assert contractor.policy_ids == ("employee-demands/no-platform-for-immigration-enforcement-contractors",)
    assert gate.decide("SYNTHETIC-later", "compute.instance").policy_ids == ("daylight:unknown-account",)
    add_registry_accounts(world, [RegistryAccount("SYNTHETIC-later", "immigration_enforcement")],
                          when="2026-11-02T00:00:00Z")
    assert gate.refresh() is True
    assert gate.decide("SYNTHETIC-later", "compute.instance").policy_ids == (
        "employee-demands/no-platform-for-immigration-enforcement",)


def test_the_gate_refreshes_on_its_own_when_asked_to(world: Database, log: TransparencyLog,
                                                     catalog: Catalog) -> None:
    gate = Gate(world, catalog, refresh_interval_s=0.0, now=lambda: NOW)
    assert gate.decide("SYNTHETIC-shop", "face.search").policy_version is None
    publish(world, log, [load_pack("employee-demands")], catalog, NOW - timedelta(hours=1))
    assert gate.decide("SYNTHETIC-shop", "face.search").policy_version == 1


def test_a_future_version_is_not_in_force_yet(world: Database, log: TransparencyLog,
                                              catalog: Catalog) -> None:
    publish(world, log, [load_pack("employee-demands")], catalog, NOW, effective_from=NOW - timedelta(days=1))
    publish(world, log, [load_pack("rekognition-moratorium-2020")], catalog, NOW,
            effective_from=NOW + timedelta(days=1))
    clock = [NOW]
    gate = Gate(world, catalog, refresh_interval_s=None, now=lambda: clock[0])
    assert gate.decide("SYNTHETIC-ice", "compute.instance").policy_version == 1
    clock[0] = NOW + timedelta(days=2)
    gate.refresh()
    decision = gate.decide("SYNTHETIC-ice", "compute.instance")
    assert decision.policy_version == 2 and decision.allowed  # the moratorium alone names police


def test_every_decision_is_counted_and_every_denial_kept(world: Database, log: TransparencyLog,
                                                         catalog: Catalog) -> None:
    publish(world, log, [load_pack("employee-demands")], catalog, NOW - timedelta(hours=1))
    recorder = DecisionRecorder(clock=lambda: DAY_SECONDS)
    gate = Gate(world, catalog, refresh_interval_s=None, now=lambda: NOW, recorder=recorder)
    for _ in range(3):
        gate.decide("SYNTHETIC-shop", "face.search")
    gate.decide("SYNTHETIC-police", "face.search", {"purpose": "find_missing_children"})
    gate.decide("SYNTHETIC-police", "face.search")
    assert recorder.pending == 5
    gate.flush()
    assert recorder.pending == 0
    assert _counts(world) == [
        ("2026-11-20", "SYNTHETIC-police", "face.search", "deny",
         "employee-demands/no-face-recognition-for-law-enforcement", 1, 2),
        ("2026-11-20", "SYNTHETIC-shop", "face.search", "allow",
         "employee-demands/allow-unless-forbidden", 1, 3)]
    with world.transaction(write=False) as tx:
        denials = tx.query("SELECT account_id, operation, context, reasons, errors, policy_version, "
                           "decided_at FROM policy_denial ORDER BY context")
    assert sorted((d[0], d[2]) for d in denials) == [
        ("SYNTHETIC-police", '{"purpose": "find_missing_children"}'), ("SYNTHETIC-police", "{}")]
    assert json.loads(denials[0][3])[0]["policy"] == \
        "employee-demands/no-face-recognition-for-law-enforcement"
    assert denials[0][6] == "2026-11-20T12:00:00.000000Z"
    # a second process adds to the same counts
    other = DecisionRecorder(clock=lambda: DAY_SECONDS)
    other.record("SYNTHETIC-shop", "face.search", None,
                 Decision(True, (Reason("employee-demands/allow-unless-forbidden", "r"),), 1))
    other.flush(world)
    assert _counts(world)[1][-1] == 4


def test_denial_ids_are_unique_uuid7s_of_the_decisions_time(world: Database) -> None:
    clock = [DAY_SECONDS]
    recorder = DecisionRecorder(clock=lambda: clock[0])
    denied = Decision(False, (Reason("x/y", "r"),), 1)
    for step in (0.0, 0.0, 0.0, 0.002, 1.5, 3600.0):  # three in one millisecond
        clock[0] = DAY_SECONDS + step
        recorder.record("SYNTHETIC-police", "face.search", None, denied)
    recorder.flush(world)
    with world.transaction(write=False) as tx:
        rows = tx.query("SELECT denial_id, decided_at FROM policy_denial ORDER BY decided_at")
    ids = [uuid.UUID(row[0]) for row in rows]
    assert len(set(ids)) == 6 and all(i.version == 7 for i in ids)
    # the first 48 bits are the decision's Unix time in milliseconds, so ids sort by time
    assert [i.int >> 80 for i in ids] == [int((DAY_SECONDS + s) * 1000)
                                          for s in (0.0, 0.0, 0.0, 0.002, 1.5, 3600.0)]
    hexes = [row[0] for row in rows]
    assert max(hexes[:3]) < hexes[3] < hexes[4] < hexes[5]


def test_a_denial_decided_before_1970_is_recorded(world: Database) -> None:
    """UUIDv7 has no time before 1970: uuid7 overflowed, and the flush, which keeps its rows
    when it fails, failed for good (`demo --period 1969-11`; the review)."""
    recorder = DecisionRecorder(clock=lambda: -86_400.5)
    recorder.record("SYNTHETIC-police", "face.search", None, Decision(False, (Reason("x/y", "r"),), 1))
    assert recorder.flush(world).denials == 1
    with world.transaction(write=False) as tx:
        (row,) = tx.query("SELECT denial_id, decided_at FROM policy_denial")
    assert uuid.UUID(row[0]).version == 7 and row[1] == "1969-12-30T23:59:59.500000Z"


def test_a_failed_flush_keeps_the_records(tmp_path: object, catalog: Catalog) -> None:
    recorder = DecisionRecorder(clock=lambda: DAY_SECONDS)
    recorder.record("SYNTHETIC-shop", "face.search", None, Decision(False, (Reason("x/y", "r"),), 1))
    closed = Database(f"sqlite:///{tmp_path}/empty.db")  # no policy tables: the write fails
    with pytest.raises(StorageError):
        recorder.flush(closed)
    closed.close()
    assert recorder.pending == 1


def _classify(database: Database, account_id: str, sector: str, when: str, log_index: int) -> None:
    with database.transaction() as tx:
        RegistryStore(tx).put_classifications([Classification(account_id, sector, [], when, log_index)])


def test_a_reclassification_is_seen_whatever_its_time(world: Database, log: TransparencyLog,
                                                      catalog: Catalog) -> None:
    """A classification rewritten at the same instant, or by a writer whose clock is behind,
    changes no count and no maximum time; the engine (and its decision cache) must still go."""
    publish(world, log, [load_pack("employee-demands")], catalog, NOW - timedelta(hours=1))
    _classify(world, "SYNTHETIC-shop", "commercial", "2026-11-10T00:00:00Z", 10)
    gate = Gate(world, catalog, refresh_interval_s=None, now=lambda: NOW)
    assert gate.decide("SYNTHETIC-shop", "face.search").allowed  # now cached
    _classify(world, "SYNTHETIC-shop", "law_enforcement", "2026-11-10T00:00:00Z", 11)
    assert gate.refresh() is True
    assert not gate.decide("SYNTHETIC-shop", "face.search").allowed
    _classify(world, "SYNTHETIC-shop", "immigration_enforcement", "2026-11-09T00:00:00Z", 12)
    assert gate.refresh() is True
    assert gate.decide("SYNTHETIC-shop", "compute.instance").policy_ids == (
        "employee-demands/no-platform-for-immigration-enforcement",)


def test_declarations_changed_in_place_are_seen(world: Database, log: TransparencyLog,
                                                catalog: Catalog) -> None:
    publish(world, log, [load_pack("azure-face-limited-access")], catalog, NOW - timedelta(hours=1))
    declared: dict[str, list[ApprovedDeclaration]] = {"SYNTHETIC-shop": []}
    gate = Gate(world, catalog, declarations=lambda: declared, refresh_interval_s=None,
                now=lambda: NOW)
    request = ("SYNTHETIC-shop", "face.search", {"purpose": "identity_verification"})
    assert not gate.decide(*request).allowed
    declared["SYNTHETIC-shop"].append(
        ApprovedDeclaration("SYNTHETIC-d1", "biometric_identification", "identity_verification"))
    assert gate.refresh() is True
    assert gate.decide(*request).allowed


def test_a_version_in_force_that_no_longer_loads_fails_closed(world: Database, log: TransparencyLog,
                                                             catalog: Catalog) -> None:
    """A stored version Cedar now refuses (an upgrade, a damaged row) must not leave decisions
    going on under the previous version, nor stop the gate from starting."""
    publish(world, log, [load_pack("employee-demands")], catalog, NOW - timedelta(hours=2))
    gate = Gate(world, catalog, refresh_interval_s=None, now=lambda: NOW)
    assert gate.decide("SYNTHETIC-shop", "face.search").allowed
    with world.transaction() as tx:
        tx.execute("INSERT INTO policy_version (version, packs, policy_text, policy_sha256, "
                   "schema_text, schema_sha256, published_at, effective_from, log_index) "
                   "SELECT 2, packs, 'forbid (principal, action, resource) when { nonsense };', "
                   "policy_sha256, schema_text, schema_sha256, published_at, ?, log_index "
                   "FROM policy_version WHERE version = 1", ("2026-11-20T11:00:00Z",))
    assert gate.refresh() is True
    decision = gate.decide("SYNTHETIC-shop", "face.search")
    assert not decision.allowed and decision.policy_version == 2
    assert decision.policy_ids == ("daylight:policy-error",)
    assert "policy version 2 could not be loaded" in decision.errors[0]
    fresh = Gate(world, catalog, refresh_interval_s=None, now=lambda: NOW)
    assert fresh.decide("SYNTHETIC-shop", "compute.instance").policy_ids == ("daylight:policy-error",)

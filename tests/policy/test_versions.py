"""Publishing: validated and tested packs become a numbered version whose text hash is in the
log, atomically with its row; the version in force follows the effective times."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, VerificationError
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.pack import load_pack
from daylight.policy.versions import get_version, list_versions, publish, version_in_force
from tests.policy.conftest import NOW


def _entries(log: TransparencyLog) -> list[dict[str, object]]:
    return [json.loads(e) for e in log.entries(0, log.tree_size())]


def test_publish_logs_the_text_hash_and_version(database: Database, log: TransparencyLog,
                                                catalog: Catalog) -> None:
    packs = [load_pack("employee-demands"), load_pack("rekognition-moratorium-2020")]
    publication = publish(database, log, packs, catalog, NOW)
    assert publication.published and publication.version.version == 1
    stored = get_version(database, 1)
    assert hashlib.sha256(stored.policy_text.encode()).hexdigest() == stored.policy_sha256
    assert hashlib.sha256(stored.schema_text.encode()).hexdigest() == stored.schema_sha256
    [entry] = [e for e in _entries(log) if e["type"] == "policy.version"]
    payload = entry["payload"]
    assert isinstance(payload, dict)
    assert payload["version"] == 1 and payload["policy_sha256"] == stored.policy_sha256
    assert [p["name"] for p in payload["packs"]] == ["employee-demands", "rekognition-moratorium-2020"]
    assert payload["corpus"] == {"employee-demands": 37, "rekognition-moratorium-2020": 14}
    assert log.tree_size() == stored.log_index + 1
    assert set(stored.compile().rules) == set(publication.version.packs[0]["policies"]) | set(
        publication.version.packs[1]["policies"])


def test_publishing_the_same_text_again_publishes_nothing(database: Database, log: TransparencyLog,
                                                          catalog: Catalog) -> None:
    publish(database, log, [load_pack("employee-demands")], catalog, NOW)
    size = log.tree_size()
    again = publish(database, log, [load_pack("employee-demands")], catalog, NOW + timedelta(hours=1))
    assert not again.published and again.version.version == 1
    assert log.tree_size() == size
    changed = publish(database, log, [load_pack("employee-demands"), load_pack("eu-ai-act-article-5")],
                      catalog, NOW + timedelta(hours=2))
    assert changed.published and changed.version.version == 2
    assert [v.version for v in list_versions(database)] == [1, 2]


def test_a_pack_whose_corpus_fails_is_not_published(database: Database, log: TransparencyLog,
                                                    catalog: Catalog) -> None:
    pack = load_pack("employee-demands")
    corpus = json.loads(pack.corpus_text or "")
    corpus["cases"][0]["then"]["reasons"] = ["employee-demands/allow-unless-forbidden"]
    broken = pack.__class__(pack.name, pack.title, pack.summary, pack.sources, pack.location,
                            pack.files, json.dumps(corpus))
    size = log.tree_size()
    with pytest.raises(VerificationError, match="fails 1 of 37"):
        publish(database, log, [broken], catalog, NOW)
    assert log.tree_size() == size and list_versions(database) == []


def test_bad_publications_are_refused(database: Database, log: TransparencyLog, catalog: Catalog) -> None:
    with pytest.raises(InputError, match="at least one pack"):
        publish(database, log, [], catalog, NOW)
    with pytest.raises(InputError, match="named twice"):
        publish(database, log, [load_pack("employee-demands")] * 2, catalog, NOW)
    publish(database, log, [load_pack("employee-demands")], catalog, NOW)
    with pytest.raises(ConflictError, match="cannot take effect before"):
        publish(database, log, [load_pack("eu-ai-act-article-5")], catalog, NOW,
                effective_from=NOW - timedelta(days=1))
    assert len(list_versions(database)) == 1


def test_the_version_in_force_follows_effective_times(database: Database, log: TransparencyLog,
                                                      catalog: Catalog) -> None:
    first = publish(database, log, [load_pack("employee-demands")], catalog, NOW,
                    effective_from=NOW - timedelta(days=10)).version
    second = publish(database, log, [load_pack("eu-ai-act-article-5")], catalog, NOW,
                     effective_from=NOW + timedelta(days=5)).version
    versions = list_versions(database)
    assert version_in_force(versions, NOW - timedelta(days=11)) is None
    assert version_in_force(versions, NOW) == first
    assert version_in_force(versions, NOW + timedelta(days=5)) == second
    entry = json.loads(log.entry(second.log_index))
    assert entry["payload"]["effective_from"] == second.effective_from

"""Signatures from many processes at once are each counted once: positions are consecutive,
the count matches, and the same identity racing itself is recorded exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from daylight.core.database import Database
from daylight.core.errors import ConflictError
from daylight.flows.object import (
    ObjectionRequest,
    SignatureRequest,
    file_objection,
    show_objection,
    sign_objection,
)
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.voice.privacy import VoiceKeys
from tests.voice.conftest import NOW


def test_concurrent_signatures_are_counted_once_each(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
        database_url: str, signer: Signer) -> None:
    objection_id = file_objection(voice, log, catalog, keys, ObjectionRequest(
        "filer@provider.example", "account:SYNTHETIC-shop", "SYNTHETIC", 100), 10, NOW).objection_id
    people = [f"e{i}@provider.example" for i in range(6)] + ["same@provider.example"] * 4

    def sign(person: str) -> str:
        with Database(database_url) as database:
            own_log = TransparencyLog(database, signer)
            try:
                sign_objection(database, own_log, keys, SignatureRequest(objection_id, person), NOW)
                return "signed"
            except ConflictError:
                return "refused"

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(sign, people))
    assert outcomes[:6] == ["signed"] * 6
    assert sorted(outcomes[6:]) == ["refused"] * 3 + ["signed"]
    with voice.transaction(write=False) as tx:
        positions = [r[0] for r in tx.query("SELECT position FROM voice_signature "
                                            "WHERE objection_id = ? ORDER BY position",
                                            (objection_id,))]
    assert positions == list(range(1, 9))
    assert show_objection(voice, objection_id).signatures == 8

"""After a run with signers and refusers, a dump of the whole database (SQLite: its file and
`.dump`; PostgreSQL: `pg_dump`) and the whole log (every entry, and its static mirror) shows no
signer's identity in clear, in any spelling they typed — nor any receipt's salt, without which
a commitment cannot be tested against a guessed identity."""

from __future__ import annotations

import base64
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from daylight.core.database import Database
from daylight.flows.object import (
    ObjectionRequest,
    RefusalRequest,
    ResolutionRequest,
    SignatureRequest,
    file_objection,
    record_refusal,
    resolve_objection,
    sign_objection,
)
from daylight.log.export import export_mirror
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.voice.privacy import VoiceKeys
from tests.postgres import _bin_dir
from tests.voice.conftest import NOW

SIGNERS = ["Zq-Signer-One@provider.example", " zq-signer-two@provider.example",
           "ＺＱ-SIGNER-THREE@provider.example"]
REFUSER = "zq-refuser-four@provider.example"


def _dump(database_url: str, postgres_base: str | None) -> bytes:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):])
        with sqlite3.connect(path) as conn:
            text = "\n".join(conn.iterdump()).encode()
        files = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        return text + files
    assert postgres_base is not None
    options = parse_qs(urlsplit(database_url).query)["options"][0]
    schema = unquote(options).split("search_path=", 1)[1]
    return subprocess.run([str(_bin_dir() / "pg_dump"), "--dbname", postgres_base, "--schema",
                           schema, "--no-owner"], check=True, capture_output=True).stdout


def test_a_dump_of_the_database_and_the_log_shows_no_signer(
        voice: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
        database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    filed = file_objection(voice, log, catalog, keys, ObjectionRequest(
        SIGNERS[0], "account:SYNTHETIC-shop", "SYNTHETIC: no face search here", 2), 10, NOW)
    receipts = [filed.receipt]
    for signer in SIGNERS[1:]:
        receipts.append(sign_objection(voice, log, keys,
                                       SignatureRequest(filed.objection_id, signer), NOW))
    record_refusal(voice, log, catalog, keys, RefusalRequest(
        REFUSER, "capability:biometric_identification", "SYNTHETIC: personal reasons"), NOW)
    resolve_objection(voice, log, keys, ResolutionRequest(
        filed.objection_id, "ombuds@provider.example", "SYNTHETIC outcome", "SYNTHETIC why"), NOW)

    postgres_base = None
    if not database_url.startswith("sqlite"):
        postgres_base = request.getfixturevalue("postgres_url")
    dump = _dump(database_url, postgres_base)
    export_mirror(log, tmp_path / "mirror")
    mirror = b"".join(p.read_bytes() for p in sorted((tmp_path / "mirror").rglob("*"))
                      if p.is_file())
    entries = b"".join(log.entry(i) for i in range(log.tree_size()))
    # a real dump, searchable: the statement is there, and so is the reviewer (staff acting
    # officially are stored by identity, and published by pseudonym only)
    assert b"voice_signature" in dump and b"SYNTHETIC: no face search here" in dump
    assert b"ombuds@provider.example" in dump and b"ombuds@provider.example" not in entries
    assert b"voice.objection_signature" in mirror and entries
    for haystack in (dump, mirror, entries):
        folded = haystack.lower()
        for typed in [*SIGNERS, REFUSER]:
            for needle in {typed.strip(), typed.strip().lower(), "zq-signer", "zq-refuser",
                           "ｚｑ"}:
                assert needle.lower().encode() not in folded, needle
        for receipt in receipts:
            assert receipt.salt.hex().encode() not in folded
            assert base64.b64encode(receipt.salt) not in haystack
        assert b"personal reasons" not in haystack  # a refusal's statement is sealed too

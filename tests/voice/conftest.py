"""Shared for the voice tests: SYNTHETIC registry accounts, a declaration file, review keys and
a voice world on either backend."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog, default_catalog
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore
from daylight.voice.privacy import VoiceKeys, generate_review_key, unb64

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

ACCOUNTS = [
    # account id, email domains, country, sector
    ("SYNTHETIC-office", ("office.example",), "US", "commercial"),
    ("SYNTHETIC-eu-police", ("polizei.example.de",), "DE", "law_enforcement"),
    ("SYNTHETIC-shop", ("shop.example",), "US", "commercial"),
]

SENSITIVE_FIELDS: dict[str, Any] = {
    "contact_role": "data protection officer",
    "legal_basis": "SYNTHETIC: consent of the people enrolled",
    "deployment": {"real_time": False, "public_space": False},
    "affected_people": ["enrolled employees"],
    "human_oversight": "a security officer confirms every match",
    "impact_assessment": {"done": True, "date": "2026-10-01", "reference": "SYNTHETIC-DPIA-1"},
}


def declaration_file(purpose: str, expires: str = "2027-06-30", **extra: Any) -> bytes:
    """A SYNTHETIC declaration file with every field a sensitive capability needs."""
    return json.dumps({"purpose": purpose, "expires": expires, **SENSITIVE_FIELDS,
                       **extra}).encode()


def add_accounts(database: Database) -> None:
    when = "2026-11-01T00:00:00Z"
    with database.transaction() as tx:
        store = RegistryStore(tx)
        store.replace_organizations([], [Organization(
            "SYNTHETIC-org-SYNTHETIC-office", "SYNTHETIC Office Group", "commercial",
            schema="Company", identifiers={"domain": ("officegroup.example",)})])
        store.add_accounts([Account(a, f"SYNTHETIC {a}", d, "", "", c, "2026-01-01")
                            for a, d, c, _ in ACCOUNTS], when)
        store.put_resolutions([Resolution(a, "accepted", f"SYNTHETIC-org-{a}", 0.99, {}, when)
                               for a, _, _, _ in ACCOUNTS])
        store.put_classifications([Classification(a, s, [], when, None)
                                   for a, _, _, s in ACCOUNTS])


@dataclass(frozen=True)
class ReviewKey:
    public: str
    private: str


@pytest.fixture(scope="session")
def review_key() -> ReviewKey:
    public, private = generate_review_key()
    return ReviewKey(public, private)


@pytest.fixture
def keys(review_key: ReviewKey) -> VoiceKeys:
    return VoiceKeys(unb64(review_key.public, where="key"), b"k" * 32)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture
def voice(database: Database, log: TransparencyLog) -> Database:
    """A database with the SYNTHETIC accounts and an empty log."""
    add_accounts(database)
    return database


def counts(database: Database, log: TransparencyLog) -> dict[str, int]:
    """Rows in each voice table, and the log's sequenced entries: to show nothing was written."""
    tables = ["voice_declaration", "voice_review", "voice_reviewer", "voice_objection",
              "voice_signature", "voice_refusal"]
    with database.transaction(write=False) as tx:
        found = {t: int((tx.query_one(f"SELECT COUNT(*) FROM {t}") or (0,))[0]) for t in tables}
    return found | {"log": log.meta().sequenced_size}


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path

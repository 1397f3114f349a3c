"""Account files and policy packs under hostile input: accounts are imported whole or refused
naming file, line and field with nothing stored; Cedar text never reaches Cedar unbounded, and
every problem is an InputError naming the file."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError
from daylight.policy.catalog import default_catalog
from daylight.policy.policies import PolicyText, compile_policies
from daylight.policy.schema import PolicySchema, build_schema
from daylight.registry.accounts import ACCOUNT_FIELDS, read_accounts
from daylight.registry.service import import_accounts
from daylight.registry.store import RegistryStore
from tests.fuzz.conftest import FUZZ, hostile_text, is_printable, json_values

NOW = datetime(2026, 11, 3, tzinfo=UTC)
GOOD = {"account_id": "a1", "name": "Warrick County Sheriff", "email_domains": ["warrickso.gov"],
        "city": "Boonville", "state": "IN", "country": "US", "created_at": "2024-01-02"}

accounts = st.lists(st.fixed_dictionaries(
    {name: st.one_of(st.just(value), hostile_text, json_values) for name, value in GOOD.items()},
    optional={"extra": hostile_text}), min_size=1, max_size=4)


def _csv(records: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACCOUNT_FIELDS)
    for record in records:
        writer.writerow([";".join(map(str, record[name]))
                         if name == "email_domains" and isinstance(record[name], list)
                         else str(record[name]) for name in ACCOUNT_FIELDS])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _stored(database: Database) -> list[dict[str, Any]]:
    with database.transaction(write=False) as tx:
        return [a.to_json() for a in RegistryStore(tx).iter_accounts()]


@settings(FUZZ, max_examples=80)
@given(records=accounts, form=st.sampled_from(["csv", "jsonl"]))
def test_hostile_account_files(database: Database, tmp_path_factory: pytest.TempPathFactory,
                               records: list[dict[str, Any]], form: str) -> None:
    path = tmp_path_factory.mktemp("accounts") / f"accounts.{form}"
    if form == "csv":
        path.write_bytes(_csv(records))
    else:
        path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    before = _stored(database)
    try:
        import_accounts(database, read_accounts(path), NOW)
    except (InputError, ConflictError) as error:
        assert _stored(database) == before
        assert error.where and error.where.startswith(path.name), error
        assert is_printable(str(error))
        return
    for account in _stored(database):
        assert account["account_id"].isascii() and " " not in account["account_id"]


CEDAR_TOKENS = ["(", ")", "[", "]", "{", "}", "&&", "||", "!", ".", "==", "<", "+", "-", "*",
                " ", "\n", "true", "false", "1", "context", "principal", "resource", "action",
                "in", "has", "like", "if", "then", "else", "is", ",", ";", '"', "\\", "//",
                ".purpose", ".sector", '"x"', "when", "unless", "Account", "::", "'"]
policy_bodies = st.lists(st.sampled_from(CEDAR_TOKENS), max_size=400).map("".join)


@FUZZ
@given(body=policy_bodies, repeat=st.integers(min_value=1, max_value=200))
def test_hostile_cedar_is_an_input_error_naming_the_file(schema: PolicySchema, body: str,
                                                         repeat: int) -> None:
    text = ('@id("fuzz/p") @reason("fuzzed")\npermit (principal, action, resource) when { '
            + body * repeat + " };\n")
    try:
        compile_policies([PolicyText("fuzz/p.cedar", text)], schema)
    except InputError as error:
        assert error.where is not None and error.where.startswith("fuzz/p.cedar")
        assert is_printable(str(error))


@pytest.fixture(scope="module")
def schema() -> PolicySchema:
    return build_schema(default_catalog())

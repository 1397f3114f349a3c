"""Accounts import: strict, whole-file, with the line and field named; nothing half-imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError
from daylight.registry.accounts import read_accounts
from daylight.registry.service import import_accounts
from daylight.registry.store import RegistryStore
from tests.registry.conftest import NOW

HEADER = "account_id,name,email_domains,city,state,country,created_at\n"
GOOD = 'a1,Warrick County Sheriff\'s Office,warrickso.gov;example.com,Boonville,IN,US,2024-01-02\n'


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_csv_and_jsonl_read_the_same_account(tmp_path: Path) -> None:
    from_csv = read_accounts(_write(tmp_path, "a.csv", HEADER + GOOD))
    record = {"account_id": "a1", "name": "Warrick County Sheriff's Office",
              "email_domains": ["warrickso.gov", "example.com"], "city": "Boonville",
              "state": "IN", "country": "US", "created_at": "2024-01-02"}
    from_jsonl = read_accounts(_write(tmp_path, "a.jsonl", json.dumps(record) + "\n"))
    assert from_csv == from_jsonl
    assert from_csv[0].to_json() == record


@pytest.mark.parametrize(("text", "where", "says"), [
    (HEADER.replace("city", "town") + GOOD, "a.csv:1", "unknown column `town`"),
    (HEADER + "a1,,,,,US,2024-01-02\n", "a.csv:2: name", "must not be empty"),
    (HEADER + GOOD + "a2," + "x" * 301 + ",,,,US,2024-01-02\n", "a.csv:3: name", "at most 300"),
    (HEADER + GOOD + "a2,Pоlice Department,,,,US,2024-01-02\n", "a.csv:3: name", "scripts"),
    (HEADER + "a1,X,,,ZZ,US,2024-01-02\n", "a.csv:2: state", "state code"),
    (HEADER + "a1,X,,,,USA,2024-01-02\n", "a.csv:2: country", "at most 2"),
    (HEADER + "a1,X,,,,XX,2024-01-02\n", "a.csv:2: country", "ISO 3166"),
    (HEADER + "a1,X,,,,US,2024-13-02\n", "a.csv:2: created_at", "RFC 3339"),
    (HEADER + "a1,X,,,,US,2024-01-02T10:00:00\n", "a.csv:2: created_at", "RFC 3339"),
    (HEADER + "a1,X,not a domain,,,US,2024-01-02\n", "a.csv:2: email_domains", "domain"),
    (HEADER + GOOD + GOOD, "a.csv:3: account_id", "appears twice"),
    (HEADER + "a1,X,,,,US\n", "a.csv:2", "expected 7 fields"),
])
def test_bad_csv_is_refused_naming_line_and_field(tmp_path: Path, text: str, where: str,
                                                  says: str) -> None:
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "a.csv", text))
    assert caught.value.where == where
    assert says in caught.value.message


def test_non_utf8_bytes_are_refused_with_their_line(tmp_path: Path) -> None:
    data = (HEADER + GOOD).encode() + b"a2,Caf\xe9 Police,,,,US,2024-01-02\n"
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "a.csv", data))
    assert caught.value.where == "a.csv:3"
    assert "UTF-8" in caught.value.message


def test_bad_jsonl_names_line_and_field(tmp_path: Path) -> None:
    good = {"account_id": "a1", "name": "X", "email_domains": [], "city": "", "state": "",
            "country": "US", "created_at": "2024-01-02T10:00:00Z"}
    bad = {**good, "account_id": "a2", "email_domains": "x.gov", "extra": 1}
    path = _write(tmp_path, "a.jsonl", json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert caught.value.where == "a.jsonl:2"
    assert "unknown field `extra`" in caught.value.message
    wrong_type = {**good, "name": 7}
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "b.jsonl", json.dumps(wrong_type) + "\n"))
    assert caught.value.where == "b.jsonl:1: name"


def test_import_is_all_or_nothing_and_never_alters_stored_accounts(
        database: Database, tmp_path: Path) -> None:
    first = read_accounts(_write(tmp_path, "a.csv", HEADER + GOOD))
    assert import_accounts(database, first, NOW).imported == 1
    again = import_accounts(database, first, NOW)  # identical: nothing new
    assert (again.imported, again.unchanged, again.updated) == (0, 1, ())
    changed = read_accounts(_write(tmp_path, "b.csv", HEADER + "a0,New Customer,,,,US,2024-01-01\n"
                                   + GOOD.replace("Boonville", "Evansville")))
    with pytest.raises(ConflictError) as caught:
        import_accounts(database, changed, NOW)
    assert caught.value.where == "b.csv:3: city"
    assert '"Boonville", not "Evansville"' in caught.value.message  # without a log: refused
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        assert [a.account_id for a in store.iter_accounts()] == ["a1"]  # a0 not half-imported
        stored = store.account("a1")
        assert stored is not None and stored.city == "Boonville"


JSONL_GOOD = {"account_id": "a1", "name": "X", "email_domains": [], "city": "", "state": "",
              "country": "US", "created_at": "2024-01-02"}


@pytest.mark.parametrize("name", [
    "\u0406\u0421\u0415",  # ІСЕ: Cyrillic letters drawn like "ICE"
    "US \u0406\u0421\u0415",  # a Latin word, then a disguised one
    "\u0391\u0392\u0395 Police",  # Greek ΑΒΕ before a Latin word
    "P\u043elice Department",  # a Cyrillic о inside a Latin word
    "Police\u0394\u0435pt",  # Greek and Cyrillic letters inside a Latin word
    "\u0399\u03f9\u0395 Field Office",  # ΙϹΕ with a Greek lunate sigma
    "\u13a0\u13bb\u13da",  # Cherokee letters drawn like "DHS"
])
def test_homoglyph_names_are_refused(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, "h.jsonl", json.dumps({**JSONL_GOOD, "name": name}) + "\n")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert caught.value.where == "h.jsonl:1: name" and "homoglyph" in caught.value.message


@pytest.mark.parametrize("name", [
    "\u3055\u3044\u305f\u307e\u5e02\u5f79\u6240",  # さいたま市役所: Hiragana and Han
    "\uc11c\uc6b8\ud2b9\ubcc4\uc2dc\uccad",  # 서울특별시청
    "\u041c\u043e\u0441\u043a\u0432\u0430 Police",  # Москва: a real Cyrillic word
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ae \u0391\u03c3\u03c4\u03c5\u03bd\u03bf\u03bc\u03af\u03b1",
    "Caf\u00e9 Police",
    "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430 Ltd",  # ООО Ромашка Ltd
])
def test_names_in_other_scripts_are_read(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, "n.jsonl", json.dumps({**JSONL_GOOD, "name": name}) + "\n")
    assert read_accounts(path)[0].name == name


def test_jsonl_is_read_as_strictly_as_its_format_says(tmp_path: Path) -> None:
    line = json.dumps({**JSONL_GOOD, "email_domains": "a.gov;b.gov"}) + "\n"
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "d.jsonl", line))
    assert caught.value.where == "d.jsonl:1: email_domains" and "list" in caught.value.message
    with_bom = b"\xef\xbb\xbf" + (json.dumps(JSONL_GOOD) + "\n").encode()
    assert read_accounts(_write(tmp_path, "bom.jsonl", with_bom))[0].account_id == "a1"
    nbsp = json.dumps({**JSONL_GOOD, "name": "Austin\u00a0PD"}) + "\n"
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "s.jsonl", nbsp))
    assert caught.value.where == "s.jsonl:1: name" and "U+00A0" in caught.value.message


def test_a_homoglyph_city_is_refused_too(tmp_path: Path) -> None:
    """Every field that reaches a published page is checked, not only the name."""
    path = _write(tmp_path, "c.jsonl", json.dumps({**JSONL_GOOD, "city": "Hou\u0455ton"}) + "\n")
    with pytest.raises(InputError) as caught:
        read_accounts(path)
    assert caught.value.where == "c.jsonl:1: city" and "homoglyph" in caught.value.message


def test_names_and_cities_are_stored_as_typed_spaces_included(tmp_path: Path) -> None:
    """docs/registry.md: everything but the codes is stored as typed (the probe found it trimmed)."""
    text = HEADER + 'a1,"  Warrick County Sheriff  ", warrickso.gov ," Boonville ", in , us ,2024-01-02 \n'
    account = read_accounts(_write(tmp_path, "a.csv", text))[0]
    assert account.name == "  Warrick County Sheriff  "
    assert account.city == " Boonville "
    assert (account.state, account.country, account.created_at) == ("IN", "US", "2024-01-02")
    assert account.email_domains == ("warrickso.gov",)


@pytest.mark.parametrize("account_id", [" a1", "a1 ", "a 1", "=cmd|x", "-a1", "а1", "a" * 129])
def test_account_ids_follow_the_one_rule_untrimmed(tmp_path: Path, account_id: str) -> None:
    with pytest.raises(InputError) as caught:
        read_accounts(_write(tmp_path, "a.csv", HEADER + f'"{account_id}",X,,,,US,2024-01-02\n'))
    assert caught.value.where == "a.csv:2: account_id"


def test_optional_identifiers_are_read_stored_and_checked(database: Database,
                                                          tmp_path: Path) -> None:
    text = ("account_id,name,email_domains,city,state,country,created_at,uei,duns,"
            "cloud_account_ids\n"
            "v1,Kroll Government Services,,,VA,US,2024-01-02,abcdefgh1234,123456789,"
            "111122223333;444455556666\n")
    accounts = read_accounts(_write(tmp_path, "ids.csv", text))
    assert (accounts[0].uei, accounts[0].duns) == ("ABCDEFGH1234", "123456789")
    assert accounts[0].identifiers == (("uei", "ABCDEFGH1234"), ("duns", "123456789"))
    import_accounts(database, accounts, NOW)
    with database.transaction(write=False) as tx:
        stored = RegistryStore(tx).account("v1")
    assert stored == accounts[0] and stored.to_json()["cloud_account_ids"] == [
        "111122223333", "444455556666"]
    with pytest.raises(InputError, match="is not a DUNS") as caught:
        read_accounts(_write(tmp_path, "bad.csv", text.replace("123456789", "12345")))
    assert caught.value.where == "bad.csv:2: duns"


def test_internationalised_domains_get_the_homoglyph_check(tmp_path: Path) -> None:
    # `ісе.gov` in Cyrillic letters, as IDNA writes it: it would read `ice.gov` on a page
    with pytest.raises(InputError, match="homoglyph") as caught:
        read_accounts(_write(tmp_path, "a.csv", HEADER + "a1,X,xn--e1ax6d.gov,,,US,2024-01-02\n"))
    assert caught.value.where == "a.csv:2: email_domains"
    with pytest.raises(InputError, match="internationalised domain"):
        read_accounts(_write(tmp_path, "b.csv", HEADER + "a1,X,xn--zz.gov,,,US,2024-01-02\n"))
    kept = read_accounts(_write(tmp_path, "c.csv", HEADER + "a1,X,xn--bcher-kva.de,,,US,2024-01-02\n"))
    assert kept[0].email_domains == ("xn--bcher-kva.de",)  # bücher.de: Latin, fine


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """A link that loops (ELOOP) and a name over the filesystem's limit (ENAMETOOLONG) were
    tracebacks of `accounts import` (the probe of issue 14)."""
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    for path in (loop, tmp_path / ("x" * 300 + ".csv")):
        with pytest.raises(InputError, match="cannot read") as caught:
            read_accounts(path)
        assert caught.value.where == str(path)

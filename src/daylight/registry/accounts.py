"""The provider's customer accounts, read strictly from CSV or JSON Lines.

Columns (CSV header) or keys (JSONL objects), exactly: ``account_id``, ``name``,
``email_domains`` (``;``-separated in CSV, a list in JSONL), ``city``, ``state`` (a US two-letter
code or empty), ``country`` (ISO 3166 alpha-2), ``created_at`` (RFC 3339 date or date-time); and
optionally ``cloud_account_ids`` (12-digit cloud account ids, ``;``-separated in CSV), ``uei``
and ``duns`` (the customer's identifiers in US federal contracting).
A file is read whole before anything is stored: the first bad line is refused with its line and
field named, and nothing of the file is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from daylight.core.canonical import parse_json_object
from daylight.core.errors import InputError, NotFoundError
from daylight.core.identifier import ACCOUNT_ID_RULE, MAX_ACCOUNT_ID, is_account_id
from daylight.registry.geography import is_state_code
from daylight.registry.spoof import homoglyph_word

ACCOUNT_FIELDS = ("account_id", "name", "email_domains", "city", "state", "country", "created_at")
OPTIONAL_FIELDS = ("cloud_account_ids", "uei", "duns")
"""May be left out: the 12-digit cloud (AWS) account ids whose CloudTrail usage is the account's;
the customer's Unique Entity ID (SAM.gov, 12 letters and digits) and DUNS number (9 digits)."""
_UEI = re.compile(r"[A-Z0-9]{12}")
_DUNS = re.compile(r"\d{9}")
_CLOUD_ACCOUNT_ID = re.compile(r"\d{12}")
MAX_CLOUD_ACCOUNTS = 100
MAX_NAME = 300
MAX_CITY = 100
MAX_DOMAINS = 20
MAX_LINE_BYTES = 16384
_DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Account:
    """One customer account as the provider holds it."""

    account_id: str
    name: str
    email_domains: tuple[str, ...]
    city: str
    state: str
    country: str
    created_at: str
    cloud_account_ids: tuple[str, ...] = ()
    """The cloud provider's 12-digit account ids whose usage is this account's (CloudTrail
    ``userIdentity.accountId``)."""
    uei: str = ""
    duns: str = ""
    source: str = field(default="", compare=False, repr=False)
    """Where it was read (``file:line``), for errors; not part of the account."""

    def to_json(self) -> dict[str, Any]:
        """The account as imported (`accounts show`); ``cloud_account_ids`` only when it has
        some (the field is optional in the file)."""
        out: dict[str, Any] = {
            "account_id": self.account_id, "name": self.name,
            "email_domains": list(self.email_domains), "city": self.city, "state": self.state,
            "country": self.country, "created_at": self.created_at}
        if self.cloud_account_ids:
            out["cloud_account_ids"] = list(self.cloud_account_ids)
        for name, value in (("uei", self.uei), ("duns", self.duns)):
            if value:
                out[name] = value
        return out

    @property
    def identifiers(self) -> tuple[tuple[str, str], ...]:
        """(scheme, value) of the identifiers the customer gave (``uei``, ``duns``)."""
        return tuple((k, v) for k, v in (("uei", self.uei), ("duns", self.duns)) if v)


@dataclass(frozen=True)
class AccountChange:
    """A re-sync changed a stored account: which fields, and the account as it was before."""

    account_id: str
    changed_at: str
    fields: tuple[str, ...]
    previous: Account
    log_index: int

    def to_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "changed_at": self.changed_at,
                "fields": list(self.fields), "previous": self.previous.to_json(),
                "log_index": self.log_index}


def changed_fields(stored: Account, given: Account) -> tuple[str, ...]:
    """The fields (of ``ACCOUNT_FIELDS``) in which ``given`` differs from ``stored``."""
    old, new = stored.to_json(), given.to_json()
    return tuple(f for f in (*ACCOUNT_FIELDS, *OPTIONAL_FIELDS) if old.get(f) != new.get(f))


def _text(value: Any, where: str, field: str, limit: int, *, required: bool = False,
          trim: bool = False) -> str:
    """The field as typed (``trim``: without surrounding spaces, for codes and dates)."""
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {type(value).__name__}", where=f"{where}: {field}")
    text = value.strip() if trim else value
    if required and not text.strip():
        raise InputError("must not be empty", where=f"{where}: {field}")
    if len(text) > limit:
        raise InputError(f"is {len(text)} characters long, at most {limit} allowed",
                         where=f"{where}: {field}")
    unprintable = next((c for c in text if not c.isprintable()), None)
    if unprintable is not None:
        raise InputError(f"contains the unprintable character U+{ord(unprintable):04X} (a control, "
                         "format or separator character)", where=f"{where}: {field}")
    return text


def _refuse_homoglyphs(text: str, where: str, field: str) -> None:
    """Every free-text field that can reach a published page (name, city); ids, codes and
    numbers are ASCII by their rules, and internationalised email domains are decoded and
    checked by ``_refuse_disguised_domain``."""
    disguised = homoglyph_word(text)
    if disguised is not None:
        raise InputError(f"`{disguised}` mixes letters of different scripts or is written in "
                         "letters drawn like Latin ones (a homoglyph?)", where=f"{where}: {field}")


def _domains(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InputError(f"expected a list of domains, got {type(value).__name__}",
                         where=f"{where}: email_domains")
    items = value
    if len(items) > MAX_DOMAINS:
        raise InputError(f"has {len(items)} domains, at most {MAX_DOMAINS} allowed",
                         where=f"{where}: email_domains")
    out = []
    for item in items:
        if not isinstance(item, str) or not _DOMAIN.fullmatch(item.strip().lower()):
            raise InputError(f"`{str(item)[:80]}` is not a domain name such as example.gov",
                             where=f"{where}: email_domains")
        domain = item.strip().lower()
        _refuse_disguised_domain(domain, where)
        out.append(domain)
    return tuple(dict.fromkeys(out))


def _refuse_disguised_domain(domain: str, where: str) -> None:
    """An internationalised domain (``xn--`` labels, IDNA) is published as its Unicode form in
    match evidence: it gets the SpoofChecker test of ``name`` and ``city`` (``xn--e1aybc.gov``
    would read as a Latin ``ice.gov`` written in Cyrillic)."""
    if "xn--" not in domain:
        return
    try:
        shown = " ".join(label.encode("ascii").decode("idna") for label in domain.split("."))
    except UnicodeError as exc:
        raise InputError(f"`{domain}` is not a valid internationalised domain name ({exc})",
                         where=f"{where}: email_domains") from exc
    if homoglyph_word(shown) is not None:
        raise InputError(f"`{domain}` (`{shown.replace(' ', '.')}`) mixes letters of different "
                         "scripts or is written in letters drawn like Latin ones (a homoglyph?)",
                         where=f"{where}: email_domains")


def _created_at(value: Any, where: str) -> str:
    text = _text(value, where, "created_at", 40, required=True, trim=True)
    try:
        if _DATE_TIME.fullmatch(text):
            datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            return text
        if _DATE.fullmatch(text):
            date.fromisoformat(text)
            return text
    except ValueError:
        pass
    raise InputError(f"`{text}` is not an RFC 3339 date or date-time with a zone",
                     where=f"{where}: created_at")


def account_from_fields(fields: dict[str, Any], where: str) -> Account:
    """Validate one record's fields; InputError names ``where`` and the field."""
    from rigour.territories import get_territory  # heavy: loaded where used, not at start-up

    unknown = sorted(set(fields) - set(ACCOUNT_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise InputError(f"unknown field `{unknown[0][:60]}`; expected the fields "
                         f"{', '.join(ACCOUNT_FIELDS)} (and optionally "
                         f"{', '.join(OPTIONAL_FIELDS)})", where=where)
    missing = [f for f in ACCOUNT_FIELDS if f not in fields]
    if missing:
        raise InputError(f"missing field `{missing[0]}`", where=where)
    account_id = _text(fields["account_id"], where, "account_id", MAX_ACCOUNT_ID, required=True)
    if not is_account_id(account_id):  # the rule usage ingest and the decision API apply
        raise InputError(f"`{account_id}` is not an id: expected {ACCOUNT_ID_RULE}",
                         where=f"{where}: account_id")
    name = _text(fields["name"], where, "name", MAX_NAME, required=True)
    _refuse_homoglyphs(name, where, "name")
    state = _text(fields["state"], where, "state", 2, trim=True).upper()
    if state and not is_state_code(state):
        raise InputError(f"`{state}` is not a US two-letter state code", where=f"{where}: state")
    country = _text(fields["country"], where, "country", 2, required=True, trim=True).upper()
    territory = get_territory(country.lower()) if len(country) == 2 and country.isalpha() else None
    if territory is None:
        raise InputError(f"`{country}` is not an ISO 3166 alpha-2 country code",
                         where=f"{where}: country")
    if state and country != "US":
        raise InputError(f"a US state `{state}` with country `{country}`", where=f"{where}: state")
    city = _text(fields["city"], where, "city", MAX_CITY)
    _refuse_homoglyphs(city, where, "city")
    return Account(account_id, name, _domains(fields["email_domains"], where), city, state, country,
                   _created_at(fields["created_at"], where),
                   _cloud_accounts(fields.get("cloud_account_ids", []), where),
                   _identifier(fields.get("uei", ""), where, "uei", _UEI, "12 letters and digits"),
                   _identifier(fields.get("duns", ""), where, "duns", _DUNS, "9 digits"))


def _identifier(value: Any, where: str, name: str, pattern: re.Pattern[str], shape: str) -> str:
    text = _text(value, where, name, 40, trim=True).upper()
    if text and not pattern.fullmatch(text):
        raise InputError(f"`{text}` is not a {name.upper()}: expected {shape}",
                         where=f"{where}: {name}")
    return text


def _cloud_accounts(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InputError(f"expected a list of 12-digit cloud account ids, got "
                         f"{type(value).__name__}", where=f"{where}: cloud_account_ids")
    if len(value) > MAX_CLOUD_ACCOUNTS:
        raise InputError(f"has {len(value)} cloud account ids, at most {MAX_CLOUD_ACCOUNTS} "
                         "allowed", where=f"{where}: cloud_account_ids")
    for item in value:
        if not isinstance(item, str) or not _CLOUD_ACCOUNT_ID.fullmatch(item.strip()):
            raise InputError(f"`{str(item)[:80]}` is not a 12-digit cloud account id",
                             where=f"{where}: cloud_account_ids")
    return tuple(dict.fromkeys(item.strip() for item in value))


def _lines(data: bytes, name: str) -> Iterable[tuple[int, str]]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"line is {len(raw)} bytes, at most {MAX_LINE_BYTES} allowed",
                             where=f"{name}:{number}")
        try:
            yield number, raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 at byte {exc.start}", where=f"{name}:{number}") from exc


def _from_jsonl(data: bytes, name: str) -> list[tuple[str, Account]]:
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as CSV allows
    accounts = []
    for number, line in _lines(data, name):
        if not line.strip():
            if number == data.count(b"\n") + 1:
                continue  # the end of the last line
            raise InputError("empty line: expected one JSON object per line", where=f"{name}:{number}")
        where = f"{name}:{number}"
        accounts.append((where, account_from_fields(parse_json_object(line, where=where), where)))
    return accounts


def _from_csv(data: bytes, name: str) -> list[tuple[str, Account]]:
    text = "\n".join(line for _, line in _lines(data, name))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise InputError("empty file: expected a header line", where=f"{name}:1")
        header = [h.strip() for h in header]
        for column in header:
            if column not in ACCOUNT_FIELDS and column not in OPTIONAL_FIELDS:
                raise InputError(f"unknown column `{column[:60]}`; expected the columns "
                                 f"{', '.join(ACCOUNT_FIELDS)} (and optionally "
                                 f"{', '.join(OPTIONAL_FIELDS)})", where=f"{name}:1")
        if len(set(header)) != len(header):
            raise InputError("a column repeats", where=f"{name}:1")
        accounts = []
        for row in reader:
            where = f"{name}:{reader.line_num}"
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(f"expected {len(header)} fields, got {len(row)}", where=where)
            fields: dict[str, Any] = dict(zip(header, row, strict=True))
            if "email_domains" in fields:  # `;`-separated in CSV, a list everywhere else
                fields["email_domains"] = [d for d in (p.strip() for p in
                                                       fields["email_domains"].split(";")) if d]
            if "cloud_account_ids" in fields:
                fields["cloud_account_ids"] = [d for d in (p.strip() for p in
                                                           fields["cloud_account_ids"].split(";"))
                                               if d]
            accounts.append((where, account_from_fields(fields, where)))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", where=f"{name}:{reader.line_num}") from exc
    return accounts


def read_accounts(path: Path) -> list[Account]:
    """Every account in a ``.csv`` or ``.jsonl``/``.ndjson`` file, or InputError for the first bad
    line; an account id repeated in the file is an error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no such file `{path}`") from exc
    except IsADirectoryError as exc:
        raise InputError(f"`{path}` is a directory, expected a CSV or JSON Lines file") from exc
    except OSError as exc:  # a link that loops, a name too long, a read that fails
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        accounts = _from_csv(data, path.name)
    elif suffix in {".jsonl", ".ndjson"}:
        accounts = _from_jsonl(data, path.name)
    else:
        raise InputError(f"`{path.name}`: expected a .csv or .jsonl file")
    seen: dict[str, str] = {}
    clouds: dict[str, str] = {}
    for where, account in accounts:
        for cloud in account.cloud_account_ids:
            if cloud in clouds:
                raise InputError(f"cloud account `{cloud}` is given to two accounts (first at "
                                 f"{clouds[cloud]})", where=f"{where}: cloud_account_ids")
            clouds[cloud] = where
        if account.account_id in seen:
            raise InputError(f"account `{account.account_id}` appears twice in the file "
                             f"(first at {seen[account.account_id]})", where=f"{where}: account_id")
        seen[account.account_id] = where
    return [replace(account, source=where) for where, account in accounts]

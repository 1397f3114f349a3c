"""``RegistryStore``: the registry's tables, read and written inside the caller's transaction.

Portable SQL for SQLite and PostgreSQL; lists and maps are stored as canonical JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from daylight.core.database import Migration, Transaction, load_migrations
from daylight.core.keyset import ALL, Window, keyset_rows
from daylight.registry.accounts import Account, AccountChange
from daylight.registry.organization import Organization, Relationship
from daylight.registry.resolution import Classification, Judgement, Resolution

_ORG_COLUMNS = ("id", "name", "sector", "role", "schema_name", "state", "county", "city",
                "identifiers", "aliases", "sources")
_REL_COLUMNS = ("id", "kind", "source_id", "target_id", "start_date", "end_date", "amount",
                "description", "evidence", "source", "log_index")
_ACCOUNT_COLUMNS = ("account_id", "name", "email_domains", "city", "state", "country",
                    "created_at", "cloud_account_ids", "uei", "duns", "imported_at")


def registry_migrations() -> list[Migration]:
    """The registry's schema migrations."""
    return load_migrations("registry", "daylight.registry")


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def org_row(org: Organization) -> tuple[Any, ...]:
    return (org.id, org.name, org.sector, org.role, org.schema, org.state, org.county, org.city,
            _dumps({k: list(v) for k, v in org.identifiers.items()}), _dumps(list(org.aliases)),
            _dumps(list(org.sources)))


def _org(row: Sequence[Any]) -> Organization:
    return Organization(
        id=row[0], name=row[1], sector=row[2], role=row[3], schema=row[4], state=row[5],
        county=row[6], city=row[7],
        identifiers={k: tuple(v) for k, v in json.loads(row[8]).items()},
        aliases=tuple(json.loads(row[9])), sources=tuple(json.loads(row[10])))


def rel_row(rel: Relationship, log_index: int) -> tuple[Any, ...]:
    return (rel.id, rel.kind, rel.source_id, rel.target_id, rel.start_date, rel.end_date,
            rel.amount, rel.description, _dumps(dict(rel.evidence)), rel.source, log_index)


def _rel(row: Sequence[Any]) -> Relationship:
    return Relationship(id=row[0], kind=row[1], source_id=row[2], target_id=row[3],
                        start_date=row[4], end_date=row[5], amount=row[6], description=row[7],
                        evidence=json.loads(row[8]), source=row[9])


def _account(row: Sequence[Any]) -> Account:
    return Account(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4], row[5], row[6],
                   tuple(json.loads(row[7])), row[8], row[9])


class RegistryStore:
    """The registry's rows in one open transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    # -- reference ---------------------------------------------------------------------------

    def has_reference(self, digest: str) -> bool:
        return self.tx.query_one("SELECT 1 FROM registry_reference WHERE digest = ?", (digest,)) \
            is not None

    def add_reference(self, digest: str, organizations: int, relationships: int, loaded_at: str,
                      log_index: int) -> None:
        self.tx.execute("INSERT INTO registry_reference (digest, organizations, relationships, "
                        "loaded_at, log_index) VALUES (?, ?, ?, ?, ?)",
                        (digest, organizations, relationships, loaded_at, log_index))

    def latest_reference(self) -> str | None:
        """The digest of the reference build loaded last, if any."""
        row = self.tx.query_one("SELECT digest FROM registry_reference ORDER BY log_index DESC LIMIT 1")
        return str(row[0]) if row is not None else None

    def organization_rows(self) -> dict[str, tuple[Any, ...]]:
        rows = self.tx.query(f"SELECT {', '.join(_ORG_COLUMNS)} FROM registry_organization")
        return {r[0]: tuple(r) for r in rows}

    def replace_organizations(self, changed: Sequence[Organization], new: Sequence[Organization]) -> None:
        """Update ``changed`` rows in place and bulk-insert ``new`` ones."""
        for org in changed:
            self.tx.execute("DELETE FROM registry_organization WHERE id = ?", (org.id,))
        self.tx.insert_rows("registry_organization", _ORG_COLUMNS,
                            (org_row(o) for o in (*changed, *new)))

    def relationship_rows(self, *, active_only: bool = False) -> dict[str, tuple[Any, ...]]:
        where = " WHERE withdrawn_by IS NULL" if active_only else ""
        rows = self.tx.query(f"SELECT {', '.join(_REL_COLUMNS[:-1])} FROM registry_relationship{where}")
        return {r[0]: tuple(r) for r in rows}

    def replace_relationships(self, rows: Sequence[tuple[Any, ...]], replaced: Iterable[str]) -> None:
        for rel_id in replaced:
            self.tx.execute("DELETE FROM registry_relationship WHERE id = ?", (rel_id,))
        self.tx.insert_rows("registry_relationship", _REL_COLUMNS, rows)

    def organizations(self) -> list[Organization]:
        """The active organisations (neither redirected nor withdrawn by a newer build)."""
        rows = self.tx.query(f"SELECT {', '.join(_ORG_COLUMNS)} FROM registry_organization "
                             "WHERE redirect_to IS NULL AND withdrawn_by IS NULL ORDER BY id")
        return [_org(r) for r in rows]

    def organization(self, organization_id: str) -> Organization | None:
        """The organisation with this id, following redirects (an id merged into another by a
        newer build resolves to it); a withdrawn one is still returned."""
        seen: list[str] = []
        while True:
            row = self.tx.query_one(f"SELECT {', '.join(_ORG_COLUMNS)}, redirect_to FROM "
                                    "registry_organization WHERE id = ?", (organization_id,))
            if row is None:
                return None
            if row[-1] is None or row[-1] in seen or len(seen) > 16:
                return _org(row[:-1])
            seen.append(organization_id)
            organization_id = row[-1]

    def relationships(self) -> list[Relationship]:
        """The active relationships (not withdrawn by a newer build)."""
        rows = self.tx.query(f"SELECT {', '.join(_REL_COLUMNS[:-1])} FROM registry_relationship "
                             "WHERE withdrawn_by IS NULL ORDER BY id")
        return [_rel(r) for r in rows]

    def relationships_by_id(self, relationship_ids: Sequence[str]) -> dict[str, Relationship]:
        """The relationships with these ids, withdrawn ones too (a stored classification may
        cite one that a newer build withdrew)."""
        rows = self._rows_by_key("registry_relationship", _REL_COLUMNS[:-1], relationship_ids)
        return {r[0]: _rel(r) for r in rows}

    def _rows_by_key(self, table: str, columns: Sequence[str], keys: Sequence[str]
                     ) -> list[tuple[Any, ...]]:
        """The rows of ``table`` whose first column is one of ``keys``, 500 keys a query."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows.extend(tuple(r) for r in self.tx.query(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {columns[0]} IN ({marks})",
                chunk))
        return rows

    # -- accounts ----------------------------------------------------------------------------

    def accounts_by_id(self, account_ids: Sequence[str]) -> dict[str, Account]:
        rows = self._rows_by_key("registry_account", _ACCOUNT_COLUMNS[:-1], account_ids)
        return {r[0]: _account(r) for r in rows}

    def add_accounts(self, accounts: Iterable[Account], imported_at: str) -> None:
        self.tx.insert_rows("registry_account", _ACCOUNT_COLUMNS, (
            (a.account_id, a.name, _dumps(list(a.email_domains)), a.city, a.state, a.country,
             a.created_at, _dumps(list(a.cloud_account_ids)), a.uei, a.duns, imported_at)
            for a in accounts))

    def update_accounts(self, accounts: Iterable[Account], imported_at: str) -> None:
        """Replace stored accounts' values by these (a re-sync; the change is kept by
        ``add_account_changes``)."""
        self.tx.executemany(
            "UPDATE registry_account SET name = ?, email_domains = ?, city = ?, state = ?, "
            "country = ?, created_at = ?, cloud_account_ids = ?, uei = ?, duns = ?, "
            "imported_at = ? WHERE account_id = ?",
            [(a.name, _dumps(list(a.email_domains)), a.city, a.state, a.country, a.created_at,
              _dumps(list(a.cloud_account_ids)), a.uei, a.duns, imported_at, a.account_id)
             for a in accounts])

    def add_account_changes(self, changes: Iterable[AccountChange]) -> None:
        self.tx.executemany(
            "INSERT INTO registry_account_change (account_id, changed_at, fields, previous, "
            "log_index) VALUES (?, ?, ?, ?, ?)",
            [(c.account_id, c.changed_at, _dumps(list(c.fields)), _dumps(c.previous.to_json()),
              c.log_index) for c in changes])

    def account_changes(self, account_id: str | None = None) -> list[AccountChange]:
        """Every recorded change (of one account), oldest first."""
        sql = ("SELECT account_id, changed_at, fields, previous, log_index "
               "FROM registry_account_change")
        rows = self.tx.query(sql + " WHERE account_id = ? ORDER BY log_index", (account_id,)) \
            if account_id else self.tx.query(sql + " ORDER BY log_index")
        out = []
        for row in rows:
            previous = json.loads(row[3])
            out.append(AccountChange(row[0], row[1], tuple(json.loads(row[2])), Account(
                previous["account_id"], previous["name"], tuple(previous["email_domains"]),
                previous["city"], previous["state"], previous["country"],
                previous["created_at"], tuple(previous.get("cloud_account_ids", ())),
                previous.get("uei", ""), previous.get("duns", "")),
                int(row[4])))
        return out

    def cloud_accounts(self) -> dict[str, str]:
        """Every declared cloud account id and the account that declared it."""
        out: dict[str, str] = {}
        for account_id, ids in self.tx.query(
                "SELECT account_id, cloud_account_ids FROM registry_account "
                "WHERE cloud_account_ids <> '[]' ORDER BY account_id"):
            for cloud in json.loads(ids):
                out.setdefault(cloud, account_id)
        return out

    def cloud_like_account_ids(self) -> list[str]:
        """The accounts whose own id is a 12-digit cloud account id."""
        return [a for (a,) in self.tx.query("SELECT account_id FROM registry_account")
                if len(a) == 12 and a.isdigit()]

    def count_accounts(self) -> int:
        row = self.tx.query_one("SELECT count(*) FROM registry_account")
        return int(row[0]) if row else 0

    def account(self, account_id: str) -> Account | None:
        return self.accounts_by_id([account_id]).get(account_id)

    def iter_accounts(self, *, unresolved_only: bool = False) -> Iterator[Account]:
        """Accounts in id order; with ``unresolved_only``, those never screened or in review."""
        sql = f"SELECT {', '.join('a.' + c for c in _ACCOUNT_COLUMNS[:-1])} FROM registry_account a"
        if unresolved_only:
            sql += (" LEFT JOIN registry_resolution r ON r.account_id = a.account_id "
                    "WHERE r.account_id IS NULL OR r.status = 'review'")
        for row in self.tx.query(sql + " ORDER BY a.account_id"):
            yield _account(row)

    def accounts_page(self, window: Window) -> list[Account]:
        """The accounts of ``window``, in id order (a keyset page)."""
        rows = keyset_rows(self.tx, columns=", ".join(_ACCOUNT_COLUMNS[:-1]),
                           table="registry_account", id_column="account_id", order="account_id",
                           window=window)
        return [_account(row) for row in rows]

    # -- resolutions, judgements, classifications --------------------------------------------

    def put_resolutions(self, resolutions: Sequence[Resolution]) -> None:
        self.tx.executemany(
            "INSERT INTO registry_resolution (account_id, status, organization_id, score, features, "
            "screened_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
            "status = excluded.status, organization_id = excluded.organization_id, "
            "score = excluded.score, features = excluded.features, screened_at = excluded.screened_at",
            [(r.account_id, r.status, r.organization_id, r.score, _dumps(r.features), r.screened_at)
             for r in resolutions])

    def resolution(self, account_id: str) -> Resolution | None:
        row = self.tx.query_one("SELECT account_id, status, organization_id, score, features, "
                                "screened_at FROM registry_resolution WHERE account_id = ?",
                                (account_id,))
        if row is None:
            return None
        return Resolution(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])

    def resolutions_with_status(self, status: str, window: Window = ALL) -> list[Resolution]:
        """The resolutions with ``status`` in ``window``, in account id order."""
        rows = keyset_rows(self.tx, columns="account_id, status, organization_id, score, "
                           "features, screened_at", table="registry_resolution",
                           id_column="account_id", order="account_id", window=window,
                           where="status = ?", params=(status,))
        return [Resolution(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    def status_counts(self) -> dict[str, int]:
        rows = self.tx.query("SELECT status, COUNT(*) FROM registry_resolution GROUP BY status")
        return {r[0]: int(r[1]) for r in rows}

    def add_judgement(self, judgement: Judgement) -> None:
        self.tx.execute("INSERT INTO registry_judgement (account_id, organization_id, verdict, note, "
                        "decided_at, log_index, reviewer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (judgement.account_id, judgement.organization_id, judgement.verdict,
                         judgement.note, judgement.decided_at, judgement.log_index,
                         judgement.reviewer))

    def judgements(self, account_id: str | None = None) -> list[Judgement]:
        sql = ("SELECT account_id, organization_id, verdict, note, decided_at, log_index, "
               "reviewer FROM registry_judgement")
        rows = self.tx.query(sql + " WHERE account_id = ?", (account_id,)) if account_id \
            else self.tx.query(sql)
        return [Judgement(r[0], r[1], r[2], r[3], r[4], int(r[5]), r[6]) for r in rows]

    def classification(self, account_id: str) -> Classification | None:
        row = self.tx.query_one("SELECT account_id, sector, supports, classified_at, log_index "
                                "FROM registry_classification WHERE account_id = ?", (account_id,))
        if row is None:
            return None
        return Classification(row[0], row[1], json.loads(row[2]), row[3], row[4])

    def classification_texts(self, account_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(account_ids), 500):
            chunk = account_ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.tx.query("SELECT account_id, sector, supports FROM registry_classification "
                                 f"WHERE account_id IN ({marks})", chunk)
            found.update((r[0], (r[1], r[2])) for r in rows)
        return found

    def put_classifications(self, classifications: Sequence[Classification]) -> None:
        self.tx.executemany(
            "INSERT INTO registry_classification (account_id, sector, supports, classified_at, "
            "log_index) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET "
            "sector = excluded.sector, supports = excluded.supports, "
            "classified_at = excluded.classified_at, log_index = excluded.log_index",
            [(c.account_id, c.sector, _dumps(c.supports), c.classified_at, c.log_index)
             for c in classifications])

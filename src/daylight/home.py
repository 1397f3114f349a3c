"""A Daylight home: the resolved settings and, opened on first use, the database (migrated to
the current schema of every component), the log's signing key and the log. Shared by the command
line and the HTTP service, which sit above every other layer."""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from daylight.access.store import access_migrations
from daylight.core.database import Database, Migration, migrate
from daylight.core.errors import ConfigError, ConflictError, DaylightError, NotFoundError
from daylight.core.secret import write_secret
from daylight.core.settings import Settings
from daylight.log.note import CosignatureSigner, Signer, is_valid_key_name
from daylight.log.service import TransparencyLog
from daylight.log.store import log_migrations
from daylight.policy.store import policy_migrations
from daylight.registry.store import registry_migrations
from daylight.report.store import report_migrations
from daylight.usage.store import usage_migrations
from daylight.voice.store import voice_migrations

if TYPE_CHECKING:  # loaded by the methods that use them: every command opens a home
    from daylight.log.batcher import BatchingAppender
    from daylight.usage.store import UsageStore
    from daylight.voice.privacy import VoiceKeys


def all_migrations() -> list[Migration]:
    """Every component's migrations, lowest layer first."""
    return [
        *log_migrations(),
        *registry_migrations(),
        *policy_migrations(),
        *usage_migrations(),
        *voice_migrations(),
        *report_migrations(),
        *access_migrations(),
    ]


WITNESS_KEY_FILE = "witness.key"


def read_signer(path: Path, kind: type[Signer] = Signer) -> Signer:
    """The log's signing key (or, with ``kind``, a witness's) from the home; the key itself
    never appears in errors."""
    try:
        mode = path.stat().st_mode & 0o777
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(
            f"no signing key at `{path}`: run `daylight init --origin ORIGIN` first"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the signing key: {exc.strerror}", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"damaged signing key: not UTF-8 at byte {exc.start}",
                          where=str(path)) from None  # the bytes are secret: no context
    if mode & 0o077:
        raise ConfigError(
            f"signing key is readable by others (mode {mode:04o}); run `chmod 600 {path}`",
            where=str(path),
        )
    try:
        return kind.from_skey(text)
    except DaylightError as exc:  # the message names the problem, never the key's bytes
        raise ConfigError(f"damaged signing key: {exc.message}", where=str(path)) from None


@dataclass
class Home:
    """Settings plus lazily opened resources; closed when the command ends."""

    settings: Settings
    _database: Database | None = field(default=None, repr=False)
    _log: TransparencyLog | None = field(default=None, repr=False)

    def database(self) -> Database:
        if self._database is None:
            if self.settings.database_url is None and not self.settings.sqlite_path.exists():
                raise NotFoundError(
                    f"no database at `{self.settings.sqlite_path}`: "
                    "run `daylight init --origin ORIGIN` first"
                )
            self._database = Database(self.settings.effective_database_url)
            migrate(self._database, all_migrations())
        return self._database

    def usage_store(self) -> UsageStore:
        """The home's usage store: Parquet files under ``<home>/usage``, rows in the database."""
        from daylight.usage.store import UsageStore

        return UsageStore(self.settings.home / "usage", self.database())

    def signer(self) -> Signer:
        return read_signer(self.settings.key_path)

    def witness_signer(self, *, name: str | None = None) -> CosignatureSigner:
        """This home's witness key (tlog-cosignature/v1), made on first use (mode 0600) and
        named ``name`` (default ``witness-<8 random hex digits>``)."""
        path = self.settings.home / WITNESS_KEY_FILE
        if not path.exists():
            name = name or f"witness-{secrets.token_hex(4)}"
            if not is_valid_key_name(name) or not name.isprintable():
                raise ConfigError(f"witness name `{name}` must be printable with no spaces or '+'",
                                  where="--name")
            self.settings.home.mkdir(parents=True, exist_ok=True)
            with suppress(ConflictError):  # another process made it first: use theirs
                write_secret(path, CosignatureSigner.generate(name).to_skey() + "\n")
        signer = read_signer(path, CosignatureSigner)
        assert isinstance(signer, CosignatureSigner)
        if name is not None and signer.name != name:
            raise ConfigError(f"this home's witness is named `{signer.name}`, not `{name}`",
                              where=str(path))
        return signer

    def witness_database(self) -> Database:
        """The database a witness keeps its state in: this home's, created if need be (a
        witness needs no log of its own, so no `daylight init`)."""
        if self._database is None:
            self.settings.home.mkdir(parents=True, exist_ok=True)
            self._database = Database(self.settings.effective_database_url)
            migrate(self._database, all_migrations())
        return self._database

    def log(self, *, writable: bool = False) -> TransparencyLog:
        """The log; with ``writable``, opened with the home's signing key."""
        if self._log is None or (writable and not self._log.is_writable):
            signer = self.signer() if writable else None
            self._log = TransparencyLog(
                self.database(), signer, integrate_max_entries=self.settings.batch_max_entries
            )
        return self._log

    def voice_keys(self) -> VoiceKeys:
        """The review key (a setting) and the tag key (a secret file in the home, made on
        first use) that keep objection signers and refusers private."""
        from daylight.voice.privacy import VoiceKeys, load_tag_key, parse_review_key

        review_key = parse_review_key(self.settings.review_key)
        self.database()  # the home must exist before a secret is written into it
        return VoiceKeys(review_key, load_tag_key(self.settings.voice_tag_key_path, create=True))

    def appender(self) -> BatchingAppender:
        """A batching appender on the writable log, configured by the batch settings (for
        services that append from many threads)."""
        from daylight.log.batcher import BatchingAppender

        return BatchingAppender(
            self.log(writable=True),
            batch_interval_ms=self.settings.batch_interval_ms,
            batch_max_entries=self.settings.batch_max_entries,
            pending_max_entries=self.settings.pending_max_entries,
        )

    def initialise(self, origin: str) -> Signer:
        """Create the home: the signing key (mode 0600, written first, so that of two concurrent
        initialisations exactly one proceeds), the database and an empty signed log. Nothing is
        left behind if any step fails."""
        settings = self.settings
        if not is_valid_key_name(origin) or not origin.isprintable():
            raise ConfigError(f"origin `{origin}` must be printable with no spaces or '+'")
        if settings.database_url is None and settings.sqlite_path.exists():
            raise ConflictError(f"`{settings.sqlite_path}` already exists: refusing to overwrite")
        settings.home.mkdir(parents=True, exist_ok=True)
        signer = Signer.generate(origin)
        write_secret(settings.key_path, signer.to_skey() + "\n")
        database: Database | None = None
        created_file = False
        try:
            if settings.database_url is None:
                if settings.sqlite_path.exists():
                    raise ConflictError(
                        f"`{settings.sqlite_path}` already exists: refusing to overwrite"
                    )
                created_file = True
            database = Database(settings.effective_database_url)
            migrate(database, all_migrations())
            TransparencyLog.create(database, signer)
        except BaseException:
            if database is not None:
                database.close()
            if created_file:
                for suffix in ("", "-wal", "-shm"):
                    Path(str(settings.sqlite_path) + suffix).unlink(missing_ok=True)
            settings.key_path.unlink(missing_ok=True)
            raise
        database.close()
        return signer

    def close(self) -> None:
        if self._database is not None:
            self._database.close()
            self._database = None
            self._log = None

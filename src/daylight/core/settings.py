"""The one table of settings, and the frozen ``Settings`` built from it.

Each setting has a name, a default, a parser and help text. Values come from, in order of
precedence: a command-line flag, a ``DAYLIGHT_<NAME>`` environment variable, the optional
``daylight.toml`` in the home directory, the default. Nothing here reads the environment at import
time: ``build_settings`` is handed the environment by its caller.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from daylight.core.errors import ConfigError, printable

CONFIG_FILE_NAME = "daylight.toml"


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default, parser and one line of help."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    type: type = str
    """The type of the command-line flag."""

    @property
    def env(self) -> str:
        return "DAYLIGHT_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise ValueError("must be zero or more")
    return value


def _whole_number(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"`{text}` is not a whole number")
    return int(text)


def _decision_records(text: str) -> str:
    if text not in ("durable", "batched"):
        raise ValueError("expected `durable` or `batched`")
    return text


def _origins(text: str) -> str | None:
    """Comma-separated origins (``https://a.example,https://b.example``) or ``*``; empty: none."""
    origins = [o.strip() for o in text.split(",") if o.strip()]
    if not origins:
        return None
    for origin in origins:
        if origin != "*" and not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ValueError(f"`{origin}` is not an origin such as `https://reader.example`")
    return ",".join(origins)


def _line(text: str) -> str:
    """A path, URL or key: one line without the characters ``printable`` escapes (a control
    character in one is never meant, and would name a file no one can type). Spaces other than
    U+0020 are not controls: a folder may be named with a no-break or an ideographic space."""
    if printable(text) != text:
        raise ValueError("control characters are not allowed")
    return text


def _optional_str(text: str) -> str | None:
    return _line(text) or None


def _optional_positive_int(text: str) -> int | None:
    return _positive_int(text) if text else None


_SHARE = re.compile(r"(\d+(\.\d+)?)%")


def _threshold(text: str) -> str:
    """A number of signatures (``25``) or a share of the employees (``2%``)."""
    text = text.strip()
    share = _SHARE.fullmatch(text)
    if share:
        if not 0 < float(share.group(1)) <= 100:
            raise ValueError("a share must be more than 0% and at most 100%")
        return text
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise ValueError("expected a number of signatures (1 to 1000000) or a share such as `2%`")
    return str(int(text))


SETTINGS: tuple[Setting, ...] = (
    Setting("home", "./.daylight", _line,
            "Directory holding the signing key, the SQLite database and data files.", Path),
    Setting("database_url", None, _optional_str,
            "PostgreSQL URL (postgresql://...) to use instead of the embedded SQLite database; "
            "never printed."),
    Setting("batch_interval_ms", 20.0, _non_negative_float,
            "How long the log sequencer waits to gather concurrent appends into one batch.", float),
    Setting("batch_max_entries", 65536, _positive_int,
            "Most entries the log sequences and integrates in one batch.", int),
    Setting("pending_max_entries", 1_000_000, _positive_int,
            "Most entries waiting for the sequencer before appends are pushed back (HTTP 503).",
            int),
    Setting("reference_sources", "../shared/data", str,
            "Directory of the raw public files `daylight reference build` reads.", Path),
    Setting("serve_decision_cache_entries", 65_536, _whole_number,
            "Decisions each `daylight serve` worker keeps per policy and registry snapshot; "
            "0 sends every request through Cedar.", int),
    Setting("support_window_days", 365, _whole_number,
            "Look-back window: a relationship that ended less than this many days before a time "
            "or period still counts as support then (one option year of a federal contract).",
            int),
    Setting("snapshot_staleness_days", 1095, _whole_number,
            "Staleness horizon: a relationship a source's latest snapshot still lists (a 287(g) "
            "agreement, an Atlas or Flock row) counts as support until this many days after that "
            "snapshot, and no longer.", int),
    Setting("serve_decision_records", "durable", _decision_records,
            "`durable`: `daylight serve` answers a decision only once its record is committed; "
            "`batched`: records are written every 0.25 s, and a crash loses up to 0.25 s of them.",
            str),
    Setting("objection_threshold", "10", _threshold,
            "Signatures at which an objection's review becomes mandatory: a number (`10`) or a "
            "share of employee_count (`2%`, rounded up)."),
    Setting("employee_count", None, _optional_positive_int,
            "How many employees the provider registered (needed when objection_threshold is a "
            "share).", int),
    Setting("serve_rate_limit_per_s", 20.0, _non_negative_float,
            "Requests per second each API token (or, without a token, each client address) may "
            "make to `daylight serve`, sustained (each of its serve_workers enforces 1/N of it); "
            "0: no limit.", float),
    Setting("serve_rate_burst", 100, _positive_int,
            "Requests a token or client address may make at once before the rate limit applies.",
            int),
    Setting("serve_decision_rate_per_s", 20_000.0, _non_negative_float,
            "Decisions per second each token may ask `daylight serve` for (burst: one second's "
            "worth; each of its serve_workers enforces 1/N of it); 0: no limit.", float),
    Setting("serve_token_cache_s", 5.0, _non_negative_float,
            "How long a `daylight serve` worker trusts what it read of a token: a revocation "
            "takes effect within this many seconds.", float),
    Setting("serve_cors_origins", None, _origins,
            "Origins (comma-separated, or `*`) whose pages may call `daylight serve` from a "
            "browser (CORS); none by default."),
    Setting("review_key", None, _optional_str,
            "The review key holder's public key (base64 X25519): objection signers' identities "
            "are sealed to it. `daylight objection keygen` makes a pair."),
    Setting("serve_page_limit", 100, _positive_int,
            "Items a list route of `daylight serve` answers per page when the request gives no "
            "`limit`.", int),
    Setting("serve_page_limit_max", 1000, _positive_int,
            "Most items a list route of `daylight serve` answers per page: a larger `limit` is a "
            "400 naming `limit`.", int),
    Setting("serve_reports_dir", None, _optional_str,
            "Directory of published report directories (`report build --out`) that `daylight "
            "serve` lists and serves read-only under /v1/reports; default: `<home>/reports`."),
    Setting("serve_workers", 1, _positive_int,
            "Worker processes `daylight serve` runs (its `--workers`); each enforces 1/N of the "
            "rate limits, so that they are the service's, not each worker's.", int),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved configuration, built once and passed down."""

    home: Path
    database_url: str | None
    batch_interval_ms: float
    batch_max_entries: int
    pending_max_entries: int
    reference_sources: str
    serve_decision_cache_entries: int
    support_window_days: int = 365
    snapshot_staleness_days: int = 1095
    serve_decision_records: str = "durable"
    objection_threshold: str = "10"
    employee_count: int | None = None
    review_key: str | None = None
    serve_rate_limit_per_s: float = 20.0
    serve_rate_burst: int = 100
    serve_decision_rate_per_s: float = 20_000.0
    serve_token_cache_s: float = 5.0
    serve_cors_origins: str | None = None
    serve_page_limit: int = 100
    serve_page_limit_max: int = 1000
    serve_reports_dir: str | None = None
    serve_workers: int = 1

    def __post_init__(self) -> None:
        if self.objection_threshold.endswith("%") and self.employee_count is None:
            raise ConfigError(f"objection_threshold `{self.objection_threshold}` is a share of "
                              "the employees: set employee_count too")
        if self.serve_page_limit > self.serve_page_limit_max:
            raise ConfigError(f"serve_page_limit `{self.serve_page_limit}` is over "
                              f"serve_page_limit_max `{self.serve_page_limit_max}`")

    @property
    def reports_dir(self) -> Path:
        """Where `daylight serve` finds published report directories."""
        return Path(self.serve_reports_dir) if self.serve_reports_dir else self.home / "reports"

    @property
    def sqlite_path(self) -> Path:
        return self.home / "daylight.db"

    @property
    def key_path(self) -> Path:
        return self.home / "log.key"

    @property
    def voice_tag_key_path(self) -> Path:
        return self.home / "voice-tag.key"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    def __repr__(self) -> str:  # the database URL may carry a password
        def shown(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name == "database_url" and value else repr(value)

        listed = ", ".join(f"{f.name}={shown(f.name)}" for f in fields(self))
        return f"Settings({listed})"


def _parse(setting: Setting, raw: Any, origin: str) -> Any:
    if raw is None:
        return None
    try:
        return setting.parse(str(raw))
    except ValueError as exc:
        shown = "***" if setting.name == "database_url" else f"`{raw}`"
        raise ConfigError(f"invalid value {shown} for {setting.name}: {exc}", where=origin) from exc


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        if not path.is_file():  # (OSError: a home whose name the filesystem refuses)
            return {}
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", where=str(path)) from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        raise ConfigError("invalid TOML: nested too deeply", where=str(path)) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    if "home" in data:
        raise ConfigError("`home` cannot be set in the file it lives in: pass --home or set "
                          "DAYLIGHT_HOME", where=str(path))
    unknown = sorted(set(data) - set(SETTINGS_BY_NAME))
    if unknown:
        raise ConfigError(f"unknown setting `{unknown[0]}`: expected one of "
                          f"{', '.join(sorted(set(SETTINGS_BY_NAME) - {'home'}))}",
                          where=str(path))
    return data


def build_settings(flags: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """Resolve every setting: flag, then environment, then ``home/daylight.toml``, then default."""
    unknown = set(flags) - set(SETTINGS_BY_NAME)
    if unknown:
        raise ConfigError(f"unknown setting `{sorted(unknown)[0]}`")
    values: dict[str, Any] = {}
    home_setting = SETTINGS_BY_NAME["home"]
    if flags.get("home"):
        home = _parse(home_setting, flags["home"], home_setting.flag)
    elif environ.get(home_setting.env):
        home = _parse(home_setting, environ[home_setting.env], home_setting.env)
    else:
        home = home_setting.default
    values["home"] = Path(home)
    file_values = _read_config_file(values["home"] / CONFIG_FILE_NAME)
    for setting in SETTINGS:
        if setting.name == "home":
            continue
        if flags.get(setting.name) is not None:
            values[setting.name] = _parse(setting, flags[setting.name], setting.flag)
        elif setting.env in environ:
            values[setting.name] = _parse(setting, environ[setting.env], setting.env)
        elif setting.name in file_values:
            values[setting.name] = _parse(
                setting, file_values[setting.name], f"{CONFIG_FILE_NAME}:{setting.name}"
            )
        else:
            values[setting.name] = setting.default
    return Settings(**values)


def settings_environment(settings: Settings) -> dict[str, str]:
    """Every resolved setting as ``DAYLIGHT_<NAME>`` variables, so that a child process (a server
    worker) that builds its settings from this environment gets exactly these."""
    environment = {}
    for setting in SETTINGS:
        value = getattr(settings, setting.name)
        if value is not None:
            environment[setting.env] = str(value)
    return environment

"""Policy packs: a directory with ``pack.toml`` (name, title, summary, sources), one or more
``*.cedar`` files and ``corpus.json`` (the Given/When/Then cases the pack must pass).

The packs shipped with Daylight live in ``daylight/policy/packs/<name>/``; a PACK argument is
either the name of a shipped pack or a path to a pack directory. Every policy id of a pack
starts with the pack's name (``employee-demands/...``), so ids never collide across packs.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from daylight.core.errors import InputError, NotFoundError, shortened
from daylight.policy.policies import PolicyText, join_texts

PACK_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
PACK_FILE = "pack.toml"
CORPUS_FILE = "corpus.json"


@dataclass(frozen=True)
class Source:
    """A public document a pack is drawn from."""

    title: str
    url: str
    date: str

    def to_json(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url, "date": self.date}


@dataclass(frozen=True)
class PolicyPack:
    """A loaded pack: its description, its Cedar files and its corpus text."""

    name: str
    title: str
    summary: str
    sources: tuple[Source, ...]
    location: str
    files: tuple[PolicyText, ...]
    corpus_text: str | None

    @property
    def text(self) -> str:
        """The pack's Cedar text as it is hashed and published."""
        return join_texts(self.files)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "summary": self.summary,
                "sources": [s.to_json() for s in self.sources], "sha256": self.sha256}


def packs_root() -> Traversable:
    return resources.files("daylight.policy") / "packs"


def shipped_pack_names() -> list[str]:
    """Names of the packs shipped with Daylight, sorted."""
    return sorted(p.name for p in packs_root().iterdir()
                  if p.is_dir() and (p / PACK_FILE).is_file())


def _text(item: Traversable | Path, where: str) -> str:
    try:
        return item.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", where=where) from exc


def _fail(where: str, key: str, message: str) -> InputError:
    return InputError(message, where=f"{where}: {key}")


def _string(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, key, f"expected a non-empty string for `{key}`")
    return value.strip()


def _sources(value: Any, where: str) -> tuple[Source, ...]:
    if not isinstance(value, list):
        raise _fail(where, "sources", "expected an array of tables with title, url, date")
    sources = []
    for i, item in enumerate(value):
        key = f"sources[{i}]"
        if not isinstance(item, dict) or set(item) != {"title", "url", "date"}:
            raise _fail(where, key, "expected exactly the keys title, url, date")
        sources.append(Source(_string(item, "title", f"{where}: {key}"),
                              _string(item, "url", f"{where}: {key}"),
                              _string(item, "date", f"{where}: {key}")))
    return tuple(sources)


def _read_pack(folder: Traversable | Path, location: str) -> PolicyPack:
    manifest = folder / PACK_FILE
    where = f"{location}/{PACK_FILE}"
    if not manifest.is_file():
        raise NotFoundError(f"no `{PACK_FILE}` in `{location}`: not a policy pack")
    try:
        data = tomllib.loads(_text(manifest, where))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", where=where) from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        raise InputError("invalid TOML: nested too deeply", where=where) from exc
    allowed = {"name", "title", "summary", "sources"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where, unknown[0], f"unknown key `{unknown[0]}`; expected one of {sorted(allowed)}")
    name = _string(data, "name", where)
    if not PACK_NAME.fullmatch(name):
        raise _fail(where, "name", f"pack name `{name}` must match `{PACK_NAME.pattern}`")
    cedar_files = sorted((f for f in folder.iterdir() if f.name.endswith(".cedar")),
                         key=lambda f: f.name)
    if not cedar_files:
        raise InputError("a pack needs at least one `.cedar` file", where=location)
    files = tuple(PolicyText(f"{name}/{f.name}", _text(f, f"{location}/{f.name}"))
                  for f in cedar_files)
    corpus = folder / CORPUS_FILE
    return PolicyPack(name, _string(data, "title", where), _string(data, "summary", where),
                      _sources(data.get("sources", []), where), location, files,
                      _text(corpus, f"{location}/{CORPUS_FILE}") if corpus.is_file() else None)


def load_pack(name_or_path: str) -> PolicyPack:
    """The shipped pack named ``name_or_path``, or the pack in that directory."""
    if PACK_NAME.fullmatch(name_or_path) and name_or_path in shipped_pack_names():
        return _read_pack(packs_root() / name_or_path, f"packs/{name_or_path}")
    path = Path(name_or_path)
    try:
        is_dir = path.is_dir()
    except OSError as exc:  # a name too long for the file system, a loop of links
        raise InputError(f"cannot read the pack directory: {exc.strerror}",
                         where=shortened(name_or_path)) from exc
    if is_dir:
        return _read_pack(path, str(path))
    name_or_path = shortened(name_or_path)
    raise NotFoundError(f"no policy pack `{name_or_path}`: expected one of "
                        f"{', '.join(shipped_pack_names())} or a pack directory")

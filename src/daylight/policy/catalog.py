"""The service catalog: services, their operations, the capabilities each operation has, and the
table mapping provider events (CloudTrail ``eventSource`` / ``eventName``) to operations.

A catalog is a TOML file (the default one ships beside this module as ``catalog.toml``). Loading
is strict: unknown keys, wrong types, malformed ids, an operation of an undeclared service, an
undeclared capability or an event mapped to an unknown operation are refused with an
``InputError`` naming the file and the key. A catalog that loads is internally consistent.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from daylight.core.errors import InputError, NotFoundError

CATALOG_VERSION = 1
DEFAULT_CATALOG_NAME = "catalog.toml"

_WORD = r"[a-z][a-z0-9_]*"
CAPABILITY_ID = re.compile(_WORD)
PURPOSE_ID = re.compile(_WORD)
SERVICE_ID = re.compile(_WORD)
OPERATION_ID = re.compile(rf"{_WORD}\.{_WORD}")
EVENT_SOURCE = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+")
EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Capability:
    """Something an operation can do that a use policy may restrict. A ``sensitive`` one needs
    two reviewers' approvals before a customer's declared use of it is approved."""

    id: str
    description: str
    sensitive: bool = False


@dataclass(frozen=True)
class Purpose:
    """A use a customer may declare for a capability (the purposes the policy packs know)."""

    id: str
    description: str


@dataclass(frozen=True)
class Service:
    """A product of the provider, offering one or more operations."""

    id: str
    title: str


@dataclass(frozen=True)
class Operation:
    """One operation of a service, with the capabilities it exercises."""

    id: str
    service: str
    title: str
    capabilities: tuple[str, ...]

    def has(self, capability: str) -> bool:
        """True if the operation exercises ``capability``."""
        return capability in self.capabilities


@dataclass(frozen=True)
class Catalog:
    """A validated catalog. ``events`` maps (event source, event name) to an operation id."""

    capabilities: Mapping[str, Capability]
    services: Mapping[str, Service]
    operations: Mapping[str, Operation]
    events: Mapping[tuple[str, str], str]
    purposes: Mapping[str, Purpose] = field(default_factory=lambda: MappingProxyType({}))

    def operation(self, operation_id: str) -> Operation:
        """The operation ``operation_id``; NotFoundError if the catalog has none."""
        try:
            return self.operations[operation_id]
        except KeyError:
            raise NotFoundError(f"unknown operation `{operation_id}`: not in the service catalog") from None

    def operations_with(self, capability: str) -> list[Operation]:
        """Every operation that exercises ``capability``, sorted by id."""
        if capability not in self.capabilities:
            raise NotFoundError(f"unknown capability `{capability}`: not in the service catalog")
        return [op for _, op in sorted(self.operations.items()) if op.has(capability)]

    def operation_for_event(self, source: str, name: str) -> str | None:
        """The operation id a provider event maps to, or None if the catalog does not map it."""
        return self.events.get((source, name))

    def capability(self, capability_id: str) -> Capability:
        """The capability ``capability_id``; NotFoundError if the catalog has none."""
        try:
            return self.capabilities[capability_id]
        except KeyError:
            raise NotFoundError(f"unknown capability `{capability_id}`: not in the service catalog") from None

    def service_of_operations(self) -> dict[str, str]:
        """Operation id → service id, as plain data for layers that may not import the catalog."""
        return {op.id: op.service for op in self.operations.values()}


class _Reader:
    """Walks the parsed TOML, refusing anything unexpected with the file and key named."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, where=f"{self.where}: {key}")

    def table(self, value: Any, key: str, allowed: set[str] | None = None,
              required: set[str] | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_kind(value)}")
        if allowed is not None:
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0],
                                f"unknown key `{unknown[0]}`; expected one of {sorted(allowed)}")
        for name in sorted(required or set()):
            if name not in value:
                raise self.fail(f"{key}.{name}" if key else name, f"missing key `{name}`")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {_kind(value)}")
        return value

    def identifier(self, value: str, pattern: re.Pattern[str], key: str, what: str) -> str:
        if not pattern.fullmatch(value):
            raise self.fail(key, f"{what} `{value}` must match `{pattern.pattern}`")
        return value


def _kind(value: Any) -> str:
    return type(value).__name__


def _labelled(read: _Reader, data: dict[str, Any], section: str, pattern: re.Pattern[str],
              what: str, field: str) -> dict[str, str]:
    """Id → text of a table of ``[section.<id>]`` tables that hold only ``field``."""
    found: dict[str, str] = {}
    for item_id, body in read.table(data.get(section, {}), section).items():
        key = f"{section}.{item_id}"
        read.identifier(item_id, pattern, key, what)
        body = read.table(body, key, allowed={field}, required={field})
        found[item_id] = read.text(body[field], f"{key}.{field}")
    return found


def parse_catalog(text: str, *, where: str = "catalog") -> Catalog:
    """Parse and validate catalog TOML; InputError naming ``where`` and the key on any problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", where=where) from exc
    except RecursionError as exc:  # tomllib reads nested arrays and tables recursively
        raise InputError("invalid TOML: nested too deeply", where=where) from exc
    read = _Reader(where)
    read.table(data, "", allowed={"version", "capabilities", "purposes", "services", "operations",
                                  "events"},
               required={"version", "capabilities", "services", "operations"})
    if data["version"] != CATALOG_VERSION or isinstance(data["version"], bool):
        raise read.fail("version", f"unsupported catalog version `{data['version']}`; "
                                   f"expected {CATALOG_VERSION}")

    capabilities: dict[str, Capability] = {}
    for cap_id, body in read.table(data["capabilities"], "capabilities").items():
        key = f"capabilities.{cap_id}"
        read.identifier(cap_id, CAPABILITY_ID, key, "capability id")
        body = read.table(body, key, allowed={"description", "sensitive"}, required={"description"})
        sensitive = body.get("sensitive", False)
        if not isinstance(sensitive, bool):
            raise read.fail(f"{key}.sensitive", f"expected true or false, got {_kind(sensitive)}")
        capabilities[cap_id] = Capability(cap_id, read.text(body["description"], f"{key}.description"),
                                          sensitive)
    purposes = {purpose_id: Purpose(purpose_id, description) for purpose_id, description in
                _labelled(read, data, "purposes", PURPOSE_ID, "purpose id", "description").items()}
    services = {service_id: Service(service_id, title) for service_id, title in
                _labelled(read, data, "services", SERVICE_ID, "service id", "title").items()}

    operations: dict[str, Operation] = {}
    for op_id, body in read.table(data["operations"], "operations").items():
        key = f"operations.{op_id}"
        read.identifier(op_id, OPERATION_ID, key, "operation id")
        body = read.table(body, key, allowed={"service", "title", "capabilities"},
                          required={"service", "title", "capabilities"})
        service = read.text(body["service"], f"{key}.service")
        if service not in services:
            raise read.fail(f"{key}.service", f"unknown service `{service}`; declare it under [services]")
        caps = body["capabilities"]
        if not isinstance(caps, list) or not caps:
            raise read.fail(f"{key}.capabilities", "expected a non-empty array of capability ids")
        for cap in caps:
            if cap not in capabilities:
                raise read.fail(f"{key}.capabilities",
                                f"unknown capability `{cap}`; declare it under [capabilities]")
        if len(set(caps)) != len(caps):
            raise read.fail(f"{key}.capabilities", "a capability is listed twice")
        operations[op_id] = Operation(op_id, service, read.text(body["title"], f"{key}.title"),
                                      tuple(caps))

    events: dict[tuple[str, str], str] = {}
    for source, names in read.table(data.get("events", {}), "events").items():
        key = f"events.{source}"
        read.identifier(source, EVENT_SOURCE, key, "event source")
        for name, op_id in read.table(names, key).items():
            read.identifier(name, EVENT_NAME, f"{key}.{name}", "event name")
            if op_id not in operations:
                raise read.fail(f"{key}.{name}",
                                f"unknown operation `{op_id}`; declare it under [operations]")
            events[(source, name)] = op_id

    return Catalog(MappingProxyType(capabilities), MappingProxyType(services),
                   MappingProxyType(operations), MappingProxyType(events),
                   MappingProxyType(purposes))


def load_catalog(path: Path) -> Catalog:
    """Read and validate the catalog file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFoundError(f"no catalog file `{path}`") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read catalog: {exc}", where=str(path)) from exc
    return parse_catalog(text, where=str(path))


def default_catalog() -> Catalog:
    """The catalog shipped with Daylight."""
    text = (resources.files("daylight.policy") / DEFAULT_CATALOG_NAME).read_text(encoding="utf-8")
    return parse_catalog(text, where=DEFAULT_CATALOG_NAME)

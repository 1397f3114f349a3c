"""``Gate``: the in-process decision point. It keeps a ``PolicyEngine`` for the policy version in
force and the registry as it is, swaps in a new one when either changes, and records every
decision (counts, and each denial whole).

Staleness is bounded: with ``refresh_interval_s`` set, ``decide`` looks for changes at most that
often (a few cheap queries); with None, the owner calls ``refresh`` (the HTTP service does so
from a background task, off the request path). A refresh that fails to read the database keeps
the engine it has — decisions go on under the version they name — and raises to the caller of
``refresh``. A version in force whose stored text no longer loads (a Cedar upgrade that refuses
it, a damaged row) is not a reason to go on under an older one: every request is then denied
with ``daylight:policy-error``, naming that version and the error.

Support is decided as of the request's day (UTC): the day is part of the state, so the engine is
rebuilt when the day changes and a relationship that leaves the look-back window stops counting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.decision import Decision
from daylight.policy.engine import DEFAULT_CACHE_ENTRIES, PolicyEngine
from daylight.policy.entities import AccountFacts, Declarations, SupportQuestion, read_account_facts
from daylight.policy.policies import CompiledPolicies
from daylight.policy.recorder import DecisionRecorder
from daylight.policy.store import PolicyVersion
from daylight.policy.versions import list_versions, version_in_force
from daylight.registry.facts import registry_fingerprint
from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS

FactsSource = Callable[[Database, SupportQuestion], list[AccountFacts]]
DeclarationsSource = Callable[[], Declarations]


def no_declarations() -> Declarations:
    """The declarations source until the voice layer provides approved declarations: none."""
    return {}


class Gate:
    """Decisions against the policy version in force, with records of each."""

    def __init__(self, database: Database, catalog: Catalog, *,
                 declarations: DeclarationsSource = no_declarations,
                 facts: FactsSource = read_account_facts,
                 recorder: DecisionRecorder | None = None,
                 refresh_interval_s: float | None = 1.0,
                 now: Clock = utc_now,
                 cache_entries: int = DEFAULT_CACHE_ENTRIES,
                 support_window_days: int = DEFAULT_WINDOW_DAYS,
                 support_staleness_days: int = DEFAULT_STALENESS_DAYS) -> None:
        self.database = database
        self.catalog = catalog
        self.recorder = recorder if recorder is not None else DecisionRecorder()
        self._declarations = declarations
        self._facts = facts
        self._interval = refresh_interval_s
        self._cache_entries = cache_entries
        self._now = now
        self._window_days = support_window_days
        self._staleness_days = support_staleness_days
        self._lock = threading.Lock()
        self._compiled: dict[int, CompiledPolicies] = {}
        self._state: tuple[Any, ...] | None = None
        self._version: PolicyVersion | None = None
        self._next_check = 0.0
        self.engine: PolicyEngine = self._build()

    @property
    def version(self) -> PolicyVersion | None:
        return self._version

    def _fingerprint(self) -> tuple[tuple[Any, ...], PolicyVersion | None]:
        versions = list_versions(self.database)
        current = version_in_force(versions, self._now())
        # a copy: a source that hands out the same mapping, changed in place, must still be seen
        # to change (comparing the object with itself would always find it equal)
        declarations = {account: tuple(items) for account, items in self._declarations().items()}
        today = self._now().astimezone(UTC).date().isoformat()
        return (registry_fingerprint(self.database), current.version if current else None,
                declarations, today), current

    def _build(self) -> PolicyEngine:
        state, current = self._fingerprint()
        compiled, load_error = None, None
        if current is not None:
            compiled = self._compiled.get(current.version)
            if compiled is None:
                try:
                    compiled = self._compiled[current.version] = current.compile()
                except InputError as error:  # the version in force does not load: fail closed
                    load_error = f"policy version {current.version} could not be loaded: {error}"
        engine = PolicyEngine(compiled, current.version if current else None,
                              self._facts(self.database, SupportQuestion(
                                  state[3], None, self._window_days, self._staleness_days)),
                              state[2], self.catalog,
                              cache_entries=self._cache_entries, load_error=load_error)
        self._state, self._version = state, current
        return engine

    def refresh(self, *, force: bool = False) -> bool:
        """Rebuild the engine if the registry, the version in force or the declarations changed
        (or if ``force``). Returns True if it rebuilt."""
        with self._lock:
            state, _ = self._fingerprint()
            if not force and state == self._state:
                return False
            self.engine = self._build()
            return True

    def decide(self, account_id: str, operation: str,
               context: Mapping[str, Any] | None = None) -> Decision:
        """Decide and record. Raises InputError/NotFoundError only for malformed requests."""
        if self._interval is not None and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self._interval
            self.refresh()
        decision = self.engine.decide(account_id, operation, context)
        self.recorder.record(account_id, operation, context, decision)
        return decision

    def flush(self) -> None:
        """Write the recorded decisions."""
        self.recorder.flush(self.database)

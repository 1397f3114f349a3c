"""Who may call what: the roles, the route × role matrix, and the caller of a request.

The matrix ``ROUTE_ROLES`` is the one table of access in the code: every route of the service
is a row, keyed by (method, path template as FastAPI declares it), naming the roles that may
call it. docs/api.md shows the same table, and a test walks every route × role against it.
``admin`` may call every route; ``public`` is also what a request without a token gets.

A route reads its caller with ``caller: Caller = Depends(current_caller)``; the access
middleware puts the authenticated caller in ``request.state.caller`` (a request without a
token is the anonymous public caller).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from starlette.requests import Request


class Role(StrEnum):
    """The roles a token can carry (docs/api.md, "Access")."""

    ADMIN = "admin"
    REVIEWER = "reviewer"  # review queue, declarations, objections' resolution, corrections
    EMPLOYEE = "employee"  # file and sign objections, record refusals, read what employees may
    CUSTOMER = "customer"  # its own accounts and declarations only
    GATEWAY = "gateway"  # decisions only
    PUBLIC = "public"  # published artefacts and the log only; also the anonymous caller


EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE})


@dataclass(frozen=True)
class Caller:
    """The caller of one request, as its token says (never as its body says).

    ``subject`` is the token's own id: for an employee it is the identity the voice layer
    commits to (it never leaves the service in the clear). ``accounts`` are the accounts a
    customer token may see (empty for other roles)."""

    role: Role
    subject: str | None = None
    accounts: frozenset[str] = field(default_factory=frozenset)

    @property
    def anonymous(self) -> bool:
        return self.subject is None


ANONYMOUS = Caller(Role.PUBLIC)

# (method, path template) -> the roles that may call it (admin is always among them).
ROUTE_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/v1/decisions"): frozenset({Role.ADMIN, Role.GATEWAY}),
    ("GET", "/v1/policy"): EVERYONE,
}


def current_caller(request: Request) -> Caller:
    """The caller the access middleware authenticated (the anonymous public caller if none)."""
    caller = getattr(request.state, "caller", None)
    return caller if isinstance(caller, Caller) else ANONYMOUS

"""Who may call what: the roles, the route × role matrix, and the caller of a request.

The matrix ``ROUTE_ROLES`` is the one table of access in the code: every route of the service
is a row, keyed by (method, path template as FastAPI declares it), naming the roles that may
call it. docs/api.md shows the same table, and a test walks every route × role against it.
``admin`` may call every route that has a row; ``public`` is also what a request without a
token gets. A route without a row is refused to everyone (deny by default), and a test fails
if any route of the app lacks one. ``Role`` lives in the access layer (``daylight.access``),
beside the tokens that carry it.

A route reads its caller with ``caller: Caller = Depends(current_caller)``; the access
middleware puts the authenticated caller in ``request.state.caller`` (a request without a
token is the anonymous public caller).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from daylight.access.token import Role as Role  # re-exported: the routes name roles from here
from daylight.core.errors import DaylightError, NotFoundError

EVERYONE = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE})


@dataclass(frozen=True)
class Caller:
    """The caller of one request, as its token says (never as its body says).

    ``subject`` is who the token speaks for: for a reviewer or employee token (and an admin
    token issued to someone) the identity it was issued to, in canonical form — the identity
    the voice layer commits to (it never leaves the service in the clear); for other tokens
    the token's own id. ``accounts`` are the accounts a customer token may see (empty for
    other roles). ``token_id`` names the token (None for the anonymous caller)."""

    role: Role
    subject: str | None = None
    accounts: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.subject is None

    def may_see_account(self, account_id: str) -> bool:
        """False only for a customer asking about an account that is not its own."""
        return self.role != Role.CUSTOMER or account_id in self.accounts

    def verify_may_see_account(self, account_id: str, *, where: str = "account_id") -> None:
        """NotFoundError (as if there were no such account: a customer learns nothing of
        others') unless ``may_see_account``."""
        if not self.may_see_account(account_id):
            raise NotFoundError(f"no account `{account_id}`", where=where)


ANONYMOUS = Caller(Role.PUBLIC)

# (method, path template) -> the roles that may call it (admin is always among them).
ROUTE_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/v1/decisions"): frozenset({Role.ADMIN, Role.GATEWAY}),
    ("GET", "/v1/policy"): EVERYONE,
    # the flow routes (api/routes/*.py)
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/v1/accounts"): frozenset({Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE, Role.CUSTOMER}),
    ("GET", "/v1/accounts/{account_id}"): frozenset(
        {Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE, Role.CUSTOMER}),
    # old and new values as the customer typed them: staff who review accounts only
    ("GET", "/v1/accounts/{account_id}/history"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("GET", "/v1/accounts/{account_id}/usage"): frozenset(
        {Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE, Role.CUSTOMER}),
    ("GET", "/v1/registry/search"): STAFF,
    ("GET", "/v1/review"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("POST", "/v1/review/{account_id}/judgements"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("POST", "/v1/audits"): frozenset({Role.ADMIN}),
    ("POST", "/v1/declarations"): frozenset({Role.ADMIN, Role.CUSTOMER}),
    ("GET", "/v1/declarations"): frozenset({Role.ADMIN, Role.REVIEWER, Role.CUSTOMER}),
    ("GET", "/v1/declarations/{declaration_id}"): frozenset(
        {Role.ADMIN, Role.REVIEWER, Role.CUSTOMER}),
    ("POST", "/v1/declarations/{declaration_id}/reviews"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("POST", "/v1/objections"): frozenset({Role.ADMIN, Role.EMPLOYEE}),
    ("GET", "/v1/objections"): STAFF,
    ("GET", "/v1/objections/{objection_id}"): STAFF,
    ("POST", "/v1/objections/{objection_id}/signatures"): frozenset({Role.ADMIN, Role.EMPLOYEE}),
    ("POST", "/v1/objections/{objection_id}/resolution"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("POST", "/v1/refusals"): frozenset({Role.ADMIN, Role.EMPLOYEE}),
    ("POST", "/v1/corrections"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("GET", "/v1/corrections"): STAFF,
    ("POST", "/v1/corrections/{correction_id}/reviews"): frozenset({Role.ADMIN, Role.REVIEWER}),
    ("GET", "/v1/reports"): EVERYONE,
    ("GET", "/v1/reports/{period}/files/{path:path}"): EVERYONE,
    ("GET", "/checkpoint"): EVERYONE,
    ("GET", "/tile/entries/{index:path}"): EVERYONE,
    ("GET", "/tile/{level}/{index:path}"): EVERYONE,
    ("GET", "/v1/log/proofs/inclusion"): EVERYONE,
    ("GET", "/v1/log/proofs/consistency"): EVERYONE,
    ("GET", "/v1/log/entries/{index}/tlog-proof"): EVERYONE,
}


class UnauthenticatedError(DaylightError):
    """401: the route needs a role and the request carries no valid token (none, malformed,
    unknown, expired or revoked). Answered with ``WWW-Authenticate: Bearer``."""

    status = 401
    exit_code = 2
    code = "unauthenticated"


class ForbiddenError(DaylightError):
    """403: a valid token whose role may not call the route (or a route with no access rule:
    refused to everyone)."""

    status = 403
    exit_code = 2
    code = "forbidden"


def verify_allowed(caller: Caller, method: str, template: str) -> None:
    """Nothing if ``ROUTE_ROLES`` lets ``caller`` call (method, template); else
    UnauthenticatedError for the anonymous caller, ForbiddenError for a token. A route that has
    no row is refused to every caller (deny by default). ``HEAD`` is ``GET``'s."""
    key = ("GET" if method == "HEAD" else method, template)
    roles = ROUTE_ROLES.get(key)
    if roles is None:
        raise ForbiddenError(f"`{key[0]} {template}` has no access rule: refused to everyone")
    if caller.role in roles or caller.role == Role.ADMIN:
        return
    if caller.anonymous:
        raise UnauthenticatedError(f"`{key[0]} {template}` needs a token: send "
                                   "`Authorization: Bearer TOKEN`")
    raise ForbiddenError(f"a token with role `{caller.role}` may not call `{key[0]} {template}`")


def access_table() -> str:
    """``ROUTE_ROLES`` as the Markdown table docs/api.md shows (one row per route, in path
    order; ✓ where a role may call it)."""
    roles = list(Role)
    lines = ["| route | " + " | ".join(f"`{r}`" for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for (method, path), allowed in sorted(ROUTE_ROLES.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        marks = " | ".join("✓" if r in allowed or r == Role.ADMIN else "" for r in roles)
        lines.append(f"| `{method} {path}` | {marks} |")
    return "\n".join(lines) + "\n"


def current_caller(request: Request) -> Caller:
    """The caller the access middleware authenticated (the anonymous public caller if none)."""
    caller = getattr(request.state, "caller", None)
    return caller if isinstance(caller, Caller) else ANONYMOUS

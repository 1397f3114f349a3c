"""Who signs, refuses and reviews: one canonical form for an identity, so that two spellings of
the same person count once.

The canonical form of an identity (an employee's or a reviewer's work address or staff id) is:
Unicode NFKC, then case folded (``str.casefold``), then NFKC again, with leading and trailing
white space removed. ``A.Kim@Provider.Example``, ``a.kim@provider.example `` and the full-width
``ａ.ｋｉｍ@provider.example`` are one identity. It MUST NOT be empty, longer than
``MAX_IDENTITY_CHARS``, or contain white space, control, format (zero-width, bidi), private-use
or unassigned characters: a zero-width space would otherwise make a second "spelling" that is a
second signature. Nothing else is rewritten: ``a.kim`` and ``akim`` are different identities
(the provider's directory, not Daylight, says whether they are one person).

A reviewer is named by their work address (``name@domain``): its domain is how Daylight tells
that a reviewer belongs to the organisation whose declaration they would approve.
"""

from __future__ import annotations

import re
import unicodedata

from daylight.core.errors import InputError

MAX_IDENTITY_CHARS = 254
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
_DOMAIN = re.compile(r"([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def canonical_identity(text: object, *, where: str = "--by") -> str:
    """The canonical form of ``text``; InputError naming ``where`` if it is not an identity."""
    if not isinstance(text, str):
        raise InputError("expected an identity as text", where=where)
    form = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold()).strip()
    if not form:
        raise InputError("expected an identity, got an empty one", where=where)
    if len(form) > MAX_IDENTITY_CHARS:
        raise InputError(f"expected an identity of at most {MAX_IDENTITY_CHARS} characters",
                         where=where)
    for char in form:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            kind = "white space" if category.startswith("Z") else "a control or invisible character"
            raise InputError(f"an identity may not contain {kind} (U+{ord(char):04X})", where=where)
    return form


def identity_domain(identity: str, *, where: str = "--by") -> str:
    """The domain of a canonical reviewer identity ``name@domain``; InputError if it has none."""
    local, at, domain = identity.rpartition("@")
    if not at or not local or not _DOMAIN.fullmatch(domain):
        raise InputError(f"`{identity}` is not a work address `name@domain`: a reviewer is named "
                         "by their address, whose domain says which organisation they belong to",
                         where=where)
    return domain


def same_organisation_domain(domain: str, other: str) -> bool:
    """True if two domains are one organisation's: equal, or one a subdomain of the other."""
    domain, other = domain.lower(), other.lower()
    return domain == other or domain.endswith("." + other) or other.endswith("." + domain)

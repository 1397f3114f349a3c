"""The one rule for a customer account id, shared by every boundary that takes one: account
import, usage ingest, the decision API, ``daylight decide`` and the policy gate middleware.

An account id is 1 to 128 characters: an ASCII letter or digit, then letters, digits and
``. _ : @ / + -``. So an id is never blank, never has spaces or controls, never mixes scripts
(a Cyrillic ``а`` cannot pass for a Latin one), and never starts like a spreadsheet formula
(``=``, ``+``, ``-``, ``@``). ``ACCOUNT_ID_PATTERN`` is written for both Python's ``re`` and
RE2 (Arrow's regex kernels, used to check usage files column-wise).
"""

from __future__ import annotations

import re

from daylight.core.errors import InputError

MAX_ACCOUNT_ID = 128
ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$"
ACCOUNT_ID_RULE = "1 to 128 letters, digits and ._:@/+-, starting with a letter or digit"
_ACCOUNT_ID = re.compile(ACCOUNT_ID_PATTERN)


def is_account_id(value: object) -> bool:
    """True if ``value`` is a string that is a valid account id."""
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def verify_account_id(value: object, *, where: str) -> str:
    """``value`` if it is a valid account id, else InputError naming ``where``."""
    if is_account_id(value):
        assert isinstance(value, str)
        return value
    if not isinstance(value, str):
        raise InputError(f"expected a string account id, got {type(value).__name__}", where=where)
    if not value.strip():
        raise InputError("missing account id: expected " + ACCOUNT_ID_RULE, where=where)
    shown = value if len(value) <= 80 else value[:80] + "..."
    raise InputError(f"account id `{shown}` is not an id: expected {ACCOUNT_ID_RULE}", where=where)

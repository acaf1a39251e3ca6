"""Keep a shopper's identity out of free text that managers and branches read. Pure.

Shoppers sometimes write their own name or e-mail into a note ("the staff member read my
phone number aloud", "asked for Ann"). Admins and reviewers see notes as written; everyone
else (area and branch managers, the PDF a branch receives) gets them with every e-mail
address and the shopper's name, its parts and e-mail replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REDACTED = "[…]"


def identity_words(name: str, email: str) -> set[str]:
    """What identifies a person in text: the name, each part of it, the e-mail address."""
    return {name, email, *name.split()}


def scrub(text: str, redact: Iterable[str]) -> str:
    """Remove e-mail addresses and the given names from free text (case-insensitive).

    Words shorter than 3 characters are left alone (they would hit ordinary words).
    """
    out = EMAIL.sub(REDACTED, text)
    for secret in sorted({s.strip() for s in redact if s and len(s.strip()) >= 3}, key=len)[::-1]:
        out = re.sub(re.escape(secret), REDACTED, out, flags=re.IGNORECASE)
    return out

"""Resume tokens: long random secrets, stored only as their SHA-256 digest.

A token carries 256 bits of randomness, so a fast hash is enough: there is nothing to
brute-force that a slow KDF would protect, and look-ups stay a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh (token, digest) pair; give the token to the respondent, store the digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()

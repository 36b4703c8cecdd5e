"""Optional API keys: compared in constant time, every configured key tried whatever the first gives."""

from __future__ import annotations

import hmac

__all__ = ["API_KEY_HEADER", "key_accepted"]

API_KEY_HEADER = "x-api-key"


def key_accepted(given: str | None, keys: tuple[bytes, ...]) -> bool:
    """True when no key is configured, or `given` equals one of `keys`."""
    if not keys:
        return True
    candidate = (given or "").encode("utf-8", "surrogateescape")
    found = False
    for key in keys:  # no early exit: the time taken does not tell which key (or how much of it) matched
        found |= hmac.compare_digest(candidate, key)
    return found and given is not None

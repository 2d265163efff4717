"""Every secret the desk puts in an email is made and checked here, as django.contrib.auth's
tokens.py does for password resets; the callers decide what each one opens.

- Single-use tokens, "<selector>.<secret>" (the requester's links, tickets.links): a
  random selector to find the stored row and a random 256-bit secret of which only the
  SHA-256 hash is stored, compared in constant time. A database row, not a signature,
  because a link must be spent once opened and end with its ticket's window.
- Signatures of a value (the reply address of a ticket's emails, notifications.replies):
  an HMAC-SHA256 under SECRET_KEY with the caller's salt, cut to 128 bits and written in
  lower-case base32, so that a mail server that changes an address's case keeps it valid.
  Nothing is stored; every key of SECRET_KEY and SECRET_KEY_FALLBACKS is accepted, so
  rotating the key keeps the addresses already in mailboxes working meanwhile.
- The monitoring integrations' API tokens (integrations.models) are such random secrets
  too, looked up by the same hash.
- The first links' signed values (django.core.signing): only read, never made again.

The formats are those the emails already sent carry: changing one would break the links
and addresses in requesters' mailboxes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

# Single-use tokens ------------------------------------------------------------------

# base64url of 9 random bytes (lookup only) and of 32 random bytes (the secret).
SELECTOR_BYTES, SECRET_BYTES = 9, 32
TOKEN_MAX_LENGTH = 100


@dataclass(frozen=True)
class IssuedToken:
    token: str  # what the email carries, once
    selector: str  # what the desk stores to find it
    secret_hash: str  # and to check it


def hash_secret(secret: str) -> str:
    """What the desk stores of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue() -> IssuedToken:
    """A new single-use token; store its selector and hash, email its token."""
    selector = secrets.token_urlsafe(SELECTOR_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return IssuedToken(f"{selector}.{secret}", selector, hash_secret(secret))


def token_selector(token: str) -> str | None:
    """The selector to look the token's row up by, or None if it is not shaped as one."""
    selector, dot, secret = (token or "").partition(".")
    if not dot or not selector or not secret or len(token) > TOKEN_MAX_LENGTH:
        return None
    return selector


def token_matches(token: str, secret_hash: str) -> bool:
    """Whether the token's secret is the one whose hash was stored (constant time)."""
    _selector, _dot, secret = (token or "").partition(".")
    return bool(secret) and constant_time_compare(secret_hash, hash_secret(secret))


# Signatures of a value --------------------------------------------------------------

SIGNATURE_BYTES = 16  # 128 bits: 26 base32 characters


def signature(value: str, *, salt: str, key: str | None = None) -> str:
    """The value's signature under `key` (SECRET_KEY by default)."""
    digest = salted_hmac(salt, value, secret=key or settings.SECRET_KEY, algorithm="sha256").digest()
    return base64.b32encode(digest[:SIGNATURE_BYTES]).decode("ascii").rstrip("=").lower()


def signature_matches(value: str, given: str, *, salt: str) -> bool:
    """Whether `given` is the value's signature under any key in use. Every key is tried,
    so the time taken does not tell which one matched."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    valid = [constant_time_compare(given, signature(value, salt=salt, key=key)) for key in keys]
    return any(valid)


# The first links --------------------------------------------------------------------


def legacy_signed_value(token: str, *, salt: str) -> str | None:
    """The value a django.core.signing link of the first emails was made for, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None

"""helpdesk.tokens makes and checks every secret the desk emails. The formats are those of
the emails already in requesters' mailboxes: a token or an address made the old way, by
hand here, still checks."""

import base64
import hashlib
import hmac

import pytest
from django.core import signing

from helpdesk.tokens import (
    legacy_signed_value,
    signature,
    signature_matches,
    token_issue,
    token_matches,
    token_selector,
)

SALT = "notifications.replies.reply-address"


def old_signature(value: str, key: str, salt: str = SALT) -> str:
    """The reply address's signature as the first emails computed it, written out: an
    HMAC-SHA256 keyed with SHA-256(salt + secret key), its first 16 bytes in lower-case
    base32."""
    hmac_key = hashlib.sha256((salt + key).encode()).digest()
    digest = hmac.new(hmac_key, value.encode(), hashlib.sha256).digest()[:16]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def test_an_issued_token_is_a_selector_and_a_secret_of_which_only_the_hash_is_kept():
    issued = token_issue()
    selector, dot, secret = issued.token.partition(".")

    assert dot and selector == issued.selector and len(selector) == 12 and len(secret) == 43
    assert issued.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token_matches(issued.token, issued.secret_hash)
    assert token_issue().token != issued.token


@pytest.mark.parametrize(
    "token, selector",
    [
        ("abc.def", "abc"),
        ("abc.def.ghi", "abc"),  # the secret is the rest; it only has to match
        ("abcdef", None),  # not shaped as a token: perhaps one of the first links
        (".def", None),
        ("abc.", None),
        ("", None),
        (None, None),
        ("a." + "x" * 99, None),  # longer than any token the desk makes
    ],
)
def test_the_selector_of_a_token(token, selector):
    assert token_selector(token) == selector


def test_a_token_matches_only_its_own_hash():
    issued = token_issue()
    other = token_issue()
    tampered = issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")

    assert not token_matches(other.token, issued.secret_hash)
    assert not token_matches(tampered, issued.secret_hash)
    assert not token_matches(issued.selector + ".", issued.secret_hash)


def test_a_token_made_the_old_way_still_matches():
    selector, secret = "AAAAAAAAAAAA", "B" * 43
    stored_hash = hashlib.sha256(secret.encode()).hexdigest()

    assert token_selector(f"{selector}.{secret}") == selector
    assert token_matches(f"{selector}.{secret}", stored_hash)


def test_a_signature_is_the_one_the_first_emails_carried(settings):
    settings.SECRET_KEY = "una-clave-de-prueba"

    assert signature("42", salt=SALT) == old_signature("42", "una-clave-de-prueba")
    assert signature_matches("42", old_signature("42", "una-clave-de-prueba"), salt=SALT)


def test_a_signature_under_a_retired_key_counts_while_the_key_is_a_fallback(settings):
    given = old_signature("42", "la-clave-anterior")
    settings.SECRET_KEY = "la-clave-nueva"
    settings.SECRET_KEY_FALLBACKS = ["la-clave-anterior"]

    assert signature_matches("42", given, salt=SALT)
    settings.SECRET_KEY_FALLBACKS = []
    assert not signature_matches("42", given, salt=SALT)


@pytest.mark.parametrize(
    "value, given",
    [("43", "for-42"), ("42", "for-42-other-salt")],
    ids=["another value", "another salt"],
)
def test_a_signature_counts_for_its_own_value_and_salt_only(settings, value, given):
    signatures = {"for-42": signature("42", salt=SALT), "for-42-other-salt": signature("42", salt="otra")}

    assert not signature_matches(value, signatures[given], salt=SALT)


def test_a_link_of_the_first_emails_is_read_with_its_salt_only():
    legacy = signing.Signer(salt="tickets.requester-link").sign("7")

    assert legacy_signed_value(legacy, salt="tickets.requester-link") == "7"
    assert legacy_signed_value(legacy, salt="intake.confirmation") is None
    assert legacy_signed_value(legacy + "x", salt="tickets.requester-link") is None
    assert legacy_signed_value("", salt="tickets.requester-link") is None

"""The site's VAPID identity (RFC 8292): one key pair, made on first use.

The private key lives in the database (``VapidKey``), never in the repository or
the environment. Browsers bind every subscription to the public key, so it is
never replaced by Herald itself: rotating it means every reader subscribes again.
"""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from py_vapid import Vapid

from .models import VapidKey

# RFC 8292 allows at most 24 h; Apple refuses more. Twelve hours, and a token is
# reused for at most an hour, so every token sent has ≥ 11 h left.
TOKEN_LIFETIME = 12 * 3600
TOKEN_REUSE = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _generate() -> tuple[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return pem, b64url(public)


def current_key() -> VapidKey:
    """The site's key pair, made (once, race-safe) the first time it is asked for."""
    key = VapidKey.objects.filter(name="default").first()
    if key is not None:
        return key
    pem, public = _generate()
    try:
        with transaction.atomic():
            return VapidKey.objects.create(
                name="default", private_pem=pem, public_key=public
            )
    except IntegrityError:  # another process made it first: use theirs
        return VapidKey.objects.get(name="default")


def public_key() -> str:
    """The applicationServerKey browsers subscribe with (base64url)."""
    return current_key().public_key


def contact() -> str:
    """The ``sub`` claim: HERALD_PUSH_CONTACT, else the https site address."""
    value = (getattr(settings, "HERALD_PUSH_CONTACT", "") or "").strip()
    if not value and settings.BASE_URL.startswith("https://"):
        value = settings.BASE_URL
    if not value.startswith(("mailto:", "https://")) or value.endswith("@localhost"):
        raise ImproperlyConfigured(
            "HERALD_PUSH_CONTACT must be a mailto: address or an https: URL "
            f"(push services refuse others); got {value!r}"
        )
    return value


def audience(endpoint: str) -> str:
    """The JWT ``aud``: the origin of the push service that owns ``endpoint``."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class Signer:
    """Makes ``Authorization: vapid t=…, k=…`` headers, one token per origin.

    Signing is an ECDSA operation; a token is reused for an hour for the same
    push service origin (it is valid for twelve).
    """

    def __init__(self, key: VapidKey | None = None, *, sub: str | None = None):
        key = key or current_key()
        self.vapid = Vapid.from_pem(key.private_pem.encode())
        self.sub = sub or contact()
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}
        self._audiences: dict[str, str] = {}

    def headers(self, endpoint: str) -> dict[str, str]:
        # Endpoints of one push service share their origin: parse it once.
        slash = endpoint.find("/", endpoint.find("://") + 3)
        prefix = endpoint if slash < 0 else endpoint[:slash]
        aud = self._audiences.get(prefix)
        if aud is None:
            aud = self._audiences[prefix] = audience(endpoint)
        now = time.time()
        made = self._tokens.get(aud)
        if made is None or now - made[0] > TOKEN_REUSE:
            claims = {"aud": aud, "exp": int(now) + TOKEN_LIFETIME, "sub": self.sub}
            made = (now, dict(self.vapid.sign(claims)))
            self._tokens[aud] = made
        return dict(made[1])


_shared: tuple[tuple[str, str], Signer] | None = None


def shared_signer() -> Signer:
    """This process's signer for the site's current key and contact.

    Kept across batches, so a token is signed once an hour per push service
    (not once a batch), and push services see the same token and can keep
    their verification of it. A new key or contact makes a new signer.
    """
    global _shared
    key = current_key()
    ident = (key.private_pem, contact())
    if _shared is None or _shared[0] != ident:
        _shared = (ident, Signer(key, sub=ident[1]))
    return _shared[1]

"""The fake push service's VAPID check, with the verification it keeps per token."""

from __future__ import annotations

import time

from py_vapid import Vapid

from tests.fakes.push_service import PushService, Subscriber, b64url


def _key_of(vapid: Vapid) -> str:
    from cryptography.hazmat.primitives import serialization

    return b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def _service_and_subscriber(vapid: Vapid) -> tuple[PushService, Subscriber]:
    service = PushService(port=8443)  # not started: the check alone
    raw = service.subscribe(server_key=_key_of(vapid))
    return service, service.subscriber_for(raw["endpoint"])


def _header(vapid: Vapid, service: PushService, exp: int) -> str:
    claims = {"aud": service.origin, "exp": exp, "sub": "mailto:desk@herald.example"}
    return vapid.sign(claims)["Authorization"]


def test_a_kept_verification_still_refuses_the_token_once_it_expired():
    # given a token the service verified once
    vapid = Vapid()
    vapid.generate_keys()
    service, subscriber = _service_and_subscriber(vapid)
    exp = int(time.time()) + 3600
    header = _header(vapid, service, exp)
    assert service._check_vapid(header, subscriber) is None

    # when the same token comes after its exp
    service.clock = lambda: exp + 1

    # then it is refused although its signature was checked before
    assert service._check_vapid(header, subscriber) == "exp not within 24 h"


def test_a_verified_token_with_another_key_or_signature_is_checked_again():
    vapid, other = Vapid(), Vapid()
    vapid.generate_keys()
    other.generate_keys()
    service, subscriber = _service_and_subscriber(vapid)
    header = _header(vapid, service, int(time.time()) + 3600)
    assert service._check_vapid(header, subscriber) is None

    # the same token presented with another key does not reuse the kept result
    token = header.split("t=", 1)[1].split(",", 1)[0]
    assert (
        service._check_vapid(f"vapid t={token},k={_key_of(other)}", subscriber)
        == "bad signature"
    )
    # and a token whose signature was altered is verified, and refused
    head, claims, signature = token.split(".")
    forged = f"{head}.{claims}.{signature[:-4]}AAAA"
    assert (
        service._check_vapid(f"vapid t={forged},k={_key_of(vapid)}", subscriber)
        == "bad signature"
    )

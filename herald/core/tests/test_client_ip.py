"""The client address behind a reverse proxy, as rate limits and lockouts see it."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from herald.core.http import client_ip

NGINX = "127.0.0.1"
PROXIES = ["127.0.0.1", "::1", "10.1.0.0/16"]


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(HERALD_TRUSTED_PROXIES=PROXIES)
def test_forwarded_header_from_an_untrusted_peer_is_ignored():
    request = request_from("198.51.100.7", forwarded="203.0.113.1")

    assert client_ip(request) == "198.51.100.7"


@override_settings(HERALD_TRUSTED_PROXIES=PROXIES)
def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client():
    # the client forged "1.2.3.4"; nginx appended the address it really saw
    request = request_from(NGINX, forwarded="1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"


@override_settings(HERALD_TRUSTED_PROXIES=PROXIES)
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    request = request_from(NGINX, forwarded="1.2.3.4, 2001:db8::5, 10.1.2.3")

    assert client_ip(request) == "2001:db8::5"


@override_settings(HERALD_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_read():
    request = request_from(NGINX, forwarded="203.0.113.9")

    assert client_ip(request) == NGINX


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("", NGINX),
        ("not-an-address", NGINX),
        ("203.0.113.9, <script>", NGINX),
        ("<script>, 203.0.113.9", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("\x00" * 50, NGINX),
        (",,,", NGINX),
    ],
)
@override_settings(HERALD_TRUSTED_PROXIES=PROXIES)
def test_a_malformed_forwarded_header_falls_back_to_what_a_proxy_vouched_for(
    forwarded, expected
):
    assert client_ip(request_from(NGINX, forwarded=forwarded)) == expected


@pytest.mark.django_db
@override_settings(
    HERALD_TRUSTED_PROXIES=PROXIES,
    HERALD_MEMBERS_RATES={"email": "50/15m", "ip": "3/15m", "code_ip": "3/15m"},
)
def test_two_readers_behind_the_proxy_have_separate_sign_in_buckets():
    # given: one reader behind nginx used up their address's sign-in requests
    noisy = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.1")
    codes = [
        noisy.post("/account/signin/", {"email": f"r{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert codes == [302, 302, 302, 429]

    # when: another reader signs in through the same proxy
    other = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.2")
    response = other.post("/account/signin/", {"email": "quiet@example.org"})

    # then: they are not locked out by the first one
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(
    HERALD_TRUSTED_PROXIES=PROXIES,
    HERALD_MEMBERS_RATES={"email": "50/15m", "ip": "3/15m", "code_ip": "3/15m"},
)
def test_a_forged_forwarded_header_does_not_open_a_new_bucket():
    # given: a client talking to the app directly, inventing a new address each time
    codes = [
        Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        .post("/account/signin/", {"email": f"r{i}@example.org"})
        .status_code
        for i in range(4)
    ]

    # then: every request counts against its real address
    assert codes == [302, 302, 302, 429]


@pytest.mark.django_db
@override_settings(HERALD_TRUSTED_PROXIES=PROXIES, HERALD_SEARCH_RATE="2/m")
def test_search_limit_is_per_reader_behind_the_proxy_and_survives_a_bad_header():
    first = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="203.0.113.1")
    codes = [first.get("/search/", {"q": "harbour"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]

    other = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.get("/search/", {"q": "harbour"}).status_code == 200

    garbled = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="999.1.1.1, , ::zz")
    assert garbled.get("/search/", {"q": "harbour"}).status_code == 200


@override_settings(HERALD_TRUSTED_PROXIES=PROXIES)
def test_admin_lockouts_count_the_same_client_address():
    from axes.helpers import get_client_ip_address

    request = request_from(NGINX, forwarded="1.2.3.4, 203.0.113.9")

    assert get_client_ip_address(request) == "203.0.113.9"

"""Fixtures for the newsletters tests: newsletters, members, reading sent mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client as DjangoClient
from django.test import TestCase

from herald.members.models import User
from herald.newsletters.models import Cadence, Newsletter, Visibility

CONFIRM_RE = re.compile(r"https?://\S+/newsletters/confirm/\S+/")


class Client(DjangoClient):
    """A test client whose requests run their on-commit work, as in production."""

    def request(self, **request):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def morning(db) -> Newsletter:
    return Newsletter.objects.create(
        name="The Morning Edition",
        slug="morning",
        description="Five stories before breakfast, every weekday.",
        default_for_new_members=True,
        digest_cadence=Cadence.DAILY,
        sort_order=1,
    )


@pytest.fixture
def weekly(db) -> Newsletter:
    return Newsletter.objects.create(
        name="Long Reads Weekly", slug="long-reads", sort_order=2
    )


@pytest.fixture
def insider(db) -> Newsletter:
    return Newsletter.objects.create(
        name="Insider", slug="insider", visibility=Visibility.PAID, sort_order=3
    )


@pytest.fixture
def member(db) -> User:
    return User.objects.create_user("reader@example.org", first_name="Rita")


def last_mail(to: str | None = None):  # type: ignore[no-untyped-def]
    boxes = [m for m in mail.outbox if to is None or to in m.to]
    assert boxes, f"no mail to {to}"
    return boxes[-1]


def confirm_link(to: str) -> str:
    found = CONFIRM_RE.search(last_mail(to).body)
    assert found, last_mail(to).body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]

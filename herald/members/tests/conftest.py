"""Fixtures for the members tests: members, staff, tiers, and reading sent mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client as DjangoClient
from django.test import TestCase

from herald.members.models import Tier, User

LINK_RE = re.compile(r"https?://\S+/account/\S+/")
CODE_RE = re.compile(r"\b(\d{3}) (\d{3})\b")


class Client(DjangoClient):
    """A test client whose requests end like real ones: on-commit work runs.

    Tests run inside one transaction that never commits, so emails queued with
    ``transaction.on_commit`` would never leave; each request here runs its
    callbacks when it returns, as it would in production.
    """

    def request(self, **request):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client() -> Client:
    return Client()


def last_link(to: str | None = None) -> str:
    message = last_mail(to)
    found = LINK_RE.search(message.body)
    assert found, message.body
    return found.group(0)


def last_code(to: str | None = None) -> str:
    message = last_mail(to)
    found = CODE_RE.search(message.body)
    assert found, message.body
    return found.group(1) + found.group(2)


def last_mail(to: str | None = None):  # type: ignore[no-untyped-def]
    boxes = [m for m in mail.outbox if to is None or to in m.to]
    assert boxes, f"no mail to {to}"
    return boxes[-1]


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def member(db) -> User:
    return User.objects.create_user("reader@example.org", first_name="Rita")


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user(
        "editor@example.org", password="a-long-password-1", is_staff=True
    )


@pytest.fixture
def gold(db) -> Tier:
    return Tier.objects.create(
        name="Gold", slug="gold", monthly_price=900, yearly_price=9000
    )


@pytest.fixture
def silver(db) -> Tier:
    return Tier.objects.create(
        name="Silver", slug="silver", monthly_price=500, yearly_price=5000
    )

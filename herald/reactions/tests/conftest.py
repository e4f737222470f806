"""Fixtures for public reaction tests: a published article, members, staff."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django.test import TestCase

from herald.members.models import User
from herald.newsroom.testing import home_page, make_article, make_section


class Client(DjangoClient):
    """A test client whose requests run their on-commit work, as real ones do."""

    def request(self, **request):  # type: ignore[no-untyped-def]
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def article():  # type: ignore[no-untyped-def]
    section = make_section("World", parent=home_page())
    return make_article(section, "Harbour bridge reopens after repairs")


@pytest.fixture
def member() -> User:
    return User.objects.create_user("reader.one@example.org")


@pytest.fixture
def other_member() -> User:
    return User.objects.create_user("reader.two@example.org")


@pytest.fixture
def member_client(member: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


@pytest.fixture
def anon_client() -> Client:
    return Client(enforce_csrf_checks=True)
